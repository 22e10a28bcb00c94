"""GitHub workflow commands: one per finding, escaped, at the same file line as SARIF."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nb2prod.lint.engine import FileResult
from nb2prod.lint.findings import Finding
from nb2prod.report import github, sarif
from tests.helpers import CORPUS, code, notebook, write
from tests.report.conftest import lint

_COMMAND = re.compile(r"^::(error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")


def parse(line: str) -> tuple[str, dict[str, str], str]:
    m = _COMMAND.match(line)
    assert m, line
    props = dict(p.split("=", 1) for p in m["props"].split(","))
    return m[1], props, m["message"]


def test_escaping() -> None:
    assert github.escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    f = Finding("SEC001", "key = 'a,b:c'\n50% sure", "dir,x/a:b.ipynb", 2, 1, 5)
    line = github.render([FileResult(f.path, [f])])
    assert line.count("\n") == 1 and line.endswith("\n")
    kind, props, message = parse(line.rstrip("\n"))
    assert kind == "error"
    assert props["file"] == "dir%2Cx/a%3Ab.ipynb"
    assert props["title"] == "nb2prod SEC001"
    assert message == "key = 'a,b:c'%0A50%25 sure (cell 2, line 1, column 5)"


def test_corpus_matches_sarif(corpus_results: list[FileResult], monkeypatch) -> None:
    monkeypatch.chdir(CORPUS)
    lines = github.render(corpus_results).splitlines()
    findings = [f for r in corpus_results for f in r.findings]
    errors = [r for r in corpus_results if r.error]
    notes = [n for r in corpus_results for n in r.notes]
    assert len(lines) == len(findings) + len(errors) + len(notes)
    parsed = [parse(line) for line in lines]
    annotations = [p for p in parsed if "line" in p[1]]
    assert len(annotations) == len(findings)
    results = json.loads(sarif.render(corpus_results))["runs"][0]["results"]
    for f, (kind, props, message), res in zip(findings, annotations, results, strict=True):
        assert kind == {"error": "error", "warning": "warning", "info": "notice"}[f.severity]
        assert props["title"] == f"nb2prod {f.code}"
        region = res["locations"][0]["physicalLocation"]["region"]
        assert int(props["line"]) == region["startLine"]
        if "col" in props:
            assert int(props["col"]) == region["startColumn"]
        assert (CORPUS / props["file"]).resolve() == Path(f.path).resolve()
        assert f"(cell {f.cell}" in message and f"line {f.line}" in message
    unreadable = [p for p in parsed if p[0] == "error" and "line" not in p[1]]
    assert len(unreadable) == len(errors)
    for (_, props, message), r in zip(unreadable, errors, strict=True):
        assert (CORPUS / props["file"]).resolve() == Path(r.path).resolve()
        assert message and r.error.endswith(message) and r.path not in message


def test_severities_and_spans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    nb = write(tmp_path / "n.ipynb", notebook([code(["import os\n", "x = 1\n"])]))
    path = str(nb)
    results = [
        FileResult(
            path,
            [
                Finding("NB001", "w", path, 1, 2, 1, severity="warning", end_line=2, end_col=6),
                Finding("NB002", "i", path, 1, 1, 8, severity="info", end_line=2, end_col=2),
                Finding("NB003", "nb", path, None, 0, 0, severity="info"),
            ],
        )
    ]
    lines = [parse(x) for x in github.render(results).splitlines()]
    (k1, p1, _), (k2, p2, _), (k3, p3, m3) = lines
    assert (k1, k2, k3) == ("warning", "notice", "notice")
    text = nb.read_text().split("\n")
    assert text[int(p1["line"]) - 1].strip() == '"x = 1\\n"'
    assert int(p1["endColumn"]) - int(p1["col"]) == 5 and p1["endLine"] == p1["line"]
    assert "col" not in p2 and int(p2["endLine"]) == int(p2["line"]) + 1  # two file lines
    assert p3["line"] == "1" and "notebook metadata" in m3


def test_real_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a b.ipynb", notebook([code("import os\n!pip install xgboost")]))
    out = github.render(lint([tmp_path], tmp_path))
    kind, props, message = parse(next(x for x in out.splitlines() if "NB001" in x))
    assert kind == "warning" and props["file"] == "a b.ipynb"
    assert "(cell 1 (id cell-0), line 2, column 1)" in message
