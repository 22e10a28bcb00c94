"""The visitor that collects defs and uses: :func:`analyze` walks each cell's statements in
execution order at module scope, with a :class:`_CellWalker` that tracks which names are
definitely bound (see the rules in :mod:`nb2prod.analysis.defuse`)."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence

from nb2prod.analysis.defuse.model import (
    CellDefUse,
    FunctionInfo,
    NotebookDefUse,
    function_closure,
)
from nb2prod.analysis.defuse.mutation import PURE_METHODS, base_name, free_mutations, truthy
from nb2prod.analysis.defuse.scopes import COMPS, class_body_reads, own_free, scope_free


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
            now = class_body_reads(s)
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
            deferred, writes = own_free(s)
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
        free, writes = own_free(value)
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
        if isinstance(e, (ast.Lambda, *COMPS)):
            if isinstance(e, ast.Lambda):
                for d in [*e.args.defaults, *(k for k in e.args.kw_defaults if k)]:
                    self.expr(d)
            else:
                self.expr(e.generators[0].iter)
            free, _ = own_free(e)
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
                if k.arg == "inplace" and truthy(k.value):
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
