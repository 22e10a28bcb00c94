"""The :class:`Evaluator`: the abstract value of an expression against a :class:`Scope`
(names, literals, operators, containers, attributes, subscripts; calls are in
:mod:`~nb2prod.analysis.values.calls`). :meth:`Evaluator.walk` runs the cells in order
(:mod:`~nb2prod.analysis.values.walk`)."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from nb2prod.analysis.names import qualified
from nb2prod.analysis.values.calls import (
    ALIASES,
    CONFIG_NAME,
    CURDIR,
    ENV_OBJECTS,
    MEMORY_NAMES,
    call_value,
)
from nb2prod.analysis.values.functions import define
from nb2prod.analysis.values.model import (
    ENV,
    ENV_VALUE,
    LOCAL,
    MEMORY_VALUE,
    OTHER,
    OTHER_VALUE,
    REMOTE,
    TEMP,
    UNKNOWN,
    UNKNOWN_VALUE,
    Function,
    Scope,
    Value,
    as_path,
    join_values,
    string_value,
)
from nb2prod.analysis.values.paths import concat, dirname, iterate, join_paths, percent_path
from nb2prod.analysis.values.walk import Step, Walker

if TYPE_CHECKING:
    from nb2prod.notebook.parse import ParsedCell

_MAX_ITEMS = 64  # larger list/dict literals are not tracked
# The node classes :meth:`Evaluator.eval` tells apart, as module globals (read faster than
# ``ast.Name``): it runs for every expression evaluated.
_Name, _Constant, _Call, _Attribute = ast.Name, ast.Constant, ast.Call, ast.Attribute
_Subscript, _BinOp, _JoinedStr, _Dict = ast.Subscript, ast.BinOp, ast.JoinedStr, ast.Dict
_List, _Tuple, _Set, _IfExp = ast.List, ast.Tuple, ast.Set, ast.IfExp
_BoolOp, _Or, _NamedExpr = ast.BoolOp, ast.Or, ast.NamedExpr
_MAX_DEPTH = 40
_UNSET = object()


class Evaluator:
    """Evaluates expressions against a :class:`Scope`; :meth:`walk` runs the cells in order."""

    def __init__(self, imports: dict[str, str], schemes: Iterable[str]) -> None:
        self.imports = imports
        self.schemes = frozenset(s.lower() for s in schemes)
        self.module = Scope()
        self.active: list[Function] = []  # notebook functions whose calls are being followed
        # What calls of notebook functions returned, by function and arguments; valid while
        # the walk stays at one statement (the module's names do not change meanwhile).
        self.returned: dict[tuple[Function, tuple[tuple[str, Value], ...]], Value] = {}
        # Qualified names by node: they depend on the node and the imports only, and the IO
        # pass asks for a node's more than once (for its value, then its catalogue entry).
        # Keyed by the node itself, not its id: a node freed and another made at its address
        # cannot take its entry.
        self._quals: dict[ast.AST, str | None] = {}
        self._strings: dict[str, Value] = {}  # string literals' values (the same text often)

    def walk(self, cells: Iterable[tuple[ParsedCell, ast.Module]]) -> Iterator[Step]:
        """Run the cells' statements in order, yielding each expression root *before* the
        statement's bindings take effect. Function bodies run at their definition, with
        parameters bound to ``ENV``; both branches of an ``if`` run and their bindings join."""
        return Walker(self).walk(cells)

    def define(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, cell: ParsedCell, scope: Scope
    ) -> Value:
        """The value a ``def`` binds (see :func:`.functions.define`)."""
        return define(self, node, cell, scope)

    def iterate(self, value: Value) -> Value:
        """The value of a loop variable over ``value`` (see :func:`.paths.iterate`)."""
        return iterate(value)

    # -- names ------------------------------------------------------------------------------
    def qualname(self, node: ast.AST) -> str | None:
        """Dotted origin of a name chain; conventional aliases fill in missing imports."""
        name = self._quals.get(node, _UNSET)
        if name is not _UNSET:
            return name  # type: ignore[return-value]
        name = qualified(node, self.imports)
        if name is not None:
            head, dot, rest = name.partition(".")
            if head in ALIASES and head not in self.imports:
                name = ALIASES[head] + dot + rest
        self._quals[node] = name
        return name

    # -- expressions ------------------------------------------------------------------------
    def eval(
        self, node: ast.AST, scope: Scope, shadow: frozenset[str] = frozenset(), depth: int = 0
    ) -> Value:
        """The abstract value of ``node``; names in ``shadow`` (comprehension targets,
        lambda parameters) are unknown."""
        if depth > _MAX_DEPTH:
            return UNKNOWN_VALUE
        d = depth + 1
        cls = type(node)  # an if-chain on the type, most frequent first: this runs a lot
        if cls is _Name:
            name = node.id  # type: ignore[attr-defined]
            if name in shadow:
                return UNKNOWN_VALUE
            value = scope.lookup(name)
            if value is not None:
                return value
            return ENV_VALUE if CONFIG_NAME.search(name) else UNKNOWN_VALUE
        if cls is _Constant:
            return self._constant(node.value)  # type: ignore[attr-defined]
        if cls is _Call:
            return call_value(self, node, scope, shadow, d)  # type: ignore[arg-type]
        if cls is _Attribute:
            return self._attribute(node, scope, shadow, d)  # type: ignore[arg-type]
        if cls is _Subscript:
            return self._subscript(node.value, node.slice, scope, shadow, d)  # type: ignore[attr-defined]
        if cls is _BinOp:
            return self._binop(node, scope, shadow, d)  # type: ignore[arg-type]
        if cls is _JoinedStr:
            parts = node.values  # type: ignore[attr-defined]
            return concat([self._fpart(p, scope, shadow, d) for p in parts], self.schemes)
        if cls is _List or cls is _Tuple or cls is _Set:
            elts = node.elts  # type: ignore[attr-defined]
            if len(elts) > _MAX_ITEMS or any(isinstance(e, ast.Starred) for e in elts):
                return OTHER_VALUE
            return Value(OTHER, items=tuple([self.eval(e, scope, shadow, d) for e in elts]))
        if cls is _Dict:
            return self._dict(node.keys, node.values, scope, shadow, d)  # type: ignore[attr-defined]
        if cls is _IfExp:
            return join_values(
                self.eval(node.body, scope, shadow, d),  # type: ignore[attr-defined]
                self.eval(node.orelse, scope, shadow, d),  # type: ignore[attr-defined]
            )
        if cls is _BoolOp and type(node.op) is _Or:  # type: ignore[attr-defined]
            return self._or([self.eval(v, scope, shadow, d) for v in node.values])  # type: ignore[attr-defined]
        if cls is _NamedExpr:
            return self.eval(node.value, scope, shadow, d)  # type: ignore[attr-defined]
        return UNKNOWN_VALUE

    def _constant(self, value: object) -> Value:
        if type(value) is str:
            known = self._strings.get(value)
            if known is None:
                known = self._strings[value] = string_value(value, self.schemes)
            return known
        if value is None or type(value) is bool:
            return OTHER_VALUE
        if type(value) is int or type(value) is float:
            try:
                text = str(value)
            except ValueError:  # an int over 4,300 digits (a hex literal): not a path part
                return UNKNOWN_VALUE
            return Value(OTHER, text, text, True)
        return UNKNOWN_VALUE

    def _binop(self, node: ast.BinOp, scope: Scope, shadow: frozenset[str], d: int) -> Value:
        op = type(node.op)
        if op is ast.Add:
            left = self.eval(node.left, scope, shadow, d)
            return concat([left, self.eval(node.right, scope, shadow, d)], self.schemes)
        if op is ast.Div:
            lhs = self.eval(node.left, scope, shadow, d)
            if lhs.kind in (OTHER, UNKNOWN) or lhs.items is not None:
                return UNKNOWN_VALUE if lhs.kind != OTHER else OTHER_VALUE
            joined = join_paths([lhs, self.eval(node.right, scope, shadow, d)], self.schemes)
            return as_path(joined) if lhs.pathlike else joined
        if op is ast.Mod:
            fmt = self.eval(node.left, scope, shadow, d)
            if not fmt.exact or fmt.text is None or fmt.kind not in (LOCAL, REMOTE):
                return UNKNOWN_VALUE if fmt.kind != OTHER else OTHER_VALUE
            return percent_path(fmt.text, self.eval(node.right, scope, shadow, d), self.schemes)
        return UNKNOWN_VALUE

    def _fpart(self, part: ast.AST, scope: Scope, shadow: frozenset[str], depth: int) -> Value:
        if isinstance(part, ast.FormattedValue):
            if part.format_spec is not None:
                return UNKNOWN_VALUE
            return self.eval(part.value, scope, shadow, depth)
        return self.eval(part, scope, shadow, depth)

    def _or(self, values: list[Value]) -> Value:
        if any(v.kind == ENV for v in values):
            return ENV_VALUE
        result = values[0]
        for v in values[1:]:
            result = join_values(result, v)
        return result

    def _dict(
        self,
        keys: list[ast.expr | None],
        values: list[ast.expr],
        scope: Scope,
        shadow: frozenset[str],
        depth: int,
    ) -> Value:
        if len(keys) > _MAX_ITEMS:
            return OTHER_VALUE
        pairs = []
        for k, v in zip(keys, values, strict=True):
            if isinstance(k, ast.Constant) and isinstance(k.value, str):
                pairs.append((k.value, self.eval(v, scope, shadow, depth)))
        return Value(OTHER, keys=tuple(pairs))

    def _subscript(
        self, base: ast.expr, index: ast.expr, scope: Scope, shadow: frozenset[str], depth: int
    ) -> Value:
        if self.qualname(base) in ENV_OBJECTS:
            return ENV_VALUE
        container = self.eval(base, scope, shadow, depth)
        if container.kind == ENV:
            return ENV_VALUE
        if container.each is not None and not isinstance(index, ast.Slice):
            return container.each
        if isinstance(index, ast.Slice) and container.kind == LOCAL and container.exact:
            return self._slice(container, index)
        if isinstance(index, ast.Constant):
            if container.keys is not None and isinstance(index.value, str):
                for key, value in container.keys:
                    if key == index.value:
                        return value
            if container.items is not None and isinstance(index.value, int):
                try:
                    return container.items[index.value]
                except IndexError:
                    return UNKNOWN_VALUE
        return UNKNOWN_VALUE

    def _slice(self, value: Value, index: ast.Slice) -> Value:
        bounds: list[int | None] = []
        for part in (index.lower, index.upper, index.step):
            if part is None:
                bounds.append(None)
            elif isinstance(part, ast.Constant) and isinstance(part.value, int):
                bounds.append(part.value)
            elif (
                isinstance(part, ast.UnaryOp)
                and isinstance(part.op, ast.USub)
                and isinstance(part.operand, ast.Constant)
                and isinstance(part.operand.value, int)
            ):
                bounds.append(-part.operand.value)
            else:
                return UNKNOWN_VALUE
        text = (value.text or "")[slice(*bounds)]
        return replace(string_value(text, self.schemes), pathlike=value.pathlike)

    def _attribute(
        self, node: ast.Attribute, scope: Scope, shadow: frozenset[str], depth: int
    ) -> Value:
        qual = self.qualname(node)
        if qual in ENV_OBJECTS:
            return ENV_VALUE
        if qual in MEMORY_NAMES:
            return MEMORY_VALUE
        if qual in CURDIR:
            return string_value(".", self.schemes)
        base = self.eval(node.value, scope, shadow, depth)
        if base.kind in (ENV, TEMP):
            return Value(base.kind)
        if base.kind in (LOCAL, REMOTE) and base.text is not None:
            if node.attr == "parent":
                return as_path(dirname(base, self.schemes))
            if node.attr in {"name", "stem", "suffix", "suffixes", "parts"}:
                return OTHER_VALUE
            return UNKNOWN_VALUE
        return UNKNOWN_VALUE
