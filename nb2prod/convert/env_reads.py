"""Secrets read from the environment, read where they are used.

``lint --fix`` / ``convert --fix`` move a hard-coded secret to the environment:
``AWS_SECRET_ACCESS_KEY = os.environ["AWS_SECRET_ACCESS_KEY"]``. Left in its step, that line
stops the whole pipeline with a ``KeyError`` as soon as the step runs, although the secret
may be needed only by a later step, or by none. So such an assignment leaves the step code
(like a setting), and the pipeline reads the variable when it calls a step that reads the
name: ``_steps.upload(AWS_SECRET_ACCESS_KEY=_env.require("AWS_SECRET_ACCESS_KEY"))``. The
generated ``env`` module raises ``MissingEnvironmentVariable`` (a ``KeyError``), which
``python -m <pkg>`` prints as one line naming the variable and ``.env.example``.

A statement qualifies when reading it later cannot change its value: a top-level
``NAME = os.environ["KEY"]`` (a string key), ``NAME`` bound nowhere else in the notebook,
and the notebook never changes ``os.environ`` (no assignment, ``del``, ``update``,
``setdefault``, ``pop``, ``putenv`` ...).
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from nb2prod.analysis.names import collect_imports, qualified
from nb2prod.notebook.parse import ParsedCell

ALIAS = "_env"  # the generated env module, as the pipeline imports it
_ENVIRON = "os.environ"
_CHANGES = frozenset(
    {"os.putenv", "os.unsetenv", "os.environ.update", "os.environ.setdefault", "os.environ.pop"}
    | {"os.environ.popitem", "os.environ.clear", "os.environ.__setitem__", "os.environ.__delitem__"}
)


@dataclass(frozen=True, slots=True)
class EnvRead:
    name: str  # the notebook variable
    env: str  # the environment variable
    node: ast.stmt  # the assignment, in its cell's tree


def pipeline_expr(env: str) -> str:
    """What the pipeline passes for the variable: the value, read at the call."""
    return f'{ALIAS}.require("{env}")'


def find_env_reads(parsed: Iterable[ParsedCell]) -> list[EnvRead]:
    """The qualifying ``NAME = os.environ["KEY"]`` statements (see the module doc)."""
    trees = [p.tree for p in parsed if p.tree is not None]
    imports = collect_imports(trees)
    bindings: Counter[str] = Counter()
    candidates: list[EnvRead] = []
    for tree in trees:
        for node in ast.walk(tree):
            if _changes_environ(node, imports):
                return []
            for name in _bound(node):
                bindings[name] += 1
        for stmt in tree.body:
            found = _env_assignment(stmt, imports)
            if found is not None:
                candidates.append(EnvRead(found[0], found[1], stmt))
    return [c for c in candidates if bindings[c.name] == 1]


def required_variables(trees: Iterable[ast.AST]) -> list[str]:
    """Environment variables the code reads without a default (``os.environ["KEY"]``)."""
    trees = list(trees)
    imports = collect_imports(trees)
    out: dict[str, None] = {}
    for tree in trees:
        for node in ast.walk(tree):
            key = _environ_key(node, imports)
            if key is not None and isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
                out.setdefault(key)
    return list(out)


def _env_assignment(stmt: ast.stmt, imports: dict[str, str]) -> tuple[str, str] | None:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target, value = stmt.targets[0], stmt.value
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None and stmt.simple:
        target, value = stmt.target, stmt.value
    else:
        return None
    key = _environ_key(value, imports)
    if isinstance(target, ast.Name) and key is not None:
        return target.id, key
    return None


def _environ_key(node: ast.AST, imports: dict[str, str]) -> str | None:
    """``KEY`` of ``os.environ["KEY"]`` (any context), else None."""
    if not isinstance(node, ast.Subscript) or qualified(node.value, imports) != _ENVIRON:
        return None
    key = node.slice
    if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value:
        return key.value
    return None


def _changes_environ(node: ast.AST, imports: dict[str, str]) -> bool:
    if isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load):
        return qualified(node.value, imports) == _ENVIRON
    if isinstance(node, ast.Call):
        return qualified(node.func, imports) in _CHANGES
    if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(qualified(t, imports) == _ENVIRON for t in targets)  # os.environ = {...}
    return False


def _bound(node: ast.AST) -> list[str]:
    """Names that ``node`` binds (or unbinds, or declares global) in some scope."""
    if isinstance(node, ast.Name):
        return [node.id] if not isinstance(node.ctx, ast.Load) else []
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [(a.asname or a.name).split(".", 1)[0] for a in node.names]
    if isinstance(node, ast.Global | ast.Nonlocal):
        return list(node.names) * 2  # never one binding
    if isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
        return [node.name]
    if isinstance(node, ast.NamedExpr):
        return []  # its target is a Name in Store context, counted there
    return []
