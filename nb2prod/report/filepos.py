"""Cell coordinates -> lines of the ``.ipynb`` file on disk, for SARIF and GitHub annotations.

Code scanning and workflow annotations point at lines of the file; findings are in cell
coordinates. :class:`FileIndex` scans the notebook's JSON once, recording where each cell
and each string literal of its source starts (outputs and metadata are skipped by the C
json scanner), and maps (cell, line, col) to (file line, file column) through the
literal's escapes. Anything it cannot place falls back to line 1.
"""

from __future__ import annotations

import bisect
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from nb2prod.notebook.model import source_lines

if TYPE_CHECKING:
    from nb2prod.lint.findings import Finding

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_KEY = re.compile(r'[ \t\n\r]*("[^"\\]*(?:\\.[^"\\]*)*")[ \t\n\r]*:[ \t\n\r]*', re.DOTALL)
_SEP = re.compile(r"[ \t\n\r]*([,}\]])")
# one decoded character each: a surrogate pair, a \uXXXX escape, any other escape
_ESCAPE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\."
)
_SCAN = json.JSONDecoder().scan_once


@dataclass(slots=True)
class _CellPos:
    start: int  # offset of the cell's '{'
    literals: list[tuple[int, int]] = field(default_factory=list)  # source strings, quotes incl.
    _decoded: list[str] | None = None


class _Enough(Exception):
    """Raised to stop scanning once the cells asked for are found."""


class FileIndex:
    """Positions in one notebook file (only its first ``cells`` cells when given).
    Never raises: a file it cannot scan has no cells, and everything maps to line 1."""

    def __init__(self, text: str, cells: int | None = None) -> None:
        self.text = text
        self._newlines: list[int] | None = None
        self.cells: list[_CellPos] = []
        try:
            _scan(text, self.cells, cells)
        except _Enough:
            pass
        except (ValueError, IndexError, StopIteration, TypeError):
            self.cells = []

    @classmethod
    def load(cls, path: str, cells: int | None = None) -> FileIndex:
        try:
            text = Path(path).read_bytes().decode("utf-8-sig", errors="replace")
        except OSError:
            text = ""
        return cls(text, cells)

    @classmethod
    def for_findings(cls, path: str, findings: list[Finding]) -> FileIndex:
        """The index of ``path`` up to the last cell ``findings`` point at."""
        return cls.load(path, max((f.cell or 0 for f in findings), default=0))

    def locate(self, cell: int | None, line: int, col: int) -> tuple[int, int]:
        """(1-based file line, 1-based file column) of ``line``:``col`` of cell ``cell``
        (1-based, counting all cells). Unknown cell: (1, 1); line outside the cell's source:
        the line of the cell's opening brace."""
        if cell is None or not 1 <= cell <= len(self.cells):
            return 1, 1
        pos = self.cells[cell - 1]
        offset = _raw_offset(self.text, pos, line, col)
        return self._line_col(pos.start if offset is None else offset)

    def _line_col(self, offset: int) -> tuple[int, int]:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        row = bisect.bisect_left(self._newlines, offset)
        line_start = self._newlines[row - 1] + 1 if row else 0
        return row + 1, offset - line_start + 1


def _raw_offset(text: str, pos: _CellPos, line: int, col: int) -> int | None:
    """Offset in ``text`` of decoded ``line``:``col`` of the cell's joined source."""
    if not pos.literals or line < 1:
        return None
    if pos._decoded is None:
        pos._decoded = [json.loads(text[a:b]) for a, b in pos.literals]
    lines = source_lines("".join(pos._decoded), keepends=True)
    if line > len(lines):
        return None
    body = lines[line - 1].rstrip("\r\n")
    want = sum(map(len, lines[: line - 1])) + min(max(col - 1, 0), len(body))
    for (start, end), decoded in zip(pos.literals, pos._decoded, strict=True):
        if want < len(decoded) or (start, end) == pos.literals[-1]:
            return _skip_decoded(text, start + 1, end - 1, min(want, len(decoded)))
        want -= len(decoded)
    return None  # pragma: no cover - the last literal always returns


def _skip_decoded(text: str, pos: int, end: int, count: int) -> int:
    """Offset reached after ``count`` decoded characters of the literal body [pos, end)."""
    for m in _ESCAPE.finditer(text, pos, end):
        plain = m.start() - pos
        if count <= plain:
            return pos + count
        count -= plain
        if count == 0:
            return m.start()
        count -= 1
        pos = m.end()
    return min(pos + count, end)


def _scan(text: str, out: list[_CellPos], limit: int | None) -> None:
    """Cells of a v4 (``cells``) or v3 (``worksheets[].cells``) notebook, in order, into
    ``out``; raises :class:`_Enough` after ``limit`` cells."""

    def cell(_: int, i: int) -> int:
        if limit is not None and len(out) >= limit:
            raise _Enough
        return _cell(text, i, out)

    def worksheet(_: int, i: int) -> int:
        return _object(
            text, i, lambda k, j: _array(text, j, cell) if k == "cells" else _skip(text, j)
        )

    def member(key: str, i: int) -> int:
        if key == "cells":
            out.clear()
            return _array(text, i, cell)
        if key == "worksheets":
            return _array(text, i, worksheet)
        return _skip(text, i)

    _object(text, _WS.match(text).end(), member)  # type: ignore[union-attr]


def _cell(text: str, i: int, out: list[_CellPos]) -> int:
    pos = _CellPos(i)
    out.append(pos)
    if text[i] != "{":
        return _skip(text, i)
    found: dict[str, list[tuple[int, int]]] = {}

    def member(key: str, j: int) -> int:
        if key not in ("source", "input"):
            return _skip(text, j)
        end = _skip(text, j)  # a string, or a list of strings: every literal in the span
        found[key] = [m.span() for m in _STRING.finditer(text, j, end)]
        return end

    end = _object(text, i, member)
    pos.literals = found.get("source", found.get("input", []))
    return end


def _skip(text: str, i: int) -> int:
    return _SCAN(text, i)[1]


def _object(text: str, i: int, visit) -> int:
    """Walk the object at ``i``; ``visit(key, value_offset)`` returns the value's end."""
    if text[i] != "{":
        return _skip(text, i)
    sep = _SEP.match(text, i + 1)
    if sep and sep[1] == "}":
        return sep.end()
    i += 1
    while True:
        m = _KEY.match(text, i)
        if m is None:
            raise ValueError("object key expected")
        raw = m[1]
        sep = _SEP.match(text, visit(raw[1:-1] if "\\" not in raw else json.loads(raw), m.end()))
        if sep is None or sep[1] == "]":
            raise ValueError("',' or '}' expected")
        if sep[1] == "}":
            return sep.end()
        i = sep.end()


def _array(text: str, i: int, visit) -> int:
    """Walk the array at ``i``; ``visit(index, item_offset)`` returns the item's end."""
    if text[i] != "[":
        return _skip(text, i)
    sep = _SEP.match(text, i + 1)
    if sep and sep[1] == "]":
        return sep.end()
    i, n = i + 1, 0
    while True:
        sep = _SEP.match(text, visit(n, _WS.match(text, i).end()))  # type: ignore[union-attr]
        if sep is None or sep[1] == "}":
            raise ValueError("',' or ']' expected")
        if sep[1] == "]":
            return sep.end()
        i, n = sep.end(), n + 1


def display_path(path: str) -> str:
    """``path`` relative to the working folder, POSIX, no ``./``; absolute when the file
    lies outside it (through a symbolic link or not)."""
    full, cwd = os.path.abspath(path), os.getcwd()
    for candidate in (full, os.path.realpath(full)):
        try:
            rel = os.path.relpath(candidate, cwd)
        except ValueError:  # another drive (Windows)
            continue
        if rel != os.pardir and not rel.startswith(os.pardir + os.sep):
            return Path(rel).as_posix()
    return Path(full).as_posix()


def artifact_location(path: str) -> dict[str, str]:
    """SARIF artifactLocation: a relative, percent-encoded URI under ``%SRCROOT%``, or an
    absolute ``file:`` URI for files outside the working folder."""
    shown = display_path(path)
    if Path(shown).is_absolute():
        return {"uri": Path(shown).as_uri()}
    return {"uri": quote(shown, safe="/", errors="surrogateescape"), "uriBaseId": "%SRCROOT%"}
