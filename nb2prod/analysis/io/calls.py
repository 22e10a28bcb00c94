"""The catalogue of IO calls, ``rules/io_calls.toml``: which functions and methods read,
write, list or change files, and which argument holds the path (:class:`CallSpec`),
compiled into a :class:`Catalogue` for lookups."""

from __future__ import annotations

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


@dataclass(slots=True)
class Catalogue:
    """``rules/io_calls.toml`` compiled for lookups by qualified name and method name."""

    functions: dict[str, CallSpec] = field(default_factory=dict)
    # "*a.b.name" entries, by their last part: {"name": [(".a.b.name", spec)]}
    suffixes: dict[str, list[tuple[str, CallSpec]]] = field(default_factory=dict)
    methods: dict[str, CallSpec] = field(default_factory=dict)
    receiver_methods: dict[str, CallSpec] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    # The last part of every entry: a method call ``x.name(...)`` with another name matches
    # none, which settles most calls without resolving their qualified name.
    last_names: frozenset[str] = frozenset()

    def function(self, qual: str) -> CallSpec | None:
        spec = self.functions.get(qual)
        if spec is None:
            for suffix, candidate in self.suffixes.get(qual.rpartition(".")[2], ()):
                if qual.endswith(suffix) or qual == suffix[1:]:
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
        )
        for name in entry.get("functions", ()):
            if name in seen:
                raise ValueError(f"io_calls.toml: {name} is listed twice")
            seen.add(name)
            if name.startswith("*"):
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
    cat.last_names = frozenset(
        {name.rpartition(".")[2] for name in cat.functions}
        | cat.suffixes.keys()
        | cat.methods.keys()
        | cat.receiver_methods.keys()
    )
    return cat


@cache
def catalogue() -> Catalogue:
    """The shipped catalogue, read once."""
    with open(data_dir("rules") / "io_calls.toml", "rb") as fh:
        return build_catalogue(tomllib.load(fh))
