"""Secret rewrites that touch a piece of something: the text of an f-string (the secret
becomes a replacement field reading the environment) and the one output of a cell that
holds a secret (removed; the cell's other outputs stay)."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from nb2prod.fix.codemods.positions import EXPR, Span, span
from nb2prod.fix.codemods.secret_to_env import env_var, replace_expression
from nb2prod.fix.model import CellPlan, FixResult, Group, Rewrite

if TYPE_CHECKING:
    from nb2prod.analysis.secrets import SecretHit

_OPENING = re.compile(r"([A-Za-z]*)('''|\"\"\"|'|\")")
_ESCAPED = re.compile(r"[{}\\'\"\n]")  # characters an f-string shows escaped or doubled


def plan_fstring(
    fstring: ast.JoinedStr,
    lines: list[str],
    found: list[SecretHit],
    code: str,
    hit: SecretHit,
) -> Group | str:
    """Every secret of ``found`` (the reported hits in ``fstring``'s text) becomes
    ``{os.environ['NAME']}``: ``f"...?key={os.environ['STRIPE_API_KEY']}&q={q}"``.
    A reason (str) when the f-string cannot be rewritten safely."""
    where = span(lines, fstring)
    secrets = {h.secret: env_var(h.env) for h in found}
    new = fstring_with_env(segment(lines, where), fstring, secrets)
    if new is None:
        return "inside an f-string, written with escapes: move it to the environment by hand"
    rewrite = Rewrite(hit.cell.index if hit.cell else 0, hit.line, code, hit.source_line, new)
    replace = {(EXPR, where): replace_expression(new)}
    return Group(replace, rewrite, needs=frozenset({"os"}), env=frozenset(secrets.values()))


def fstring_with_env(text: str, fstring: ast.JoinedStr, secrets: dict[str, str]) -> str | None:
    """The f-string source ``text`` (of ``fstring``) with each secret of ``secrets``
    (secret -> environment variable) in its text read from the environment instead;
    ``None`` when a secret is not there verbatim (escapes) or is not only in the text."""
    opening = _OPENING.match(text)
    if opening is None or "f" not in opening.group(1).lower():
        return None
    quote = "'" if '"' in opening.group(2) else '"'
    pieces = [str(p.value) for p in fstring.values if isinstance(p, ast.Constant)]
    new = text
    for secret, env in sorted(secrets.items(), key=lambda item: -len(item[0])):
        verbatim = sum(p.count(secret) for p in pieces)
        if not secret or _ESCAPED.search(secret) or new.count(secret) != verbatim:
            return None
        new = new.replace(secret, "{os.environ[" + quote + env + quote + "]}")
    return new


def segment(lines: list[str], where: Span) -> str:
    """The source text at ``where`` (a character span of ``lines``)."""
    start, col, end, end_col = where
    if start == end:
        return lines[start - 1][col:end_col]
    return "\n".join([lines[start - 1][col:], *lines[start : end - 1], lines[end - 1][:end_col]])


def plan_outputs(hit: SecretHit, plans: dict[int, CellPlan], result: FixResult) -> None:
    """Remove the outputs of ``hit``'s cell that hold its secret; the others stay."""
    from nb2prod.analysis.secrets.text import cell_output_texts

    cell = hit.cell
    assert cell is not None
    numbers = {n for n, _, text in cell_output_texts(cell) if hit.secret and hit.secret in text}
    if not numbers:  # not verbatim in the texts (escaped, split by colour codes): as found
        match = re.match(r"output (\d+)", hit.detail)
        numbers = {int(match.group(1))} if match else set(range(1, len(cell.outputs) + 1))
    plan = plans.setdefault(cell.index, CellPlan())
    new = numbers - plan.drop_outputs
    if not new:
        return
    plan.drop_outputs |= new
    listed = ", ".join(map(str, sorted(new)))
    after = f"output{'s' if len(new) > 1 else ''} {listed} removed"
    result.rewrites.append(Rewrite(cell.index, 0, "SEC005", hit.masked, after))
