"""`nb2prod lint --fix` / `--diff` through the command line, on a bundled sample notebook."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from nb2prod.cli import app

SAMPLE = Path(__file__).resolve().parents[2] / "sample_notebooks" / "churn_model.ipynb"


def _project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.nb2prod]\ndata-uri = "s3://acme-data/churn"\ncache = false\n', encoding="utf-8"
    )
    return Path(shutil.copy(SAMPLE, tmp_path / "churn.ipynb"))


def _codes(runner: CliRunner, nb: Path) -> list[str]:
    out = runner.invoke(app, ["lint", str(nb), "--format", "json", "--select", "IO,SEC"])
    return [f["code"] for f in json.loads(out.stdout)["findings"]]


def test_diff_writes_nothing_then_fix_rewrites_and_is_idempotent(tmp_path: Path) -> None:
    runner = CliRunner()
    nb = _project(tmp_path)
    before = nb.read_bytes()
    assert _codes(runner, nb).count("SEC001") == 3

    diff = runner.invoke(app, ["lint", str(nb), "--diff"])
    assert diff.exit_code == 1, diff.output
    assert "+++" in diff.stdout and 'os.environ["AWS_ACCESS_KEY_ID"]' in diff.stdout
    assert nb.read_bytes() == before

    fixed = runner.invoke(app, ["lint", str(nb), "--fix", "--select", "IO,SEC"])
    assert fixed.exit_code == 1  # the unfixable local upload stays a finding
    after = nb.read_bytes()
    assert after != before
    remaining = _codes(runner, nb)
    assert "SEC001" not in remaining and "SEC005" not in remaining
    assert remaining.count("IO001") == 1 and remaining.count("IO002") == 1  # model.joblib pair

    again = runner.invoke(app, ["lint", str(nb), "--diff"])
    assert again.exit_code == 0, again.output
    runner.invoke(app, ["lint", str(nb), "--fix"])
    assert nb.read_bytes() == after


def test_fix_reports_unreadable_notebooks(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(app, ["lint", str(bad), "--fix"])
    assert result.exit_code == 2
    assert "bad.ipynb" in result.stderr and "Traceback" not in result.output


def test_io_findings_are_fixable_only_where_data_lives_is_configured(tmp_path: Path) -> None:
    runner = CliRunner()
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "pyproject.toml").write_text("[tool.nb2prod]\ncache = false\n", encoding="utf-8")
    plain = Path(shutil.copy(SAMPLE, bare / "churn.ipynb"))
    configured = _project(tmp_path)

    def fixable(nb: Path) -> set[bool]:
        out = runner.invoke(app, ["lint", str(nb), "--format", "json", "--select", "IO001"])
        return {f["fixable"] for f in json.loads(out.stdout)["findings"]}

    assert fixable(plain) == {False}
    assert fixable(configured) == {True}
