"""File access through the notebook's own functions: after ``def load(p): return
pd.read_csv(p)``, the call ``load("data/x.csv")`` reads a local file, and the finding
belongs at that call (the body alone reads whatever it is given).

At a call of a function the IO pass marked (``Function.sinks``: a catalogued call inside
takes a path that is not a known constant), the body is run again with its parameters
bound to the call's arguments (:func:`nb2prod.analysis.values.bind_arguments`); every
catalogued call inside that now touches a local path, and did not already when the body
was first walked, becomes an :class:`IOEvent` at the call, with ``via`` naming the call
inside and ``arg`` the argument the path came from. Functions calling functions are
followed a few calls deep."""

from __future__ import annotations

import ast
import builtins
from typing import TYPE_CHECKING, Protocol

from nb2prod.analysis.io.model import CHDIR, IOEvent
from nb2prod.analysis.io.scan import scan
from nb2prod.analysis.values import LOCAL, Evaluator, Function, Scope, bind_arguments, run_body

if TYPE_CHECKING:
    from nb2prod.notebook.parse import ParsedCell

_BUILTINS = frozenset(dir(builtins))


class _Finder(Protocol):
    ev: Evaluator
    local_nodes: set[int]

    def event(
        self, cell: ParsedCell, call: ast.Call, scope: Scope, shadow: frozenset[str]
    ) -> IOEvent | None: ...


def called_function(call: ast.Call, scope: Scope, shadow: frozenset[str]) -> Function | None:
    """The notebook function ``call`` calls by name (``load(...)``), if any."""
    func = call.func
    if type(func) is ast.Name and func.id not in shadow:
        bound = scope.lookup(func.id)
        if bound is not None:
            return bound.func
    return None


def unbound_call(call: ast.Call, scope: Scope) -> bool:
    """A call by a name nothing binds yet and no builtin has: maybe a function defined in a
    later cell (Python looks it up when the call runs)."""
    func = call.func
    return type(func) is ast.Name and func.id not in _BUILTINS and scope.lookup(func.id) is None


def events_through(
    finder: _Finder,
    cell: ParsedCell,
    call: ast.Call,
    fn: Function,
    scope: Scope,
    shadow: frozenset[str],
) -> list[IOEvent]:
    """The local file accesses of one call of ``fn``, as events at the call."""
    if not fn.sinks:
        return []
    ev = finder.ev
    inner = bind_arguments(ev, fn, call, scope, shadow)
    if not any(v.kind == LOCAL for v in inner.names.values()):
        return []  # no local path goes in: the body does what its first walk saw
    sources = _argument_nodes(fn, call)
    found: list[IOEvent] = []
    seen: set[tuple[str, int]] = set()
    for step in run_body(ev, fn, inner):
        calls, _, inner_shadow, _ = scan(step.root, ev)
        for c in calls:
            callee = called_function(c, step.scope, inner_shadow)
            if callee is not None:
                events = events_through(finder, step.cell, c, callee, step.scope, inner_shadow)
            else:
                event = finder.event(step.cell, c, step.scope, inner_shadow)
                events = [event] if event is not None else []
            for e in events:
                if not e.is_local or e.kind == CHDIR or id(e.node) in finder.local_nodes:
                    continue  # not local, or reported where it is (any chdir is)
                arg = _source(e, sources, inner)
                key = (e.kind, id(arg))
                if key not in seen:
                    seen.add(key)
                    via = e.via or e.call
                    found.append(IOEvent(cell, call, e.kind, fn.name, e.value, arg, via, False))
    return found


def _argument_nodes(fn: Function, call: ast.Call) -> dict[str, ast.expr]:
    """Parameter name -> the argument node of ``call`` bound to it."""
    a = fn.node.args
    positional = [*a.posonlyargs, *a.args]
    out: dict[str, ast.expr] = {}
    for param, arg in zip(positional, call.args, strict=False):
        if isinstance(arg, ast.Starred):
            break
        out[param.arg] = arg
    for kw in call.keywords:
        if kw.arg is not None:
            out[kw.arg] = kw.value
    return out


def _source(event: IOEvent, sources: dict[str, ast.expr], inner: Scope) -> ast.expr | None:
    """The argument a local path inside came from: the parameter its path expression names,
    else the first argument holding a local path (through a local name), else ``None`` (a
    default was used)."""
    if event.arg is not None:
        for node in ast.walk(event.arg):
            if type(node) is ast.Name and node.id in sources:
                return sources[node.id]
    for name, node in sources.items():
        value = inner.names.get(name)
        if value is not None and value.kind == LOCAL:
            return node
    return None
