"""The word lists of ``rules/secrets.toml`` ([names], [placeholders], [examples]) that
tell credential names from others and secrets from placeholders, and the file read once."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

from nb2prod.resources import data_dir


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Word lists from ``rules/secrets.toml`` ([names], [placeholders], [examples])."""

    password: frozenset[str]
    secret: frozenset[str]
    token: frozenset[str]
    auth: frozenset[str]
    key_qualifiers: frozenset[str]
    providers: frozenset[str]
    pass_not_after: frozenset[str]
    token_not_after: frozenset[str]
    password_not_after: frozenset[str]
    not_secret_tail: frozenset[str]
    placeholder_values: frozenset[str]
    placeholder_words: frozenset[str]
    marker_words: frozenset[str]
    examples: frozenset[str]


@cache
def rules_toml() -> dict[str, Any]:
    with open(data_dir("rules") / "secrets.toml", "rb") as fh:
        return tomllib.load(fh)


@cache
def vocabulary() -> Vocabulary:
    doc = rules_toml()
    names, ph = doc["names"], doc["placeholders"]

    def words(table: dict[str, Any], key: str) -> frozenset[str]:
        return frozenset(w.lower() for w in table.get(key, []))

    return Vocabulary(
        password=words(names, "password"),
        secret=words(names, "secret"),
        token=words(names, "token"),
        auth=words(names, "auth"),
        key_qualifiers=words(names, "key-qualifiers"),
        providers=words(names, "providers"),
        pass_not_after=words(names, "pass-not-after"),
        token_not_after=words(names, "token-not-after"),
        password_not_after=words(names, "password-not-after"),
        not_secret_tail=words(names, "not-secret-tail"),
        placeholder_values=words(ph, "values"),
        placeholder_words=words(ph, "words"),
        marker_words=words(ph, "marker-words"),
        examples=frozenset(doc["examples"]["values"]),
    )
