"""Tracked training and governed promotion on a real MLflow tracking server (issue 14):
``python -m <pkg>.train --promote`` of a scaffolded sample logs the run, registers the
model, moves ``production`` only when ``[tool.nb2prod.promotion]`` holds, and the service
serves ``models:/<name>@production``."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nb2prod import __version__
from tests.conftest import SAMPLES
from tests.scaffold.helpers import (
    convert_and_scaffold,
    env_for,
    import_project,
    run_in_project,
    serve,
    wait_ready,
)
from tests.scaffold.mlflow_server import mlflow_server

NAME = "churn_classifier"


def train(project: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_in_project(project, ["-m", f"{NAME}.train", *args], env)


def set_rules(project: Path, *rules: str) -> None:
    """Put ``rules`` into the project's [tool.nb2prod.promotion] table."""
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    head = "[tool.nb2prod.promotion]\n"
    assert head in text
    pyproject.write_text(text.replace(head, head + "".join(r + "\n" for r in rules)))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return convert_and_scaffold(NAME, tmp_path_factory.mktemp("tracked") / NAME)


def test_run_registry_promotion_and_service(project: Path, tmp_path: Path) -> None:
    import mlflow
    from mlflow import MlflowClient

    env = {k: v for k, v in env_for(NAME).items() if k != "MLFLOW_TRACKING_URI"}
    with mlflow_server(tmp_path) as url:
        client = MlflowClient(url)

        # 1. A rule that holds: the run is logged, the model registered and promoted.
        set_rules(project, 'roc_auc = ">= 0.6"')
        first = train(project, "--tracking-uri", url, "--promote", env=env)
        assert first.returncode == 0, first.stdout + first.stderr
        assert f"promoted {NAME} version 1 to @production" in first.stdout
        assert "ok: roc_auc >= 0.6: roc_auc = 0.73" in first.stdout
        saved = json.loads((project / "model" / "metadata.json").read_text())

        production = client.get_model_version_by_alias(NAME, "production")
        assert production.version == "1"
        run = client.get_run(production.run_id)
        assert run.data.metrics["roc_auc"] == pytest.approx(saved["metrics"]["roc_auc"])
        assert run.data.metrics["accuracy"] == pytest.approx(saved["metrics"]["accuracy"])
        settings = {k[len("setting.") :] for k in run.data.params if k.startswith("setting.")}
        assert settings == set(saved["training"]["settings"])
        estimator = {k[len("model.") :] for k in run.data.params if k.startswith("model.")}
        assert estimator and estimator <= set(saved["model"]["params"])
        notebook = (SAMPLES / f"{NAME}.ipynb").read_text(encoding="utf-8")
        tags = run.data.tags
        assert tags["nb2prod.notebook_sha256"] == hashlib.sha256(notebook.encode()).hexdigest()
        assert tags["nb2prod.notebook"] == saved["notebook"]
        assert tags["nb2prod.version"] == __version__
        assert tags["nb2prod.model_version"] == saved["version"]
        assert production.tags["nb2prod.promotion"] == "promoted"
        assert "roc_auc >= 0.6" in production.tags["nb2prod.promotion.reasons"]
        logged = {a.path for a in client.list_artifacts(production.run_id)}
        assert "metadata.json" in logged

        # 2. The registered model takes the service's request: raw records, as training saw.
        import_project(project, NAME)
        mlflow.set_tracking_uri(url)  # sets MLFLOW_TRACKING_URI in os.environ too
        try:
            registered = mlflow.pyfunc.load_model(f"models:/{NAME}@production")
        finally:  # later tests of this process must not track to a stopped server
            mlflow.set_tracking_uri(None)
            assert "MLFLOW_TRACKING_URI" not in os.environ
        inputs = registered.metadata.get_input_schema().input_names()
        raw_columns = {c["name"] for c in saved["records"]["columns"]}
        assert set(inputs) <= raw_columns and "contract" in inputs
        examples = saved["records"]["examples"]
        import pandas as pd

        predicted = registered.predict(pd.DataFrame([e["record"] for e in examples]))
        assert [str(p) for p in predicted] == [str(e["expected"]["prediction"]) for e in examples]

        # 3. A stricter rule refuses the next version and leaves production where it was.
        strict = tmp_path / "strict.toml"
        strict.write_text('[tool.nb2prod.promotion]\nroc_auc = ">= 0.99"\n')
        second = train(
            project, "--tracking-uri", url, "--promote", "--pyproject", str(strict), env=env
        )
        assert second.returncode == 1, second.stdout + second.stderr
        assert f"refused: {NAME} version 2 not promoted (@production stays on version 1)" in (
            second.stdout
        )
        assert "failed: roc_auc >= 0.99: roc_auc = 0.73" in second.stdout
        assert client.get_model_version_by_alias(NAME, "production").version == "1"
        refused = client.get_model_version(NAME, "2")
        assert refused.tags["nb2prod.promotion"] == "refused"
        assert "roc_auc >= 0.99" in refused.tags["nb2prod.promotion.reasons"]
        assert refused.description.startswith("refused (production)")

        # 4. The service serves the aliased version (1), not the last one trained (2).
        log = tmp_path / "service.log"
        service_env = {
            **env,
            "MLFLOW_TRACKING_URI": url,
            f"{NAME.upper()}_MODEL_URI": f"models:/{NAME}@production",
            f"{NAME.upper()}_CALCULATION_LOG_URI": "off",
        }
        import httpx

        with (
            serve(project, NAME, service_env, log) as server,
            httpx.Client(base_url=server.url, timeout=30) as http,
        ):
            ready = wait_ready(http)
            assert ready["registered_model"]["version"] == "1"
            assert ready["registered_model"]["name"] == NAME
            assert ready["model_version"] == saved["version"]
            assert http.get("/model").json()["registry"]["alias"] == "production"
            answer = http.post("/predict", json=examples[0]["record"])
            assert answer.status_code == 200, answer.text
            assert answer.json()["model_version"] == saved["version"]
            assert str(answer.json()["prediction"]) == str(examples[0]["expected"]["prediction"])


def test_a_bad_rule_registers_nothing(project: Path, tmp_path: Path) -> None:
    """A typo in the rules is exit 2 before anything is logged or registered."""
    bad = tmp_path / "bad.toml"
    bad.write_text('[tool.nb2prod.promotion]\nroc_auc = "at least 0.7"\n')
    env = {**env_for(NAME), "MLFLOW_TRACKING_URI": "sqlite:///" + str(tmp_path / "m.db")}
    done = train(
        project, "--promote", "--pyproject", str(bad), "--out", str(tmp_path / "m"), env=env
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "roc_auc = 'at least 0.7': expected a rule" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "m.db").exists()


def test_without_a_server_the_store_is_local(project: Path, tmp_path: Path) -> None:
    """``--track`` without a tracking URI: MLflow's sqlite store in the working folder."""
    from mlflow import MlflowClient

    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in env_for(NAME).items() if k != "MLFLOW_TRACKING_URI"}
    done = subprocess.run(
        [sys.executable, "-m", f"{NAME}.train", "--track", "--out", str(work / "model")],
        cwd=work,
        env={**env, "PYTHONPATH": str(project / "src")},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    store = work / "mlflow.db"
    assert store.is_file()
    assert f"registered {NAME} version 1" in done.stdout
    client = MlflowClient("sqlite:///" + str(store))
    assert client.get_model_version(NAME, "1").tags["nb2prod.package"] == NAME
    assert "production" not in client.get_registered_model(NAME).aliases  # not asked to promote
    assert not os.path.exists(project / "mlflow.db")


def test_rules_decide_as_written(project: Path) -> None:
    """The policy on metric values: thresholds, missing metrics, not worse than production."""
    import_project(project, NAME)
    import importlib

    promotion = importlib.import_module(f"{NAME}.tracking.promotion")
    policy = promotion.parse_policy(
        {"auc": ">= 0.7", "rmse": "< 12.5", "not_worse_than_production": True, "tolerance": 0.01}
    )
    passed, failed = promotion.evaluate(policy, {"auc": 0.75, "rmse": 10.0}, None)
    assert failed == [] and len(passed) == 2
    passed, failed = promotion.evaluate(policy, {"auc": 0.69, "rmse": 10.0}, None)
    assert failed == ["auc >= 0.7: auc = 0.69"]
    passed, failed = promotion.evaluate(policy, {"rmse": 10.0}, None)
    assert failed == ["auc >= 0.7: the run records no auc (it records: rmse)"]
    # not worse than production: auc may drop by the tolerance, rmse may not rise beyond it
    _, failed = promotion.evaluate(
        policy, {"auc": 0.745, "rmse": 10.0}, {"auc": 0.75, "rmse": 10.0}, "3"
    )
    assert failed == []
    _, failed = promotion.evaluate(
        policy, {"auc": 0.73, "rmse": 10.5}, {"auc": 0.75, "rmse": 10.0}, "3"
    )
    assert failed == [
        "auc not worse than production (version 3): 0.73 vs 0.75",
        "rmse not worse than production (version 3): 10.5 vs 10",
    ]
    for bad in ({"auc": "0.7"}, {"auc": 0.7}, {"tolerance": -1}, {"not_worse_than_production": 1}):
        with pytest.raises(promotion.PolicyError):
            promotion.parse_policy(bad)
