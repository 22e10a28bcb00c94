"""What the SEC rules share: turning a :class:`SecretHit` into a masked finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nb2prod.analysis.context import Analysis
    from nb2prod.analysis.secrets import SecretHit
    from nb2prod.lint.findings import Finding
    from nb2prod.lint.rule import Rule


def secret_finding(rule: Rule, an: Analysis, hit: SecretHit, message: str) -> Finding:
    """A finding at ``hit`` whose source line is the masked one: the secret never reaches a
    report, a baseline or a cache, only its masked form (``AKIA…(20 chars)``)."""
    finding = rule.at(
        an,
        hit.cell,
        hit.line,
        hit.col,
        message,
        end_line=hit.line if hit.end_col is not None else None,
        end_col=hit.end_col,
        pattern=hit.pattern_id,
        env=hit.env,
        masked=hit.masked,
    )
    finding.source_line = hit.source_line
    if hit.source_line[hit.col : hit.col + len(hit.masked)] == hit.masked:  # caret on the mask
        finding.extra["caret"] = [hit.col, hit.col + len(hit.masked)]
    finding.fixable = finding.fixable and hit.fixable  # --fix rewrites plain literals only
    return finding


def read_from_env(env: str) -> str:
    return f'read it from the environment (os.environ["{env}"]) and rotate it'
