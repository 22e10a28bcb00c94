"""Done means: a valid record the model cannot score is answered 422, never 500 nor a null
prediction. The sample project's model is swapped for the notebook's model behind a small
sklearn-style class (a module the test writes, which the service imports) that raises for
one value of a numeric field and answers NaN (a classifier's probabilities, a regressor's
prediction) for two others, one inside the training range and one outside. Served by
uvicorn on a loopback port: each of those inside the range is a 422 ``unscorable_record``
at the record, with the batch job's reason, on a keep-alive connection that stays usable; a
batch says which of its records, and ``unscorable_value`` at the field for the one outside;
the rejected-requests log has them without the values; /metrics counts the 422s; a normal
record is answered as the notebook's model answers it; the server logs no traceback."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.scaffold.helpers import Built, env_for, serve, wait_ready

httpx = pytest.importorskip("httpx")
parser = pytest.importorskip("prometheus_client.parser")

MODULE = "unscorable_service_model"  # the swapped model's module
FAILURE = "ValueError: the model has no answer for this record"
SOURCE = '''"""The notebook's model, except on three values of one field (a test's model)."""

import numpy as np


class Fragile:
    """Raises when a row's ``field`` is ``raises``; answers NaN when it is one of ``nan``."""

    def __init__(self, model, field, raises, nan):
        self.model, self.field, self.raises, self.nan = model, field, raises, list(nan)
        if hasattr(model, "classes_"):
            self.classes_ = model.classes_

    def _nan_rows(self, X):
        values = np.asarray(X[self.field], dtype=float)
        if (values == self.raises).any():
            raise ValueError("the model has no answer for this record")
        return np.isin(values, self.nan)

    def predict(self, X):
        rows = self._nan_rows(X)
        out = np.asarray(self.model.predict(X))
        if out.dtype.kind == "f":  # a regressor's answer
            out = out.copy()
            out[rows] = np.nan
        return out


class FragileClassifier(Fragile):
    """Its probabilities are NaN where :class:`Fragile` answers NaN."""

    def predict_proba(self, X):
        rows = self._nan_rows(X)
        out = np.asarray(self.model.predict_proba(X), dtype=float)
        out[rows] = np.nan
        return out
'''


@dataclass
class Swapped:
    b: Built
    client: Any  # httpx.Client on the running service (one keep-alive connection)
    log_dir: Path
    record: dict[str, Any]  # a training row as a request record
    field: str  # the numeric field the model cannot score some values of
    raises: float  # inside the training range
    nan_near: float  # inside the training range
    nan_far: float  # outside it
    expected: dict[str, Any]  # the notebook's model's answer to ``record``

    def post(self, body: Any, request_id: str) -> Any:
        return self.client.post("/predict", json=body, headers={"X-Request-ID": request_id})


@pytest.fixture(scope="module", params=["classification", "regression"])
def swapped(request, built, tmp_path_factory) -> Iterator[Swapped]:
    b = built(request.param)
    root = tmp_path_factory.mktemp(f"unscorable-{request.param}")
    src = root / "src"  # the service's path: the generated package and the model's module
    src.mkdir()
    (src / b.package).symlink_to(b.project / "src" / b.package, target_is_directory=True)
    (src / f"{MODULE}.py").write_text(SOURCE)
    _, [record] = b.rows([3])
    column = next(c for c in b.metadata["features"]["columns"] if c["kind"] == "number")
    field, low, high = column["name"], column["min"], column["max"]
    raises, near, far = low + (high - low) * 0.3137, low + (high - low) * 0.6173, high + 1000.5
    assert record[field] not in (raises, near, far)
    artifact, scoring = b.module("artifact"), b.module("scoring")
    loaded = artifact.load(b.model_uri)
    original = scoring.LoadedModel(loaded, 10)
    parsed, _ = original.schema.parse(json.dumps(record).encode())
    [expected] = original.predict(parsed)[0]
    sys.path.insert(0, str(src))
    try:
        module = __import__(MODULE)
        wrapper = module.FragileClassifier if original.kind == "classifier" else module.Fragile
        saved_by_save = {"format", "version", "created_at", "sha256"}  # the model's own
        kept = {k: v for k, v in loaded.metadata.items() if k not in saved_by_save}
        model = str(root / "model")
        fragile = wrapper(loaded.model, field, raises, [near, far])
        artifact.save(fragile, kept, model, loaded.features_state)
    finally:
        sys.path.remove(str(src))
        sys.modules.pop(MODULE, None)
    prefix = b.package.upper() + "_"
    env = env_for(
        b.package,
        **{
            prefix + "MODEL_URI": model,
            prefix + "CALCULATION_LOG_URI": str(root / "calculations"),
            prefix + "CALCULATION_LOG_SECONDS": "0.2",
        },
    )
    with (
        serve(root, b.package, env, root / "server.log") as server,
        httpx.Client(base_url=server.url, timeout=60) as client,
    ):
        wait_ready(client)
        yield Swapped(b, client, root / "calculations", record, field, raises, near, far, expected)
        log = (root / "server.log").read_text(errors="replace")
        assert "Traceback" not in log and "prediction failed" not in log, log[-3000:]


def _port(answer: Any) -> int:
    """The client's port of the connection ``answer`` came over."""
    return answer.extensions["network_stream"].get_extra_info("socket").getsockname()[1]


def _answered_as_the_notebook_model(s: Swapped, answer: Any) -> None:
    """``answer`` is 200 with the unswapped model's prediction and scores for ``s.record``."""
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["prediction"], body["scores"]) == (s.expected["prediction"], s.expected["scores"])
    assert body["prediction"] is not None and "out_of_range" not in body


def _still_usable(s: Swapped, answer: Any) -> None:
    """A good request right after ``answer`` is answered 200 over the same connection."""
    good = s.post(s.record, "good-after")
    _answered_as_the_notebook_model(s, good)
    assert _port(good) == _port(answer), "the connection was dropped after the error"


def _requests_422(client: Any) -> float:
    samples = parser.text_string_to_metric_families(client.get("/metrics").text)
    return sum(
        sample.value
        for family in samples
        for sample in family.samples
        if sample.name == "http_requests_total"
        and sample.labels.get("route") == "/predict"
        and sample.labels.get("status") == "422"
    )


def test_a_record_the_model_cannot_score_is_422_at_the_record(swapped):
    s = swapped
    _answered_as_the_notebook_model(s, s.post(s.record, "good-before"))
    before = _requests_422(s.client)
    for value, reason in ((s.raises, FAILURE), (s.nan_near, "its answer is not a finite number")):
        answer = s.post({**s.record, s.field: value}, f"bad-{value}")
        assert answer.status_code == 422, answer.text
        [error] = answer.json()["detail"]
        assert error == {
            "type": "unscorable_record",
            "loc": ["body"],
            "msg": f"the model cannot score this record ({reason})",  # the batch job's text
            "input": None,
        }
        _still_usable(s, answer)
    assert _requests_422(s.client) - before == 2


def test_a_batch_says_which_records_the_model_cannot_score(swapped):
    s = swapped
    records = [
        s.record,
        {**s.record, s.field: s.raises},
        s.record,
        {**s.record, s.field: s.nan_far},
        {**s.record, s.field: s.nan_near},
    ]
    answer = s.post(records, "bad-batch")
    assert answer.status_code == 422, answer.text
    errors = answer.json()["detail"]
    assert [(e["loc"], e["type"]) for e in errors] == [
        (["body", 1], "unscorable_record"),
        (["body", 3, s.field], "unscorable_value"),
        (["body", 4], "unscorable_record"),
    ]
    assert errors[0]["msg"] == f"the model cannot score this record ({FAILURE})"
    assert errors[1]["msg"].startswith("the model cannot score this value, outside the range")
    assert errors[1]["msg"].endswith("(its answer is not a finite number)")
    assert errors[1]["input"] == s.nan_far and errors[2]["input"] is None
    _still_usable(s, answer)
    answer = s.post([s.record, s.record], "good-batch")  # a batch of good records: answered
    assert answer.status_code == 200, answer.text
    for one in answer.json()["predictions"]:  # in a batch, alike but for the last bits
        assert one["prediction"] == pytest.approx(s.expected["prediction"], rel=1e-9)
        assert one["scores"] == pytest.approx(s.expected["scores"], rel=1e-9)


def test_the_rejected_requests_log_has_them_without_the_values(swapped):
    s = swapped
    s.post({**s.record, s.field: s.raises}, "logged-one")
    s.post([s.record, {**s.record, s.field: s.nan_near}], "logged-batch")
    wanted = {"logged-one", "logged-batch"}
    deadline = time.monotonic() + 20
    while True:  # written every 0.2 s
        lines = [
            line
            for path in sorted((s.log_dir / "_rejected").rglob("*.jsonl"))
            for line in path.read_text().splitlines()
            if json.loads(line)["request_id"] in wanted
        ]
        if len(lines) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    found = {json.loads(line)["request_id"]: json.loads(line) for line in lines}
    assert set(found) == wanted
    assert [(e["loc"], e["type"]) for e in found["logged-one"]["errors"]] == [
        (["body"], "unscorable_record")
    ]
    assert FAILURE in found["logged-one"]["errors"][0]["msg"]
    assert [(e["loc"], e["type"]) for e in found["logged-batch"]["errors"]] == [
        (["body", 1], "unscorable_record")
    ]
    for line in lines:
        for value in (s.raises, s.nan_near):
            assert json.dumps(value) not in line and str(value) not in line
