"""One walk of a statement's expression root for the IO pass (:func:`scan`): its calls, the
string literals that look like absolute paths, the names bound by comprehensions and
lambdas inside it, and the literals that are defaults of environment lookups."""

from __future__ import annotations

import ast
from collections.abc import Set as AbstractSet
from typing import Any

from nb2prod.analysis.io.shapes import path_style
from nb2prod.analysis.nodes import walk as walk_nodes
from nb2prod.analysis.values import HOLE, Evaluator

_ENV_DEFAULTS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})
_ENV_DEFAULT_NAMES = frozenset(q.rpartition(".")[2] for q in _ENV_DEFAULTS)


# Fields the scan does not descend into: scalars, and leaves with nothing to find
# (contexts, operators, a comparison's ``ops``).
_SCALAR_FIELDS = frozenset(
    {"ctx", "op", "ops", "id", "attr", "arg", "name", "names", "module", "level", "kind"}
    | {"conversion", "type_comment", "is_async", "simple", "kwd_attrs", "format_spec"}
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {ast.Constant: (), ast.Name: ()}
# The node classes the loop of :func:`scan` tells apart, as module globals (read faster than
# ``ast.Name``): the loop runs for every node of every statement.
_Constant, _Name, _Attribute, _Call = ast.Constant, ast.Name, ast.Attribute, ast.Call
_Assign, _keyword, _Expr, _Subscript = ast.Assign, ast.keyword, ast.Expr, ast.Subscript
_Tuple, _List, _BinOp, _Add, _JoinedStr = ast.Tuple, ast.List, ast.BinOp, ast.Add, ast.JoinedStr
_NO_NAMES: frozenset[str] = frozenset()
_NO_IDS: frozenset[int] = frozenset()


def _children(node: ast.AST) -> tuple[str, ...]:
    """The fields of ``node``'s class that may hold child nodes (cached per class)."""
    fields = _CHILD_FIELDS.get(type(node))
    if fields is None:
        fields = tuple(f for f in node._fields if f not in _SCALAR_FIELDS)
        _CHILD_FIELDS[type(node)] = fields
    return fields


def scan(
    root: ast.AST, ev: Evaluator
) -> tuple[list[ast.Call], list[tuple[ast.expr, str, str]], frozenset[str], AbstractSet[int]]:
    """One walk of an expression root: its calls, path-like literals, the names bound by
    comprehensions and lambdas inside it, and the literals that are env-lookup defaults.

    Parents are visited before their children, so an f-string or a ``+`` marks its parts
    (``suffixes``) before they are seen: only a string that starts an expression counts.
    """
    calls: list[ast.Call] = []
    literals: list[tuple[ast.expr, str, str]] = []
    # Made at their first use: most statements have none (and this runs for each one).
    shadow: set[str] | None = None
    defaults: set[int] | None = None
    suffixes: set[int] | None = None
    docstring = root.value if type(root) is _Expr else None
    stack: list[Any] = [root]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        if node is None:  # in Dict.keys and kw_defaults
            continue
        cls = type(node)
        if cls is _Constant:
            text = node.value
            if (
                type(text) is str
                and text
                and (text[0] in "/~\\" or text[1:2] == ":" or text[:5] == "file:")
                and node is not docstring
                and (suffixes is None or id(node) not in suffixes)
            ):
                style = path_style(text)
                if style:
                    literals.append((node, text, style))
            continue
        if cls is _Name:
            continue
        # The most frequent nodes push their children here, as the generic loop below does
        # (fields in order, the items of a list reversed), without looking their fields up.
        # An attribute chain holds nothing to find but its base (``a.b.c`` -> ``a``), and
        # a name holds nothing at all: neither is pushed, which changes no result.
        if cls is _Attribute or cls is _keyword or cls is _Expr:
            node = node.value
            while type(node) is _Attribute:
                node = node.value
            if type(node) is not _Name:
                push(node)
            continue
        if cls is _Call:
            calls.append(node)
            func = node.func
            if (
                len(node.args) > 1
                and (type(func) is not _Attribute or func.attr in _ENV_DEFAULT_NAMES)
                and ev.qualname(func) in _ENV_DEFAULTS
            ):
                if defaults is None:
                    defaults = set()
                defaults.update(id(n) for a in node.args[1:] for n in walk_nodes(a))
            while type(func) is _Attribute:
                func = func.value
            if type(func) is not _Name:
                push(func)
            if node.args:  # (``[::-1]``: cheaper than ``reversed``, and most lists are short)
                extend(node.args[::-1])
            for kw in reversed(node.keywords):  # (a keyword holds nothing but its value)
                value = kw.value
                if type(value) is not _Name:
                    push(value)
            continue
        if cls is _Assign:
            for target in reversed(node.targets):
                if type(target) is not _Name:
                    push(target)
            push(node.value)
            continue
        if cls is _Subscript:
            push(node.value)
            push(node.slice)
            continue
        if cls is _Tuple or cls is _List:
            extend(node.elts[::-1])
            continue
        if cls is _BinOp:
            if type(node.op) is _Add:
                if suffixes is None:
                    suffixes = set()
                suffixes.add(id(node.right))
            push(node.left)
            push(node.right)
            continue
        if cls is _JoinedStr:
            values = node.values
            if suffixes is None:
                suffixes = set()
            suffixes.update(id(p) for p in values)
            head = values[0] if values else None
            if (
                id(node) not in suffixes
                and isinstance(head, ast.Constant)
                and isinstance(head.value, str)
            ):
                text = "".join(p.value if isinstance(p, ast.Constant) else "x" for p in values)
                style = path_style(text)
                if style:
                    shown = "".join(
                        p.value if isinstance(p, ast.Constant) else HOLE for p in values
                    )
                    literals.append((node, shown, style))
        elif cls is ast.comprehension:
            if shadow is None:
                shadow = set()
            shadow.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
        elif cls is ast.Lambda:
            a = node.args
            params = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
            if shadow is None:
                shadow = set()
            shadow.update(p.arg for p in params if p is not None)
        for name in _CHILD_FIELDS.get(cls) or _children(node):
            child = getattr(node, name, None)
            if type(child) is list:
                extend(child[::-1])
            elif child is not None:
                push(child)
    return (
        calls,
        literals,
        frozenset(shadow) if shadow else _NO_NAMES,
        defaults if defaults is not None else _NO_IDS,
    )
