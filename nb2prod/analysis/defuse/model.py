"""The def/use model: :class:`FunctionInfo` for a top-level function or class,
:class:`CellDefUse` for a cell (the names it reads, defines and mutates),
:class:`NotebookDefUse` for the notebook (which cells feed which), and
:func:`function_closure`, what calling a function reads and changes."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field

BUILTINS = frozenset(dir(builtins)) | {"__file__", "__builtins__"}


@dataclass(slots=True)
class FunctionInfo:
    """A function (or class) defined at the top level of a cell."""

    name: str
    line: int
    reads: dict[str, int]  # free (global) names its body reads -> first line
    writes: dict[str, int]  # names it assigns under ``global`` -> line
    def_reads: dict[str, int]  # names read when the def/class statement runs
    is_class: bool = False
    mutates: dict[str, int] = field(default_factory=dict)  # free names it changes in place


@dataclass(slots=True)
class CellDefUse:
    """Def/use facts for one code cell (lines are 1-based within the cell)."""

    cell: int  # Cell.index
    reads: dict[str, int] = field(default_factory=dict)
    defines: dict[str, int] = field(default_factory=dict)  # bindings, incl. maybe ones
    mutates: dict[str, int] = field(default_factory=dict)
    maybe: set[str] = field(default_factory=set)  # defined only on some paths
    deleted: set[str] = field(default_factory=set)  # unbound by ``del`` at the end
    imports: dict[str, int] = field(default_factory=dict)  # names bound by imports
    functions: dict[str, FunctionInfo] = field(default_factory=dict)
    references: dict[str, int] = field(default_factory=dict)  # functions referenced
    star_import: bool = False

    @property
    def changes(self) -> dict[str, int]:
        """Names defined or mutated (first line)."""
        out = dict(self.mutates)
        out.update(self.defines)
        return out


@dataclass(slots=True)
class NotebookDefUse:
    cells: list[CellDefUse]

    def inputs(self, i: int) -> dict[str, int]:
        """Names cell ``i`` (position in ``cells``) reads that an earlier cell changes."""
        earlier: set[str] = set()
        for c in self.cells[:i]:
            earlier.update(c.defines, c.mutates)
        return {n: ln for n, ln in self.cells[i].reads.items() if n in earlier}

    def outputs(self, i: int) -> dict[str, int]:
        """Names cell ``i`` defines or mutates that a later cell reads."""
        later: set[str] = set()
        for c in self.cells[i + 1 :]:
            later.update(c.reads)
        return {n: ln for n, ln in self.cells[i].changes.items() if n in later}


def function_closure(name: str, funcs: dict[str, FunctionInfo]) -> tuple[dict, dict, dict]:
    """Globals read, assigned (``global``) and changed in place by ``name`` and, transitively,
    by the functions it references."""
    reads: dict[str, int] = {}
    writes: dict[str, int] = {}
    mutates: dict[str, int] = {}
    seen = {name}
    todo = [name]
    while todo:
        info = funcs.get(todo.pop())
        if info is None:
            continue
        for n, ln in info.reads.items():
            reads.setdefault(n, ln)
            if n in funcs and n not in seen:
                seen.add(n)
                todo.append(n)
        for n, ln in info.writes.items():
            writes.setdefault(n, ln)
        for n, ln in info.mutates.items():
            mutates.setdefault(n, ln)
    return reads, writes, mutates
