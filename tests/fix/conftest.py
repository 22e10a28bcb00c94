"""Helpers for --fix tests: build a notebook from cell sources, fix it, read it back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nb2prod.config import load_settings
from nb2prod.fix.engine import fix_notebook
from nb2prod.fix.model import FixResult
from nb2prod.notebook.model import join_source
from tests.helpers import code, markdown, notebook, write

DATA_URI = "s3://acme-data/churn"


def settings(**overrides):
    return load_settings(overrides={"data-uri": DATA_URI, **overrides}, start=Path("/"))


def make(tmp: Path, cells: list[str | tuple[str, str]], name: str = "nb.ipynb") -> Path:
    built = []
    for c in cells:
        if isinstance(c, tuple):
            built.append(markdown(c[1]))
        else:
            built.append(code(c))
    return write(tmp / name, notebook(built))


def sources(path: Path) -> list[str]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return [join_source(c["source"]) for c in doc["cells"]]


@pytest.fixture
def fix(tmp_path: Path):
    """fix(cells, **settings) -> (new sources, FixResult)."""

    def run(cells, **overrides) -> tuple[list[str], FixResult]:
        path = make(tmp_path, cells)
        result = fix_notebook(path, settings(**overrides))
        return sources(path), result

    return run
