"""The content-hash result cache: same results, invalidated by edits and by settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from nb2prod.config import load_settings
from nb2prod.lint import engine
from nb2prod.lint.engine import lint_paths
from tests.helpers import code, notebook, write


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths actually linted (not served from the cache)."""
    seen: list[str] = []
    real = engine.lint_file

    def spy(path, settings):
        seen.append(Path(path).name)
        return real(path, settings)

    monkeypatch.setattr(engine, "lint_file", spy)
    return seen


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a pyproject.toml the cache lives in the working folder: make that tmp_path."""
    monkeypatch.chdir(tmp_path)


def settings_for(tmp_path: Path, **overrides):
    return load_settings(start=tmp_path, overrides={"select": ["NB", "PYF"], **overrides})


def dump(results) -> list[dict]:
    return [r.to_dict() for r in results]


def test_second_run_is_served_from_cache_with_identical_results(
    tmp_path: Path, calls: list[str]
) -> None:
    a = write(
        tmp_path / "a.ipynb", notebook([code("import os\n!ls", count=2), code("x = 1", count=1)])
    )
    b = write(tmp_path / "b.ipynb", notebook([code("y = 1")]))
    first = lint_paths([str(tmp_path)], settings_for(tmp_path), jobs=1)
    assert sorted(calls) == ["a.ipynb", "b.ipynb"]
    assert {f.code for f in first[0].findings} == {"NB002", "NB004", "PYF401"}
    calls.clear()
    second = lint_paths([str(a), str(b)], settings_for(tmp_path), jobs=1)
    assert calls == []
    assert dump(second) == dump(first)
    assert any((tmp_path / ".nb2prod_cache").rglob("*.json"))


def test_editing_a_notebook_invalidates_its_entry(tmp_path: Path, calls: list[str]) -> None:
    a = write(tmp_path / "a.ipynb", notebook([code("!ls")]))
    write(tmp_path / "b.ipynb", notebook([code("!ls")]))
    lint_paths([str(tmp_path)], settings_for(tmp_path), jobs=1)
    calls.clear()
    write(a, notebook([code("y = 2\n%who")]))
    results = lint_paths([str(tmp_path)], settings_for(tmp_path), jobs=1)
    assert calls == ["a.ipynb"]
    assert [f.code for f in results[0].findings] == ["NB003"]
    assert [f.code for f in results[1].findings] == ["NB002"]


def test_changing_settings_invalidates(tmp_path: Path, calls: list[str]) -> None:
    write(tmp_path / "a.ipynb", notebook([code("!ls\n%who\n%time x = 1")]))
    full = lint_paths([str(tmp_path)], settings_for(tmp_path), jobs=1)
    assert [f.code for f in full[0].findings] == ["NB002", "NB003", "NB003"]
    calls.clear()
    ignored = lint_paths([str(tmp_path)], settings_for(tmp_path, ignore=["NB002"]), jobs=1)
    assert calls == ["a.ipynb"]
    assert [f.code for f in ignored[0].findings] == ["NB003", "NB003"]
    calls.clear()
    allowed = settings_for(tmp_path, **{"allowed-magics": ["time"]})
    relaxed = lint_paths([str(tmp_path)], allowed, jobs=1)
    assert calls == ["a.ipynb"]
    assert [f.code for f in relaxed[0].findings] == ["NB002", "NB003"]


def test_no_cache_neither_reads_nor_writes(tmp_path: Path, calls: list[str]) -> None:
    write(tmp_path / "a.ipynb", notebook([code("!ls")]))
    lint_paths([str(tmp_path)], settings_for(tmp_path), jobs=1, use_cache=False)
    assert not (tmp_path / ".nb2prod_cache").exists()
    lint_paths([str(tmp_path)], settings_for(tmp_path, cache=False), jobs=1)
    assert not (tmp_path / ".nb2prod_cache").exists()
    assert calls == ["a.ipynb", "a.ipynb"]


def test_unreadable_files_are_not_cached_as_clean(tmp_path: Path, calls: list[str]) -> None:
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{", encoding="utf-8")
    first = lint_paths([str(bad)], settings_for(tmp_path), jobs=1)
    again = lint_paths([str(bad)], settings_for(tmp_path), jobs=1)
    assert first[0].error and again[0].error == first[0].error
    assert again[0].findings == []


def test_corrupt_cache_entry_is_a_miss(tmp_path: Path, calls: list[str]) -> None:
    write(tmp_path / "a.ipynb", notebook([code("!ls")]))
    lint_paths([str(tmp_path)], settings_for(tmp_path), jobs=1)
    for entry in (tmp_path / ".nb2prod_cache").rglob("*.json"):
        entry.write_text("{not json", encoding="utf-8")
    calls.clear()
    results = lint_paths([str(tmp_path)], settings_for(tmp_path), jobs=1)
    assert calls == ["a.ipynb"]
    assert [f.code for f in results[0].findings] == ["NB002"]


def test_cache_lives_in_the_working_folder_without_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As for ruff: never inside the folder being linted (it may be read-only or shared)."""
    linted = tmp_path / "notebooks"
    linted.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    nb = write(linted / "a.ipynb", notebook([code("!ls")]))
    settings = load_settings(start=nb, overrides={"select": ["NB"]})
    assert settings.root == work
    lint_paths([str(nb)], settings, jobs=1)
    assert any((work / ".nb2prod_cache").rglob("*.json"))
    assert not (linted / ".nb2prod_cache").exists()
