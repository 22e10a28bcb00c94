"""``lint --statistics``: how many findings of each code, as ruff prints them (most frequent
first), in text or JSON; and ``--show-fixes``: the findings ``--fix`` fixed, by file and
code, as ruff enumerates them."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nb2prod.lint.findings import FileResult, Finding

if TYPE_CHECKING:
    from nb2prod.fix.model import FixResult


@dataclass(slots=True)
class Row:
    code: str
    name: str
    count: int
    fixable_count: int

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "count": self.count,
            "fixable": self.fixable_count > 0,
            "fixable_count": self.fixable_count,
        }


def rows(results: list[FileResult]) -> list[Row]:
    """One row per code that has findings: most findings first, then by code."""
    from nb2prod.lint.registry import all_rules
    from nb2prod.report.json_report import rule_name

    rules = all_rules()
    by_code: dict[str, list[Finding]] = {}
    for r in results:
        for f in r.findings:
            by_code.setdefault(f.code, []).append(f)
    out = [
        Row(code, rule_name(found[0], rules), len(found), sum(f.fixable for f in found))
        for code, found in by_code.items()
    ]
    return sorted(out, key=lambda row: (-row.count, row.code))


def render_text(results: list[FileResult]) -> str:
    """``count<TAB>code<TAB>[*] name`` per code (``[*]``: ``--fix`` can fix some of them; as
    ruff, counts right-aligned and codes padded), then the summary line."""
    from nb2prod.report.text import summary

    table = rows(results)
    width = max((len(str(row.count)) for row in table), default=1)
    code_width = max((len(row.code) for row in table), default=1)
    lines = [
        f"{row.count:>{width}}\t{row.code:<{code_width}}\t"
        f"{'[*]' if row.fixable_count else '[ ]'} {row.name}"
        for row in table
    ]
    lines.append(summary(results, plain=True))
    return "\n".join(lines) + "\n"


def render_json(results: list[FileResult]) -> str:
    """The same rows as a JSON list of ``{code, name, count, fixable, fixable_count}``
    (ruff's ``--statistics --output-format json``)."""
    return json.dumps([row.to_dict() for row in rows(results)], indent=2) + "\n"


def render_fixes(fixes: list[FixResult], *, applied: bool) -> str:
    """``Fixed N findings:`` (or ``Would fix``), then per file ``count × CODE (name)``;
    nothing when there is nothing to fix."""
    from nb2prod.lint.registry import all_rules

    rules = all_rules()
    per_file = [(f.path, Counter(r.code for r in f.rewrites)) for f in fixes if f.rewrites]
    total = sum(sum(c.values()) for _, c in per_file)
    if not total:
        return ""
    verb = "Fixed" if applied else "Would fix"
    lines = [f"{verb} {total} finding{'s' if total != 1 else ''}:"]
    for path, counts in per_file:
        lines.append(f"- {path}:")
        for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            name = rules[code].name if code in rules else code.lower()
            lines.append(f"    {count} × {code} ({name})")
    return "\n".join(lines) + "\n"
