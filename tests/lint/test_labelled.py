"""Accuracy of the IO and SEC families on labelled notebooks that are not in ../shared.

Two sets, each written by ``make_notebooks.py`` in its folder (notebooks and
``labels.toml``); ``benchmarks/accuracy_bench.py [--folder DIR]`` lints one and scores the
findings against its labels (issue 17: precision and recall measured on labelled cases).

* ``benchmarks/labelled``: written blind from the docs; nb2prod was then improved on its
  misses, so it no longer measures unseen cases.
* ``benchmarks/holdout``: written blind after those fixes, its labels frozen before nb2prod
  ran on it. Its floors document what it measured; never edit a label to pass them.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks" / "accuracy_bench.py"


@dataclass(frozen=True)
class LabelledSet:
    folder: Path
    min_precision: float
    min_recall: float
    min_notebooks: int
    min_labels: int  # per family
    negatives_ratio: float  # hard negatives at least this share of the positives
    min_secret_words: int


SETS = {
    "labelled": LabelledSet(ROOT / "benchmarks" / "labelled", 0.95, 0.90, 30, 70, 0.95, 50),
    "holdout": LabelledSet(ROOT / "benchmarks" / "holdout", 0.85, 0.85, 15, 50, 1.0, 30),
}


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("accuracy_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=sorted(SETS))
def labelled(request) -> tuple[LabelledSet, dict[str, Any]]:
    """One set and its labels."""
    s = SETS[request.param]
    return s, tomllib.loads((s.folder / "labels.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def report(labelled) -> dict[str, Any]:
    return _bench().run(labelled[0].folder)


def _cells(s: LabelledSet, name: str) -> list[list[str]]:
    nb = nbformat.read(s.folder / name, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    return [c.source.split("\n") for c in nb.cells]


def test_every_label_points_at_a_cell_and_line_of_a_valid_notebook(labelled):
    s, labels = labelled
    listed = set(labels["notebooks"])
    assert listed == {p.name for p in s.folder.glob("*.ipynb")}
    assert len(listed) >= s.min_notebooks
    sources = {name: _cells(s, name) for name in listed}
    for entry in labels["expected"] + labels["negative"]:
        cells = sources[entry["notebook"]]
        where = f"{entry['notebook']} cell {entry['cell']} line {entry['line']}"
        if entry["cell"] == 0:  # the notebook's metadata
            assert entry["line"] == 0, where
            continue
        assert 1 <= entry["cell"] <= len(cells), where
        assert 1 <= entry["line"] <= len(cells[entry["cell"] - 1]), where
        text = cells[entry["cell"] - 1][entry["line"] - 1]
        assert text.strip(), f"{where} is blank"
        assert "#@" not in text, f"{where}: marker left"
    for entry in labels["expected"]:
        assert entry["family"] in ("IO", "SEC")
        assert not entry["code"] or entry["code"].startswith(entry["family"])


def test_hard_negatives_are_many_and_never_on_a_positive(labelled):
    s, labels = labelled
    spots = {
        kind: {(e["notebook"], e["cell"], e["line"]) for e in labels[kind]}
        for kind in ("expected", "negative")
    }
    assert not spots["expected"] & spots["negative"]
    assert len(spots["negative"]) >= s.negatives_ratio * len(spots["expected"])
    assert {e["family"] for e in labels["expected"]} == {"IO", "SEC"}


def test_the_generator_reproduces_the_committed_files(labelled, tmp_path):
    s, _ = labelled
    proc = subprocess.run(
        [sys.executable, str(s.folder / "make_notebooks.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    made = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted({p.name for p in s.folder.glob("*.ipynb")} | {"labels.toml"})
    assert made == committed
    for name in made:
        assert (tmp_path / name).read_bytes() == (s.folder / name).read_bytes(), name


@pytest.mark.parametrize("family", ["IO", "SEC"])
def test_precision_and_recall_per_family(labelled, report, family):
    s, _ = labelled
    row = report["families"][family]
    assert row["tp"] + row["fn"] >= s.min_labels, "too few labels to measure"
    misses = [m for m in report["misses"] if m["family"] == family]
    fps = [f for f in report["false_positives"] if f["code"].startswith(family)]
    assert row["precision"] >= s.min_precision, fps
    assert row["recall"] >= s.min_recall, misses


def test_the_report_never_shows_a_labelled_secret(labelled, report):
    """Every token-like word of a line labelled SEC (the secrets among them) stays out."""
    s, labels = labelled
    words = set()
    for e in labels["expected"]:
        if e["family"] != "SEC" or e["cell"] == 0:
            continue
        text = _cells(s, e["notebook"])[e["cell"] - 1][e["line"] - 1]
        words |= {
            w
            for w in re.findall(r"[A-Za-z0-9_\-+/=.~]{12,}", text)
            if re.search(r"\d", w) and re.search(r"[A-Za-z]", w)
        }
    assert len(words) > s.min_secret_words
    bench = _bench()
    for shown in (bench.render(report), json.dumps(report)):
        leaked = [w[:4] for w in words if w in shown]
        assert not leaked, f"{len(leaked)} secret-like words printed"
