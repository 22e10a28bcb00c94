"""Plan secret rewrites from the analysis' ``SecretHit`` records.

Code: the literal becomes ``os.environ["NAME"]`` (see codemods/secret_to_env.py); a
comment keeps a placeholder. Markdown and raw cells: the secret is replaced by
``<redacted: set NAME>``. Outputs holding a secret are cleared. Secrets in magic or shell
lines, in metadata and passwords in URLs are left as findings.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from nb2prod.analysis.secrets import (
    ASSIGNMENT,
    CODE,
    COMMENT,
    MARKDOWN,
    OUTPUT,
    PROVIDER,
    RAW,
    catalogue,
    mask,
    scan_provider_formats,
    scan_urls,
)
from nb2prod.fix.codemods.positions import EXPR, LINE, span
from nb2prod.fix.codemods.secret_to_env import (
    env_var,
    environ_code,
    remove_statement,
    replace_expression,
)
from nb2prod.fix.model import CellPlan, FixResult, Group, Rewrite, Skipped

if TYPE_CHECKING:
    from nb2prod.analysis.context import Analysis
    from nb2prod.analysis.secrets import SecretHit
    from nb2prod.notebook.parse import ParsedCell

_LOOKUPS = frozenset({"os.getenv", "os.environ.get"})
_CODES = {PROVIDER: "SEC001", ASSIGNMENT: "SEC002"}


def plan_secrets(
    an: Analysis, plans: dict[int, CellPlan], result: FixResult, secrets: list[str]
) -> None:
    """Add groups and text edits for fixable secrets; collect the secrets seen (to mask
    them in diffs) in ``secrets``."""
    hits = an.secrets
    if not hits:
        return
    cat = catalogue(an.settings["extra-secret-patterns"])
    parsed = {p.cell.index: p for p in an.parsed}
    contexts: dict[int, _Context] = {}
    prose_done: set[int] = set()
    for hit in hits:
        cell = hit.cell
        if cell is None:
            continue
        index = cell.index
        if hit.where == OUTPUT:
            plans.setdefault(index, CellPlan()).clear_outputs = True
            result.rewrites.append(Rewrite(index, 0, "SEC005", hit.masked, "outputs cleared"))
            continue
        if hit.where in (MARKDOWN, RAW):
            if index not in prose_done:
                prose_done.add(index)
                _plan_prose(cell.source, index, cat, plans, result, secrets)
            continue
        code = _CODES.get(hit.kind, "SEC003")
        if hit.where == COMMENT:
            _plan_comment(hit, cat, plans, result, secrets)
            continue
        p = parsed.get(index)
        if hit.where != CODE or hit.kind not in _CODES or p is None or p.tree is None:
            result.skipped.append(
                Skipped(
                    index,
                    hit.line,
                    code,
                    f"{hit.label} ({hit.masked}): move it to an "
                    f"environment variable ({hit.env}) by hand",
                )
            )
            continue
        if index not in contexts:
            contexts[index] = _Context(p, an)
        outcome = contexts[index].plan(hit, cat, secrets)
        if outcome is None:
            continue
        if isinstance(outcome, str):
            result.skipped.append(Skipped(index, hit.line, code, f"{hit.masked}: {outcome}"))
        else:
            plans.setdefault(index, CellPlan()).groups.append(outcome)


class _Context:
    """Per cell: the parents the rewrites need (f-strings, env lookups, environ writes)."""

    def __init__(self, p: ParsedCell, an: Analysis) -> None:
        self.p = p
        self.lines = p.python.split("\n")
        self.in_fstring: set[int] = set()
        self.lookup: dict[int, ast.Call] = {}
        self.environ_set: dict[int, ast.Assign] = {}
        self.done: set[int] = set()
        assert p.tree is not None
        for node in ast.walk(p.tree):
            if isinstance(node, ast.JoinedStr):
                self.in_fstring.update(id(v) for v in ast.walk(node))
            elif isinstance(node, ast.Call) and len(node.args) == 2 and not node.keywords:
                if an.qualname(node.func) in _LOOKUPS:
                    self.lookup[id(node.args[1])] = node
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Subscript) and an.qualname(target.value) == "os.environ":
                    self.environ_set[id(node.value)] = node

    def plan(self, hit: SecretHit, cat, secrets: list[str]) -> Group | str | None:  # type: ignore[no-untyped-def]
        node = hit.node
        code = _CODES[hit.kind]
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            return "not a plain string literal: move it to the environment by hand"
        if id(node) in self.in_fstring:
            return "inside an f-string: move it to the environment by hand"
        if id(node) in self.done:
            return None  # the same literal found by another rule
        self.done.add(id(node))
        value = node.value
        secrets.append(value)
        if id(node) in self.lookup:
            call = self.lookup[id(node)]
            key = call.args[0]
            if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                return "the variable name is not a literal"
            env = key.value
            after = f'os.environ["{env}"]'
            target = call
            replace = {(EXPR, span(self.lines, target)): replace_expression(after)}
        elif id(node) in self.environ_set:
            stmt = self.environ_set[id(node)]
            sub = stmt.targets[0]
            key = sub.slice if isinstance(sub, ast.Subscript) else None
            if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                return "the variable name is not a literal"
            env = key.value
            after = "pass  # set in the environment"
            replace = {(LINE, span(self.lines, stmt)): remove_statement(env)}
        else:
            env = env_var(hit.env)
            prefix, suffix = _around(value, hit)
            if prefix is None:
                return "cannot locate the secret in the literal"
            after = environ_code(env, prefix, suffix or "")
            replace = {(EXPR, span(self.lines, node)): replace_expression(after)}
        rewrite = Rewrite(self.p.cell.index, hit.line, code, hit.source_line, after)
        needs = frozenset({"os"})
        return Group(replace, rewrite, needs=needs, env=frozenset({env}))


def _around(value: str, hit: SecretHit) -> tuple[str | None, str | None]:
    """The literal text before and after the secret in ``value`` (masked as ``hit``)."""
    if mask(value) == hit.masked:
        return "", ""
    candidates = [value.strip()]
    if " " in value.strip():
        candidates.append(value.strip().split(None, 1)[1])
    cat = catalogue()
    candidates += [m.secret for m in scan_provider_formats(value, cat)]
    for secret in candidates:
        if mask(secret) == hit.masked and secret in value:
            start = value.index(secret)
            return value[:start], value[start + len(secret) :]
    return None, None


def _placeholder(env: str) -> str:
    return f"<redacted: set {env}>"


def _plan_prose(
    text: str,
    index: int,
    cat,
    plans: dict[int, CellPlan],
    result: FixResult,
    secrets: list[str],  # type: ignore[no-untyped-def]
) -> None:
    """Secrets in a markdown or raw cell, found as the analysis finds them, replaced."""
    matches = scan_provider_formats(text, cat)
    matches += [
        m for m in scan_urls(text) if not any(o.start < m.end and m.start < o.end for o in matches)
    ]
    if not matches:
        return
    lines = text.split("\n")
    plan = plans.setdefault(index, CellPlan())
    env: set[str] = set()
    for m in matches:
        line = text.count("\n", 0, m.start) + 1
        col = m.start - (text.rfind("\n", 0, m.start) + 1)
        end_line = text.count("\n", 0, m.end) + 1
        secrets.append(m.secret)
        if end_line != line:  # a PEM block: the whole block goes
            first, last = line, end_line
            for n in range(first + 1, last + 1):
                plan.line_edits.append((n, 0, len(lines[n - 1]), ""))
            end = len(lines[line - 1])
        else:
            end = col + (m.end - m.start)
        plan.line_edits.append((line, col, end, _placeholder(m.env)))
        env.add(m.env)
        result.rewrites.append(Rewrite(index, line, "SEC004", mask(m.secret), _placeholder(m.env)))
    plan.groups.append(Group({}, Rewrite(index, 0, "SEC004", "", ""), env=frozenset(env)))


def _plan_comment(
    hit: SecretHit, cat, plans: dict[int, CellPlan], result: FixResult, secrets: list[str]
) -> None:  # type: ignore[no-untyped-def]
    cell = hit.cell
    assert cell is not None
    line = cell.line(hit.line)
    for m in scan_provider_formats(line, cat):
        if m.start <= hit.col < m.end or hit.col == m.start:
            secrets.append(m.secret)
            plan = plans.setdefault(cell.index, CellPlan())
            plan.line_edits.append((hit.line, m.start, m.end, _placeholder(m.env)))
            result.rewrites.append(
                Rewrite(cell.index, hit.line, "SEC001", hit.source_line, _placeholder(m.env))
            )
            return
    result.skipped.append(
        Skipped(cell.index, hit.line, "SEC001", f"{hit.masked}: remove it from the comment by hand")
    )
