"""The catalogue of IO calls, ``rules/io_calls.toml``: which functions and methods read,
write, list or change files, and which argument holds the path (:class:`CallSpec`),
compiled into a :class:`Catalogue` for lookups."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from nb2prod.resources import data_dir


@dataclass(frozen=True, slots=True)
class CallSpec:
    """One catalogue entry: how a call takes its path and whether it reads or writes."""

    kind: str
    paths: tuple[int, ...] = (0,)
    keywords: frozenset[str] = frozenset()
    receiver: bool = False
    default: str | None = None
    mode: int | None = None
    mode_keyword: str | None = None
    default_mode: str | None = None
    shape: str = "any"
    model_id: bool = False  # the path may be a model hub id ("bert-base-uncased"): see below
    local_keywords: frozenset[str] = frozenset()  # keywords exempt from shape and model_id
    remote_keywords: frozenset[str] = frozenset()  # given (fs=...): the path is remote
    fixable: bool = True  # False: --fix has no rewrite for it (the finding says so)


@dataclass(slots=True)
class Catalogue:
    """``rules/io_calls.toml`` compiled for lookups by qualified name and method name."""

    functions: dict[str, CallSpec] = field(default_factory=dict)
    # "*a.b.name" entries, by their last part: {"name": [(".a.b.name", spec)]}
    suffixes: dict[str, list[tuple[str, CallSpec]]] = field(default_factory=dict)
    # "a.*.name" entries (a star inside), by their last part, as regexes
    patterns: dict[str, list[tuple[re.Pattern[str], CallSpec]]] = field(default_factory=dict)
    # [model-ids] local-roots: a first folder that makes a model path local ("models/x")
    local_roots: frozenset[str] = frozenset()
    methods: dict[str, CallSpec] = field(default_factory=dict)
    receiver_methods: dict[str, CallSpec] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    # The last part of every entry: a method call ``x.name(...)`` with another name matches
    # none, which settles most calls without resolving their qualified name.
    last_names: frozenset[str] = frozenset()

    def function(self, qual: str) -> CallSpec | None:
        spec = self.functions.get(qual)
        if spec is None:
            last = qual.rpartition(".")[2]
            for suffix, candidate in self.suffixes.get(last, ()):
                if qual.endswith(suffix) or qual == suffix[1:]:
                    return candidate
            for pattern, candidate in self.patterns.get(last, ()):
                if pattern.fullmatch(qual):
                    return candidate
        return spec

    def ignored(self, qual: str) -> bool:
        """True when ``qual`` is, or is inside, an ignored module (``seaborn.*``)."""
        parts = qual.split(".")
        return any(".".join(parts[:i]) in self.ignore for i in range(1, len(parts) + 1))


def build_catalogue(doc: dict[str, Any]) -> Catalogue:
    """Compile the TOML document (see the comments in ``rules/io_calls.toml``); a name
    listed twice is an error, so an edit cannot silently override another entry."""
    cat = Catalogue()
    seen: set[str] = set()
    for entry in doc.get("call", []):
        paths = entry.get("path", 0)
        spec = CallSpec(
            kind=entry["kind"],
            paths=tuple(paths) if isinstance(paths, list) else (paths,),
            keywords=frozenset(entry.get("keywords", ())),
            receiver=bool(entry.get("receiver", False)),
            default=entry.get("default"),
            mode=entry.get("mode"),
            mode_keyword=entry.get("mode-keyword"),
            default_mode=entry.get("default-mode"),
            shape=entry.get("shape", "any"),
            model_id=bool(entry.get("model-id", False)),
            local_keywords=frozenset(entry.get("local-keywords", ())),
            remote_keywords=frozenset(entry.get("remote-keywords", ())),
            fixable=bool(entry.get("fixable", True)),
        )
        for name in entry.get("functions", ()):
            if name in seen:
                raise ValueError(f"io_calls.toml: {name} is listed twice")
            seen.add(name)
            if "*" in name.lstrip("*"):
                last = name.rpartition(".")[2]
                cat.patterns.setdefault(last, []).append((_pattern(name), spec))
            elif name.startswith("*"):
                suffix = "." + name[1:].lstrip(".")
                cat.suffixes.setdefault(suffix.rpartition(".")[2], []).append((suffix, spec))
            else:
                cat.functions[name] = spec
        target = cat.receiver_methods if spec.receiver else cat.methods
        for name in entry.get("methods", ()):
            if name in target:
                raise ValueError(f"io_calls.toml: method {name} is listed twice")
            target[name] = spec
    cat.ignore = tuple(
        p.rstrip("*").rstrip(".") for p in doc.get("ignore", {}).get("functions", ())
    )
    cat.local_roots = frozenset(doc.get("model-ids", {}).get("local-roots", ()))
    cat.last_names = frozenset(
        {name.rpartition(".")[2] for name in cat.functions}
        | cat.suffixes.keys()
        | cat.patterns.keys()
        | cat.methods.keys()
        | cat.receiver_methods.keys()
    )
    return cat


def _pattern(name: str) -> re.Pattern[str]:
    """``transformers.*.from_pretrained`` -> a regex: a star inside stands for one dotted
    part or more, a leading ``*`` for any prefix (``*keras.*.save``)."""
    lead = name.startswith("*")
    parts = [re.escape(p) for p in name.lstrip("*").lstrip(".").split(".")]
    body = r"\.".join(r"\w+(?:\.\w+)*" if p == r"\*" else p for p in parts)
    return re.compile((r"(?:\w+\.)*" if lead else "") + body)


@cache
def catalogue() -> Catalogue:
    """The shipped catalogue, read once."""
    with open(data_dir("rules") / "io_calls.toml", "rb") as fh:
        return build_catalogue(tomllib.load(fh))
