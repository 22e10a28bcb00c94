"""Parameters: literal assignments that become settings of the generated package.

A parameter is a top-level ``NAME = <literal>`` (or ``NAME: T = <literal>``) in a cell tagged
``parameters`` (papermill), or, when no cell has that tag, in the first code cell with code.
A name assigned twice in that cell stays ordinary code, and so does an empty container
(``results = []`` collects values; it is not a knob).
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass

from nb2prod.notebook.parse import ParsedCell

_SCALARS = (bool, int, float, str, type(None))
_CONTAINERS = (list, tuple, dict, set)


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    value: object
    cell: int  # Cell.index
    line: int
    node: ast.stmt

    @property
    def annotation(self) -> str:
        if self.value is None:
            return "str | None"
        return type(self.value).__name__

    @property
    def default_source(self) -> str:
        """The default as Python source for a dataclass field."""
        if isinstance(self.value, list | dict | set):
            return f"dataclasses.field(default_factory=lambda: {self.value!r})"
        return repr(self.value)


def _literal(node: ast.expr) -> tuple[bool, object]:
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None
    return _allowed(value), value


def _allowed(value: object) -> bool:
    if isinstance(value, _SCALARS):
        return not (isinstance(value, float) and value != value)  # no NaN
    if isinstance(value, dict):
        return all(_allowed(k) and _allowed(v) for k, v in value.items())
    if isinstance(value, _CONTAINERS):
        return all(_allowed(v) for v in value)
    return False


def parameter_cells(parsed: list[ParsedCell]) -> list[ParsedCell]:
    """Cells tagged ``parameters``, else the first code cell that has Python code."""
    tagged = [p for p in parsed if "parameters" in p.cell.tags and p.tree is not None]
    if tagged:
        return tagged
    for p in parsed:
        if p.tree is not None and any(not isinstance(s, ast.Pass) for s in p.tree.body):
            return [p]
        if p.tree is None and p.cell.source.strip():
            return []  # the first cell with code does not parse: no parameters
    return []


def find_params(parsed: list[ParsedCell]) -> list[Param]:
    """The parameters of the notebook, in source order, one per name."""
    params: dict[str, Param] = {}
    for p in parameter_cells(parsed):
        assert p.tree is not None
        counts = Counter(_assigned_names(p.tree))
        for stmt in p.tree.body:
            target, value = _simple_assignment(stmt)
            if target is None or value is None or counts[target] != 1 or target in params:
                continue
            ok, literal = _literal(value)
            if ok and not (isinstance(literal, _CONTAINERS) and not literal):  # [] accumulates
                params[target] = Param(target, literal, p.cell.index, stmt.lineno, stmt)
    return list(params.values())


def _simple_assignment(stmt: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if isinstance(target, ast.Name):
            return target.id, stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.simple:
        return stmt.target.id, stmt.value
    return None, None


def _assigned_names(tree: ast.Module) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.append(node.id)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)  # counted twice with its Store: never a parameter
    return names
