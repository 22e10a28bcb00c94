"""Accuracy of the IO and SEC families on the held-out labelled notebooks.

``benchmarks/labelled`` was used to improve nb2prod, so it no longer measures unseen cases.
``benchmarks/holdout`` was written blind and its labels frozen before nb2prod ran on it
(``make_notebooks.py`` there); ``benchmarks/accuracy_bench.py --folder benchmarks/holdout``
scores it. The floors below document what the held-out set measured; never edit a label to
pass them.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
HOLDOUT = ROOT / "benchmarks" / "holdout"
BENCH = ROOT / "benchmarks" / "accuracy_bench.py"
MIN_PRECISION = 0.85
MIN_RECALL = 0.85


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("accuracy_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def labels() -> dict[str, Any]:
    return tomllib.loads((HOLDOUT / "labels.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return _bench().run(HOLDOUT)


def _line(name: str, cell: int, line: int) -> str:
    nb = nbformat.read(HOLDOUT / name, as_version=nbformat.NO_CONVERT)
    return nb.cells[cell - 1].source.split("\n")[line - 1]


def test_every_label_points_at_a_cell_and_line_of_a_valid_notebook(labels):
    listed = set(labels["notebooks"])
    assert listed == {p.name for p in HOLDOUT.glob("*.ipynb")}
    assert len(listed) >= 15
    sources = {}
    for name in listed:
        nb = nbformat.read(HOLDOUT / name, as_version=nbformat.NO_CONVERT)
        nbformat.validate(nb)
        sources[name] = [c.source.split("\n") for c in nb.cells]
    for entry in labels["expected"] + labels["negative"]:
        cells = sources[entry["notebook"]]
        where = f"{entry['notebook']} cell {entry['cell']} line {entry['line']}"
        if entry["cell"] == 0:  # the notebook's metadata
            assert entry["line"] == 0, where
            continue
        assert 1 <= entry["cell"] <= len(cells), where
        assert 1 <= entry["line"] <= len(cells[entry["cell"] - 1]), where
        assert cells[entry["cell"] - 1][entry["line"] - 1].strip(), f"{where} is blank"
        assert "#@" not in cells[entry["cell"] - 1][entry["line"] - 1], f"{where}: marker left"
    for entry in labels["expected"]:
        assert entry["family"] in ("IO", "SEC")
        assert not entry["code"] or entry["code"].startswith(entry["family"])


def test_hard_negatives_are_as_many_as_positives_and_never_on_a_positive(labels):
    spots = {
        kind: {(e["notebook"], e["cell"], e["line"]) for e in labels[kind]}
        for kind in ("expected", "negative")
    }
    assert not spots["expected"] & spots["negative"]
    assert len(spots["negative"]) >= len(spots["expected"])
    assert {e["family"] for e in labels["expected"]} == {"IO", "SEC"}


def test_the_generator_reproduces_the_committed_files(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(HOLDOUT / "make_notebooks.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    made = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted({p.name for p in HOLDOUT.glob("*.ipynb")} | {"labels.toml"})
    assert made == committed
    for name in made:
        assert (tmp_path / name).read_bytes() == (HOLDOUT / name).read_bytes(), name


@pytest.mark.parametrize("family", ["IO", "SEC"])
def test_precision_and_recall_per_family(report, family):
    row = report["families"][family]
    assert row["tp"] + row["fn"] >= 50, "too few labels to measure"
    misses = [m for m in report["misses"] if m["family"] == family]
    fps = [f for f in report["false_positives"] if f["code"].startswith(family)]
    assert row["precision"] >= MIN_PRECISION, fps
    assert row["recall"] >= MIN_RECALL, misses


def test_the_report_never_shows_a_labelled_secret(report, labels):
    """Every token-like word of a line labelled SEC (the secrets among them) stays out."""
    words = set()
    for e in labels["expected"]:
        if e["family"] != "SEC" or e["cell"] == 0:
            continue
        words |= {
            w
            for w in re.findall(
                r"[A-Za-z0-9_\-+/=.~]{12,}", _line(e["notebook"], e["cell"], e["line"])
            )
            if re.search(r"\d", w) and re.search(r"[A-Za-z]", w)
        }
    assert len(words) > 30
    bench = _bench()
    for shown in (bench.render(report), json.dumps(report)):
        leaked = [w[:4] for w in words if w in shown]
        assert not leaked, f"{len(leaked)} secret-like words printed"
