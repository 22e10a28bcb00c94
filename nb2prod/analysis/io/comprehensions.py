"""Comprehension variables with a value: ``[pd.read_csv(f) for f in glob.glob("data/*.csv")]``.

The IO scan treats the names a comprehension (or a lambda) binds as unknown (``shadow``).
A plain-name target over a sequence whose elements are known — a local listing (``glob``,
``Path.iterdir``), a literal list of paths, or a name holding one — is the element instead,
so a read or write of each file is seen where it happens, as in a ``for`` loop.
"""

from __future__ import annotations

import ast

from nb2prod.analysis.values import UNKNOWN_VALUE, Evaluator, Scope, Value
from nb2prod.analysis.values.paths import iterate

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


def bind_comprehensions(
    ev: Evaluator, root: ast.AST, scope: Scope, shadow: frozenset[str]
) -> tuple[Scope, frozenset[str]]:
    """``(scope, shadow)`` for the calls of the statement ``root``: comprehension variables
    over known sequences bound in a scope inside ``scope``, and no longer in ``shadow``.

    Conservative: a name bound by more than one comprehension, by a tuple target or as a
    lambda parameter stays unknown, and an iterable is evaluated outside every
    comprehension (a name from an enclosing comprehension in it is unknown)."""
    iters: dict[str, ast.expr | None] = {}
    for node in ast.walk(root):
        if isinstance(node, _COMPREHENSIONS):
            for gen in node.generators:
                target = gen.target
                if isinstance(target, ast.Name):
                    iters[target.id] = gen.iter if target.id not in iters else None
                else:
                    iters.update((n.id, None) for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Lambda):
            a = node.args
            params = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
            iters.update((p.arg, None) for p in params if p is not None)
    names: dict[str, Value] = {}
    for name, node in iters.items():
        if node is not None:
            value = iterate(ev.eval(node, scope, shadow))
            if value is not UNKNOWN_VALUE:
                names[name] = value
    if not names:
        return scope, shadow
    # owner kept: the calls still belong to the function body (or module) they are in.
    return Scope(names, parent=scope, owner=scope.owner), shadow - names.keys()
