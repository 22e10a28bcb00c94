"""The notebook's first code cell gets the imports and ``DATA_URI`` constants the rewrites use.

DESCRIPTION: Insert ``import os``/``import fsspec`` and ``DATA_URI = os.environ.get(...)``
after the first cell's imports, once.
"""

from __future__ import annotations

import json

import libcst as cst

DESCRIPTION = "Add the imports and DATA_URI constants used by rewritten code, once."


def _leading(body: list[cst.BaseStatement]) -> int:
    """Index after the leading run of imports, masked magics (``pass``) and docstring."""
    i = 0
    for i, stmt in enumerate(body):  # noqa: B007
        if not isinstance(stmt, cst.SimpleStatementLine):
            return i
        small = stmt.body
        if all(isinstance(s, cst.Import | cst.ImportFrom | cst.Pass) for s in small):
            continue
        docstring = (cst.SimpleString, cst.ConcatenatedString)
        first = small[0]
        is_doc = isinstance(first, cst.Expr) and isinstance(first.value, docstring)
        if i == 0 and len(small) == 1 and is_doc:
            continue
        return i
    return len(body)


def _imported(body: list[cst.BaseStatement]) -> set[str]:
    names: set[str] = set()
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for s in stmt.body:
                if isinstance(s, cst.Import):
                    for alias in s.names:
                        if alias.asname is None:
                            names.add(cst.helpers.get_full_name_for_node(alias.name) or "")
    return names


def _assigned(body: list[cst.BaseStatement]) -> set[str]:
    names: set[str] = set()
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for s in stmt.body:
                if isinstance(s, cst.Assign):
                    for t in s.targets:
                        if isinstance(t.target, cst.Name):
                            names.add(t.target.value)
    return names


class AddHeader(cst.CSTTransformer):
    """Inserts ``imports`` (module names) and ``constants`` (name -> (env, default)) after
    the leading imports; whatever the cell already has is not added again."""

    DESCRIPTION = DESCRIPTION

    def __init__(self, imports: list[str], constants: dict[str, tuple[str, str]]) -> None:
        super().__init__()
        self.imports = imports
        self.constants = constants

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body = list(updated_node.body)
        at = _leading(body)
        have = _imported(body[:at])
        assigned = _assigned(body)
        new: list[cst.BaseStatement] = []
        for name in self.imports:
            if name not in have:
                new.append(cst.parse_statement(f"import {name}"))
        for const, (env, default) in sorted(self.constants.items()):
            if const not in assigned:
                code = f"{const} = os.environ.get({json.dumps(env)}, {json.dumps(default)})"
                new.append(cst.parse_statement(code))
        if not new:
            return updated_node
        return updated_node.with_changes(body=[*body[:at], *new, *body[at:]])
