"""SARIF 2.1.0, for GitHub code scanning (``github/codeql-action/upload-sarif``).

SARIF has no notion of a notebook cell, so each result points into the ``.ipynb`` file on
disk: the line of the JSON text where the cell's source line sits
(:mod:`nb2prod.report.filepos`), line 1 when it cannot be placed. The cell number, its id
and the line within the cell are in the message and in ``result.properties``.
``partialFingerprints["nb2prod/v1"]`` is the finding's content fingerprint plus its
occurrence number, so alerts follow code that moves between runs. Unreadable files are
``toolExecutionNotifications`` of level ``error``; notes are of level ``note``.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from nb2prod import __version__
from nb2prod.lint.engine import FileResult
from nb2prod.lint.findings import Finding
from nb2prod.report.filepos import FileIndex, artifact_location

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://pypi.org/project/nb2prod/"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_KEY = "nb2prod/v1"


def render(results: list[FileResult]) -> str:
    rules, index = _rules(results)
    out: list[dict[str, Any]] = []
    for r in results:
        if not r.findings:
            continue
        positions = FileIndex.for_findings(r.path, r.findings)
        location = artifact_location(r.path)
        seen: Counter[str] = Counter()
        for f in r.findings:
            fp = f.fingerprint()
            seen[fp] += 1
            out.append(_result(f, index[f.code], location, positions, f"{fp}:{seen[fp]}"))
    run = {
        "tool": {
            "driver": {
                "name": "nb2prod",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "invocations": [
            {
                "executionSuccessful": not any(r.error for r in results),
                "toolExecutionNotifications": _notifications(results),
            }
        ],
        "columnKind": "unicodeCodePoints",
        "results": out,
    }
    doc = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def where(f: Finding) -> str:
    """'cell 3 (id ab12), line 2, column 5': the finding's place inside the notebook."""
    if f.cell is None:
        return "notebook metadata"
    cell = f"cell {f.cell}" + (f" (id {f.cell_id})" if f.cell_id else "")
    return f"{cell}, line {f.line}, column {f.col}" if f.line else cell


def _result(
    f: Finding, rule_index: int, location: dict, positions: FileIndex, fingerprint: str
) -> dict[str, Any]:
    line, col = positions.locate(f.cell, f.line, f.col)
    region: dict[str, int] = {"startLine": line, "startColumn": col}
    if f.end_line and f.end_col:
        end = positions.locate(f.cell, f.end_line, f.end_col)
        if end > (line, col):
            region["endLine"], region["endColumn"] = end
    props: dict[str, Any] = {"cell": f.cell, "cellId": f.cell_id}
    if f.cell is not None:
        props.update(cellLine=f.line, cellColumn=f.col)
    props["fixable"] = f.fixable
    return {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": LEVELS.get(f.severity, "warning"),
        "message": {"text": f"{f.message} ({where(f)})"},
        "locations": [{"physicalLocation": {"artifactLocation": location, "region": region}}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": {k: v for k, v in props.items() if v is not None},
    }


def _rules(results: list[FileResult]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Descriptors for every nb2prod rule, then for the other codes found (ruff's)."""
    from nb2prod.docs import ruff_doc
    from nb2prod.lint.registry import FAMILIES, all_rules
    from nb2prod.report.json_report import rule_name

    descriptors = []
    for code, rule in all_rules().items():
        family = next((f for f in FAMILIES if code.startswith(f)), "")
        tags = ["nb2prod", family.lower(), *(["security"] if family == "SEC" else [])]
        descriptors.append(
            _descriptor(code, rule.name, rule.message, rule.doc(), rule.severity, tags)
        )
    known = {d["id"] for d in descriptors}
    others: dict[str, Finding] = {}
    for r in results:
        for f in r.findings:
            if f.code not in known:
                others.setdefault(f.code, f)
    for code, f in sorted(others.items()):
        url = f.extra.get("url") if isinstance(f.extra, dict) else None
        name = rule_name(f, {})
        if code.startswith("PY"):
            short = f"ruff rule {code[2:]} ({name})"
            lead = f"nb2prod reports ruff's rule {code[2:]} ({name}) as {code}."
            see = f" Its documentation: {url}" if url else ""
            descriptor = _descriptor(code, name, short, ruff_doc(), f.severity, ["ruff"])
            descriptor["fullDescription"] = {"text": lead + see}
            link = f"[{name}]({url})" if url else name
            descriptor["help"] = {
                "text": f"{lead}{see}\n\n{ruff_doc()}",
                "markdown": f"nb2prod reports ruff's rule {link} ({code[2:]}) as {code}.\n\n"
                + ruff_doc(),
            }
        else:  # a code no longer registered (e.g. from a cache of an older version)
            descriptor = _descriptor(code, name, f.message, f.message, f.severity, [])
        if url:
            descriptor["helpUri"] = url
        descriptors.append(descriptor)
    return descriptors, {d["id"]: i for i, d in enumerate(descriptors)}


def _descriptor(
    code: str, name: str, short: str, doc: str, severity: str, tags: list[str]
) -> dict[str, Any]:
    from nb2prod.docs import summary

    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": summary(doc)},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": LEVELS.get(severity, "warning")},
        "properties": {"tags": tags},
    }


def _notifications(results: list[FileResult]) -> list[dict[str, Any]]:
    out = []
    for r in results:
        location = [{"physicalLocation": {"artifactLocation": artifact_location(r.path)}}]
        if r.error:
            out.append(
                {
                    "level": "error",
                    "message": {"text": r.error},
                    "locations": location,
                    "descriptor": {"id": "unreadable-notebook"},
                }
            )
        for note in r.notes:
            out.append(
                {
                    "level": "note",
                    "message": {"text": f"{r.path}: {note}"},
                    "locations": location,
                    "descriptor": {"id": "note"},
                }
            )
    return out
