"""Def/use per cell: which names a cell reads from earlier cells, which it defines or changes.

Read-only, so it runs on the standard-library ``ast`` trees that lint already has (the C
parser: a notebook in a few milliseconds; libcst is kept for rewriting in convert).

Rules, in the order a cell runs (module scope, statement by statement):

* A *read* is a name loaded before the cell has **definitely** bound it: a name bound only
  in an ``if`` branch, a loop body or a ``try`` body is still read from earlier cells after it.
* A *definition* binds a name: assignment targets, ``for``/``with``/``except`` targets,
  imports, ``def``/``class``, walrus, ``del``, augmented assignment (which also reads).
* MUTATION COUNTS AS DEFINITION: ``df["x"] = ..``, ``obj.attr = ..``, ``del df["x"]``, a call
  with ``inplace=True``, and a method call on a name whose result is discarded
  (``lst.append(1)``, ``model.fit(X, y)``) all *mutate* that name (and read it).
* Comprehension, lambda, ``def`` and ``class`` scopes do not leak names. The notebook globals a
  function body reads are read by the cell that *references* the function (calls it or passes
  it along), at that point, transitively through the functions it references; names it
  assigns under ``global`` are defined there.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

BUILTINS = frozenset(dir(builtins)) | {"__file__", "__builtins__"}
# Methods that only look at an object: a discarded call of these is not a mutation.
PURE_METHODS = frozenset(
    [
        "head",
        "tail",
        "describe",
        "info",
        "sample",
        "show",
        "display",
        "copy",
        "count",
        "nunique",
        "unique",
        "value_counts",
        "isnull",
        "isna",
        "notnull",
        "notna",
        "sum",
        "mean",
        "median",
        "std",
        "var",
        "min",
        "max",
        "corr",
        "cov",
        "shape",
        "dtypes",
        "keys",
        "values",
        "items",
        "get",
        "summary",
        "plot",
        "hist",
        "boxplot",
        "scatter",
        "print",
        "format",
        "to_string",
        "__repr__",
        "__str__",
        "get_params",
        "score",
        "predict",
        "predict_proba",
        "transform",
    ]
)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


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


def analyze(cells: Iterable[tuple[int, ast.Module]]) -> NotebookDefUse:
    """Def/use of each ``(cell index, tree)`` in notebook order."""
    funcs: dict[str, FunctionInfo] = {}
    imported: set[str] = set()
    out = []
    for index, tree in cells:
        walker = _CellWalker(index, funcs, imported)
        walker.block(tree.body)
        out.append(walker.result())
    return NotebookDefUse(out)


def base_name(node: ast.AST) -> ast.Name | None:
    """The name at the root of ``a.b[c].d`` (through attributes, subscripts and calls)."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call | ast.Starred):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node if isinstance(node, ast.Name) else None


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


def free_mutations(node: ast.AST, free: dict[str, int]) -> dict[str, int]:
    """Free names a function body changes in place: ``x.append(..)`` (result discarded),
    ``x[k] = ..``, ``x.a = ..``, ``del x[k]``, ``x.f(inplace=True)``."""
    out: dict[str, int] = {}
    for n in ast.walk(node):
        base = None
        if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call):
            func = n.value.func
            if isinstance(func, ast.Attribute) and func.attr not in PURE_METHODS:
                base = base_name(func.value)
        elif isinstance(n, ast.Attribute | ast.Subscript) and not isinstance(n.ctx, ast.Load):
            base = base_name(n)
        elif (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and any(k.arg == "inplace" and _truthy(k.value) for k in n.keywords)
        ):
            base = base_name(n.func.value)
        if base is not None and base.id in free:
            out.setdefault(base.id, base.lineno)
    return out


def _truthy(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and bool(node.value)


# -- scopes: free names of a function, lambda, comprehension or class ----------------------


def scope_free(node: ast.AST) -> tuple[dict[str, int], dict[str, int]]:
    """(free names read, names written under ``global``) of a def, lambda, class or
    comprehension, including its nested scopes. Python's rule: a name bound anywhere in a
    function body is local to it (unless declared ``global``/``nonlocal``)."""
    loads: dict[str, int] = {}
    bound: set[str] = set()
    declared: set[str] = set()
    nested_free: dict[str, int] = {}
    writes: dict[str, int] = {}

    def visit(n: ast.AST) -> None:
        if isinstance(n, ast.Name):
            if isinstance(n.ctx, ast.Load):
                loads.setdefault(n.id, n.lineno)
            else:
                bound.add(n.id)
                if n.id in declared:
                    writes.setdefault(n.id, n.lineno)
            return
        if isinstance(n, ast.Global | ast.Nonlocal):
            declared.update(n.names)
            return
        if isinstance(n, ast.alias):
            if n.name != "*":
                bound.add(n.asname or n.name.split(".", 1)[0])
            return
        if isinstance(n, ast.arg):
            bound.add(n.arg)
            if n.annotation:
                visit(n.annotation)
            return
        if isinstance(n, ast.ExceptHandler) and n.name:
            bound.add(n.name)
        if isinstance(n, ast.MatchAs | ast.MatchStar) and n.name:
            bound.add(n.name)
        if isinstance(n, ast.MatchMapping) and n.rest:
            bound.add(n.rest)
        if isinstance(n, (*_SCOPES, *_COMPS)):
            _nested(n)
            return
        for child in ast.iter_child_nodes(n):
            visit(child)

    def _nested(n: ast.AST) -> None:
        # What the enclosing scope evaluates: decorators, defaults, bases, first iterable.
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(n.name)
            for d in n.decorator_list:
                visit(d)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            for d in [*n.args.defaults, *[k for k in n.args.kw_defaults if k]]:
                visit(d)
        if isinstance(n, ast.ClassDef):
            for b in [*n.bases, *(k.value for k in n.keywords)]:
                visit(b)
        if isinstance(n, _COMPS):
            visit(n.generators[0].iter)
        free, w = _own_free(n)
        for name, ln in free.items():
            nested_free.setdefault(name, ln)
        for name, ln in w.items():
            writes.setdefault(name, ln)

    for child in _scope_body(node):
        visit(child)
    free = {n: ln for n, ln in loads.items() if n not in bound or n in declared}
    is_class = isinstance(node, ast.ClassDef)  # methods do not see class-level names
    for n, ln in nested_free.items():
        if is_class or n not in bound or n in declared:
            free.setdefault(n, ln)
    return free, writes


def _scope_body(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        a = node.args
        params = [*a.posonlyargs, *a.args, *a.kwonlyargs, *[x for x in (a.vararg, a.kwarg) if x]]
        body = [node.body] if isinstance(node, ast.Lambda) else node.body
        return [*(ast.Name(p.arg, ast.Store(), lineno=node.lineno) for p in params), *body]
    if isinstance(node, ast.ClassDef):
        return list(node.body)
    if isinstance(node, _COMPS):
        parts: list[ast.AST] = []
        for i, gen in enumerate(node.generators):
            parts.append(gen.target)
            if i:
                parts.append(gen.iter)
            parts.extend(gen.ifs)
        if isinstance(node, ast.DictComp):
            parts += [node.key, node.value]
        else:
            parts.append(node.elt)
        return parts
    return [node]


def _own_free(node: ast.AST) -> tuple[dict[str, int], dict[str, int]]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        args = node.args
        arg_nodes = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        arg_nodes += [a for a in (args.vararg, args.kwarg) if a]
        # Defaults were evaluated by the enclosing scope; only the body is ours.
        body_free, writes = scope_free(node)
        names = {a.arg for a in arg_nodes}
        return {n: ln for n, ln in body_free.items() if n not in names}, writes
    if isinstance(node, ast.ClassDef):
        # Methods do not see class-level names; the class body reads as a scope of its own.
        return scope_free(node)
    if isinstance(node, _COMPS):
        free, writes = scope_free(node)
        return free, writes
    return {}, {}


# -- the cell walker: module scope, in execution order -------------------------------------


class _CellWalker:
    def __init__(self, index: int, funcs: dict[str, FunctionInfo], imported: set[str]) -> None:
        self.index = index
        self.funcs = funcs
        self.imported = imported  # names bound by imports in this or earlier cells
        self.bound: set[str] = set()  # definitely bound at this point of the cell
        self.du = CellDefUse(index)

    def result(self) -> CellDefUse:
        du = self.du
        du.maybe = {n for n in du.defines if n not in self.bound and n not in du.deleted}
        return du

    # names ---------------------------------------------------------------------------
    _capture: dict[str, int] | None = None  # reads of the def statement being walked

    def read(self, name: str, line: int) -> None:
        if self._capture is not None:  # everything a def statement evaluates, bound or not
            self._capture.setdefault(name, line)
        if name not in self.bound:
            self.du.reads.setdefault(name, line)
        info = self.funcs.get(name)
        if info is not None:
            self.du.references.setdefault(name, line)
            reads, writes, mutates = function_closure(name, self.funcs)
            for n, _ in reads.items():
                if n not in self.bound and n != name:
                    self.du.reads.setdefault(n, line)
            for n in writes:
                self.define(n, line)
            for n in mutates:
                if n not in self.funcs and n not in self.imported:
                    self.du.mutates.setdefault(n, line)

    def define(self, name: str, line: int) -> None:
        self.du.defines.setdefault(name, line)
        self.du.deleted.discard(name)
        self.bound.add(name)
        self.funcs.pop(name, None)  # rebound: a def statement registers itself afterwards

    def mutate(self, name: str, line: int) -> None:
        self.read(name, line)
        self.du.mutates.setdefault(name, line)

    # statements ----------------------------------------------------------------------
    def block(self, body: Sequence[ast.stmt]) -> None:
        for stmt in body:
            self.stmt(stmt)

    def branches(self, *bodies: Sequence[ast.stmt], exhaustive: bool = True) -> None:
        """Run alternative bodies; afterwards only names bound on every path are bound."""
        before = set(self.bound)
        after: set[str] | None = None
        for body in bodies:
            self.bound = set(before)
            self.block(body)
            after = self.bound if after is None else after & self.bound
        self.bound = before | (after or set()) if exhaustive else before

    def stmt(self, s: ast.stmt) -> None:
        line = s.lineno
        if isinstance(s, ast.Expr):
            self.expr(s.value)
            self._discarded_call(s.value)
        elif isinstance(s, ast.Assign):
            self.expr(s.value)
            for t in s.targets:
                self.target(t)
            if isinstance(s.value, ast.Lambda) and len(s.targets) == 1:
                self._lambda(s.targets[0], s.value)
        elif isinstance(s, ast.AugAssign):
            self.expr(s.value)
            if isinstance(s.target, ast.Name):
                self.read(s.target.id, line)
                self.define(s.target.id, line)
            else:
                self.target(s.target)
        elif isinstance(s, ast.AnnAssign):
            if s.value is not None:
                self.expr(s.value)
                self.target(s.target)
            elif not isinstance(s.target, ast.Name):
                self.expr(s.target)
        elif isinstance(s, ast.Import | ast.ImportFrom):
            for alias in s.names:
                if alias.name == "*":
                    self.du.star_import = True
                    continue
                name = alias.asname or alias.name.split(".", 1)[0]
                self.define(name, line)
                self.du.imports.setdefault(name, line)
                self.imported.add(name)
        elif isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            self._def(s)
        elif isinstance(s, ast.Delete):
            for t in s.targets:
                if isinstance(t, ast.Name):
                    self.read(t.id, line)
                    self.define(t.id, line)
                    self.bound.discard(t.id)
                    self.du.deleted.add(t.id)
                else:
                    self.target(t)
        elif isinstance(s, ast.If):
            self.expr(s.test)
            self.branches(s.body, s.orelse)
        elif isinstance(s, ast.For | ast.AsyncFor):
            self.expr(s.iter)
            before = set(self.bound)
            self.target(s.target)
            self.block(s.body)
            self.bound = set(before)
            self.block(s.orelse)
            self.bound = before
        elif isinstance(s, ast.While):
            self.expr(s.test)
            before = set(self.bound)
            self.block(s.body)
            self.bound = set(before)
            self.block(s.orelse)
            self.bound = before
        elif isinstance(s, ast.With | ast.AsyncWith):
            for item in s.items:
                self.expr(item.context_expr)
                if item.optional_vars is not None:
                    self.target(item.optional_vars)
            self.block(s.body)
        elif isinstance(s, ast.Try | ast.TryStar):
            before = set(self.bound)
            self.block(s.body)
            self.block(s.orelse)
            paths = [self.bound]
            for h in s.handlers:
                self.bound = set(before)
                if h.type is not None:
                    self.expr(h.type)
                if h.name:
                    self.define(h.name, h.lineno)
                self.block(h.body)
                paths.append(self.bound)
            self.bound = before | set.intersection(*paths)
            self.block(s.finalbody)
        elif isinstance(s, ast.Match):
            self.expr(s.subject)
            before = set(self.bound)
            for case in s.cases:
                self.bound = set(before)
                self._pattern(case.pattern)
                if case.guard is not None:
                    self.expr(case.guard)
                self.block(case.body)
            self.bound = before
        elif isinstance(s, ast.Global | ast.Nonlocal):
            pass
        else:  # Return, Raise, Assert, Pass, Break, Continue, TypeAlias ...
            for child in ast.iter_child_nodes(s):
                if isinstance(child, ast.expr):
                    self.expr(child)

    def _pattern(self, p: ast.AST) -> None:
        for n in ast.walk(p):
            if isinstance(n, ast.MatchAs | ast.MatchStar) and n.name:
                self.define(n.name, p.lineno)
            elif isinstance(n, ast.MatchMapping) and n.rest:
                self.define(n.rest, p.lineno)
            elif isinstance(n, ast.MatchValue | ast.MatchClass):
                self.expr(n.value if isinstance(n, ast.MatchValue) else n.cls)

    def _def(self, s: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self._capture = {}
        for d in s.decorator_list:
            self.expr(d)
        if isinstance(s, ast.ClassDef):
            for b in [*s.bases, *(k.value for k in s.keywords)]:
                self.expr(b)
            body_free, writes = scope_free(s)
            # The class body runs now; its methods' free names are read when it is used.
            now = _class_body_reads(s)
            for n, ln in now.items():
                self.read(n, ln)
            deferred = {n: ln for n, ln in body_free.items() if n not in now}
        else:
            a = s.args
            for d in [*a.defaults, *(k for k in a.kw_defaults if k)]:
                self.expr(d)
            for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
                if arg is not None and arg.annotation is not None:
                    self.expr(arg.annotation)
            if s.returns is not None:
                self.expr(s.returns)
            deferred, writes = _own_free(s)
        def_reads, self._capture = self._capture, None
        deferred.pop(s.name, None)
        info = FunctionInfo(
            s.name, s.lineno, deferred, writes, def_reads, isinstance(s, ast.ClassDef)
        )
        info.mutates = free_mutations(s, deferred)
        self.define(s.name, s.lineno)
        self.funcs[s.name] = info
        self.du.functions[s.name] = info

    def _lambda(self, target: ast.expr, value: ast.Lambda) -> None:
        """``f = lambda x: x + k`` is a function too: its callers read ``k`` as well."""
        if not isinstance(target, ast.Name):
            return
        free, writes = _own_free(value)
        info = FunctionInfo(target.id, value.lineno, free, writes, {})
        info.mutates = free_mutations(value, free)
        self.funcs[target.id] = info
        self.du.functions[target.id] = info

    def target(self, t: ast.expr) -> None:
        if isinstance(t, ast.Name):
            self.define(t.id, t.lineno)
        elif isinstance(t, ast.Tuple | ast.List):
            for e in t.elts:
                self.target(e)
        elif isinstance(t, ast.Starred):
            self.target(t.value)
        elif isinstance(t, ast.Attribute | ast.Subscript):
            # obj.attr = / obj[k] = : reads obj (and the key), mutates obj.
            self.expr(t.value)
            if isinstance(t, ast.Subscript):
                self.expr(t.slice)
            base = base_name(t)
            if base is not None:
                self.mutate(base.id, t.lineno)

    def _discarded_call(self, value: ast.expr) -> None:
        if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Attribute):
            return
        if value.func.attr in PURE_METHODS:
            return
        base = base_name(value.func.value)
        if base is not None and base.id not in self.imported and base.id not in self.funcs:
            self.mutate(base.id, value.lineno)

    # expressions ---------------------------------------------------------------------
    def expr(self, e: ast.AST) -> None:
        """Reads (and walrus bindings) of an expression, in evaluation order, scopes apart."""
        if isinstance(e, ast.Name):
            if isinstance(e.ctx, ast.Load):
                self.read(e.id, e.lineno)
            else:
                self.define(e.id, e.lineno)
            return
        if isinstance(e, ast.NamedExpr):
            self.expr(e.value)
            self.define(e.target.id, e.lineno)
            return
        if isinstance(e, (ast.Lambda, *_COMPS)):
            if isinstance(e, ast.Lambda):
                for d in [*e.args.defaults, *(k for k in e.args.kw_defaults if k)]:
                    self.expr(d)
            else:
                self.expr(e.generators[0].iter)
            free, _ = _own_free(e)
            for n, ln in free.items():
                self.read(n, ln)
            for n in _walrus_targets(e):
                self.define(n, e.lineno)
            return
        if isinstance(e, ast.Call):
            self.expr(e.func)
            for a in e.args:
                self.expr(a)
            for k in e.keywords:
                self.expr(k.value)
                if k.arg == "inplace" and _truthy(k.value):
                    base = base_name(e.func.value) if isinstance(e.func, ast.Attribute) else None
                    if base is not None:
                        self.mutate(base.id, e.lineno)
            return
        for child in ast.iter_child_nodes(e):
            self.expr(child)


def _walrus_targets(e: ast.AST) -> list[str]:
    """Walrus targets inside a comprehension bind in the enclosing scope."""
    if isinstance(e, ast.Lambda):
        return []
    return [n.target.id for n in ast.walk(e) if isinstance(n, ast.NamedExpr)]


def _class_body_reads(cls: ast.ClassDef) -> dict[str, int]:
    """Names the class body itself reads when it runs (not its methods' bodies)."""
    bound: set[str] = set()
    reads: dict[str, int] = {}
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            nodes = [*stmt.decorator_list]
            if not isinstance(stmt, ast.ClassDef):
                nodes += [*stmt.args.defaults, *(k for k in stmt.args.kw_defaults if k)]
            else:
                nodes += stmt.bases
            for n in nodes:
                for sub in ast.walk(n):
                    if isinstance(sub, ast.Name) and sub.id not in bound:
                        reads.setdefault(sub.id, sub.lineno)
            bound.add(stmt.name)
            continue
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Name):
                if isinstance(sub.ctx, ast.Load):
                    if sub.id not in bound:
                        reads.setdefault(sub.id, sub.lineno)
                else:
                    bound.add(sub.id)
    return reads
