"""The feature function's code: the slice's statements, with the calls whose result depends
on the training data wrapped by the runtime (``run.read``, ``run.split``, ``run.fit``,
``run.fit_transform``, ``run.stat``, ``run.bins``, ``run.dummies``, ``run.categories``), then
through convert's own code generation (settings renamed, notebook variables passed to the
module-level functions) so it reads as the package's steps do.

The runtime (templates/service/src/{pkg}/feature_runtime.py.j2) records those values when
training runs the code and replays them when the service runs it on a client's records.
"""

from __future__ import annotations

import ast
import dataclasses
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nb2prod.analysis.names import collect_imports, qualified
from nb2prod.convert import classify as k
from nb2prod.project.feature_slice import SPLITS, FeatureSlice, find_slice, is_table_read

if TYPE_CHECKING:
    from nb2prod.convert.model import CellPlan, PackagePlan
    from nb2prod.scaffold.model_finder import ModelChoice

RUN = "run"
# Methods that summarise the rows they are called on (a statistic of the training data).
STAT_METHODS = frozenset(
    [
        "mean",
        "median",
        "mode",
        "std",
        "var",
        "sem",
        "min",
        "max",
        "sum",
        "prod",
        "quantile",
        "nunique",
        "count",
        "idxmin",
        "idxmax",
        "value_counts",
        "unique",
        "describe",
    ]
)
STAT_FUNCTIONS = frozenset(
    f"numpy.{n}"
    for n in [
        "mean",
        "median",
        "std",
        "var",
        "min",
        "max",
        "percentile",
        "quantile",
        "nanmean",
        "nanmedian",
        "nanstd",
        "nanmin",
        "nanmax",
        "nanpercentile",
        "unique",
        "amin",
        "amax",
    ]
)
_SCOPES = (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ListComp)
_SCOPES += (ast.SetComp, ast.DictComp, ast.GeneratorExp)


@dataclass(slots=True)
class FeatureCode:
    """What the features module is rendered from."""

    piece: FeatureSlice
    body: str = ""  # compute()'s statements at column 0
    imports: list[str] = field(default_factory=list)
    wrapped: dict[str, int] = field(default_factory=dict)  # runtime method -> calls wrapped
    evaluation: str | None = None  # the held-out matrix the notebook predicts on (X_test)
    function: str = ""  # the source of ``compute(run, settings)``
    target_variable: str | None = None  # the model's target, as the notebook names it

    @property
    def replayable(self) -> bool:
        return self.piece.replayable and bool(self.body)

    @property
    def reasons(self) -> list[str]:
        return [f"cell {cell}, line {line}: {why}" for cell, line, why in self.piece.problems]


def feature_code(plan: PackagePlan, choice: ModelChoice) -> FeatureCode:
    """The feature function of ``plan`` for the model ``choice``."""
    from nb2prod.convert.codegen import _split_cell
    from nb2prod.convert.model import CellUnreadable, Rewrites

    piece = find_slice(plan, choice)
    out = FeatureCode(piece, evaluation=choice.evaluation, target_variable=choice.target)
    if not piece.statements:
        return out
    trees = [c.parsed.tree for c in plan.cells if c.parsed.tree is not None]
    imports = collect_imports(trees)
    renames = {p.name: p.code_name for p in plan.params if p.code_name != p.name}
    inject = Rewrites(plan.injected, renames=renames)
    bodies: list[str] = []
    seen: set[str] = set()
    for c in plan.cells:
        if c.index not in piece.statements and not any(kind == k.IMPORT for kind in c.kinds):
            continue
        wrapped = _wrapped_cell(c, piece.statements.get(c.index, set()), imports, out.wrapped)
        try:
            parts = _split_cell(wrapped, plan, inject)
        except CellUnreadable as exc:
            piece.problems.append((c.index, 1, f"libcst cannot read this cell ({exc})"))
            return out
        for imp in parts.imports:
            if imp not in seen:
                seen.add(imp)
                out.imports.append(imp)
        if parts.body:
            bodies.append(parts.body)
    out.imports += [imp for imp in plan.extra_imports if imp not in seen]
    if inject.uses_partial and "import functools" not in seen:
        out.imports.append("import functools")
    out.body = "\n".join(bodies)
    out.imports = _used(out.imports, out.body)
    out.function = _compute(out)
    return out


def _compute(code: FeatureCode) -> str:
    """``def compute(run, settings)``: the settings the statements read, the statements,
    the matrix and target returned. libcst indents it (a string may span lines)."""
    from nb2prod.convert.cst_path import function_source

    piece = code.piece
    lines = [f"{name} = settings.{field_}" for name, field_ in piece.settings]
    lines += [code.body, f"return {piece.features}, {piece.target or 'None'}"]
    doc = "The notebook's feature code: returns (training matrix, target).\n"
    return function_source("compute", ["run", "settings"], doc, "\n".join(lines), _HINTS)


_HINTS = {"run": "Any", "settings": "Any"}


def _used(imports: list[str], body: str) -> list[str]:
    """The import lines that bind a name the body uses (the service need not import a
    plotting library the notebook imported in the same cell)."""
    try:
        used = {n.id for n in ast.walk(ast.parse(body)) if isinstance(n, ast.Name)}
    except SyntaxError:
        return imports
    kept = []
    for line in imports:
        try:
            tree = ast.parse(line)
        except SyntaxError:
            kept.append(line)
            continue
        bound = {
            (a.asname or a.name).split(".")[0]
            for node in tree.body
            if isinstance(node, ast.Import | ast.ImportFrom)
            for a in node.names
        }
        if bound & used or line.startswith("from __future__"):
            kept.append(line)
    return kept


def _wrapped_cell(
    c: CellPlan, positions: set[int], imports: dict[str, str], counts: dict[str, int]
) -> CellPlan:
    """A copy of ``c`` where only the slice's statements are step code (imports stay
    imports, the rest is dropped), those statements with their calls wrapped."""
    tree = c.parsed.tree
    assert tree is not None
    python = c.parsed.python
    lines = python.split("\n")
    shared = any(a.end_lineno == b.lineno for a, b in itertools.pairwise(tree.body))
    edits: list[tuple[int, int, str]] = []  # (first line, last line, new text), 1-based
    for position, node in enumerate(tree.body):
        if position not in positions:
            continue
        wrapper = _Wrap(c.index, imports, counts)
        new = wrapper.visit(_copy(node))
        if wrapper.changed or shared:
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
            edits.append((first, node.end_lineno or node.lineno, ast.unparse(new)))
    if shared and edits:  # statements share lines: every statement unparsed, in order
        python = "\n".join(
            ast.unparse(_Wrap(c.index, imports, {}).visit(_copy(n)) if i in positions else n)
            for i, n in enumerate(tree.body)
        )
    else:
        for first, last, text in sorted(edits, reverse=True):
            lines[first - 1 : last] = text.split("\n")
        python = "\n".join(lines)
    new_tree = ast.parse(python) if python != c.parsed.python else tree
    kinds = [
        kind if kind == k.IMPORT or (i in positions and kind == k.CODE) else k.DROP
        for i, kind in enumerate(c.kinds)
    ]
    parsed = dataclasses.replace(c.parsed, python=python, tree=new_tree)
    return dataclasses.replace(c, parsed=parsed, kinds=kinds)


def _copy(node: ast.stmt) -> ast.stmt:
    import copy

    return copy.deepcopy(node)


def _run_call(method: str, key: str, *args: ast.expr, keywords: list[ast.keyword] = ()) -> ast.Call:  # type: ignore[assignment]
    return ast.Call(
        func=ast.Attribute(ast.Name(RUN, ast.Load()), method, ast.Load()),
        args=[ast.Constant(key), *args],
        keywords=list(keywords),
    )


def _thunk(expr: ast.expr) -> ast.Lambda:
    empty = ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[])
    return ast.Lambda(args=empty, body=expr)


class _Wrap(ast.NodeTransformer):
    """Wraps the training-dependent calls of one statement (not inside nested scopes:
    a function or lambda body runs per row or per call, not on the training data)."""

    def __init__(self, cell: int, imports: dict[str, str], counts: dict[str, int]) -> None:
        self.cell = cell
        self.imports = imports
        self.counts = counts
        self.changed = False

    def _key(self, method: str, node: ast.AST) -> str:
        self.changed = True
        self.counts[method] = self.counts.get(method, 0) + 1
        return f"{method}@{self.cell}:{node.lineno}:{node.col_offset}"  # type: ignore[attr-defined]

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if isinstance(node, _SCOPES):
            return node  # per-row code: left as written
        return super().generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        call = node.value
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "fit"
            and isinstance(call.func.value, ast.Name)
        ):  # scaler.fit(X): the fitted object is the variable's value from now on
            name = call.func.value.id
            call = self.generic_visit(call)  # type: ignore[assignment]
            assert isinstance(call, ast.Call)
            value = _run_call(
                "fit",
                self._key("fit", node),
                ast.Name(name, ast.Load()),
                *call.args,
                keywords=call.keywords,
            )
            return ast.copy_location(ast.Assign([ast.Name(name, ast.Store())], value), node)
        return self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        node = self.generic_visit(node)  # type: ignore[assignment]
        assert isinstance(node, ast.Call)
        func = node.func
        name = qualified(func, self.imports) or ""
        attr = func.attr if isinstance(func, ast.Attribute) else None
        if name in SPLITS:
            return _run_call(
                "split", self._key("split", node), func, *node.args, keywords=node.keywords
            )
        if attr in ("fit", "fit_transform") and isinstance(func, ast.Attribute):
            method = "fit" if attr == "fit" else "fit_transform"
            return _run_call(
                method, self._key(method, node), func.value, *node.args, keywords=node.keywords
            )
        if name == "pandas.get_dummies":
            key = self._key("dummies", node)
            return _run_call("dummies", key, func, *node.args, keywords=node.keywords)
        if name == "pandas.qcut" or (name == "pandas.cut" and _int_bins(node)):
            return _run_call(
                "bins", self._key("bins", node), func, *node.args, keywords=node.keywords
            )
        if (
            attr == "astype"
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value == "category"
        ):
            return _run_call("categories", self._key("categories", node), node)
        if is_table_read(name):
            return _run_call("read", self._key("read", node), _thunk(node))
        if _is_statistic(node, name, attr, self.imports):
            return _run_call("stat", self._key("stat", node), _thunk(node))
        return node


def _int_bins(call: ast.Call) -> bool:
    bins = call.args[1] if len(call.args) > 1 else None
    for kw in call.keywords:
        if kw.arg == "bins":
            bins = kw.value
    return isinstance(bins, ast.Constant) and type(bins.value) is int


def _is_statistic(call: ast.Call, name: str, attr: str | None, imports: dict[str, str]) -> bool:
    """A summary of the rows (``df.x.median()``, ``np.mean(df.x)``), not a per-row one
    (``axis=1``) and not another module's function of that name (``statistics.mean``)."""
    for kw in call.keywords:
        value = kw.value
        if kw.arg == "axis" and isinstance(value, ast.Constant) and value.value in (1, "columns"):
            return False
    if name in STAT_FUNCTIONS:
        return True
    if attr not in STAT_METHODS or not isinstance(call.func, ast.Attribute):
        return False
    root = call.func.value
    while isinstance(root, ast.Attribute):
        root = root.value
    return not (isinstance(root, ast.Name) and root.id in imports)


__all__ = ["FeatureCode", "feature_code"]
