"""The raw-record notebooks (tests/scaffold/raw_notebooks): each runs top to bottom as
Python in a folder holding its data, learns something, converts (exit 0), and the package
prints what the notebook printed when run from the project folder."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType

import pytest

from nb2prod.convert import run
from tests.convert.helpers import run_cells_as_script, run_package
from tests.scaffold.raw_notebooks import make_pipeline, make_reviews, make_telco, make_titanic

# generator, the printed score line and the least score that shows a learned signal
KINDS: dict[str, tuple[ModuleType, str, float]] = {
    "telco": (make_telco, r"roc auc: ([0-9.]+)", 0.7),
    "titanic": (make_titanic, r"Accuracy: ([0-9.]+)", 0.65),
    "reviews": (make_reviews, r"accuracy ([0-9.]+)", 0.7),
    "pipeline": (make_pipeline, r"ROC AUC: ([0-9.]+)", 0.75),
}


def _python_cells(nb: Path) -> list[str]:
    """The code cells without their IPython lines (magics, shell escapes)."""
    doc = json.loads(nb.read_text(encoding="utf-8"))
    return [
        "\n".join(ln for ln in c["source"].split("\n") if not ln.lstrip().startswith(("%", "!")))
        for c in doc["cells"]
        if c["cell_type"] == "code"
    ]


def _score(pattern: str, stdout: str) -> float:
    found = re.search(pattern, stdout)
    assert found, stdout[-2000:]
    return float(found.group(1))


@pytest.mark.parametrize("kind", list(KINDS))
def test_raw_notebook_runs_converts_and_the_package_runs(kind, tmp_path):
    make, pattern, least = KINDS[kind]
    folder = tmp_path / "analysis"
    nb = make.make(folder)
    assert nb.parent == folder and any((folder / "data").glob("*.csv"))

    ran = run_cells_as_script(_python_cells(nb), cwd=folder)
    assert ran.returncode == 0, ran.stderr[-2000:]
    score = _score(pattern, ran.stdout)
    assert score >= least, ran.stdout[-2000:]

    project = tmp_path / "project"
    res = run(nb, project)
    assert res.exit_code == 0, [(f.code, f.message) for f in res.findings]
    assert res.package
    built = run_package(project, res.package, cwd=project, timeout=120)
    assert built.returncode == 0, built.stderr[-2000:]
    assert _score(pattern, built.stdout) == score  # seeded: the same model, the same score


@pytest.mark.parametrize("kind", list(KINDS))
def test_raw_notebook_data_is_deterministic_with_nulls(kind, tmp_path):
    make = KINDS[kind][0].make
    first, second = make(tmp_path / "a", rows=120), make(tmp_path / "b", rows=120)
    assert first.read_bytes() == second.read_bytes()
    for data in sorted((tmp_path / "a" / "data").glob("*.csv")):
        text = data.read_bytes()
        assert text == (tmp_path / "b" / "data" / data.name).read_bytes()
        assert b",," in text or b",\r\n" in text  # some empty (null) fields
