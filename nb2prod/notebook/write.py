"""Write changed cells back into a notebook file, touching nothing else.

The file's text is spliced, not re-serialised: a small scanner finds where each cell's
``"source"`` (and ``"outputs"``) value lies in the JSON text, and only those values are
replaced, in the layout they had (a list of lines or one string, same indentation, same
ASCII escaping). So nbformat version, metadata, cell ids, unrelated outputs and the file's
own indentation stay as they were, and an unchanged notebook round-trips byte for byte.
The write is atomic: a temporary file in the same folder, then ``os.replace``.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from nb2prod.errors import InputError
from nb2prod.notebook.model import join_source

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_SCALAR = re.compile(r"[^\s,\]}]+")
_BOM = "\ufeff"


@dataclass(slots=True)
class CellEdit:
    """What changes in one cell (``index`` counts all cells from 1)."""

    index: int
    source: str | None = None  # the new source, or None to keep it
    clear_outputs: bool = False
    drop_outputs: tuple[int, ...] = ()  # outputs to remove (numbered from 1), the others kept


@dataclass(slots=True)
class _Spans:
    start: int  # of the cell object
    values: dict[str, tuple[int, int]] = field(default_factory=dict)


def _skip_ws(text: str, i: int) -> int:
    return _WS.match(text, i).end()  # type: ignore[union-attr]


def _value_end(text: str, i: int) -> int:
    """End offset of the JSON value starting at ``i``."""
    ch = text[i]
    if ch == '"':
        m = _STRING.match(text, i)
        if m is None:
            raise ValueError(f"unterminated string at {i}")
        return m.end()
    if ch in "[{":
        depth = 0
        for m in _TOKEN.finditer(text, i):
            tok = m.group(0)
            if tok in "[{":
                depth += 1
            elif tok in "]}":
                depth -= 1
                if depth == 0:
                    return m.end()
        raise ValueError(f"unbalanced brackets from {i}")
    m = _SCALAR.match(text, i)
    if m is None:
        raise ValueError(f"no value at {i}")
    return m.end()


def _members(text: str, i: int) -> Iterator[tuple[str, int, int]]:
    """(key, value start, value end) of the object starting at ``i``."""
    i = _skip_ws(text, i + 1)
    if text[i] == "}":
        return
    while True:
        key_end = _value_end(text, i)
        key = json.loads(text[i:key_end])
        i = _skip_ws(text, key_end)
        i = _skip_ws(text, i + 1)  # the ':'
        end = _value_end(text, i)
        yield key, i, end
        i = _skip_ws(text, end)
        if text[i] != ",":
            return
        i = _skip_ws(text, i + 1)


def _elements(text: str, i: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each element of the array starting at ``i``."""
    i = _skip_ws(text, i + 1)
    if text[i] == "]":
        return
    while True:
        end = _value_end(text, i)
        yield i, end
        i = _skip_ws(text, end)
        if text[i] != ",":
            return
        i = _skip_ws(text, i + 1)


def cell_spans(text: str) -> list[_Spans]:
    """Where each cell of an nbformat 4 document lies in ``text``, with its values' spans."""
    start = _skip_ws(text, 0)
    for key, vstart, _ in _members(text, start):
        if key == "cells" and text[vstart] == "[":
            cells = []
            for cstart, _ in _elements(text, vstart):
                spans = _Spans(cstart)
                if text[cstart] == "{":
                    spans.values = {k: (s, e) for k, s, e in _members(text, cstart)}
                cells.append(spans)
            return cells
    raise ValueError("no 'cells' array")


def _line_indent(text: str, offset: int) -> str:
    line_start = text.rfind("\n", 0, offset) + 1
    return text[line_start : line_start + len(text[line_start:]) - len(text[line_start:].lstrip())]


def render_source(old: str, new: str, text: str, start: int, ascii_only: bool) -> str:
    """``new`` as a JSON value in the layout of ``old`` (the value's text at ``start``)."""
    if old.startswith('"'):
        return json.dumps(new, ensure_ascii=ascii_only)
    lines = new.splitlines(keepends=True)
    if not lines:
        return "[]"
    items = [json.dumps(line, ensure_ascii=ascii_only) for line in lines]
    inner = old[1:-1]
    if inner.strip():
        lead = inner[: len(inner) - len(inner.lstrip())]
        trail = inner[len(inner.rstrip()) :]
    else:  # "[]": one step deeper than the key's line, as nbformat writes it
        key_indent = _line_indent(text, start)
        unit = key_indent[-1:] if key_indent else " "
        lead, trail = "\n" + key_indent + unit, "\n" + key_indent
    return "[" + lead + ("," + lead).join(items) + trail + "]"


def apply_edits(text: str, edits: list[CellEdit]) -> str:
    """``text`` (a v4 notebook's JSON) with ``edits`` applied; everything else verbatim."""
    if not edits:
        return text
    bom = text.startswith(_BOM)
    body = text[1:] if bom else text
    try:
        spans = cell_spans(body)
    except (ValueError, IndexError) as exc:
        raise InputError(f"cannot locate cells in the notebook's JSON ({exc})", "") from None
    ascii_only = body.isascii()
    replacements: list[tuple[int, int, str]] = []
    for edit in edits:
        if not 1 <= edit.index <= len(spans):
            raise InputError(f"no cell {edit.index} to write", "")
        values = spans[edit.index - 1].values
        if edit.source is not None and "source" in values:
            s, e = values["source"]
            if join_source(json.loads(body[s:e])) == edit.source:
                continue
            replacements.append((s, e, render_source(body[s:e], edit.source, body, s, ascii_only)))
        if edit.clear_outputs and "outputs" in values:
            s, e = values["outputs"]
            replacements.append((s, e, "[]"))
        elif edit.drop_outputs and "outputs" in values:
            s, e = values["outputs"]
            replacements.append((s, e, _without(body, s, e, edit.drop_outputs)))
    pieces, last = [_BOM] if bom else [], 0
    for s, e, new in sorted(replacements):
        pieces += [body[last:s], new]
        last = e
    pieces.append(body[last:])
    return "".join(pieces)


def _without(text: str, start: int, end: int, drop: tuple[int, ...]) -> str:
    """The JSON array ``text[start:end]`` without its elements numbered ``drop`` (from 1),
    the others verbatim, in the array's own layout."""
    if text[start] != "[":
        return text[start:end]
    items = list(_elements(text, start))
    kept = [(s, e) for n, (s, e) in enumerate(items, 1) if n not in drop]
    if not kept:
        return "[]"
    if len(kept) == len(items):
        return text[start:end]
    sep = text[items[0][1] : items[1][0]] if len(items) > 1 else ", "
    inner = sep.join(text[s:e] for s, e in kept)
    return text[start : items[0][0]] + inner + text[items[-1][1] : end]


def write_atomic(path: str | Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) atomically, keeping the file's permissions.
    Raises :class:`InputError` naming the file when it cannot be written (a read-only
    folder, a full disk): the file is then left as it was."""
    target = Path(path)
    try:
        _replace(target, text)
    except OSError as exc:
        raise InputError(f"cannot write the notebook ({exc.strerror or exc})", str(path)) from None


def _replace(target: Path, text: str) -> None:
    mode = target.stat().st_mode & 0o7777 if target.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_cells(path: str | Path, text: str, edits: list[CellEdit]) -> str:
    """Apply ``edits`` to ``text`` (the file's content as loaded) and write it to ``path``
    when anything changed; returns the new text."""
    new = apply_edits(text, edits)
    if new != text:
        write_atomic(path, new)
    return new
