"""Following names through the cells: the :class:`Walker` runs the statements in cell order,
binding names to their values in a :class:`Scope`, and yields each expression to inspect as
a :class:`Step` with the scope in force when it runs."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nb2prod.analysis.values.model import (
    ENV_VALUE,
    MEMORY,
    OTHER_VALUE,
    TEMP,
    UNKNOWN_VALUE,
    Scope,
    Value,
    join_values,
)
from nb2prod.analysis.values.paths import concat, iterate

if TYPE_CHECKING:
    from nb2prod.analysis.values.evaluator import Evaluator
    from nb2prod.notebook.parse import ParsedCell

_PLAIN = frozenset({ast.Raise, ast.Assert})  # statements that only hold expressions
_NOTHING = frozenset({ast.Global, ast.Nonlocal, ast.Pass, ast.Break, ast.Continue})
_TRY_STAR = getattr(ast, "TryStar", ast.Try)
# The statements :meth:`Walker._block` runs itself, as module globals (read faster than
# ``ast.Expr``).
_Expr, _Assign, _Name = ast.Expr, ast.Assign, ast.Name
_Import, _ImportFrom = ast.Import, ast.ImportFrom


@dataclass(slots=True)
class Step:
    """An expression to inspect, with the scope in force when it runs."""

    cell: ParsedCell
    root: ast.AST  # a simple statement, or the header expression of a compound one
    scope: Scope
    stmt: ast.stmt


class Walker:
    """Runs statements for an :class:`Evaluator`, binding names in its module scope."""

    def __init__(self, ev: Evaluator) -> None:
        self.ev = ev

    def walk(self, cells: Iterable[tuple[ParsedCell, ast.Module]]) -> Iterator[Step]:
        """See :meth:`Evaluator.walk`. Before each step, what calls of notebook functions
        returned is forgotten (``Evaluator.returned``: valid within one statement)."""
        returned = self.ev.returned
        module = self.ev.module
        for cell, tree in cells:
            for step in self._block(cell, tree.body, module):
                if returned:
                    returned.clear()
                yield step

    def run(self, cell: ParsedCell, body: list[ast.stmt], scope: Scope) -> Iterator[Step]:
        """Run ``body`` (a function's, for a call of it) in ``scope``."""
        return self._block(cell, body, scope)

    def _block(self, cell: ParsedCell, body: list[ast.stmt], scope: Scope) -> Iterator[Step]:
        ev = self.ev
        for stmt in body:
            # The most frequent statements are run here, the others by :meth:`_stmt`: no
            # generator is started for an expression, an assignment, an import or a ``pass``.
            cls = type(stmt)
            if cls is _Expr:
                yield Step(cell, stmt, scope, stmt)
            elif cls is _Assign:
                yield Step(cell, stmt, scope, stmt)
                value = ev.eval(stmt.value, scope)
                for target in stmt.targets:
                    if type(target) is _Name:
                        scope.names[target.id] = value
                    else:
                        self._bind(target, value, scope)
            elif cls is _Import or cls is _ImportFrom:
                for alias in stmt.names:
                    name = alias.asname or alias.name.split(".", 1)[0]
                    if name != "*":
                        scope.names[name] = OTHER_VALUE
            elif cls not in _NOTHING:
                yield from self._stmt(cell, stmt, scope)

    def _stmt(self, cell: ParsedCell, stmt: Any, scope: Scope) -> Iterator[Step]:
        cls = type(stmt)
        ev = self.ev
        if cls is ast.Return or cls in _PLAIN:  # (Expr and Assign: in _block)
            yield Step(cell, stmt, scope, stmt)
        elif cls is ast.AnnAssign:
            if stmt.value is not None:
                yield Step(cell, stmt, scope, stmt)
                self._bind(stmt.target, ev.eval(stmt.value, scope), scope)
        elif cls is ast.AugAssign:
            yield Step(cell, stmt, scope, stmt)
            target = stmt.target
            if type(target) is ast.Name and type(stmt.op) is ast.Add:
                current = scope.lookup(target.id) or UNKNOWN_VALUE
                value = concat([current, ev.eval(stmt.value, scope)], ev.schemes)
                self._bind(target, value, scope)
            else:
                self._bind(target, UNKNOWN_VALUE, scope)
        elif cls is ast.FunctionDef or cls is ast.AsyncFunctionDef:
            yield from self._function(cell, stmt, scope)
        elif cls is ast.ClassDef:
            for expr in [*stmt.decorator_list, *stmt.bases, *stmt.keywords]:
                yield Step(cell, expr, scope, stmt)
            yield from self._block(cell, stmt.body, Scope(parent=scope))
            scope.names[stmt.name] = OTHER_VALUE
        elif cls is ast.If:
            yield Step(cell, stmt.test, scope, stmt)
            yield from self._branches(cell, [stmt.body, stmt.orelse], scope)
        elif cls is ast.For or cls is ast.AsyncFor:
            yield Step(cell, stmt.iter, scope, stmt)
            self._bind(stmt.target, iterate(ev.eval(stmt.iter, scope)), scope)
            yield from self._block(cell, stmt.body, scope)
            if stmt.orelse:  # (an empty block starts no generator)
                yield from self._block(cell, stmt.orelse, scope)
        elif cls is ast.While:
            yield Step(cell, stmt.test, scope, stmt)
            yield from self._block(cell, stmt.body, scope)
            if stmt.orelse:
                yield from self._block(cell, stmt.orelse, scope)
        elif cls is ast.With or cls is ast.AsyncWith:
            for item in stmt.items:
                yield Step(cell, item.context_expr, scope, stmt)
                if item.optional_vars is not None:
                    ctx = ev.eval(item.context_expr, scope)
                    bound = ctx if ctx.kind in (TEMP, MEMORY) else UNKNOWN_VALUE
                    self._bind(item.optional_vars, bound, scope)
            yield from self._block(cell, stmt.body, scope)
        elif cls is ast.Try or cls is _TRY_STAR:
            yield from self._block(cell, stmt.body, scope)
            for handler in stmt.handlers:
                if handler.type is not None:
                    yield Step(cell, handler.type, scope, stmt)
                if handler.name:
                    scope.names[handler.name] = OTHER_VALUE
                yield from self._block(cell, handler.body, scope)
            if stmt.orelse:
                yield from self._block(cell, stmt.orelse, scope)
            if stmt.finalbody:
                yield from self._block(cell, stmt.finalbody, scope)
        elif cls is ast.Match:
            yield Step(cell, stmt.subject, scope, stmt)
            yield from self._branches(cell, [c.body for c in stmt.cases], scope)
        elif cls is ast.Delete:
            for target in stmt.targets:
                if type(target) is ast.Name:
                    scope.names.pop(target.id, None)
                else:
                    yield Step(cell, target, scope, stmt)
        else:  # (imports and statements without expressions: in _block)
            yield Step(cell, stmt, scope, stmt)

    def _function(
        self, cell: ParsedCell, stmt: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope
    ) -> Iterator[Step]:
        a = stmt.args
        for expr in [*stmt.decorator_list, *a.defaults, *(d for d in a.kw_defaults if d)]:
            yield Step(cell, expr, scope, stmt)
        if stmt.returns is not None:
            yield Step(cell, stmt.returns, scope, stmt)
        defined = self.ev.define(stmt, cell, scope)
        inner = Scope(parent=scope, owner=defined.func)
        params = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
        for p in params:
            if p is not None:
                inner.names[p.arg] = ENV_VALUE
        scope.names[stmt.name] = defined
        yield from self._block(cell, stmt.body, inner)

    def _branches(
        self, cell: ParsedCell, bodies: list[list[ast.stmt]], scope: Scope
    ) -> Iterator[Step]:
        before = dict(scope.names)
        outcomes: list[dict[str, Value]] = []
        for body in bodies:
            scope.names = dict(before)
            yield from self._block(cell, body, scope)
            outcomes.append(scope.names)
        merged = dict(before)
        changed = {k for names in outcomes for k, v in names.items() if before.get(k) is not v}
        for key in changed:
            values = [names[key] for names in outcomes if key in names]
            if key in before and len(values) < len(outcomes):
                values.append(before[key])
            result = values[0]
            for v in values[1:]:
                result = join_values(result, v)
            merged[key] = result
        scope.names = merged

    def _bind(self, target: ast.expr, value: Value, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.names[target.id] = value
        elif isinstance(target, ast.Tuple | ast.List):
            items = value.items
            for i, elt in enumerate(target.elts):
                if items is not None and len(items) == len(target.elts):
                    self._bind(elt, items[i], scope)
                elif isinstance(elt, ast.Starred):
                    self._bind(elt.value, UNKNOWN_VALUE, scope)
                else:
                    self._bind(elt, UNKNOWN_VALUE, scope)
        elif isinstance(target, ast.Starred):
            self._bind(target.value, UNKNOWN_VALUE, scope)
