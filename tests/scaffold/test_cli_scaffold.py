"""`nb2prod scaffold` (and `convert --service`) through the command line: what it writes,
what it refuses, and one-line errors with exit code 2 for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nb2prod.cli import app
from nb2prod.convert import run as convert
from nb2prod.scaffold import run as scaffold
from tests.conftest import console_script
from tests.helpers import from_percent, write

REGRESSION = """# %%
import numpy as np
from sklearn.linear_model import LinearRegression
# %%
X = np.arange(40, dtype=float).reshape(20, 2)
y = X @ np.array([1.5, -2.0]) + 3.0
# %%
model = LinearRegression()
model.fit(X, y)
r2 = model.score(X, y)
"""
NO_MODEL = "# %%\nimport pandas as pd\n# %%\ntotals = pd.Series([1, 2]).sum()\nprint(totals)\n"
SERVICE_FILES = {
    "Dockerfile",
    ".dockerignore",
    ".github/workflows/ci.yml",
    "requirements.txt",
    "tests/test_service.py",
}


def converted(tmp_path: Path, text: str = REGRESSION, name: str = "tiny_model") -> Path:
    nb = write(tmp_path / f"{name}.ipynb", from_percent(text))
    out = tmp_path / "project"
    result = convert(nb, out)
    assert result.exit_code == 0, (result.error, result.findings)
    return out


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nb2prod: error: "), result.stderr
    return lines[0]


def test_scaffold_writes_the_service_and_refuses_to_overwrite_it(tmp_path):
    project = converted(tmp_path)
    first = invoke("scaffold", str(project))
    assert first.exit_code == 0, first.output
    assert "model `model` trained on `X`, metrics r2" in first.stdout
    for rel in SERVICE_FILES | {"src/tiny_model/train.py", "src/tiny_model/service/app.py"}:
        assert (project / rel).is_file(), rel
    assert not list(project.glob(".nb2prod-scaffold-*"))  # the staging folder is gone
    pyproject = (project / "pyproject.toml").read_text()
    assert 'exports = ["model", "X", "y", "r2"]' in pyproject
    assert "## Model service" in (project / "README.md").read_text()
    assert "TINY_MODEL_MODEL_URI=" in (project / ".env.example").read_text()

    dockerfile = project / "Dockerfile"
    dockerfile.write_text("# mine\n")
    again = invoke("scaffold", str(project))
    line = one_line_error(again)
    assert "service files exist" in line and "Dockerfile" in line and "--force" in line
    assert dockerfile.read_text() == "# mine\n"  # nothing touched
    forced = invoke("scaffold", str(project), "--force")
    assert forced.exit_code == 0, forced.output
    assert "FROM python:" in dockerfile.read_text()
    assert scaffold(project, force=True).files == []  # nothing left to change


def test_package_files_edited_since_convert_are_not_replaced_without_force(tmp_path):
    project = converted(tmp_path)
    steps = project / "src" / "tiny_model" / "steps.py"
    steps.write_text(steps.read_text() + "\n# tuned by hand\n")
    line = one_line_error(invoke("scaffold", str(project)))
    assert "src/tiny_model/steps.py differ from what convert generated" in line
    assert not (project / "Dockerfile").exists()
    assert invoke("scaffold", str(project), "--force").exit_code == 0
    assert "# tuned by hand" not in steps.read_text()


def test_convert_service_converts_then_scaffolds(tmp_path):
    nb = write(tmp_path / "tiny_model.ipynb", from_percent(REGRESSION))
    out = tmp_path / "project"
    result = invoke("convert", str(nb), "-o", str(out), "--service")
    assert result.exit_code == 0, result.output
    assert "wrote package tiny_model" in result.stdout and "scaffolded" in result.stdout
    assert all((out / rel).is_file() for rel in SERVICE_FILES)
    again = invoke("convert", str(nb), "-o", str(out), "--service", "--force")
    assert again.exit_code == 0, again.output


def test_a_metric_the_steps_do_not_keep_is_left_out(tmp_path):
    project = converted(tmp_path, REGRESSION + "del r2\n")
    result = scaffold(project)
    assert result.exit_code == 0, result.error
    assert (result.model, result.metrics) == ("model", [])


def test_an_unknown_model_variable_is_one_line(tmp_path):
    project = converted(tmp_path)
    line = one_line_error(invoke("scaffold", str(project), "--model", "nope", "--features", "X"))
    assert "--model nope: not a variable" in line and "tiny_model.ipynb" in line


def _bad(tmp_path: Path, case: str) -> tuple[Path, str]:
    if case == "missing folder":
        return tmp_path / "nope", "no such folder"
    if case == "a file":
        return write(tmp_path / "x.ipynb", from_percent(NO_MODEL)), "not a folder"
    if case == "no pyproject":
        (tmp_path / "empty").mkdir()
        return tmp_path / "empty", "not a project made by `nb2prod convert` (no pyproject.toml)"
    if case == "not converted":
        (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
        return tmp_path, "no [tool.nb2prod-convert] table"
    if case == "invalid toml":
        (tmp_path / "pyproject.toml").write_text("[tool.nb2prod-convert\n")
        return tmp_path, "invalid TOML"
    if case == "missing notebook":
        project = converted(tmp_path)
        (tmp_path / "tiny_model.ipynb").unlink()
        return project, "the notebook recorded in pyproject.toml (../tiny_model.ipynb) does not"
    if case == "no fitted model":
        return converted(tmp_path, NO_MODEL, "report"), "report.ipynb: no fitted model found"
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case",
    [
        "missing folder",
        "a file",
        "no pyproject",
        "not converted",
        "invalid toml",
        "missing notebook",
        "no fitted model",
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, case):
    folder, expected = _bad(tmp_path, case)
    line = one_line_error(invoke("scaffold", str(folder)))
    assert expected in line
    assert not (Path(folder) / "Dockerfile").exists()


def test_the_console_script_exits_2_without_a_traceback(tmp_path):
    project = converted(tmp_path, NO_MODEL, "report")
    proc = subprocess.run(
        [console_script(), "scaffold", str(project)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "report.ipynb: no fitted model found" in proc.stderr


LOCAL_CSV = """# %%
import pandas as pd
from sklearn.linear_model import LinearRegression
# %%
points = pd.read_csv("data/points.csv")
model = LinearRegression().fit(points[["x"]], points["y"])
"""
FEATURES_VAR = LOCAL_CSV.replace(
    'model = LinearRegression().fit(points[["x"]], points["y"])',
    'X = points[["x"]]\nmodel = LinearRegression().fit(X, points["y"])',
)


def test_a_project_converted_with_fix_is_scaffolded_with_fix(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.nb2prod]\ndata-uri = "s3://acme/points"\n')
    nb = write(tmp_path / "points_model.ipynb", from_percent(FEATURES_VAR))
    out = tmp_path / "project"
    assert invoke("convert", str(nb), "-o", str(out), "--fix").exit_code == 0
    steps = out / "src" / "points_model" / "steps.py"
    assert "NB2PROD_DATA_URI" in steps.read_text()
    assert "fix = true" in (out / "pyproject.toml").read_text()
    result = invoke("scaffold", str(out))  # the manifest says --fix: the rewrites are kept
    assert result.exit_code == 0, result.output
    assert "NB2PROD_DATA_URI" in steps.read_text() and (out / "Dockerfile").is_file()
    assert "fix = true" in (out / "pyproject.toml").read_text()


def test_a_project_converted_without_fix_is_not_fixed_by_scaffold(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.nb2prod]\ndata-uri = "s3://acme/points"\n')
    nb = write(tmp_path / "points_model.ipynb", from_percent(FEATURES_VAR))
    out = tmp_path / "project"
    assert invoke("convert", str(nb), "-o", str(out)).exit_code == 0
    assert "fix = false" in (out / "pyproject.toml").read_text()
    assert invoke("scaffold", str(out)).exit_code == 0
    steps = out / "src" / "points_model" / "steps.py"
    assert "NB2PROD_DATA_URI" not in steps.read_text() and "data/points.csv" in steps.read_text()


PRINTING = """# %%
import numpy as np
from sklearn.linear_model import LinearRegression
# %% [markdown]
# # Data
# %%
X = np.arange(40, dtype=float).reshape(20, 2)
y = X @ np.array([1.5, -2.0]) + 3.0
# %% [markdown]
# # Model
# %%
model = LinearRegression()
model.fit(X, y)
r2 = model.score(X, y)
# %% [markdown]
# # Report
# %%
print(round(r2, 6))
"""


def test_golden_values_recorded_by_verify_survive_scaffold(tmp_path):
    from nb2prod.convert.verify import has_nbclient, record_golden, verify

    if not has_nbclient(sys.executable):
        pytest.skip("nbclient/ipykernel missing")
    nb = write(tmp_path / "tiny_model.ipynb", from_percent(PRINTING))
    out = tmp_path / "project"
    assert convert(nb, out).exit_code == 0
    result = verify(nb, out, sys.executable, timeout=120)
    assert result.faithful, result.mismatches
    record_golden(out, result)
    before = json.loads((out / "tests" / "golden.json").read_text())
    assert before["recorded"] and before["values"]

    done = scaffold(out)  # no --force: recorded values are not a hand edit
    assert done.exit_code == 0, done.error
    after = json.loads((out / "tests" / "golden.json").read_text())
    assert after["recorded"] and after["printed"] == before["printed"]
    for step, values in before["values"].items():
        for name, fp in values.items():
            assert after["values"][step][name] == fp
    exported = {n for s in after["steps"] for n in s["outputs"]}
    assert {"model", "X", "y"} <= exported  # scaffold's exports: the model and its data


def test_convert_service_without_a_model_writes_nothing(tmp_path):
    """One plan: the model is looked for before anything is written."""
    nb = write(tmp_path / "no_model.ipynb", from_percent(NO_MODEL))
    out = tmp_path / "project"
    line = one_line_error(invoke("convert", str(nb), "-o", str(out), "--service"))
    assert "no fitted model found" in line and "no_model.ipynb" in line
    assert not out.exists()


def test_convert_service_takes_model_and_features(tmp_path):
    nb = write(tmp_path / "tiny_model.ipynb", from_percent(REGRESSION))
    out = tmp_path / "project"
    args = ["convert", str(nb), "-o", str(out), "--service", "--model", "model"]
    result = invoke(*args, "--features", "X")
    assert result.exit_code == 0, result.output
    assert "model `model` trained on `X`" in result.stdout
    line = one_line_error(invoke(*args[:-1], "nope", "--force"))
    assert "nope" in line
    line = one_line_error(invoke("convert", str(nb), "-o", str(out), "--model", "model"))
    assert "--service" in line
