"""Calls of the notebook's own functions: a ``def`` binds its name to a :class:`Function`
(:func:`define`), and a call of it evaluates to what its ``return`` statements evaluate to
with the parameters bound to the call's arguments (:func:`call_function`). So
``def data_dir(): return Path("data")`` makes ``data_dir() / "x.csv"`` a local path, and
``def path_of(name): return DATA + name`` makes ``path_of("x.csv")`` one.

The body is run again, silently, for each call (:func:`bind_arguments` then
:func:`run_body`), a few calls deep at most; recursion and large or generator bodies are
not followed (their calls stay unknown)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from nb2prod.analysis.values.model import (
    OTHER,
    OTHER_VALUE,
    UNKNOWN_VALUE,
    Function,
    Scope,
    Value,
    join_values,
)
from nb2prod.analysis.values.walk import Step, Walker

if TYPE_CHECKING:
    from nb2prod.analysis.values.evaluator import Evaluator
    from nb2prod.notebook.parse import ParsedCell

MAX_NESTING = 4  # calls of notebook functions followed inside one another
MAX_STATEMENTS = 150  # bodies with more statements are not followed
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def define(
    ev: Evaluator, node: ast.FunctionDef | ast.AsyncFunctionDef, cell: ParsedCell, scope: Scope
) -> Value:
    """The value a ``def`` binds its name to: the function, with its defaults evaluated."""
    a = node.args
    positional = [*a.posonlyargs, *a.args]
    defaults: dict[str, Value] = {}
    for p, d in zip(positional[len(positional) - len(a.defaults) :], a.defaults, strict=True):
        defaults[p.arg] = ev.eval(d, scope)
    for p, kd in zip(a.kwonlyargs, a.kw_defaults, strict=True):
        if kd is not None:
            defaults[p.arg] = ev.eval(kd, scope)
    return Value(OTHER, func=Function(node, cell, scope, defaults))


def followed(fn: Function) -> bool:
    """Whether calls of ``fn`` are followed (found out once, at its first call)."""
    if fn.followed is None:
        fn.followed, fn.returns = _followable(fn)
    return fn.followed


_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def _followable(fn: Function) -> tuple[bool, bool]:
    """(Not async, not a generator, and small: its calls can be followed; it has a
    ``return`` with a value). Statements are counted without visiting expressions; a
    ``yield`` or ``await`` is looked for in the function's source text."""
    node = fn.node
    if isinstance(node, ast.AsyncFunctionDef) or _may_yield(fn):
        return False, False
    count = 0
    returns = False
    stack: list[ast.AST] = list(node.body)
    while stack:
        child = stack.pop()
        count += 1
        if count > MAX_STATEMENTS:
            return False, False
        if type(child) is ast.Return and child.value is not None:  # type: ignore[attr-defined]
            returns = True
        elif not isinstance(child, _NESTED):  # a nested function's returns are its own
            for name in _BLOCKS:
                block = getattr(child, name, None)
                if block:
                    stack.extend(block)
    return True, returns


def _may_yield(fn: Function) -> bool:
    node = fn.node
    source = getattr(fn.cell, "python", None)
    if source is None:
        return any(isinstance(n, ast.Yield | ast.YieldFrom | ast.Await) for n in ast.walk(node))
    lines = source.split("\n")[node.lineno - 1 : node.end_lineno]
    text = "\n".join(lines)
    return "yield" in text or "await" in text


def bind_arguments(
    ev: Evaluator,
    fn: Function,
    call: ast.Call,
    scope: Scope,
    shadow: frozenset[str] = frozenset(),
    depth: int = 0,
) -> Scope:
    """A scope for a run of ``fn``'s body: its parameters bound to ``call``'s arguments
    (evaluated in ``scope``), missing ones to their defaults. After ``*args`` or
    ``**kwargs`` in the call, parameters not passed by name are unknown."""
    a = fn.node.args
    positional = [*a.posonlyargs, *a.args]
    inner = Scope(parent=fn.scope, owner=fn)
    names = inner.names
    spread = False
    for i, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            spread = True
            break
        if i < len(positional):
            names[positional[i].arg] = ev.eval(arg, scope, shadow, depth)
    by_name = {p.arg for p in [*a.args, *a.kwonlyargs]}
    for kw in call.keywords:
        if kw.arg is None:
            spread = True
        elif kw.arg in by_name:
            names[kw.arg] = ev.eval(kw.value, scope, shadow, depth)
    for p in [*positional, *a.kwonlyargs]:
        if p.arg not in names:
            default = fn.defaults.get(p.arg)
            names[p.arg] = UNKNOWN_VALUE if spread or default is None else default
    for extra in (a.vararg, a.kwarg):
        if extra is not None:
            names[extra.arg] = UNKNOWN_VALUE
    return inner


def run_body(ev: Evaluator, fn: Function, inner: Scope) -> Iterator[Step]:
    """The steps of one silent run of ``fn``'s body in ``inner`` (from
    :func:`bind_arguments`); nothing when the function is not followed, is already running
    (recursion) or calls are nested too deep. Steps of functions defined inside are left
    out: they do not run."""
    if fn in ev.active or len(ev.active) >= MAX_NESTING or not followed(fn):
        return
    ev.active.append(fn)
    try:
        for step in Walker(ev).run(fn.cell, fn.node.body, inner):
            if step.scope is inner:
                yield step
    finally:
        ev.active.pop()


def call_function(
    ev: Evaluator, fn: Function, call: ast.Call, scope: Scope, shadow: frozenset[str], depth: int
) -> Value:
    """What ``call`` of ``fn`` evaluates to: its ``return`` values, joined (a function
    without one returns ``None``)."""
    if fn in ev.active or len(ev.active) >= MAX_NESTING or not followed(fn):
        return UNKNOWN_VALUE
    if not fn.returns:
        return OTHER_VALUE  # None
    inner = bind_arguments(ev, fn, call, scope, shadow, depth)
    # Remembered for functions of the module only: a nested function's enclosing scope may
    # change between two of its calls within one statement of the walk.
    key = (fn, tuple(inner.names.items())) if fn.scope is ev.module else None
    known = ev.returned.get(key) if key is not None else None
    if known is not None:
        return known
    result: Value | None = None
    for step in run_body(ev, fn, inner):
        stmt = step.stmt
        if type(stmt) is ast.Return and step.root is stmt:
            value = OTHER_VALUE if stmt.value is None else ev.eval(stmt.value, inner)
            result = value if result is None else join_values(result, value)
    result = OTHER_VALUE if result is None else result
    if key is not None:
        ev.returned[key] = result
    return result
