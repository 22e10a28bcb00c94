"""Done means (issue 6): for a classification and a regression notebook, converted,
scaffolded and trained, the service runs under uvicorn on a loopback port and answers over
real HTTP: predictions equal the model's own on the same rows, bad records get 422 naming
the field, /health /ready /model /metrics answer, the calculation log has one line per
prediction."""

from __future__ import annotations

import time

import pytest

from tests.scaffold.helpers import env_for, serve, wait_ready

httpx = pytest.importorskip("httpx")
parser = pytest.importorskip("prometheus_client.parser")

KINDS = ["classification", "regression"]


@pytest.fixture(scope="module", params=KINDS)
def running(request, built, tmp_path_factory):
    """(built project, httpx client, calculation log folder) with the service running."""
    b = built(request.param)
    root = tmp_path_factory.mktemp(f"serve-{request.param}")
    log_dir = root / "calculations"
    prefix = b.package.upper() + "_"
    env = env_for(
        b.package,
        **{
            prefix + "MODEL_URI": b.model_uri,
            prefix + "CALCULATION_LOG_URI": str(log_dir),
            prefix + "CALCULATION_LOG_SECONDS": "0.2",
        },
    )
    with (
        serve(b.project, b.package, env, root / "server.log") as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        wait_ready(client)
        yield b, client, log_dir


def expected(b, rows) -> list[dict]:
    """The saved model's own answers for ``rows``."""
    model = b.module("artifact").load(b.model_uri).model
    predictions = model.predict(rows).tolist()
    if b.metadata["model"]["kind"] == "classifier":
        classes = [str(c) for c in model.classes_]
        scores = [dict(zip(classes, p, strict=True)) for p in model.predict_proba(rows).tolist()]
    else:
        scores = [{"prediction": p} for p in predictions]
    return [{"prediction": p, "scores": s} for p, s in zip(predictions, scores, strict=True)]


def test_kind_is_decided_at_train_time(running):
    b, _, _ = running
    kind = b.metadata["model"]["kind"]
    assert (
        kind
        == {"churn_classifier": "classifier", "delivery_time_regression": "regressor"}[b.package]
    )
    assert (b.metadata["model"].get("classes") == [0, 1]) == (kind == "classifier")


def test_health_ready_and_model(running):
    b, client, _ = running
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "model_version": b.metadata["version"]}
    assert client.get("/model").json() == b.metadata


def test_one_record_at_a_time_equals_the_model(running):
    b, client, _ = running
    rows, records = b.rows([0, 7, 42])
    for record, want in zip(records, expected(b, rows), strict=True):
        answer = client.post("/predict", json=record)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["prediction"] == want["prediction"]
        # One row through the model is not bit-for-bit the same row inside a batch (BLAS
        # blocking): the last digits may differ.
        assert body["scores"] == pytest.approx(want["scores"], rel=1e-9, abs=1e-12)
        assert body["model_version"] == b.metadata["version"]
        assert body["request_id"] == answer.headers["x-request-id"] and body["request_id"]


def test_a_batch_equals_the_model(running):
    b, client, _ = running
    positions = list(range(0, 75, 3))
    rows, records = b.rows(positions)
    answer = client.post("/predict", json=records, headers={"X-Request-ID": "batch-of-25"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["request_id"] == "batch-of-25"
    assert body["model_version"] == b.metadata["version"]
    want = expected(b, rows)
    assert [p["prediction"] for p in body["predictions"]] == [w["prediction"] for w in want]
    for got, w in zip(body["predictions"], want, strict=True):
        assert got.keys() == w.keys()
        assert got["scores"] == pytest.approx(w["scores"], rel=1e-9, abs=1e-12)


def _detail(answer) -> list[dict]:
    assert answer.status_code == 422, answer.text
    return answer.json()["detail"]


def test_a_missing_field_is_422_naming_it(running):
    b, client, _ = running
    _, [record] = b.rows([3])
    name = b.metadata["features"]["columns"][-1]["name"]
    del record[name]
    [error] = _detail(client.post("/predict", json=record))
    assert error["loc"] == ["body", name]
    assert (error["type"], error["msg"]) == ("missing", "Field required")


def test_a_wrong_type_is_422_naming_the_field(running):
    b, client, _ = running
    _, [record] = b.rows([3])
    number = next(c["name"] for c in b.metadata["features"]["columns"] if c["kind"] == "number")
    [error] = _detail(client.post("/predict", json={**record, number: "12.5"}))  # strict
    assert error["loc"] == ["body", number] and error["type"] == "float_type"
    integer = next(c["name"] for c in b.metadata["features"]["columns"] if c["kind"] == "integer")
    [error] = _detail(client.post("/predict", json={**record, integer: 2.5}))
    assert error["loc"] == ["body", integer] and error["type"] == "int_type"


def test_an_unknown_category_is_422_naming_the_field_and_the_allowed_values(running):
    b, client, _ = running
    _, [record] = b.rows([3])
    column = next(c for c in b.metadata["features"]["columns"] if c["kind"] == "category")
    [error] = _detail(client.post("/predict", json={**record, column["name"]: "teleport"}))
    assert error["loc"] == ["body", column["name"]] and error["type"] == "literal_error"
    assert all(f"'{value}'" in error["msg"] for value in column["categories"])


def test_extra_fields_and_bad_records_in_a_batch_are_422(running):
    b, client, _ = running
    _, records = b.rows([1, 2])
    [error] = _detail(client.post("/predict", json={**records[0], "customer_id": "C1"}))
    assert error["loc"] == ["body", "customer_id"] and error["type"] == "extra_forbidden"
    name = next(iter(records[1]))
    del records[1][name]
    [error] = _detail(client.post("/predict", json=records))
    assert error["loc"] == ["body", 1, name]
    assert _detail(client.post("/predict", content=b"{not json"))[0]["type"] == "json_invalid"


def _samples(client) -> dict[tuple[str, tuple], float]:
    text = client.get("/metrics").text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in parser.text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_count_requests_and_the_prediction_distribution(running):
    b, client, _ = running
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    before = _samples(client)
    rows, records = b.rows(list(range(10, 30)))
    for record in records[:4]:
        assert client.post("/predict", json=record).status_code == 200
    assert client.post("/predict", json=records[4:]).status_code == 200
    after = _samples(client)

    def delta(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    ok = {"method": "POST", "route": "/predict", "status": "200"}
    assert delta("http_requests_total", **ok) == 5
    assert delta("http_request_duration_seconds_count", method="POST", route="/predict") == 5
    assert delta("model_predicted_rows_total") == 20
    predictions = [a["prediction"] for a in expected(b, rows)]
    if b.metadata["model"]["kind"] == "classifier":
        for label in ("0", "1"):
            count = sum(str(p) == label for p in predictions)
            assert delta("model_predictions_total", **{"class": label}) == count
    else:
        assert delta("model_prediction_value_count") == 20
        assert delta("model_prediction_value_sum") == pytest.approx(sum(predictions))
    version = (("kind", b.metadata["model"]["kind"]), ("version", b.metadata["version"]))
    assert after[("model_info", version)] == 1


def test_the_calculation_log_has_one_line_per_prediction(running):
    b, client, log_dir = running
    read_calculations = b.module("service.calculation_log").read_calculations
    rows, records = b.rows([5, 6, 7, 8])
    single = client.post("/predict", json=records[0], headers={"X-Request-ID": "log-one"})
    batch = client.post("/predict", json=records[1:], headers={"X-Request-ID": "log-batch"})
    assert single.status_code == batch.status_code == 200
    deadline = time.monotonic() + 20
    while True:  # written every 0.2 s
        log = read_calculations(str(log_dir))
        mine = log[log["request_id"].isin(["log-one", "log-batch"])] if len(log) else log
        if len(mine) >= 4 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert list(mine["request_id"]) == ["log-one", "log-batch", "log-batch", "log-batch"]
    assert list(mine["row"]) == [0, 0, 1, 2]
    assert set(mine["model_version"]) == {b.metadata["version"]}
    answers = [single.json()] + batch.json()["predictions"]
    assert list(mine["prediction"]) == [a["prediction"] for a in answers]
    for name in records[0]:
        assert list(mine[f"inputs.{name}"]) == [r[name] for r in records]
    score_keys = sorted(answers[0]["scores"])
    for key in score_keys:
        assert list(mine[f"scores.{key}"]) == [a["scores"][key] for a in answers]
    assert (mine["latency_ms"] > 0).all()
    assert mine["timestamp"].notna().all()
    assert len(log) == len(log.drop_duplicates(["request_id", "row"]))  # no line twice
