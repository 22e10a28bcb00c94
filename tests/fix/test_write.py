"""Notebook write-back: only changed values change; unchanged notebooks round-trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nb2prod.notebook.model import join_source
from nb2prod.notebook.write import CellEdit, apply_edits, write_cells
from tests.helpers import CORPUS

CORPUS_FILES = sorted((CORPUS / "messy").glob("*.ipynb"))[:40]


@pytest.mark.skipif(not CORPUS_FILES, reason="corpus not available")
@pytest.mark.parametrize("path", CORPUS_FILES[:40:4], ids=lambda p: p.name)
def test_same_sources_round_trip_byte_for_byte(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text.lstrip("\ufeff"))
    edits = [CellEdit(i, join_source(c["source"])) for i, c in enumerate(doc["cells"], 1)]
    assert apply_edits(text, edits) == text


def _doc(indent, source) -> str:
    doc = {
        "cells": [
            {
                "cell_type": "code",
                "id": "a1",
                "metadata": {"x": 1},
                "execution_count": 3,
                "outputs": [{"output_type": "stream", "name": "stdout", "text": ["hi\n"]}],
                "source": source,
            },
            {"cell_type": "markdown", "id": "b2", "metadata": {}, "source": "# Title é"},
        ],
        "metadata": {"kernelspec": {"name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(doc, indent=indent, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("indent", [1, 2, 4, None])
@pytest.mark.parametrize("source", [["x = 1\n", "y = 2"], "x = 1\ny = 2", []])
def test_edit_changes_only_the_source(indent, source) -> None:
    text = _doc(indent, source)
    new = apply_edits(text, [CellEdit(1, "x = 10\ny = 2\n")])
    doc, old = json.loads(new), json.loads(text)
    assert join_source(doc["cells"][0]["source"]) == "x = 10\ny = 2\n"
    assert isinstance(doc["cells"][0]["source"], type(old["cells"][0]["source"]))
    doc["cells"][0]["source"] = old["cells"][0]["source"]
    assert doc == old  # ids, metadata, outputs, version untouched
    # the layout outside the source value is the same text
    head = text[: text.index('"source"')]
    assert new.startswith(head) and new.endswith(text[text.rindex('"id": "b2"') :])


def test_clear_outputs_and_markdown_edit() -> None:
    text = _doc(1, ["print('hi')"])
    new = apply_edits(text, [CellEdit(1, None, clear_outputs=True), CellEdit(2, "# T")])
    doc = json.loads(new)
    assert doc["cells"][0]["outputs"] == [] and doc["cells"][0]["execution_count"] == 3
    assert doc["cells"][1]["source"] == "# T"


def test_write_is_atomic_and_keeps_bom_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "n.ipynb"
    text = "\ufeff" + _doc(1, ["a = 1"])
    path.write_text(text, encoding="utf-8")
    path.chmod(0o640)
    new = write_cells(path, text, [CellEdit(1, "a = 2")])
    assert path.read_text(encoding="utf-8") == new and new.startswith("\ufeff")
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["n.ipynb"]  # no temp file left
    before = path.stat().st_mtime_ns
    write_cells(path, new, [CellEdit(1, "a = 2")])  # nothing changes: not rewritten
    assert path.stat().st_mtime_ns == before
