"""Fixtures for convert tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import from_percent, write


@pytest.fixture
def make_notebook(tmp_path):
    def make(text: str, name: str = "analysis") -> Path:
        return write(tmp_path / f"{name}.ipynb", from_percent(text))

    return make
