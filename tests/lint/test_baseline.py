"""Baselines: record today's findings, then fail only on new ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nb2prod.cli import app
from nb2prod.errors import InputError
from nb2prod.lint.baseline import load_baseline
from tests.helpers import code, markdown, notebook, write


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.nb2prod]\nselect = ["NB002", "NB003"]\ncache = false\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def save(path: Path, *sources: str) -> Path:
    return write(path, notebook([markdown("# Analysis"), *(code(s) for s in sources)]))


def test_baseline_then_lint_exits_0(project: Path) -> None:
    nb = save(project / "a.ipynb", "!ls data/\n%who", "x = 1")
    made = run("baseline", str(nb), "-o", "base.json")
    assert made.exit_code == 0, made.stderr
    assert "recorded 2 findings" in made.stdout
    assert run("lint", str(nb)).exit_code == 1
    result = run("lint", str(nb), "--baseline", "base.json")
    assert result.exit_code == 0, result.stdout
    assert "NB00" not in result.stdout


def test_new_finding_still_fails(project: Path) -> None:
    nb = save(project / "a.ipynb", "!ls data/")
    run("baseline", str(nb), "-o", "base.json")
    save(nb, "!ls data/", "!rm -rf tmp/")
    result = run("lint", str(nb), "--baseline", "base.json")
    assert result.exit_code == 1
    assert "rm -rf tmp/" in result.stdout
    assert "ls data/" not in result.stdout


def test_inserting_cells_above_keeps_matches(project: Path) -> None:
    nb = save(project / "a.ipynb", "import os", "!ls data/", "%who")
    run("baseline", str(nb), "-o", "base.json")
    write(
        nb,
        notebook(
            [
                markdown("# New intro"),
                code("import sys\nprint(sys.version)"),
                code("%who"),  # moved to the top, now on another cell
                markdown("# Analysis"),
                code("import os\n\n\n!ls data/"),  # merged cell, on another line
            ]
        ),
    )
    result = run("lint", str(nb), "--baseline", "base.json")
    assert result.exit_code == 0, result.stdout


def test_counts_are_a_multiset(project: Path) -> None:
    nb = save(project / "a.ipynb", "!ls data/", "!ls data/")
    run("baseline", str(nb), "-o", "base.json")
    entries = json.loads((project / "base.json").read_text())["findings"]
    assert [e["count"] for e in entries] == [2]
    save(nb, "!ls data/", "!ls data/", "!ls data/")
    result = run("lint", str(nb), "--baseline", "base.json")
    assert result.exit_code == 1
    assert result.stdout.count("NB002") == 1
    save(nb, "!ls data/")
    assert run("lint", str(nb), "--baseline", "base.json").exit_code == 0


def test_relative_and_absolute_paths_match(project: Path) -> None:
    save(project / "a.ipynb", "!ls data/")
    run("baseline", str(project / "a.ipynb"), "-o", str(project / "base.json"))
    assert run("lint", "a.ipynb", "--baseline", "base.json").exit_code == 0


def test_same_line_in_another_notebook_is_new(project: Path) -> None:
    save(project / "a.ipynb", "!ls data/")
    run("baseline", "a.ipynb", "-o", "base.json")
    save(project / "b.ipynb", "!ls data/")
    result = run("lint", "a.ipynb", "b.ipynb", "--baseline", "base.json")
    assert result.exit_code == 1
    assert "b.ipynb:cell 2" in result.stdout and "a.ipynb:cell" not in result.stdout


def test_baseline_setting_in_pyproject(project: Path) -> None:
    nb = save(project / "a.ipynb", "!ls data/")
    run("baseline", str(nb), "-o", "base.json")
    config = project / "pyproject.toml"
    config.write_text(config.read_text() + 'baseline = "base.json"\n', encoding="utf-8")
    assert run("lint", str(nb)).exit_code == 0


def test_missing_or_invalid_baseline_exits_2(project: Path) -> None:
    nb = save(project / "a.ipynb", "!ls")
    result = run("lint", str(nb), "--baseline", "absent.json")
    assert result.exit_code == 2
    assert "absent.json" in result.stderr and "not found" in result.stderr
    (project / "bad.json").write_text('{"version": 99}', encoding="utf-8")
    with pytest.raises(InputError, match="not an nb2prod baseline"):
        load_baseline(str(project / "bad.json"))
