"""The service, the batch job and the dashboard tell one story, on the sample regression
project (the service takes the model's input): a record with values outside the training
range gets the same ``out_of_range`` flags by HTTP and from the batch job (its Parquet row
and its calculation log line, as the service's); the dashboard (``/dashboard/data`` and the
page) counts the batch job's rejected records by stage, field and error, and the requests
answered 413, which are logged without their body."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("dask.dataframe")
pytest.importorskip("pyarrow")
testclient = pytest.importorskip("fastapi.testclient")

LIMIT = 64 * 1024  # the service's MAX_BODY_BYTES in this test
MARKER = "body-never-logged"


@pytest.fixture(scope="module")
def gen(built):
    """The regression sample project, converted, scaffolded and trained."""
    return built("regression")


def _ranged(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """The numeric columns whose training range the metadata holds."""
    return [
        c
        for c in metadata["features"]["columns"]
        if c["kind"] in ("number", "integer")
        and not c.get("categories")
        and all(isinstance(c.get(k), int | float) for k in ("min", "max"))
    ]


def _beyond(column: dict[str, Any], above: bool) -> Any:
    """A value outside the column's training range (above its max, or below its min)."""
    span = max(column["max"] - column["min"], 1)
    value = column["max"] + span + 0.5 if above else column["min"] - span - 0.5
    return round(value) if column["kind"] == "integer" else value


def _lines(folder: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in sorted(folder.rglob("*.jsonl"))
        for line in path.read_text().splitlines()
        if line.strip()
    ]


def test_batch_rows_are_flagged_as_the_service_and_the_dashboard_counts_every_rejection(
    gen, tmp_path
):
    config = gen.module("service.config")
    app = gen.module("service.app")
    job = gen.module("batch.job")
    ranged = _ranged(gen.metadata)
    assert len(ranged) >= 2, gen.metadata["features"]["columns"]
    first, second = ranged[0], ranged[1]
    _, records = gen.rows([0, 1, 2])
    far = {
        **records[0],
        first["name"]: _beyond(first, True),
        second["name"]: _beyond(second, False),
    }
    bad = {**records[2], first["name"]: "not a number"}
    log = tmp_path / "log"
    settings = config.ServiceConfig(
        model_uri=gen.model_uri, calculation_log_uri=str(log), max_body_bytes=LIMIT
    )
    with testclient.TestClient(app.create_app(settings)) as http:
        deadline = time.monotonic() + 60
        while http.get("/ready").status_code != 200:
            assert time.monotonic() < deadline, http.get("/ready").text
            time.sleep(0.05)

        # by HTTP: the flags of the record outside the training range
        answer = http.post("/predict", json=[far, records[1]], headers={"x-request-id": "http"})
        assert answer.status_code == 200, answer.text
        flagged, plain = answer.json()["predictions"]
        flags = flagged["out_of_range"]
        assert [f["field"] for f in flags] == [first["name"], second["name"]]
        assert flags[0]["value"] > first["max"] and flags[1]["value"] < second["min"]
        assert "out_of_range" not in plain

        # rejected requests: a 422, and two 413s (declared length, chunked body)
        assert http.post("/predict", json=bad).status_code == 422
        big = json.dumps([{MARKER: "x" * LIMIT}]).encode()
        headers = {"content-type": "application/json", "x-request-id": "too-big"}
        assert http.post("/predict", content=big, headers=headers).status_code == 413
        pieces = (big[i : i + 8192] for i in range(0, len(big), 8192))
        assert http.post("/predict", content=pieces).status_code == 413
        assert http.get("/health").status_code == 200  # no rejection

        # by the batch job, into the same log: the same records, and one the schema refuses
        source = tmp_path / "input" / "records.csv"
        source.parent.mkdir()
        pd.DataFrame([far, records[1], records[2], bad]).to_csv(source, index=False)
        out = tmp_path / "out"
        options = job.Options(
            input=str(source),
            output=str(out),
            model_uri=gen.model_uri,
            calculation_log=str(log),
            scheduler="synchronous",
        )
        options.progress = False
        summary = job.run(options)
        assert (summary["rows"], summary["scored"], summary["rejected"]) == (4, 3, 1)
        assert summary["out_of_range"] == 1

        data = http.get("/dashboard/data").json()
        page = http.get("/dashboard").text

    # the batch job's rows carry the service's flags, as JSON text (null when none)
    answers = pd.read_parquet(out).sort_values("row", ignore_index=True)
    assert list(answers["row"]) == [0, 1, 2]
    assert json.loads(answers["out_of_range"][0]) == flags
    assert answers["out_of_range"][1:].isna().all()
    assert answers["prediction"][0] == pytest.approx(flagged["prediction"], rel=1e-12)

    # and so do their calculation log lines, as the service's line of the same record
    lines = [line for line in _lines(log) if line.get("row") == 0]
    by_source = {line["request_id"].startswith("batch-"): line for line in lines}
    assert set(by_source) == {True, False}, lines
    assert by_source[True]["out_of_range"] == by_source[False]["out_of_range"] == flags
    assert by_source[True]["inputs"] == by_source[False]["inputs"]
    assert all("out_of_range" not in line for line in _lines(log) if line.get("row") == 1)

    # the dashboard counts the 422 and both 413s, logged without their body
    rejected = data["rejections"]
    assert rejected["requests"] == 3
    reasons = {(r["field"], r["type"]): r["count"] for r in rejected["reasons"]}
    assert reasons.pop(("(record)", "body_too_large")) == 2
    [(field, kind)] = reasons  # the 422
    assert field == first["name"] and reasons[(field, kind)] == 1
    logged = (log / "_rejected").rglob("*.jsonl")
    text = "".join(path.read_text() for path in logged)
    assert '"too-big"' in text and MARKER not in text and "xxxx" not in text

    # and the batch job's rejected record, by stage, field and error, with its run
    batch = data["batch_rejections"]
    assert (batch["records"], batch["runs"]) == (1, 1)
    [reason] = batch["reasons"]
    assert (reason["stage"], reason["field"], reason["count"]) == ("schema", first["name"], 1)
    assert reason["type"] == kind  # the service's error for the same value
    [run] = batch["latest_runs"]
    assert run["run_id"] == summary["run_id"] and run["rejects"] == summary["rejects"]
    assert sum(n for _, n in batch["per_period"]) == 1
    assert data["traffic"]["sources"] == {"service": 2, "batch": 3}
    assert 'id="batch-rejected-records">1<' in page
    assert f"<td>{first['name']}</td>" in page.split('id="batch-rejection-reasons"')[1]
    assert "body_too_large" in page.split('id="rejection-reasons"')[1]
