"""JSON output: the documented schema (docs/json-output.md) is the one written."""

from __future__ import annotations

import json
import re
from pathlib import Path

from nb2prod.lint.engine import FileResult
from nb2prod.lint.findings import Finding
from nb2prod.report import json_report

DOC = Path(__file__).resolve().parents[2] / "docs" / "json-output.md"


def documented(section: str) -> list[str]:
    """Field names in the first column of the table under ``## section``."""
    text = DOC.read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z0-9_]+)` \|", body, re.MULTILINE)


def test_documented_fields_are_the_written_ones(corpus_results: list[FileResult]) -> None:
    doc = json.loads(json_report.render(corpus_results))
    assert documented("Finding") == list(json_report.FIELDS)
    assert documented("Top level") == list(doc)
    assert all(list(f) == list(json_report.FIELDS) for f in doc["findings"])
    example = json.loads(DOC.read_text(encoding="utf-8").split("```json\n")[1].split("```")[0])
    assert list(example) == list(doc)
    assert list(example["findings"][0]) == list(json_report.FIELDS)


def test_corpus_counts_and_names(corpus_results: list[FileResult]) -> None:
    doc = json.loads(json_report.render(corpus_results))
    findings = [f for r in corpus_results for f in r.findings]
    assert doc["summary"] == {
        "files": len(corpus_results),
        "findings": len(findings),
        "errors": sum(1 for r in corpus_results if r.error),
    }
    assert len(doc["errors"]) == doc["summary"]["errors"] > 0
    assert [e["path"] for e in doc["errors"]] == [r.path for r in corpus_results if r.error]
    names = {f["code"]: f["name"] for f in doc["findings"]}
    assert names["PYF401"] == "unused-import"
    assert names["NB001"] == "shell-install"
    for row, f in zip(doc["findings"], findings, strict=True):
        assert row["fingerprint"] == f.fingerprint()
        assert (row["cell"], row["line"], row["col"]) == (f.cell, f.line, f.col)


def test_text_is_kept_verbatim() -> None:
    f = Finding("ZZ999", 'clé "[red]"\n', "é.ipynb", 1, 1, 1, source_line="k = 'é\t'")
    row = json.loads(json_report.render([FileResult(f.path, [f])]))["findings"][0]
    assert row["message"] == 'clé "[red]"\n'
    assert row["source_line"] == "k = 'é\t'"
    assert "é" in json_report.render([FileResult(f.path, [f])])  # not \u00e9
    assert row["name"] == "zz999"  # a code without a registered rule
    py = Finding("PYX1", "m", "a.ipynb", 1, 1, 1)  # ruff's, without its docs URL
    assert (
        json.loads(json_report.render([FileResult("a.ipynb", [py])]))["findings"][0]["name"]
        == "ruff"
    )
