"""Path text arithmetic on values: ``+`` and f-strings, ``os.path.join`` and ``/``,
``str.format`` and ``%``, parent folders, and collections of paths (``glob`` listings and
loops over them). Unknown parts of the text become ``{...}`` holes."""

from __future__ import annotations

import re

from nb2prod.analysis.values.model import (
    ENV,
    HOLE,
    LOCAL,
    MEMORY,
    OTHER,
    REMOTE,
    TEMP,
    UNKNOWN_VALUE,
    Value,
    join_values,
    string_value,
)

_SENTINEL = "\x00"


def concat(parts: list[Value], schemes: frozenset[str]) -> Value:
    """String concatenation: the first part decides the kind; later holes stay holes."""
    if not parts:
        return string_value("", schemes)
    first = parts[0]
    if first.text is None or first.items is not None:
        if first.kind in (ENV, TEMP, MEMORY):
            return Value(first.kind)
        return UNKNOWN_VALUE
    text, prefix, exact = first.text, first.prefix, first.exact
    for part in parts[1:]:
        if part.text is not None and part.items is None:
            text += part.text
            if exact:
                prefix += part.prefix
            exact = exact and part.exact
        else:
            text += HOLE
            exact = False
    if not first.exact and first.kind in (LOCAL, REMOTE):
        return Value(first.kind, text, prefix, False)  # its head was settled already
    return string_value(text, schemes, None if exact else prefix)


def join_paths(parts: list[Value], schemes: frozenset[str]) -> Value:
    """``os.path.join`` / ``Path(a, b)`` / ``a / b``: a literal absolute part restarts."""
    start = 0
    for i, part in enumerate(parts):
        if i and part.exact and part.text is not None and part.text.startswith("/"):
            start = i
    parts = parts[start:]
    if not parts:
        return UNKNOWN_VALUE
    pieces: list[Value] = [parts[0]]
    for part in parts[1:]:
        pieces.append(Value(OTHER, "/", "/", True))
        pieces.append(part)
    joined = concat(pieces, schemes)
    if joined.text is not None:
        text = re.sub(r"(?<!:)/{2,}", "/", joined.text)
        prefix = re.sub(r"(?<!:)/{2,}", "/", joined.prefix)
        return Value(joined.kind, text, prefix, joined.exact)
    return joined


def format_path(
    fmt: Value, args: list[Value], kwargs: dict[str, Value], schemes: frozenset[str]
) -> Value:
    """``fmt.format(*args, **kwargs)``."""
    if not fmt.exact or fmt.text is None or fmt.kind not in (LOCAL, REMOTE, OTHER):
        return UNKNOWN_VALUE

    def sub(v: Value) -> str:
        return v.text if v.exact and v.text is not None else _SENTINEL

    try:
        text = fmt.text.format(*map(sub, args), **{k: sub(v) for k, v in kwargs.items()})
    except (IndexError, KeyError, ValueError, AttributeError, TypeError):
        head = fmt.text.split("{", 1)[0]
        return string_value(fmt.text, schemes, head)
    return _fill(text, schemes)


def percent_path(fmt: str, rhs: Value, schemes: frozenset[str]) -> Value:
    """``fmt % rhs``, ``fmt`` the exact text of a local or remote value."""
    values = rhs.items if rhs.items is not None else (rhs,)
    subs = tuple(v.text if v.exact and v.text is not None else _SENTINEL for v in values)
    try:
        text = fmt % subs
    except (TypeError, ValueError, KeyError):
        head = fmt.split("%", 1)[0]
        return string_value(fmt, schemes, head)
    return _fill(text, schemes)


def _fill(text: str, schemes: frozenset[str]) -> Value:
    """Text with sentinels where unknown parts went: they become holes."""
    if _SENTINEL not in text:
        return string_value(text, schemes)
    head = text.split(_SENTINEL, 1)[0]
    return string_value(text.replace(_SENTINEL, HOLE), schemes, head)


def dirname(value: Value, schemes: frozenset[str]) -> Value:
    """The folder holding ``value`` (``os.path.dirname``, ``Path.parent``)."""
    if not value.exact or value.text is None:
        return Value(value.kind, (value.text or "") + "/..", value.prefix, False)
    head = value.text.rstrip("/").rpartition("/")[0]
    return string_value(head or ".", schemes)


def listing(pattern: Value, pathlike: bool) -> Value:
    """``glob.glob(p)`` / ``Path(p).glob(...)``: a collection of paths under ``p``."""
    if pattern.kind != LOCAL or pattern.text is None:
        return UNKNOWN_VALUE
    head = pattern.prefix.split("*", 1)[0].split("?", 1)[0]
    text = pattern.text + "/" + HOLE if pathlike else pattern.text
    return Value(OTHER, each=Value(LOCAL, text, head, False, pathlike=pathlike))


def iterate(value: Value) -> Value:
    """The value of a loop variable over ``value``: known for literal sequences whose
    items all agree, and for listings (``glob``) of a known folder."""
    if value.each is not None:
        return value.each
    if value.items:
        result = value.items[0]
        for item in value.items[1:]:
            result = join_values(result, item)
        return result
    return UNKNOWN_VALUE
