"""The engine and the ``lint`` command: exit codes, discovery, input errors."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nb2prod.cli import app
from nb2prod.config import load_settings
from nb2prod.lint.engine import lint_file, lint_paths
from tests.conftest import console_script, finding_problems
from tests.helpers import CORPUS, code, markdown, notebook, write

PYPROJECT = '[tool.nb2prod]\nselect = ["NB"]\ncache = false\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with its own pyproject.toml, as the working directory."""
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def clean(path: Path) -> Path:
    return write(path, notebook([markdown("# ok"), code("x = 1\nprint(x)")]))


def dirty(path: Path) -> Path:
    return write(path, notebook([code("import os\n!ls -la")]))


def run(*args: str):
    return CliRunner().invoke(app, list(args))


# -- exit codes ----------------------------------------------------------------------------
def test_exit_0_when_clean(project: Path) -> None:
    result = run("lint", str(clean(project / "a.ipynb")))
    assert result.exit_code == 0, result.stderr
    assert "NB0" not in result.stdout


def test_exit_1_with_findings(project: Path) -> None:
    result = run("lint", str(dirty(project / "a.ipynb")))
    assert result.exit_code == 1
    assert "cell 1:2:1: NB002" in result.stdout
    assert run("lint", "--exit-zero", str(project / "a.ipynb")).exit_code == 0


def test_exit_2_for_malformed_file_other_files_still_linted(project: Path) -> None:
    (project / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    dirty(project / "z.ipynb")
    result = run("lint", str(project))
    assert result.exit_code == 2
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("nb2prod: error:")]
    assert len(errors) == 1
    assert "broken.ipynb" in errors[0] and "invalid JSON" in errors[0]
    assert "Traceback" not in result.stderr
    assert "z.ipynb:cell 1:2:1: NB002" in result.stdout


def test_exit_2_for_missing_path(project: Path) -> None:
    result = run("lint", str(clean(project / "a.ipynb")), "nowhere.ipynb")
    assert result.exit_code == 2
    assert "nowhere.ipynb: no such file or folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_exit_2_for_unknown_code_in_select(project: Path) -> None:
    result = run("lint", "--select", "NB999,XYZ", str(clean(project / "a.ipynb")))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "nb2prod: error: command line: unknown rule code 'NB999' in select"
    ]


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("slect = ['NB']", "unknown option 'slect' in [tool.nb2prod]"),
        ("select = 'NB'", "option 'select' must be list[str], got 'NB'"),
        ("cache = 'yes'", "option 'cache' must be bool"),
        ("select = ['NB']\nignore = ['NB', 'ZZ1']", "unknown rule code 'ZZ1' in ignore"),
        ("select = ['NB'\n", "cannot read configuration"),
    ],
)
def test_exit_2_for_bad_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: str, expected: str
) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(f"[tool.nb2prod]\n{table}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("lint", str(clean(tmp_path / "a.ipynb")))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"nb2prod: error: {config}")
    assert expected in lines[0]


def test_console_script_one_line_errors_no_traceback(project: Path) -> None:
    (project / "broken.ipynb").write_text("<<<<<<< HEAD\n{}\n", encoding="utf-8")
    proc = subprocess.run(
        [console_script(), "lint", "broken.ipynb", "missing.ipynb"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 2
    assert any("broken.ipynb" in e and "merge-conflict" in e for e in errors)
    assert any("missing.ipynb" in e for e in errors)


def test_usage_error_exits_2(project: Path) -> None:
    assert run("lint", "--format", "yaml", "a.ipynb").exit_code == 2


# -- discovery -----------------------------------------------------------------------------
def test_folders_are_recursed_and_checkpoints_skipped(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "sub" / ".ipynb_checkpoints").mkdir()
    dirty(tmp_path / "top.ipynb")
    dirty(tmp_path / "sub" / "deeper" / "inner.ipynb")
    dirty(tmp_path / "sub" / ".ipynb_checkpoints" / "inner-checkpoint.ipynb")
    (tmp_path / "sub" / "notes.txt").write_text("!ls", encoding="utf-8")
    settings = load_settings(start=tmp_path, overrides={"select": ["NB"]})
    results = lint_paths([str(tmp_path)], settings, use_cache=False)
    names = [Path(r.path).relative_to(tmp_path).as_posix() for r in results]
    assert names == ["sub/deeper/inner.ipynb", "top.ipynb"]
    assert all(r.findings and r.error is None for r in results)


def test_same_file_twice_is_linted_once(tmp_path: Path) -> None:
    nb = dirty(tmp_path / "a.ipynb")
    settings = load_settings(start=tmp_path, overrides={"select": ["NB"]})
    results = lint_paths([str(nb), str(tmp_path)], settings, use_cache=False)
    assert [r.path for r in results] == [str(nb)]


def test_parallel_and_serial_runs_agree(tmp_path: Path) -> None:
    for i in range(10):
        (dirty if i % 2 else clean)(tmp_path / f"n{i:02}.ipynb")
    (tmp_path / "n99.ipynb").write_text("not json", encoding="utf-8")
    settings = load_settings(start=tmp_path, overrides={"select": ["NB"]})
    serial = lint_paths([str(tmp_path)], settings, jobs=1, use_cache=False)
    parallel = lint_paths([str(tmp_path)], settings, jobs=2, use_cache=False)
    assert [r.to_dict() for r in serial] == [r.to_dict() for r in parallel]
    assert sum(len(r.findings) for r in serial) == 5
    assert serial[-1].error is not None


def test_lint_file_never_raises_for_bad_input(tmp_path: Path) -> None:
    settings = load_settings(start=tmp_path, overrides={"select": ["NB"]})
    result = lint_file(str(tmp_path / "absent.ipynb"), settings)
    assert result.findings == [] and "no such file" in (result.error or "")


def test_non_python_kernel_gets_a_note(tmp_path: Path) -> None:
    meta = {"kernelspec": {"name": "ir", "language": "R"}, "language_info": {"name": "R"}}
    nb = write(tmp_path / "r.ipynb", notebook([code("x <- 1\n%time")], meta))
    result = lint_file(str(nb), load_settings(start=tmp_path, overrides={"select": ["NB"]}))
    assert result.findings == []
    assert any("kernel language 'r'" in n for n in result.notes)


@pytest.mark.skipif(not (CORPUS / "messy").is_dir(), reason="corpus not available")
def test_nb_findings_on_the_messy_corpus_are_well_formed() -> None:
    from nb2prod.notebook.load import load_notebook

    settings = load_settings(start=CORPUS, overrides={"select": ["NB"]})
    results = lint_paths([str(CORPUS / "messy")], settings, use_cache=False)
    assert len(results) == 248 and not any(r.error for r in results)
    codes = {f.code for r in results for f in r.findings}
    assert codes == {f"NB00{i}" for i in range(1, 8)}
    for r in results:
        if r.findings:
            assert finding_problems(r, load_notebook(r.path)) == []
