"""`nb2prod convert` through the command line."""

from __future__ import annotations

import sys
from pathlib import Path

from typer.testing import CliRunner

from nb2prod.cli import app
from nb2prod.convert.verify import has_nbclient
from tests.helpers import code, notebook, write


def _nb(tmp_path: Path) -> Path:
    return write(
        tmp_path / "tiny.ipynb",
        notebook([code("N = 5"), code("values = list(range(N))"), code("print(max(values))")]),
    )


def test_convert_writes_then_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    runner = CliRunner()
    nb, out = _nb(tmp_path), tmp_path / "pkg"
    first = runner.invoke(app, ["convert", str(nb), "-o", str(out)])
    assert first.exit_code == 0, first.output
    assert (out / "src" / "tiny" / "pipeline.py").is_file()
    again = runner.invoke(app, ["convert", str(nb), "-o", str(out)])
    assert again.exit_code == 2
    assert "--force" in again.stderr and "Traceback" not in again.output
    forced = runner.invoke(app, ["convert", str(nb), "-o", str(out), "--force"])
    assert forced.exit_code == 0, forced.output


def test_verify_needs_nbclient_or_says_faithful(tmp_path: Path) -> None:
    nb, out = _nb(tmp_path), tmp_path / "pkg"
    result = CliRunner().invoke(
        app, ["convert", str(nb), "-o", str(out), "--verify", "--python", sys.executable]
    )
    if has_nbclient(sys.executable):
        assert result.exit_code == 0, result.output
        assert "faithful" in result.stdout
    else:
        assert result.exit_code == 2
        assert "nbclient" in result.stderr


def test_missing_notebook_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["convert", str(tmp_path / "nope.ipynb"), "-o", "x"])
    assert result.exit_code == 2
    assert "nope.ipynb" in result.stderr and "Traceback" not in result.output


def test_convert_fix_carries_the_rewrites_and_leaves_the_notebook(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[2] / "sample_notebooks" / "churn_model.ipynb"
    (tmp_path / "pyproject.toml").write_text(
        '[tool.nb2prod]\ndata-uri = "s3://acme-data/churn"\n', encoding="utf-8"
    )
    nb = tmp_path / "churn.ipynb"
    nb.write_bytes(sample.read_bytes())
    out = tmp_path / "pkg"
    result = CliRunner().invoke(
        app, ["convert", str(nb), "-o", str(out), "--fix", "--allow-partial"]
    )
    assert result.exit_code == 0, result.output
    assert nb.read_bytes() == sample.read_bytes()
    steps = (out / "src" / "churn" / "steps.py").read_text(encoding="utf-8")
    pipeline = (out / "src" / "churn" / "pipeline.py").read_text(encoding="utf-8")
    # the secret moved to the environment is read when the step that uses it is called
    assert 'AWS_SECRET_ACCESS_KEY=_env.require("AWS_SECRET_ACCESS_KEY")' in pipeline
    assert 'f"{DATA_URI}/data/customers.csv"' in steps
    assert "AKIA" not in steps and '"data/customers.csv"' not in steps
    env = (out / ".env.example").read_text(encoding="utf-8")
    assert "AWS_SECRET_ACCESS_KEY=\n" in env and "NB2PROD_DATA_URI=\n" in env
    assert "nb2prod-fix-" not in result.output  # findings name the notebook, not the copy


def test_convert_fix_still_sees_the_notebooks_folder(tmp_path: Path) -> None:
    """The rewrites are applied in memory: a module beside the notebook is still found
    (CV011), as without --fix, and is not turned into a requirement."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.nb2prod]\ndata-uri = "s3://acme-data/x"\n', encoding="utf-8"
    )
    (tmp_path / "helpers.py").write_text("def clean(df):\n    return df\n", encoding="utf-8")
    nb = write(
        tmp_path / "uses_helpers.ipynb",
        notebook([code("import pandas as pd\nimport helpers\ndf = pd.read_csv('data/a.csv')")]),
    )
    for extra in ([], ["--fix"]):
        out = tmp_path / f"pkg{len(extra)}"
        result = CliRunner().invoke(app, ["convert", str(nb), "-o", str(out), *extra])
        assert result.exit_code == 1, result.output
        assert "CV011" in result.output and not out.exists()
    forced = CliRunner().invoke(
        app, ["convert", str(nb), "-o", str(tmp_path / "p"), "--fix", "--allow-partial"]
    )
    assert forced.exit_code == 0, forced.output
    assert '"helpers' not in (tmp_path / "p" / "pyproject.toml").read_text(encoding="utf-8")
