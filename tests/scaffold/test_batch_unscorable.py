"""Done means: the batch job rejects the records the model cannot score, as the service
refuses them, and answers every other record as it would without them. The classification
sample project's model is swapped for the notebook's model behind a small sklearn-style
class (a module the test writes; the job's process and the Dask workers import it) that
raises for one monthly charge, and answers NaN probabilities for two others, one outside
the training range and one inside. The job runs on a real Dask cluster (the scheduler and
two worker processes of test_batch.py) from S3 (moto) to S3, on the records with and
without those three: the three are rejected (stage model, the service's 422 reason for the
two outside the range, ``unscorable_record`` for the third, as the service answers it), every
other row's answer and calculation log line are those of the run without them, the summary
and ``<log>/_batch_rejected/`` count them, the dashboard shows them by stage, and the run
succeeds."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fix.conftest import s3_client, s3_env
from tests.scaffold.test_batch import BUCKET, _s3_lines, _s3_parquet
from tests.scaffold.test_batch import cluster as cluster  # noqa: F401 - the fixture, reused

pd = pytest.importorskip("pandas")
testclient = pytest.importorskip("fastapi.testclient")

MODULE = "unscorable_churn_model"  # the swapped model's module
FIELD = "monthly_charges"  # trained on 19.0 to 120.0
RAISES, NAN_FAR, NAN_NEAR = 1e6, 2e6, 77.7777  # the charges it cannot score
SOURCE = f'''"""The churn notebook's classifier, except on three monthly charges (a test's model)."""

import numpy as np


class Fragile:
    """Raises for a charge of {RAISES:g}; NaN probabilities for {NAN_FAR:g} and {NAN_NEAR}."""

    def __init__(self, model):
        self.model = model
        self.classes_ = model.classes_

    def _charges(self, X):
        charges = np.asarray(X["{FIELD}"], dtype=float)
        if (charges == {RAISES!r}).any():
            raise ValueError("no tariff charges {RAISES:g} a month")
        return charges

    def predict(self, X):
        self._charges(X)
        return self.model.predict(X)

    def predict_proba(self, X):
        charges = self._charges(X)
        out = np.asarray(self.model.predict_proba(X), dtype=float)
        out[np.isin(charges, [{NAN_FAR!r}, {NAN_NEAR!r}])] = np.nan
        return out
'''
BAD = {0: [(30, RAISES), (60, NAN_FAR)], 1: [(40, NAN_NEAR)]}  # partition: (row, charge)


@pytest.fixture(scope="module")
def swapped(built, cluster, tmp_path_factory) -> Iterator[tuple[Any, Path, Path]]:  # noqa: F811
    """(the classification project, its swapped model's folder, the model module's folder):
    the module is sent to the cluster's workers and put on this process's path."""
    gen = built("classification")
    folder = tmp_path_factory.mktemp("model-module")
    (folder / f"{MODULE}.py").write_text(SOURCE)
    sys.path.insert(0, str(folder))
    try:
        fragile = __import__(MODULE).Fragile
        artifact = gen.module("artifact")
        loaded = artifact.load(gen.model_uri)
        saved_by_save = {"format", "version", "created_at", "sha256"}  # the model's own
        kept = {k: v for k, v in loaded.metadata.items() if k not in saved_by_save}
        model = tmp_path_factory.mktemp("swapped") / "model"
        artifact.save(fragile(loaded.model), kept, str(model))
        cluster.client.upload_file(str(folder / f"{MODULE}.py"))
        yield gen, model, folder
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop(MODULE, None)


def _upload(s3c: Any, prefix: str, folder: Path) -> None:
    for path in sorted(folder.iterdir()):
        s3c.put_object(Bucket=BUCKET, Key=f"{prefix}/{path.name}", Body=path.read_bytes())


def _job(gen: Any, prefix: str, s3: str, address: str, modules: Path) -> tuple[str, dict[str, Any]]:
    """Run the batch job on ``<prefix>/input`` to ``<prefix>/out`` (the model module on its
    path): (what it printed, its summary)."""
    args = [sys.executable, "-m", f"{gen.package}.batch", "--scheduler", address, "--quiet"]
    args += ["--input", f"s3://{BUCKET}/{prefix}/input", "--output", f"s3://{BUCKET}/{prefix}/out"]
    args += ["--model", f"s3://{BUCKET}/unscorable/model"]
    path = os.pathsep.join([str(gen.project / "src"), str(modules)])
    env = {**s3_env(s3), "PYTHONPATH": path, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    done = subprocess.run(
        args, cwd=gen.project, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary = s3_client(s3).get_object(Bucket=BUCKET, Key=f"{prefix}/out/_summary.json")
    return done.stdout, json.loads(summary["Body"].read())


def test_records_the_model_cannot_score_are_rejected_as_the_service_refuses_them(
    swapped, cluster, s3, tmp_path, monkeypatch
):
    gen, model, modules = swapped
    _, records = gen.rows(list(range(180)))
    files = {0: records[:90], 1: records[90:]}
    with_bad: dict[int, list[dict[str, Any]]] = {p: list(rows) for p, rows in files.items()}
    bad: list[dict[str, Any]] = []
    for partition, marked in BAD.items():
        for row, charge in marked:  # in row order: each lands at its row
            record = {**with_bad[partition][row], FIELD: charge}
            with_bad[partition].insert(row, record)
            bad.append(record)
    s3c = s3_client(s3)
    with contextlib.suppress(s3c.exceptions.BucketAlreadyOwnedByYou):
        s3c.create_bucket(Bucket=BUCKET)
    _upload(s3c, "unscorable/model", model)
    for name, parts in (("clean", files), ("bad", with_bad)):
        for partition, rows in parts.items():
            body = pd.DataFrame(rows).to_csv(index=False).encode()
            key = f"unscorable/{name}/input/part-{partition}.csv"
            s3c.put_object(Bucket=BUCKET, Key=key, Body=body)
    _, clean = _job(gen, "unscorable/clean", s3, cluster.address, modules)
    printed, summary = _job(gen, "unscorable/bad", s3, cluster.address, modules)

    # the run succeeds and counts the three, by stage
    assert (clean["rows"], clean["scored"], clean["rejected"]) == (180, 180, 0)
    assert (summary["rows"], summary["scored"], summary["rejected"]) == (183, 180, 3)
    assert summary["rejected_by"] == {"schema": 0, "features": 0, "model": 3}
    assert "model 3)" in printed, printed
    assert summary["workers"] == 2 and summary["partitions"] == 2

    # every other row: the answer of the run without the three
    answers = _s3_parquet(s3c, "unscorable/bad/out/part-")
    expected = _s3_parquet(s3c, "unscorable/clean/out/part-")
    others = {  # the rows of each partition that are no bad record, in order
        p: [r for r in range(len(rows)) if r not in {b for b, _ in BAD[p]}]
        for p, rows in with_bad.items()
    }
    where = zip(expected["partition"], expected["row"], strict=True)
    assert list(answers["row"]) == [others[p][r] for p, r in where]
    pd.testing.assert_frame_equal(
        answers.drop(columns=["row"]), expected.drop(columns=["row"]), check_exact=True
    )
    assert answers["score_1"].notna().all() and answers["prediction"].notna().all()

    # the three in the rejects: stage model, the service's reason for the record alone
    rejects = _s3_parquet(s3c, "unscorable/bad/out/_rejects/")
    assert [(p, r) for p, r in zip(rejects["partition"], rejects["row"], strict=True)] == [
        (p, r) for p, marked in BAD.items() for r, _ in marked
    ]
    assert set(rejects["stage"]) == {"model"}
    assert [json.loads(r)[FIELD] for r in rejects["record"]] == [RAISES, NAN_FAR, NAN_NEAR]
    service = _service(gen, model, bad)
    assert [status for status, _ in service] == [422, 422, 422]
    [third] = service[2][1]
    assert third["type"] == "unscorable_record" and third["msg"] in rejects["reason"][2]
    for (_, errors), reason in zip(service[:2], rejects["reason"][:2], strict=True):
        [error] = errors
        assert error["loc"] == ["body", FIELD] and error["type"] == "unscorable_value"
        assert reason == f"{FIELD}: {error['msg']}"
    assert "ValueError: no tariff charges 1e+06 a month" in rejects["reason"][0]
    assert rejects["reason"][1].endswith("(its answer is not a finite number)")
    assert rejects["reason"][2] == (
        "the model cannot score this record (its answer is not a finite number)"
    )

    # the calculation log: the lines of the run without the three
    keys = ("inputs", "scores", "prediction", "model_version", "out_of_range")
    lines = _s3_lines(s3c, "unscorable/bad/out/_calculations/")
    alone = _s3_lines(s3c, "unscorable/clean/out/_calculations/")
    assert len(lines) == len(alone) == 180
    assert [[line.get(k) for k in keys] for line in lines] == [
        [line.get(k) for k in keys] for line in alone
    ]
    assert all(line["inputs"][FIELD] not in (RAISES, NAN_FAR, NAN_NEAR) for line in lines)

    # <log>/_batch_rejected/: one line per partition, by stage, field and error
    listed = s3c.list_objects_v2(
        Bucket=BUCKET, Prefix="unscorable/bad/out/_calculations/_batch_rejected/"
    )
    counted = [
        json.loads(s3c.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read())
        for o in sorted(listed["Contents"], key=lambda o: o["Key"])
    ]
    assert sorted((c["partition"], c["rows"], c["rejected"]) for c in counted) == [
        (0, 92, 2),
        (1, 91, 1),
    ]
    reasons = {
        (r["stage"], r["field"], r["type"]): r["count"] for c in counted for r in c["reasons"]
    }
    assert reasons == {
        ("model", FIELD, "unscorable_value"): 2,
        ("model", "(record)", "unscorable_record"): 1,
    }

    # the dashboard shows them by stage, field and error
    for name, value in s3_env(s3).items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    summary_module = gen.module("dashboard.summary")
    log_uri = f"s3://{BUCKET}/unscorable/bad/out/_calculations"
    shown = summary_module.dashboard_data(log_uri, gen.metadata)["batch_rejections"]
    assert (shown["records"], shown["runs"]) == (3, 1)
    assert [(r["stage"], r["field"], r["type"], r["count"]) for r in shown["reasons"]] == [
        ("model", FIELD, "unscorable_value", 2),
        ("model", "(record)", "unscorable_record", 1),
    ]
    page = gen.module("dashboard.batch_rejects").section(shown)
    table = page.split('id="batch-rejection-reasons"')[1].split("</table>")[0]
    assert table.count("<td>model</td>") == 2 and f"<td>{FIELD}</td>" in table
    assert "unscorable_record" in table and "its answer is not a finite number" in table


def _service(gen: Any, model: Path, records: list[dict[str, Any]]) -> list[tuple[int, Any]]:
    """The service's status and 422 errors for each record sent alone (the swapped model)."""
    config = gen.module("service.config")
    app = gen.module("service.app")
    settings = config.ServiceConfig(model_uri=str(model), calculation_log_uri="off")
    out = []
    with testclient.TestClient(app.create_app(settings), raise_server_exceptions=False) as http:
        deadline = time.monotonic() + 60
        while http.get("/ready").status_code != 200:
            assert time.monotonic() < deadline, http.get("/ready").text
            time.sleep(0.05)
        for record in records:
            answer = http.post("/predict", json=record)
            detail = answer.json().get("detail")
            out.append((answer.status_code, detail if answer.status_code == 422 else None))
    return out
