"""JSON output, a stable documented schema (``docs/json-output.md``; version 1).

```
{"tool": "nb2prod", "version": 1, "nb2prod_version": "0.2.0",
 "summary": {"files": 3, "findings": 5, "errors": 1},
 "findings": [{"code", "name", "message", "severity", "path", "cell", "cell_id", "line",
               "col", "end_line", "end_col", "source_line", "help", "fixable",
               "fingerprint"}],
 "errors": [{"path", "message"}],
 "notes": [{"path", "message"}]}
```
``cell`` counts all cells from 1 (``null`` for notebook metadata); ``line`` and ``col`` are
1-based within the cell.
"""

from __future__ import annotations

import json

from nb2prod import __version__
from nb2prod.lint.engine import FileResult
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule

SCHEMA_VERSION = 1
FIELDS = (
    "code",
    "name",
    "message",
    "severity",
    "path",
    "cell",
    "cell_id",
    "line",
    "col",
    "end_line",
    "end_col",
    "source_line",
    "help",
    "fixable",
    "fingerprint",
)


def rule_name(f: Finding, rules: dict[str, type[Rule]]) -> str:
    """The rule's kebab-case name; for ruff's codes the name in ruff's docs URL
    (``unused-import``), else ``ruff``."""
    rule = rules.get(f.code)
    if rule is not None:
        return rule.name
    url = f.extra.get("url") if isinstance(f.extra, dict) else None
    if isinstance(url, str) and url.rstrip("/"):
        return url.rstrip("/").rsplit("/", 1)[-1]
    return "ruff" if f.code.startswith("PY") else f.code.lower()


def render(results: list[FileResult]) -> str:
    from nb2prod.lint.registry import all_rules

    rules = all_rules()
    findings = []
    for r in results:
        for f in r.findings:
            row = {
                "code": f.code,
                "name": rule_name(f, rules),
                "message": f.message,
                "severity": f.severity,
                "path": f.path,
                "cell": f.cell,
                "cell_id": f.cell_id,
                "line": f.line,
                "col": f.col,
                "end_line": f.end_line,
                "end_col": f.end_col,
                "source_line": f.source_line,
                "help": f.help,
                "fixable": f.fixable,
                "fingerprint": f.fingerprint(),
            }
            findings.append(row)
    doc = {
        "tool": "nb2prod",
        "version": SCHEMA_VERSION,
        "nb2prod_version": __version__,
        "summary": {
            "files": len(results),
            "findings": len(findings),
            "errors": sum(1 for r in results if r.error),
        },
        "findings": findings,
        "errors": [{"path": r.path, "message": r.error} for r in results if r.error],
        "notes": [{"path": r.path, "message": n} for r in results for n in r.notes],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
