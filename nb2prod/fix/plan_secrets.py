"""Plan secret rewrites from the analysis' ``SecretHit`` records.

Code: the literal becomes ``os.environ["NAME"]`` (see codemods/secret_to_env.py), the
text of an f-string ``{os.environ['NAME']}`` (plan_pieces.py); a comment keeps a
placeholder. Markdown and raw cells: the secret is replaced by ``<redacted: set NAME>``.
The outputs holding a secret are removed, the cell's others kept. Secrets in magic or
shell lines, in metadata and passwords in URLs are left as findings. Only what lint
reports is rewritten (``noqa``, ``select`` and ``ignore`` hold, see reported.py).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
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
from nb2prod.fix.plan_pieces import plan_fstring, plan_outputs
from nb2prod.fix.reported import secret_codes

if TYPE_CHECKING:
    from nb2prod.analysis.context import Analysis
    from nb2prod.analysis.secrets import SecretHit
    from nb2prod.fix.reported import Reported
    from nb2prod.notebook.parse import ParsedCell

_LOOKUPS = frozenset({"os.getenv", "os.environ.get"})
_CODES = {PROVIDER: "SEC001", ASSIGNMENT: "SEC002"}


def plan_secrets(
    an: Analysis,
    plans: dict[int, CellPlan],
    result: FixResult,
    secrets: list[str],
    reported: Reported | None = None,
) -> None:
    """Add groups and text edits for fixable secrets; collect the secrets seen (to mask
    them in diffs) in ``secrets``. With ``reported``, only the secrets lint reports (not
    under ``noqa``, not ignored) are planned."""
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
        if hit.where in (MARKDOWN, RAW):
            if index not in prose_done:
                prose_done.add(index)
                shown = _shown(reported, hit)
                _plan_prose(cell.source, index, cat, plans, result, secrets, shown)
            continue
        if reported is not None and not reported.secret(hit):
            continue  # suppressed by noqa or the settings: left as it is
        if hit.where == OUTPUT:
            plan_outputs(hit, plans, result)
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
            contexts[index] = _Context(p, an, [h for h in hits if h.cell is cell], reported)
        outcome = contexts[index].plan(hit, cat, secrets)
        if outcome is None:
            continue
        if isinstance(outcome, str):
            result.skipped.append(Skipped(index, hit.line, code, f"{hit.masked}: {outcome}"))
        else:
            plans.setdefault(index, CellPlan()).groups.append(outcome)


class _Context:
    """Per cell: the parents the rewrites need (f-strings, env lookups, environ writes)."""

    def __init__(
        self, p: ParsedCell, an: Analysis, hits: list[SecretHit], reported: Reported | None
    ) -> None:
        self.p = p
        self.lines = p.python.split("\n")
        self.in_fstring: set[int] = set()
        self.fstring_of: dict[int, ast.JoinedStr] = {}  # a piece of text -> its f-string
        self.lookup: dict[int, ast.Call] = {}
        self.environ_set: dict[int, ast.Assign] = {}
        self.done: set[int] = set()
        self.hits: dict[int, list[SecretHit]] = {}  # literal -> the reported hits in it
        for h in hits:
            if h.node is not None and (reported is None or reported.secret(h)):
                self.hits.setdefault(id(h.node), []).append(h)
        assert p.tree is not None
        for node in ast.walk(p.tree):
            if isinstance(node, ast.JoinedStr):
                self.in_fstring.update(id(v) for v in ast.walk(node))
                for v in node.values:
                    self.fstring_of.setdefault(id(v), node)
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
        if id(node) in self.done:
            return None  # the same literal found by another rule
        if id(node) in self.in_fstring:
            return self._fstring(hit, node, code, secrets)
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

    def _fstring(
        self, hit: SecretHit, node: ast.Constant, code: str, secrets: list[str]
    ) -> Group | str:
        """A secret in the text of an f-string (see :func:`plan_fstring`)."""
        fstring = self.fstring_of.get(id(node))
        if fstring is None:
            return "inside an expression of an f-string: move it to the environment by hand"
        found = [h for piece in fstring.values for h in self.hits.get(id(piece), [])]
        outcome = plan_fstring(fstring, self.lines, found or [hit], code, hit)
        if not isinstance(outcome, str):
            self.done.update(id(piece) for piece in fstring.values)
            secrets.extend(h.secret for h in found)
        return outcome


def _shown(reported: Reported | None, hit: SecretHit) -> Callable[[int, str], bool]:
    """Whether lint reports a secret of ``hit``'s cell at (line, masked form)."""
    if reported is None:
        return lambda _line, _masked: True
    return lambda line, masked: reported.secret(hit, line, masked)


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
    shown: Callable[[int, str], bool] = lambda _line, _masked: True,
) -> None:
    """Secrets in a markdown or raw cell, found as the analysis finds them, replaced
    (those ``shown(line, masked)``: lint reports them)."""
    matches = scan_provider_formats(text, cat)
    matches += [
        m for m in scan_urls(text) if not any(o.start < m.end and m.start < o.end for o in matches)
    ]
    matches = [m for m in matches if shown(text.count("\n", 0, m.start) + 1, mask(m.secret))]
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
    code = secret_codes(hit)[0]
    spans = [(m.start, m.end, m.env) for m in scan_provider_formats(line, cat)]
    if hit.end_col is not None:  # a credential or a URL's password in a comment
        spans.append((hit.col, hit.end_col, hit.env))
    for start, end, env in spans:
        if (start <= hit.col < end or hit.col == start) and mask(line[start:end]) == hit.masked:
            secrets.append(line[start:end])
            placeholder = _placeholder(env_var(env))
            plan = plans.setdefault(cell.index, CellPlan())
            plan.line_edits.append((hit.line, start, end, placeholder))
            result.rewrites.append(
                Rewrite(cell.index, hit.line, code, hit.source_line, placeholder)
            )
            return
    result.skipped.append(
        Skipped(cell.index, hit.line, code, f"{hit.masked}: remove it from the comment by hand")
    )
