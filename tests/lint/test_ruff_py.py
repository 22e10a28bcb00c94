"""The PY family: ruff's diagnostics mapped to the right cell and line."""

from __future__ import annotations

from pathlib import Path

from nb2prod.config import load_settings
from nb2prod.lint.engine import lint_paths
from tests.helpers import code, markdown, notebook, write


def lint(tmp_path: Path, doc: dict, name: str = "nb.ipynb", **overrides):
    nb = write(tmp_path / name, doc)
    settings = load_settings(start=tmp_path, overrides={"cache": False, **overrides})
    (result,) = lint_paths([str(nb)], settings)
    assert result.error is None
    return result


DOC = notebook(
    [
        markdown("# Churn"),  # cell 1
        code("import pandas as pd\ndf = pd.DataFrame()", cell_id="load"),  # cell 2
        code("import json\nimport os\nprint(json.dumps({}))", cell_id="imports"),  # cell 3
        markdown("## Model"),  # cell 4
        code("%matplotlib inline\ny = undefined_thing + 1", cell_id="model"),  # cell 5
    ]
)


def test_diagnostics_land_on_cell_and_line(tmp_path: Path) -> None:
    result = lint(tmp_path, DOC, select=["PY"])
    got = [(f.code, f.cell, f.line, f.col, f.cell_id) for f in result.findings]
    assert got == [
        ("PYF401", 3, 2, 8, "imports"),
        ("PYF821", 5, 2, 5, "model"),
    ]
    unused = result.findings[0]
    assert unused.source_line == "import os"
    assert "`os` imported but unused" in unused.message
    assert unused.severity == "warning"


def test_select_one_ruff_code(tmp_path: Path) -> None:
    result = lint(tmp_path, DOC, select=["PYF401"])
    assert [f.code for f in result.findings] == ["PYF401"]


def test_ignore_ruff_code(tmp_path: Path) -> None:
    result = lint(tmp_path, DOC, select=["PY", "NB"], ignore=["PYF821"])
    assert [f.code for f in result.findings] == ["PYF401"]


def test_ruff_select_setting(tmp_path: Path) -> None:
    doc = notebook([code("import os\nimport sys\nos.sep == '/'\nx = 1")])
    default = lint(tmp_path, doc, select=["PY"])
    assert [f.code for f in default.findings] == ["PYF401"]
    wider = lint(tmp_path, doc, select=["PY"], **{"ruff-select": ["F", "B015"]})
    assert [f.code for f in wider.findings] == ["PYF401", "PYB015"]
    narrow = lint(tmp_path, doc, select=["PY"], **{"ruff-ignore": ["F401"]})
    assert narrow.findings == []


def test_per_file_ignores_py(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.nb2prod]\nselect = ["PY", "NB"]\ncache = false\n'
        '[tool.nb2prod.per-file-ignores]\n"legacy_*.ipynb" = ["PY"]\n',
        encoding="utf-8",
    )
    doc = notebook([code("import os\n!ls")])
    write(tmp_path / "legacy_one.ipynb", doc)
    write(tmp_path / "fresh.ipynb", doc)
    results = lint_paths([str(tmp_path)], load_settings(start=tmp_path))
    codes = {Path(r.path).name: [f.code for f in r.findings] for r in results}
    assert codes == {"fresh.ipynb": ["PYF401", "NB002"], "legacy_one.ipynb": ["NB002"]}


def test_syntax_errors_are_nb007_not_py(tmp_path: Path) -> None:
    doc = notebook([code("import os\nprint 'x'")])
    result = lint(tmp_path, doc, select=["PY", "NB007"])
    assert [(f.code, f.cell, f.line) for f in result.findings] == [("NB007", 1, 2)]


def test_magics_are_not_py_findings(tmp_path: Path) -> None:
    doc = notebook([code("%matplotlib inline\n!ls\nfiles = !ls\nprint(files)\npd?")])
    assert lint(tmp_path, doc, select=["PY"]).findings == []


def test_nbformat3_notebook_gets_py_findings(tmp_path: Path) -> None:
    v3 = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {"name": ""},
        "worksheets": [
            {
                "cells": [
                    {"cell_type": "markdown", "metadata": {}, "source": ["# Old"]},
                    {
                        "cell_type": "code",
                        "language": "python",
                        "metadata": {},
                        "input": ["import os\n", "x = 1"],
                        "outputs": [],
                        "collapsed": False,
                    },
                ]
            }
        ],
    }
    result = lint(tmp_path, v3, name="old.ipynb", select=["PY"])
    assert [(f.code, f.cell, f.line, f.path) for f in result.findings] == [
        ("PYF401", 2, 1, str(tmp_path / "old.ipynb"))
    ]
    assert any("nbformat 3" in n for n in result.notes)


def test_many_notebooks_in_one_ruff_run(tmp_path: Path) -> None:
    for i in range(9):
        write(tmp_path / f"n{i}.ipynb", notebook([markdown("x"), code(f"import os\nv{i} = {i}")]))
    settings = load_settings(start=tmp_path, overrides={"select": ["PY"], "cache": False})
    results = lint_paths([str(tmp_path)], settings, jobs=2)
    assert [(f.code, f.cell, f.line) for r in results for f in r.findings] == [("PYF401", 2, 1)] * 9
    assert all(f.path == r.path for r in results for f in r.findings)


def test_relative_paths_keep_py_findings(tmp_path: Path, monkeypatch) -> None:
    # ruff reports absolute file names; findings must still reach notebooks given relatively
    (tmp_path / "nbs").mkdir()
    write(tmp_path / "nbs" / "a.ipynb", DOC)
    (tmp_path / "nbs" / "broken.ipynb").write_text("{", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = load_settings(start=tmp_path, overrides={"select": ["PY"], "cache": False})
    results = lint_paths(["nbs"], settings)
    assert [r.path for r in results] == ["nbs/a.ipynb", "nbs/broken.ipynb"]
    assert [(f.code, f.path) for f in results[0].findings] == [
        ("PYF401", "nbs/a.ipynb"),
        ("PYF821", "nbs/a.ipynb"),
    ]
    assert results[1].error and not results[1].findings
