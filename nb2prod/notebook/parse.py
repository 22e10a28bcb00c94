"""Parse code cells into standard-library ``ast`` trees (fast, read-only analysis)."""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field

from nb2prod.notebook.magics import Magic, MaskedSource, mask_ipython, mask_line_as_automagic
from nb2prod.notebook.model import Cell, Notebook


@dataclass(slots=True)
class SyntaxProblem:
    line: int
    col: int
    message: str


@dataclass(slots=True)
class ParsedCell:
    """A code cell with its masked Python source and syntax tree (``None`` if it fails)."""

    cell: Cell
    python: str
    magics: list[Magic] = field(default_factory=list)
    tree: ast.Module | None = None
    error: SyntaxProblem | None = None
    not_python: Magic | None = None  # the cell magic that makes the body another language


def parse_cell(cell: Cell) -> ParsedCell:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences etc.
        return _parse_cell(cell)


def _parse_cell(cell: Cell) -> ParsedCell:
    """:func:`parse_cell` without its own warnings filter (the caller sets it, once)."""
    masked: MaskedSource = mask_ipython(cell.source)
    parsed = ParsedCell(cell, masked.python, masked.magics, not_python=masked.whole_cell_magic)
    if masked.whole_cell_magic is not None:
        return parsed
    for _ in range(50):  # each retry masks one automagic line (``pip install x``)
        try:
            parsed.tree = ast.parse(masked.python)
            parsed.python = masked.python
            parsed.magics = sorted(masked.magics, key=lambda m: m.line)
            return parsed
        except SyntaxError as exc:
            line = exc.lineno or 1
            if mask_line_as_automagic(masked, line):
                continue
            parsed.error = SyntaxProblem(line, max((exc.offset or 1) - 1, 0), exc.msg)
            break
        except (ValueError, RecursionError, MemoryError) as exc:
            parsed.error = SyntaxProblem(1, 0, f"cannot be parsed ({type(exc).__name__})")
            break
    parsed.magics = sorted(masked.magics, key=lambda m: m.line)
    return parsed


def parse_notebook(nb: Notebook) -> list[ParsedCell]:
    """Parse every code cell of a Python notebook (none for other kernels)."""
    if not nb.is_python:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences etc.
        return [_parse_cell(c) for c in nb.cells if c.cell_type == "code"]
