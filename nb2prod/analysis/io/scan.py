"""One walk of a statement's expression root for the IO pass (:func:`scan`): its calls, the
string literals that look like absolute paths, the names bound by comprehensions and
lambdas inside it, and the literals that are defaults of environment lookups."""

from __future__ import annotations

import ast
from typing import Any

from nb2prod.analysis.io.shapes import path_style
from nb2prod.analysis.nodes import walk as walk_nodes
from nb2prod.analysis.values import HOLE, Evaluator

_ENV_DEFAULTS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})
_ENV_DEFAULT_NAMES = frozenset(q.rpartition(".")[2] for q in _ENV_DEFAULTS)


_SCALAR_FIELDS = frozenset(
    {"ctx", "op", "id", "attr", "arg", "name", "names", "module", "level", "kind", "conversion"}
    | {"type_comment", "is_async", "simple", "kwd_attrs", "format_spec"}
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {ast.Constant: (), ast.Name: ()}


def _children(node: ast.AST) -> tuple[str, ...]:
    """The fields of ``node``'s class that may hold child nodes (cached per class)."""
    fields = _CHILD_FIELDS.get(type(node))
    if fields is None:
        fields = tuple(f for f in node._fields if f not in _SCALAR_FIELDS)
        _CHILD_FIELDS[type(node)] = fields
    return fields


def scan(
    root: ast.AST, ev: Evaluator
) -> tuple[list[ast.Call], list[tuple[ast.expr, str, str]], frozenset[str], set[int]]:
    """One walk of an expression root: its calls, path-like literals, the names bound by
    comprehensions and lambdas inside it, and the literals that are env-lookup defaults.

    Parents are visited before their children, so an f-string or a ``+`` marks its parts
    (``suffixes``) before they are seen: only a string that starts an expression counts.
    """
    calls: list[ast.Call] = []
    literals: list[tuple[ast.expr, str, str]] = []
    shadow: set[str] = set()
    defaults: set[int] = set()
    suffixes: set[int] = set()
    docstring = root.value if isinstance(root, ast.Expr) else None
    stack: list[Any] = [root]
    pop, push, extend = stack.pop, stack.append, stack.extend
    child_fields = _CHILD_FIELDS
    while stack:
        node = pop()
        if node is None:  # in Dict.keys and kw_defaults
            continue
        cls = type(node)
        if cls is ast.Constant:
            text = node.value
            if (
                type(text) is str
                and text
                and (text[0] in "/~\\" or text[1:2] == ":" or text[:5] == "file:")
                and node is not docstring
                and id(node) not in suffixes
            ):
                style = path_style(text)
                if style:
                    literals.append((node, text, style))
            continue
        if cls is ast.Name:
            continue
        # The most frequent nodes push their children here, as the generic loop below does
        # (fields in order, the items of a list reversed), without looking their fields up.
        if cls is ast.Attribute or cls is ast.keyword or cls is ast.Expr:
            push(node.value)
            continue
        if cls is ast.Call:
            calls.append(node)
            func = node.func
            if (
                len(node.args) > 1
                and (type(func) is not ast.Attribute or func.attr in _ENV_DEFAULT_NAMES)
                and ev.qualname(func) in _ENV_DEFAULTS
            ):
                defaults.update(id(n) for a in node.args[1:] for n in walk_nodes(a))
            push(func)
            extend(reversed(node.args))
            extend(reversed(node.keywords))
            continue
        if cls is ast.Assign:
            extend(reversed(node.targets))
            push(node.value)
            continue
        if cls is ast.Subscript:
            push(node.value)
            push(node.slice)
            continue
        if cls is ast.Tuple or cls is ast.List:
            extend(reversed(node.elts))
            continue
        if cls is ast.BinOp:
            if type(node.op) is ast.Add:
                suffixes.add(id(node.right))
            push(node.left)
            push(node.right)
            continue
        if cls is ast.JoinedStr:
            values = node.values
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
            shadow.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
        elif cls is ast.Lambda:
            a = node.args
            params = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
            shadow.update(p.arg for p in params if p is not None)
        for name in child_fields.get(cls) or _children(node):
            child = getattr(node, name, None)
            if type(child) is list:
                extend(reversed(child))
            elif child is not None:
                push(child)
    return calls, literals, frozenset(shadow), defaults
