"""When ``ruff format`` cannot format the generated package, convert still writes it (valid
Python, exit code unchanged) and says why in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import nb2prod.lint.ruff
from nb2prod.cli import app
from nb2prod.convert import run
from tests.helpers import code, notebook, write


def _nb(tmp_path: Path) -> Path:
    return write(
        tmp_path / "tiny.ipynb",
        notebook([code("N = 5"), code("values = list(range(N))"), code("print(max(values))")]),
    )


def _fake_ruff(tmp_path: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "fake-ruff"
    fake.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(nb2prod.lint.ruff, "ruff_binary", lambda: str(fake))


def _convert_cli(nb: Path, out: Path):
    return CliRunner().invoke(app, ["convert", str(nb), "-o", str(out)])


def test_formatted_package_has_no_note(tmp_path: Path) -> None:
    result = run(_nb(tmp_path), tmp_path / "pkg")
    assert result.exit_code == 0 and result.notes == []


def test_ruff_format_failing_is_one_note(tmp_path: Path, monkeypatch) -> None:
    _fake_ruff(tmp_path, "exit 3", monkeypatch)
    nb = _nb(tmp_path)
    result = run(nb, tmp_path / "pkg")
    assert result.exit_code == 0 and result.written
    assert result.notes == ["generated files left unformatted: ruff format failed: exit 3"]
    compile((tmp_path / "pkg" / "src" / "tiny" / "steps.py").read_text(), "steps.py", "exec")

    cli = _convert_cli(nb, tmp_path / "cli")
    assert cli.exit_code == 0, cli.output
    assert "wrote package tiny" in cli.stdout
    lines = [x for x in cli.stderr.splitlines() if "unformatted" in x]
    assert lines == [
        f"nb2prod: note: {tmp_path / 'cli'}: generated files left unformatted:"
        " ruff format failed: exit 3"
    ]


def test_ruff_format_timing_out_is_one_note(tmp_path: Path, monkeypatch) -> None:
    _fake_ruff(tmp_path, "exec sleep 30", monkeypatch)
    monkeypatch.setattr(nb2prod.lint.ruff, "default_timeout", lambda: 0.2)
    nb = _nb(tmp_path)
    result = run(nb, tmp_path / "pkg")
    assert result.exit_code == 0 and result.written
    assert result.notes == [
        "generated files left unformatted: ruff format did not finish within 0.2 s"
        " (setting subprocess-timeout)"
    ]
    cli = _convert_cli(nb, tmp_path / "cli")
    assert cli.exit_code == 0, cli.output
    assert "did not finish within 0.2 s (setting subprocess-timeout)" in cli.stderr


def test_ruff_missing_is_one_note(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(nb2prod.lint.ruff, "ruff_binary", lambda: str(tmp_path / "no-ruff"))
    result = run(_nb(tmp_path), tmp_path / "pkg")
    assert result.exit_code == 0 and result.written
    assert len(result.notes) == 1
    assert result.notes[0].startswith("generated files left unformatted: cannot run ruff format")


def test_scaffold_says_when_its_files_stay_unformatted(tmp_path: Path, monkeypatch) -> None:
    sample = Path(__file__).resolve().parents[2] / "sample_notebooks" / "churn_classifier.ipynb"
    out = tmp_path / "project"
    assert run(sample, out).exit_code == 0  # the package, formatted by the real ruff
    _fake_ruff(tmp_path, "exit 4", monkeypatch)
    # --force: unformatted, the package files differ from the formatted ones on disk
    cli = CliRunner().invoke(app, ["scaffold", str(out), "--force"])
    assert cli.exit_code == 0, cli.output
    assert "scaffolded the service of churn_classifier" in cli.stdout
    notes = [x for x in cli.stderr.splitlines() if "unformatted" in x]
    assert notes == [
        f"nb2prod: note: {out}: generated files left unformatted: ruff format failed: exit 4"
    ]
