"""The loader: one-line errors that name the file (and cell) for anything unreadable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nb2prod.errors import InputError
from nb2prod.notebook.load import load_notebook
from tests.helpers import CORPUS, code, markdown, notebook, write

MALFORMED = CORPUS / "malformed"
BROKEN = {
    "dlwp__chapter12_part01_text-generation.ipynb": "invalid JSON at line",
    "dsin__pandas.ipynb": "invalid JSON at line",
    "fastai3__lesson3-imdb.ipynb": "merge-conflict markers",
    "hmml__logistic_regression_with_linear_boundary_demo.ipynb": "text before the opening '{'",
    "homl2__19_training_and_deploying_at_scale.ipynb": "invalid JSON at line",
    "learntools__ex1_convolutions.ipynb": "merge-conflict markers",
    "pandasex__Exercises.ipynb": "invalid JSON at line",
    "pml3__preprocessing.ipynb": "Python source",
    "smex__xgboost_parquet_input_training.ipynb": "merge-conflict markers",
}
needs_corpus = pytest.mark.skipif(not MALFORMED.is_dir(), reason="corpus not available")


@needs_corpus
def test_malformed_corpus_is_fully_covered() -> None:
    names = {p.name for p in MALFORMED.glob("*.ipynb")}
    assert names == {*BROKEN, "dsin__scikit-learn.ipynb"}


@needs_corpus
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_malformed_file_gives_one_line_naming_the_file(name: str) -> None:
    path = MALFORMED / name
    with pytest.raises(InputError) as info:
        load_notebook(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert BROKEN[name] in message


@needs_corpus
def test_nbformat3_is_accepted_with_a_note() -> None:
    nb = load_notebook(MALFORMED / "dsin__scikit-learn.ipynb")
    assert nb.nbformat == 3
    assert any("nbformat 3" in note for note in nb.notes)
    assert nb.code_cells and all(c.index >= 1 for c in nb.cells)
    assert any("import" in c.source for c in nb.code_cells)
    again = load_notebook(MALFORMED / "dsin__scikit-learn.ipynb")
    assert [c.id for c in again.cells] == [c.id for c in nb.cells]  # stable between loads


def test_merge_conflict_reports_the_line(tmp_path: Path) -> None:
    text = '{\n "cells": [],\n<<<<<<< HEAD\n "nbformat": 4\n=======\n>>>>>>> branch\n}'
    path = tmp_path / "conflict.ipynb"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"merge-conflict markers at line 3"):
        load_notebook(path)


@pytest.mark.parametrize(
    ("mutate", "cell", "expected"),
    [
        (lambda d: d.update(cells={"a": 1}), None, "'cells' is missing or not a list"),
        (lambda d: d["cells"][1].update(cell_type="sql"), 2, "unknown cell_type 'sql'"),
        (lambda d: d["cells"][2].update(source=42), 3, "'source' must be a string"),
        (lambda d: d["cells"][2].update(source=["a", 1]), 3, "'source' must be a string"),
        (lambda d: d["cells"].insert(0, "text"), 1, "expected an object"),
        (lambda d: d["cells"][0].update(outputs={}), 1, "'outputs' must be a list"),
    ],
)
def test_wrong_schema_names_the_cell(tmp_path: Path, mutate, cell, expected: str) -> None:
    doc = notebook([code("a = 1"), markdown("m"), code("b = 2")])
    mutate(doc)
    path = write(tmp_path / "bad.ipynb", doc)
    with pytest.raises(InputError) as info:
        load_notebook(path)
    assert info.value.cell == cell
    where = f"{path} cell {cell}: " if cell else f"{path}: "
    assert str(info.value).startswith(where)
    assert expected in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty file"),
        ("[1, 2]", "top-level JSON is an array"),
        ('{"metadata": {}}', "no 'nbformat' version"),
        ('{"nbformat": 5, "cells": []}', "unsupported nbformat version 5"),
        ("just some words", "not JSON"),
    ],
)
def test_not_a_notebook(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "x.ipynb"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=expected):
        load_notebook(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_notebook(tmp_path / "absent.ipynb")
    with pytest.raises(InputError, match="is a directory"):
        load_notebook(tmp_path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.ipynb"
    path.write_bytes(b'{"cells": ["\xe9"]}')
    with pytest.raises(InputError, match="not UTF-8"):
        load_notebook(path)


def test_valid_notebook_model(tmp_path: Path) -> None:
    doc = notebook(
        [
            markdown("# Title", cell_id="m1"),
            code("import os\n", count=3, cell_id="c1", metadata={"tags": ["x", 1]}),
        ]
    )
    doc["cells"][1]["source"] = ["import os\n", "print(os.sep)"]
    path = tmp_path / "ok.ipynb"
    path.write_text("\ufeff" + json.dumps(doc), encoding="utf-8")  # BOM is tolerated
    nb = load_notebook(path)
    assert [c.index for c in nb.cells] == [1, 2]
    cell = nb.cells[1]
    assert (cell.id, cell.execution_count, cell.tags) == ("c1", 3, ["x"])
    assert cell.source == "import os\nprint(os.sep)"
    assert cell.line(2) == "print(os.sep)" and cell.line(9) == ""
    assert nb.is_python and nb.notes == []


def test_kernel_language() -> None:
    from nb2prod.notebook.load import load_notebook_text

    r = notebook([code("x <- 1")], {"kernelspec": {"name": "ir", "language": "R"}})
    nb = load_notebook_text(json.dumps(r), "r.ipynb")
    assert nb.language == "r" and not nb.is_python
