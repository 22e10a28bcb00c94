"""Resolve names through a notebook's imports: ``pd.read_csv`` -> ``pandas.read_csv``."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from functools import cache


def collect_imports(trees: Iterable[ast.AST]) -> dict[str, str]:
    """Map each local name bound by an import (in any cell, at any depth) to its dotted origin.

    ``import pandas as pd`` -> ``{"pd": "pandas"}``; ``from os import path`` ->
    ``{"path": "os.path"}``; ``import os.path`` -> ``{"os": "os"}``.
    """
    names: dict[str, str] = {}
    for tree in trees:
        for node in _statements(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        names[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".", 1)[0]
                        names[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name != "*":
                        names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _statements(tree: ast.AST) -> Iterator[ast.stmt]:
    """Every statement, at any depth (bodies of defs, ifs, loops, try, with, match), without
    descending into expressions: imports are statements."""
    stack = list(getattr(tree, "body", ()))
    while stack:
        node = stack.pop()
        yield node
        for name in _block_fields(type(node)):
            children = getattr(node, name, None)
            if children:
                stack.extend(children)


_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


@cache
def _block_fields(cls: type) -> tuple[str, ...]:
    """The fields of ``cls`` that hold statements (or handlers, match cases): none for most."""
    return tuple(name for name in _BLOCKS if name in cls._fields)


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else ``None``."""
    if type(node) is ast.Name:  # the most frequent case
        return node.id
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def qualified(node: ast.AST, imports: dict[str, str]) -> str | None:
    """The dotted name of ``node`` with its first part resolved through ``imports``.

    Builtins and other unimported names resolve to themselves (``open`` -> ``open``).
    """
    name = dotted(node)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    origin = imports.get(head, head)
    return f"{origin}.{rest}" if rest else origin
