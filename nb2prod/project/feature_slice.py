"""The feature slice: the statements of the package that turn the rows the notebook read into
the model's training matrix, found by a backward def/use walk from the model's ``.fit``.

Read-only analysis on the plan's cells (after convert's rewrites: local paths routed,
display lines gone). Train/test splitting stays in the slice (the runtime replays it as
"all rows"); statements that only serve the target stay too (the runtime gives the target
columns a placeholder), so the notebook's code runs as written. What cannot be replayed on
new records is said with the cell: no data file read, random draws, a name the slice reads
but does not define.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nb2prod.analysis.defuse import BUILTINS, analyze
from nb2prod.analysis.names import collect_imports, qualified
from nb2prod.convert import classify as k
from nb2prod.convert.env_reads import ALIAS as ENV_ALIAS
from nb2prod.convert.local_paths import ALIAS as PATHS_ALIAS
from nb2prod.convert.model import stmts

if TYPE_CHECKING:
    from nb2prod.convert.model import CellPlan, PackagePlan
    from nb2prod.scaffold.model_finder import ModelChoice

SPLITS = frozenset({"sklearn.model_selection.train_test_split"})


@dataclass(slots=True)
class Statement:
    """One top-level statement of the package's cells, in pipeline order."""

    cell: int  # Cell.index
    position: int  # index in the cell's tree.body
    node: ast.stmt
    kind: str  # classify kind (CODE, DEF, IMPORT ...)


@dataclass(slots=True)
class FeatureSlice:
    """The statements from the data read to the training matrix (``features``), per cell."""

    features: str  # the notebook variable the model is fitted on
    target: str | None  # the target variable, when the slice defines it
    statements: dict[int, set[int]] = field(default_factory=dict)  # cell -> positions
    reads: list[tuple[int, int]] = field(default_factory=list)  # (cell, line) of data reads
    settings: list[tuple[str, str]] = field(default_factory=list)  # (code name, field) read
    functions: list[str] = field(default_factory=list)  # module-level defs it calls
    filters: list[str] = field(default_factory=list)  # "cell N: <statement>" dropping rows
    # split call key -> which of its arrays the features come from (0: the first ...)
    split_parts: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[int, int, str]] = field(default_factory=list)  # (cell, line, why)

    @property
    def cells(self) -> list[int]:
        return sorted(self.statements)

    @property
    def replayable(self) -> bool:
        return not self.problems


def program(plan: PackagePlan) -> list[Statement]:
    """Every statement the package keeps (imports, definitions, step code), in order."""
    out = []
    for c in plan.cells:
        for position, (node, kind) in enumerate(stmts(c)):
            if kind in (k.CODE, k.DEF, k.IMPORT):
                out.append(Statement(c.index, position, node, kind))
    return out


def fit_position(program_: list[Statement], choice: ModelChoice, imports: dict[str, str]) -> int:
    """Index in ``program_`` of the statement holding the model's fit on its features (the
    last one), or -1."""
    found = -1
    for i, s in enumerate(program_):
        if s.kind != k.CODE:
            continue
        for node in ast.walk(s.node):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr.startswith("fit")
                and node.args
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id == choice.features
            ):
                found = i
    return found


def find_slice(plan: PackagePlan, choice: ModelChoice) -> FeatureSlice:
    """The feature slice of ``plan`` for the model ``choice`` (``problems`` say why it
    cannot be replayed on new records, with the cell)."""
    from nb2prod.analysis.io import catalogue
    from nb2prod.convert.randomness import random_use

    program_ = program(plan)
    trees = [c.parsed.tree for c in plan.cells if c.parsed.tree is not None]
    imports = collect_imports(trees)
    out = FeatureSlice(choice.features, None)
    end = fit_position(program_, choice, imports)
    if end < 0:
        out.problems.append((choice.cell or 1, 1, f"no `.fit({choice.features}, ...)` found"))
        return out
    facts = analyze((i, ast.Module([s.node], [])) for i, s in enumerate(program_)).cells
    params = {p.name: (p.code_name, p.field) for p in plan.params}
    defs = set(plan.module_defs)
    code = [f for s, f in zip(program_, facts, strict=True) if s.kind == k.CODE]
    imported = {
        n for s, f in zip(program_, facts, strict=True) if s.kind == k.IMPORT for n in f.changes
    }
    bound_by_code = set().union(*(f.changes for f in code)) - imported - {PATHS_ALIAS, ENV_ALIAS}
    needed = {choice.features}
    included: list[int] = []
    for i in range(end - 1, -1, -1):
        s, du = program_[i], facts[i]
        if s.kind != k.CODE or not (set(du.changes) & needed):
            continue
        included.append(i)
        _split_part(s, needed, imports, out.split_parts)
        killed = {n for n in du.defines if n not in du.maybe} - set(du.mutates)
        needed = (needed - killed) | set(du.reads)
    included.reverse()
    cat = catalogue()
    read_at: list[tuple[int, int]] = []
    defined: set[str] = set()
    for i in included:
        s, du = program_[i], facts[i]
        out.statements.setdefault(s.cell, set()).add(s.position)
        for n in du.reads:
            if n in defined or n in BUILTINS:
                continue
            if n in params:
                if params[n] not in out.settings:
                    out.settings.append(params[n])  # (name in the code, settings field)
            elif n in defs:
                if n not in out.functions:
                    out.functions.append(n)
            elif n in bound_by_code and n not in du.imports:
                line = getattr(s.node, "lineno", 1)
                out.problems.append(
                    (s.cell, line, f"reads `{n}`, defined outside the feature code")
                )
        defined |= set(du.changes)
        for node in ast.walk(s.node):
            if not isinstance(node, ast.Call):
                continue
            name = qualified(node.func, imports) or ""
            spec = cat.function(name)
            if is_table_read(name):
                read_at.append((s.cell, node.lineno))
            elif spec is not None and spec.kind == "read":
                why = f"reads data with `{name}`: only pandas readers (tables) can be replayed"
                out.problems.append((s.cell, node.lineno, why))
            if name in SPLITS:
                if not _seeded_split(node):
                    why = f"`{_short(node)}` has no random_state: its training rows cannot be found again"
                    out.problems.append((s.cell, node.lineno, why))
                continue
            if random_use(node, imports) is not None and not _seeded_split(node):
                out.problems.append(
                    (s.cell, node.lineno, f"`{_short(node)}` draws random numbers per batch")
                )
        if _filters_rows(s.node):
            out.filters.append(f"cell {s.cell}: {_short(s.node)}")
    out.reads = read_at
    if not read_at:
        out.problems.append(
            (choice.cell or 1, 1, "the training features do not come from a data file it reads")
        )
    if choice.target and choice.target in defined:
        out.target = choice.target
    return out


def _split_part(
    s: Statement, needed: set[str], imports: dict[str, str], parts: dict[str, int]
) -> None:
    """For ``a_tr, a_te, b_tr, b_te = train_test_split(a, b)``: which array the needed
    names come from (the key is the one feature_code gives the call)."""
    node = s.node
    if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
        return
    call = node.value
    if qualified(call.func, imports) not in SPLITS or not isinstance(node.targets[0], ast.Tuple):
        return
    for j, elt in enumerate(node.targets[0].elts):
        if isinstance(elt, ast.Name) and elt.id in needed:
            parts[f"split@{s.cell}:{call.lineno}:{call.col_offset}"] = j // 2
            return


def is_table_read(name: str) -> bool:
    """A pandas reader: its rows are what a client sends instead."""
    return (
        name.startswith(("pandas.read_", "pandas.io.parsers.read_"))
        and name != "pandas.read_pickle"
    )


def _seeded_split(call: ast.Call) -> bool:
    return any(kw.arg == "random_state" for kw in call.keywords)


_FILTERS = frozenset({"dropna", "drop_duplicates", "query"})


def _filters_rows(node: ast.stmt) -> bool:
    """An assignment whose value drops rows: ``.dropna()``, ``df[mask]``, ``.loc[mask, :]``,
    ``.query(...)`` (a guess for the message only: the runtime finds the rows dropped)."""
    if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
        return False
    for sub in ast.walk(node.value):
        if isinstance(sub, ast.Call) and getattr(sub.func, "attr", None) in _FILTERS:
            return True
        if isinstance(sub, ast.Subscript):
            index = sub.slice.elts[0] if isinstance(sub.slice, ast.Tuple) else sub.slice
            if isinstance(index, ast.Compare | ast.UnaryOp | ast.BoolOp) or (
                isinstance(index, ast.BinOp) and isinstance(index.op, ast.BitAnd | ast.BitOr)
            ):
                return True
    return False


def _short(node: ast.AST, limit: int = 70) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def slice_cells(plan: PackagePlan, piece: FeatureSlice) -> list[CellPlan]:
    """The plan's cells that hold slice statements."""
    return [c for c in plan.cells if c.index in piece.statements]
