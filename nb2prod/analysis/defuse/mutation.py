"""Mutation detection: which names a statement changes in place (``x.append(..)`` with its
result discarded, ``x[k] = ..``, ``x.a = ..``, ``del x[k]``, ``x.f(inplace=True)``).
Mutation counts as definition in the def/use analysis."""

from __future__ import annotations

import ast

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


def base_name(node: ast.AST) -> ast.Name | None:
    """The name at the root of ``a.b[c].d`` (through attributes, subscripts and calls)."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call | ast.Starred):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node if isinstance(node, ast.Name) else None


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
            and any(k.arg == "inplace" and truthy(k.value) for k in n.keywords)
        ):
            base = base_name(n.func.value)
        if base is not None and base.id in free:
            out.setdefault(base.id, base.lineno)
    return out


def truthy(node: ast.expr) -> bool:
    """A constant that is true (``inplace=True``)."""
    return isinstance(node, ast.Constant) and bool(node.value)
