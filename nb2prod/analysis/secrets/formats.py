"""Provider token formats: the catalogue compiled from ``rules/secrets.toml`` ``[[pattern]]``
(plus settings ``extra-secret-patterns``), the keyword prefilter that picks the patterns
worth running over a text, and the scan of a text for them."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nb2prod.analysis.secrets.model import PROVIDER, TextMatch
from nb2prod.analysis.secrets.predicates import in_base64_blob, is_example_key, not_a_secret
from nb2prod.analysis.secrets.vocab import rules_toml
from nb2prod.errors import InputError


@dataclass(frozen=True, slots=True)
class SecretPattern:
    """One secret format. ``text`` finds it in free text (with its ``bound-to`` context),
    ``value`` tells whether a literal bound to a name matching ``bound_to`` is one."""

    id: str
    name: str
    provider: str
    env: str
    text: re.Pattern[str]
    value: re.Pattern[str]
    bound_to: re.Pattern[str] | None = None
    keywords: tuple[str, ...] | None = None  # one is in any text holding it


@dataclass(frozen=True, slots=True)
class Catalogue:
    patterns: tuple[SecretPattern, ...]
    by_keyword: dict[str, tuple[int, ...]]  # keyword -> indexes of the patterns it guards
    unguarded: tuple[int, ...]  # patterns without keywords: always run

    def candidates(self, text: str) -> tuple[SecretPattern, ...]:
        """The patterns worth running over ``text``: a few substring tests instead of
        every regex."""
        if not self.by_keyword and not self.unguarded:
            return ()  # a catalogue narrowed to a notebook without any keyword
        wanted = set(self.unguarded)
        for keyword, indexes in self.by_keyword.items():
            if keyword in text:
                wanted.update(indexes)
        return tuple(self.patterns[i] for i in sorted(wanted)) if wanted else ()

    def restricted(self, text: str) -> Catalogue:
        """This catalogue with only the keywords found in ``text`` (a whole notebook's
        text): later ``candidates`` calls on its parts test a handful of keywords."""
        present = keywords_in(text, tuple(self.by_keyword))
        found = {k: v for k, v in self.by_keyword.items() if k in present}
        return Catalogue(self.patterns, found, self.unguarded)


def keywords_in(text: str, keywords: tuple[str, ...]) -> set[str]:
    """The ``keywords`` that occur in ``text``, in one regex pass over it per first
    character instead of one substring scan per keyword (a notebook's text is megabytes of
    outputs)."""
    longest: set[str] = set()  # the longest keyword starting at each position where one does
    for finder in _keyword_finders(keywords):
        search = finder.search
        m = search(text)
        while m is not None:
            longest.add(m.group())
            m = search(text, m.start() + 1)
    # A keyword occurs iff it starts where one of these starts, so is a prefix of one.
    return {k for k in keywords if not k or any(k in found for found in longest)}


@lru_cache(maxsize=8)
def _keyword_finders(keywords: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """One regex per first character (``A(?:KIA|SIA|IZA)``), each matching the longest of
    its keywords: a regex that starts with one literal character skips to it at memchr
    speed, which one regex of all the groups (a set of first characters) cannot: over a
    notebook's megabytes of outputs, the groups one after the other take half the time."""
    return tuple(re.compile(group) for group in _groups(keywords))


def _groups(keywords: tuple[str, ...]) -> list[str]:
    """``first(?:rest|rest)`` for each first character of ``keywords``, longest rest first."""
    rests: dict[str, list[str]] = {}
    for k in filter(None, keywords):  # "" is in any text
        rests.setdefault(k[0], []).append(k[1:])
    return [
        re.escape(first) + "(?:" + "|".join(map(re.escape, sorted(r, key=len, reverse=True))) + ")"
        for first, r in rests.items()
    ]


@lru_cache(maxsize=8)
def _keyword_finder(keywords: tuple[str, ...]) -> re.Pattern[str]:
    """A regex matching the longest of ``keywords`` that starts at a position. Grouped by
    first character (``A(?:KIA|SIA|IZA)|g(?:hp_|lpat-)``): the engine skips quickly over
    characters that start none and tries one group where one does."""
    return re.compile("|".join(_groups(keywords)) or "(?!)")


_GLOBAL_FLAGS = re.compile(r"^\(\?([aiLmsux]+)\)")


def _scoped(regex: str) -> str:
    """A leading ``(?i)`` becomes ``(?i:...)`` so the regex can be embedded in another."""
    match = _GLOBAL_FLAGS.match(regex)
    return f"(?{match.group(1)}:{regex[match.end() :]})" if match else regex


def _compile(spec: dict[str, Any], where: str) -> SecretPattern:
    name = spec.get("name")
    regex = spec.get("regex")
    if not isinstance(name, str) or not isinstance(regex, str) or not regex:
        raise InputError(f"secret pattern needs 'name' and 'regex': {spec!r}", where)
    bound = spec.get("bound-to") or spec.get("bound_to")
    try:
        value = re.compile(_scoped(regex))
        bound_to = re.compile(_scoped(bound)) if bound else None
        if bound_to is not None:
            text = re.compile(
                rf"(?:{_scoped(bound)})[\"'`]?[ \t]*(?:=|:=|:|=>|,)[ \t]*[\"'`]?({_scoped(regex)})"
            )
        else:
            text = value
    except re.error as exc:
        raise InputError(f"secret pattern {name!r}: invalid regex ({exc})", where) from None
    ident = spec.get("id") or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    env = spec.get("env") or re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")
    keywords = spec.get("keywords")
    keys = tuple(map(str, keywords)) if isinstance(keywords, list) and keywords else None
    provider = spec.get("provider") or name
    return SecretPattern(ident, name, provider, env, text, value, bound_to, keys)


@lru_cache(maxsize=8)
def _catalogue(extra_json: str) -> Catalogue:
    specs = [(p, "rules/secrets.toml") for p in rules_toml()["pattern"]]
    specs += [(p, "extra-secret-patterns") for p in json.loads(extra_json)]
    patterns = tuple(_compile(spec, where) for spec, where in specs)
    by_keyword: dict[str, list[int]] = {}
    for i, p in enumerate(patterns):
        for keyword in p.keywords or ():
            by_keyword.setdefault(keyword, []).append(i)
    unguarded = tuple(i for i, p in enumerate(patterns) if p.keywords is None)
    return Catalogue(patterns, {k: tuple(v) for k, v in by_keyword.items()}, unguarded)


def catalogue(extra: Sequence[dict[str, Any]] = ()) -> Catalogue:
    """The built-in formats plus ``extra`` (settings ``extra-secret-patterns``), compiled
    once per distinct setting."""
    return _catalogue(json.dumps(list(extra), sort_keys=True, default=str))


def scan_provider_formats(
    text: str, cat: Catalogue, patterns: Sequence[SecretPattern] | None = None
) -> list[TextMatch]:
    """Every provider-format secret in ``text`` that is not a placeholder or example.
    ``patterns``: the candidates already chosen for a text holding this one."""
    if patterns is None:
        patterns = cat.candidates(text)
    found: list[TextMatch] = []
    for p in patterns:
        for m in p.text.finditer(text):
            secret, whole = m.group(1 if m.re.groups else 0), m.group(0)
            if not secret or not_a_secret(secret) or is_example_key(whole):
                continue
            start, end = m.span()
            if any(f.start < end and start < f.end for f in found) or in_base64_blob(text, start):
                continue  # overlaps a match of an earlier (more specific) pattern, or is data
            anchor = whole.split("\n", 1)[0]
            found.append(TextMatch(p.name, p.env, secret, start, end, PROVIDER, p.id, "", anchor))
    return found
