"""Shared data for the renderer tests: real findings from the corpus, linted once."""

from __future__ import annotations

from pathlib import Path

import pytest

from nb2prod.config import load_settings
from nb2prod.lint.engine import FileResult, lint_paths
from tests.helpers import CORPUS


def lint(paths: list[Path], start: Path) -> list[FileResult]:
    """Every rule (ruff included), no cache, no pyproject of the repository."""
    settings = load_settings(start=start, overrides={"select": ["ALL"], "cache": False})
    return lint_paths([str(p) for p in paths], settings, use_cache=False)


@pytest.fixture(scope="session")
def corpus_results(tmp_path_factory: pytest.TempPathFactory) -> list[FileResult]:
    """A third of the messy corpus (every third file, a fixed sample) and all of the
    malformed one, linted with absolute paths."""
    if not (CORPUS / "messy").is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    sample = sorted((CORPUS / "messy").glob("*.ipynb"))[::3]
    results = lint([*sample, CORPUS / "malformed"], tmp_path_factory.mktemp("cfg"))
    assert sum(len(r.findings) for r in results) > 500  # the corpus is messy by design
    assert any(r.error for r in results)  # and malformed/ has unreadable files
    return results
