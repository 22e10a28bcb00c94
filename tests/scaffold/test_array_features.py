"""A model trained on a numpy array (no column names): features are named x0..xN, and the
service answers in-process (FastAPI's TestClient) as the model does."""

from __future__ import annotations

import time

import numpy as np
import pytest

from nb2prod.convert import run as convert
from nb2prod.scaffold import run as scaffold
from tests.helpers import from_percent, write
from tests.scaffold.helpers import train_in_process, wait_ready

testclient = pytest.importorskip("fastapi.testclient")

IRIS_LIKE = """# %%
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
# %%
rng = np.random.default_rng(0)
X = np.vstack([rng.normal(0, 1, (30, 3)), rng.normal(2, 1, (30, 3))])
labels = np.array(["small"] * 30 + ["large"] * 30)
# %%
classifier = LogisticRegression().fit(X, labels)
accuracy = accuracy_score(labels, classifier.predict(X))
"""


@pytest.fixture(scope="module")
def array_model(tmp_path_factory):
    root = tmp_path_factory.mktemp("array")
    nb = write(root / "array_classifier.ipynb", from_percent(IRIS_LIKE))
    assert convert(nb, root / "project").exit_code == 0
    assert scaffold(root / "project").exit_code == 0
    return train_in_process(root / "project", "array_classifier", str(root / "model"))


def test_array_features_are_named_x0_to_xn(array_model):
    features = array_model.metadata["features"]
    assert features["input"] == "array" and features["dtype"] == "float64"
    assert [c["name"] for c in features["columns"]] == ["x0", "x1", "x2"]
    assert {c["kind"] for c in features["columns"]} == {"number"}
    assert array_model.metadata["model"]["classes"] == ["large", "small"]
    assert set(array_model.metadata["metrics"]) == {"accuracy"}
    assert 0.5 < array_model.metadata["metrics"]["accuracy"] <= 1.0


def test_the_service_answers_as_the_model(array_model):
    app = array_model.module("service.app")
    config = array_model.module("service.config").ServiceConfig(
        model_uri=array_model.model_uri, calculation_log_uri="off"
    )
    model = array_model.results["classifier"]
    rows = np.asarray(array_model.results["X"])[[0, 31, 45]]
    records = [{f"x{i}": float(v) for i, v in enumerate(row)} for row in rows]
    with testclient.TestClient(app.create_app(config)) as client:
        wait_ready(client)
        body = client.post("/predict", json=records).json()
        assert [p["prediction"] for p in body["predictions"]] == model.predict(rows).tolist()
        proba = model.predict_proba(rows)
        for answer, p in zip(body["predictions"], proba, strict=True):
            assert answer["scores"] == {"large": p[0], "small": p[1]}
        missing = client.post("/predict", json={"x0": 1.0, "x1": 2.0})
        assert missing.status_code == 422
        assert missing.json()["detail"][0]["loc"] == ["body", "x2"]
        schema = client.get("/openapi.json").json()["paths"]["/predict"]["post"]["requestBody"]
        one = schema["content"]["application/json"]["schema"]["oneOf"][0]
        assert one["required"] == ["x0", "x1", "x2"] and one["additionalProperties"] is False


def test_ready_is_503_until_the_model_is_loaded(array_model, tmp_path):
    app = array_model.module("service.app")
    config = array_model.module("service.config").ServiceConfig
    unstarted = testclient.TestClient(app.create_app(config(model_uri=array_model.model_uri)))
    assert unstarted.get("/health").status_code == 200  # alive, but nothing loaded yet
    assert (unstarted.get("/ready").status_code, unstarted.get("/ready").json()) == (
        503,
        {"status": "loading"},
    )
    assert unstarted.post("/predict", json={"x0": 1.0}).status_code == 503
    broken = config(model_uri=str(tmp_path / "nothing-here"), calculation_log_uri="off")
    with testclient.TestClient(app.create_app(broken)) as client:
        deadline = time.monotonic() + 30
        while client.get("/ready").json()["status"] == "loading" and time.monotonic() < deadline:
            time.sleep(0.02)
        answer = client.get("/ready")
        assert answer.status_code == 503 and answer.json()["status"] == "failed"
        assert "nothing-here" in answer.json()["error"]
        assert client.get("/model").status_code == 503
