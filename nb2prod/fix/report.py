"""Plain-text rendering of a :class:`FixResult` (no secrets: rewrites are masked already)."""

from __future__ import annotations

from nb2prod.fix.model import FixResult


def render_text(result: FixResult, *, diff: bool = False) -> str:
    """The rewrite report: one line per rewrite and per finding left, then notes, the
    environment variables to set and (with ``diff``) the per-cell diffs."""
    out: list[str] = []
    for r in result.rewrites:
        where = f"{result.path}:cell {r.cell}" + (f":{r.line}" if r.line else "")
        out.append(f"{where}: {r.code} fixed: {r.before}  ->  {r.after}")
    for s in result.skipped:
        where = f"{result.path}:cell {s.cell}" + (f":{s.line}" if s.line else "")
        out.append(f"{where}: {s.code} not fixed: {s.message}")
    out += [f"{result.path}: note: {n}" for n in result.notes]
    if result.env_vars:
        out.append(f"{result.path}: set these environment variables: {', '.join(result.env_vars)}")
    if diff:
        out += [d.rstrip("\n") for d in result.diffs]
    verb = "written" if result.written else "would change" if result.changed else "unchanged"
    out.append(f"{result.path}: {len(result.rewrites)} fixed, {len(result.skipped)} left ({verb})")
    return "\n".join(out)
