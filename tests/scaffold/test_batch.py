"""Done means (issue 13): `python -m <pkg>.batch` scores the raw records of the realistic
notebooks (raw_notebooks/) on a real Dask cluster (a scheduler and two worker processes on
loopback, started by the `dask` CLI, without the package: the job sends it), reading CSV
from and writing Parquet to an S3 API server (moto) on loopback. Its answers equal the
service's for the same records, and the single-process run's; the notebook's held-out rows
get the notebook model's scores; records the schema or the feature code refuses are in the
rejects with the reason, every input row comes out exactly once, the calculation log lines
are the service's (``out_of_range`` flags too), and the dashboard reads the rejects' counts
from the log on S3. A worker killed in the middle of a run loses and duplicates no row."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fix.conftest import s3_client, s3_env
from tests.scaffold.helpers import import_project
from tests.scaffold.raw_notebooks import make_pipeline, make_reviews, make_telco, make_titanic

pd = pytest.importorskip("pandas")
pq = pytest.importorskip("pyarrow.parquet")
pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pytest.importorskip("moto.server")
testclient = pytest.importorskip("fastapi.testclient")

BUCKET = "batch-scoring"
DASK = str(Path(sys.executable).with_name("dask"))
KINDS = {  # generator, data file, the id field the service is asked for
    "telco": (make_telco, "customers.csv", "customer_id"),
    "titanic": (make_titanic, "passengers.csv", "PassengerId"),
    "reviews": (make_reviews, "reviews.csv", "review_id"),
    "pipeline": (make_pipeline, "loans.csv", "loan_id"),
}
LOG_KEYS = {"timestamp", "request_id", "row", "model_version", "inputs", "scores"}
LOG_KEYS |= {"prediction", "latency_ms", "id", "features"}


@contextlib.contextmanager
def _process(args: list[str], log: Path, env: dict[str, str], cwd: Path) -> Iterator[Any]:
    with log.open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for(pattern: str, log: Path, process: Any, timeout: float = 60) -> re.Match:
    deadline = time.monotonic() + timeout
    while True:
        found = re.search(pattern, log.read_text(errors="replace"))
        if found:
            return found
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{log.name}:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.05)


@dataclass
class Cluster:
    address: str
    client: Any  # a distributed.Client of the test process
    env: dict[str, str]
    root: Path
    workers: list[Any]

    @contextlib.contextmanager
    def worker(self, name: str) -> Iterator[tuple[Any, str]]:
        """One more worker process (no nanny: killing it kills the worker), and its address."""
        args = [DASK, "worker", self.address, "--nthreads", "1", "--no-nanny", "--no-dashboard"]
        args += ["--host", "127.0.0.1", "--name", name, "--local-directory", str(self.root / name)]
        log = self.root / f"{name}.log"
        with _process(args, log, self.env, self.root) as process:
            _wait_for(r"Registered to:", log, process)
            address = _wait_for(r"Start worker at:\s+(tcp://\S+)", log, process).group(1)
            yield process, address


def _worker_env(s3: str) -> dict[str, str]:
    return {k: v for k, v in s3_env(s3, OMP_NUM_THREADS="1").items() if k != "PYTHONPATH"}


@pytest.fixture(scope="module")
def cluster(s3, tmp_path_factory) -> Iterator[Cluster]:
    """A scheduler and two worker processes on loopback, without the projects' packages on
    their path, and with the S3 server's credentials."""
    root, env = tmp_path_factory.mktemp("dask"), _worker_env(s3)
    log = root / "scheduler.log"
    args = [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
    with _process(args, log, env, root) as scheduler:
        address = _wait_for(r"Scheduler at:\s+(tcp://127\.0\.0\.1:\d+)", log, scheduler).group(1)
        with distributed.Client(address, timeout=30) as client, contextlib.ExitStack() as stack:
            running = Cluster(address, client, env, root, [])
            for i in range(2):
                running.workers.append(stack.enter_context(running.worker(f"worker-{i}")))
            client.wait_for_workers(2, timeout=60)
            yield running


@dataclass
class Project:
    kind: str
    package: str
    path: Path
    model: Path
    metadata: dict[str, Any]
    data: Path  # the notebook's data file


_BUILT: dict[str, Project] = {}


def _build(kind: str, tmp_path_factory: Any) -> Project:
    """The notebook ``kind`` converted with the service and trained (once per process)."""
    from nb2prod.convert import run as convert
    from nb2prod.project.service import ServiceRequest

    if kind in _BUILT:
        return _BUILT[kind]
    make, data, id_field = KINDS[kind]
    root = tmp_path_factory.mktemp(kind)
    nb = make.make(root / "analysis")
    converted = convert(nb, root / "project", service=ServiceRequest(id_field=id_field))
    assert converted.exit_code == 0, (converted.error, converted.findings)
    model = root / "model"
    _run(
        [sys.executable, "-m", f"{converted.package}.train", "--out", str(model)], root / "project"
    )
    metadata = json.loads((model / "metadata.json").read_text())
    assert metadata["records"]["replayable"] is True
    built = Project(
        kind, converted.package, root / "project", model, metadata, nb.parent / "data" / data
    )
    _BUILT[kind] = built
    return built


@pytest.fixture(scope="module", params=list(KINDS))
def project(request, tmp_path_factory) -> Project:
    return _build(request.param, tmp_path_factory)


def _run(
    args: list[str], project: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> str:
    env = {**(env or os.environ), "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    done = subprocess.run(
        args,
        cwd=project,
        env={**env, "PYTHONPATH": str(project / "src")},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def _bad_rows(p: Project, frame: Any) -> tuple[list[dict[str, Any]], dict[Any, str]]:
    """Rows the service refuses (a copy of the first row, one field changed, a new id), and
    the stage that refuses each: a wrong type, an unknown category, a required field left
    empty; for the notebook that filters rows, a row its code drops."""
    records = p.metadata["records"]
    id_field = records["id_field"]
    columns = {c["name"]: c for c in records["columns"]}
    required = [columns[n] for n in records["required"]]
    changes: list[tuple[str, Any, str]] = []
    present = [columns[n] for n in frame.columns if n in columns and n != id_field]
    numeric = [c for c in required + present if c["kind"] in ("number", "integer")]
    if numeric:
        changes.append((numeric[0]["name"], "not a number", "schema"))
    categorical = [c for c in required if c.get("categories")]
    if categorical:
        changes.append((categorical[0]["name"], "no-such-category", "schema"))
    not_null = [c for c in required if not c["nullable"]]
    if not_null:
        changes.append((not_null[0]["name"], None, "schema"))
    if p.kind == "reviews":  # the notebook drops rows without a text (dropna)
        changes.append(("text", None, "features"))
    integer_id = columns[id_field]["kind"] == "integer"
    rows, stages = [], {}
    for i, (name, value, stage) in enumerate(changes):
        new_id = int(frame[id_field].max()) + 1 + i if integer_id else f"bad-{i}"
        rows.append({**frame.iloc[0].to_dict(), name: value, id_field: new_id})
        stages[new_id] = stage
    return rows, stages


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def _client_records(p: Project, frame: Any) -> list[dict[str, Any]]:
    """The rows as a client sends them to the service: the record's fields only, typed as
    pandas read them, nulls as null."""
    names = {c["name"] for c in p.metadata["records"]["columns"]}
    keep = [c for c in frame.columns if c in names]
    return [{k: _plain(v) for k, v in row.items()} for row in frame[keep].to_dict("records")]


def _s3_parquet(client: Any, prefix: str) -> Any:
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    keys = sorted(o["Key"] for o in listed if o["Key"].endswith(".parquet"))
    tables = [
        pq.read_table(io.BytesIO(client.get_object(Bucket=BUCKET, Key=k)["Body"].read()))
        for k in keys
    ]
    return pd.concat([t.to_pandas() for t in tables], ignore_index=True) if tables else None


def _s3_lines(client: Any, prefix: str) -> list[dict[str, Any]]:
    """The lines of the log under ``prefix`` (its ``_`` folders left out)."""
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    keys = [o["Key"] for o in listed if o["Key"].endswith(".jsonl")]
    keys = [k for k in keys if not any(d[:1] == "_" for d in k[len(prefix) :].split("/")[:-1])]
    lines = []
    for key in sorted(keys):
        body = client.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
        lines += [json.loads(line) for line in body.splitlines() if line]
    return lines


def _service_answers(
    p: Project, records: list[dict[str, Any]], refusals: list[dict[str, Any]], log: Path
) -> tuple[list[dict[str, Any]], list[int]]:
    """(the service's answers to ``records``, its status codes for each of ``refusals``)."""
    import_project(p.path, p.package)
    app = __import__(f"{p.package}.service.app", fromlist=["create_app"])
    config = __import__(f"{p.package}.service.config", fromlist=["ServiceConfig"])
    settings = config.ServiceConfig(model_uri=str(p.model), calculation_log_uri=str(log))
    answers = []
    with testclient.TestClient(app.create_app(settings)) as http:
        deadline = time.monotonic() + 60
        while http.get("/ready").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        for start in range(0, len(records), 1000):
            answer = http.post("/predict", json=records[start : start + 1000])
            assert answer.status_code == 200, answer.text
            answers += answer.json()["predictions"]
        statuses = [http.post("/predict", json=record).status_code for record in refusals]
    return answers, statuses


def _loads(cluster: Cluster, p: Project) -> dict[str, int]:
    """Worker address -> models its process loaded for the project's batch job."""
    module = f"{p.package}.batch.partition"
    return cluster.client.run(lambda: getattr(sys.modules.get(module), "loads", 0))


def _same_answer(row: Any, answer: dict[str, Any], tolerance: float) -> None:
    assert str(row["prediction"]) == str(answer["prediction"]), (row, answer)
    for name, score in answer["scores"].items():
        assert abs(row[f"score_{name}"] - score) <= tolerance, (name, row, answer)


def test_the_cluster_answers_as_the_service_and_one_process_from_s3_to_s3(
    project, cluster, s3, tmp_path, monkeypatch
):
    p = project
    id_field = p.metadata["records"]["id_field"]
    frame = pd.read_csv(p.data)
    bad, stages = _bad_rows(p, frame)
    rows = pd.concat([frame, pd.DataFrame(bad)], ignore_index=True)
    half = len(rows) // 2
    local_in = tmp_path / "input"
    local_in.mkdir()
    rows.iloc[:half].to_csv(local_in / "part-0.csv", index=False)
    rows.iloc[half:].to_csv(local_in / "part-1.csv", index=False)
    s3c = s3_client(s3)
    with contextlib.suppress(s3c.exceptions.BucketAlreadyOwnedByYou):
        s3c.create_bucket(Bucket=BUCKET)
    for path in sorted(local_in.iterdir()):
        s3c.put_object(Bucket=BUCKET, Key=f"{p.kind}/input/{path.name}", Body=path.read_bytes())
    for path in sorted(p.model.iterdir()):
        s3c.put_object(Bucket=BUCKET, Key=f"{p.kind}/model/{path.name}", Body=path.read_bytes())

    args = [sys.executable, "-m", f"{p.package}.batch", "--blocksize", "4KiB"]
    args += ["--input", f"s3://{BUCKET}/{p.kind}/input/", "--output", f"s3://{BUCKET}/{p.kind}/out"]
    args += ["--model", f"s3://{BUCKET}/{p.kind}/model", "--scheduler", cluster.address]
    before = _loads(cluster, p)
    printed = _run(args, p.path, env=s3_env(s3))
    assert f"{len(rows):,} rows in" in printed, printed
    out = _s3_parquet(s3c, f"{p.kind}/out/part-")
    rejects = _s3_parquet(s3c, f"{p.kind}/out/_rejects/")
    summary = json.loads(
        s3c.get_object(Bucket=BUCKET, Key=f"{p.kind}/out/_summary.json")["Body"].read()
    )
    assert summary["partitions"] > 2 and summary["workers"] == 2
    assert summary["rows"] == len(rows) and summary["scored"] == len(out)
    assert summary["rejected"] == len(rejects) >= len(bad)

    # every input row exactly once, in the answers or in the rejects
    ids = list(out[id_field]) + list(rejects[id_field])
    assert sorted(map(str, ids)) == sorted(map(str, rows[id_field]))
    stage = dict(zip(rejects[id_field], rejects["stage"], strict=True))
    assert {k: stage.get(k) for k in stages} == stages
    refused = frame[frame[id_field].isin(stage)]  # rows of the notebook's data refused
    assert p.kind == "reviews" or refused.empty  # only that notebook filters rows
    assert {stage[k] for k in refused[id_field]} <= {"features"}
    assert all(rejects["reason"].str.len() > 0)
    assert list(out.columns[:2]) == [id_field, "prediction"]
    assert set(out["model_version"]) == {p.metadata["version"]}

    # the service's answers for the same records (and its 422 for the refused ones)
    answered = frame[~frame[id_field].isin(stage)]
    records = _client_records(p, answered)
    refusals = _client_records(p, pd.DataFrame(bad)) + _client_records(p, refused)
    answers, statuses = _service_answers(p, records, refusals, tmp_path / "service-log")
    assert set(statuses) == {422}
    by_id = out.set_index(id_field)
    for record_id, answer in zip(answered[id_field], answers, strict=True):
        _same_answer(by_id.loc[record_id], answer, 1e-12)
        flags = by_id.loc[record_id, "out_of_range"]  # the service's, as JSON text
        assert (json.loads(flags) if isinstance(flags, str) else None) == answer.get(
            "out_of_range"
        ), record_id

    # the notebook's held-out rows get the notebook model's answers
    held_out = p.metadata["records"]["evaluation"]
    assert len(held_out) > 20
    for example in held_out:
        _same_answer(by_id.loc[example["record"][id_field]], example["expected"], 1e-9)

    # the single-process run on the same files writes the same answers and rejects
    import_project(p.path, p.package)
    job = __import__(f"{p.package}.batch.job", fromlist=["run"])
    local_out = tmp_path / "one-process"
    options = job.Options(
        input=str(local_in), output=str(local_out), model_uri=str(p.model), scheduler="synchronous"
    )
    options.blocksize, options.progress = "4KiB", False
    alone = job.run(options)
    assert alone["partitions"] == summary["partitions"]
    pd.testing.assert_frame_equal(pd.read_parquet(local_out), out)
    pd.testing.assert_frame_equal(pd.read_parquet(local_out / "_rejects"), rejects)

    # the calculation log: the service's lines, one per answered row
    lines = _s3_lines(s3c, f"{p.kind}/out/_calculations/")
    assert len(lines) == len(out)
    assert all(set(line) - {"out_of_range"} == LOG_KEYS for line in lines)
    assert sum("out_of_range" in line for line in lines) == summary["out_of_range"]
    assert summary["out_of_range"] == out["out_of_range"].notna().sum()
    service_lines = {
        line["id"]: line
        for path in sorted((tmp_path / "service-log").rglob("*.jsonl"))
        if not path.relative_to(tmp_path / "service-log").parts[0].startswith("_")  # _rejected/
        for line in map(json.loads, path.read_text().splitlines())
    }
    for line in lines[:: max(1, len(lines) // 25)]:
        online = service_lines[line["id"]]
        for key in ("inputs", "features", "prediction", "model_version", "out_of_range"):
            assert line.get(key) == online.get(key), key
        assert line["scores"] == pytest.approx(online["scores"], abs=1e-12)

    # the dashboard reads the rejects' counts from the log on S3, by stage
    for name, value in s3_env(s3).items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    dashboard = __import__(f"{p.package}.dashboard.summary", fromlist=["dashboard_data"])
    log_uri = f"s3://{BUCKET}/{p.kind}/out/_calculations"
    shown = dashboard.dashboard_data(log_uri, p.metadata)["batch_rejections"]
    assert (shown["records"], shown["runs"]) == (summary["rejected"], 1)
    errors = {s: 0 for s in summary["rejected_by"]}  # a record may have several
    for reason in shown["reasons"]:
        errors[reason["stage"]] += reason["count"]
    for stage, records in summary["rejected_by"].items():
        assert records <= errors[stage] and (records == 0) == (errors[stage] == 0), shown

    # the model was loaded once per worker
    after = _loads(cluster, p)
    assert sorted(after[w] - before.get(w, 0) for w in after) in ([1, 1], [0, 1]), (before, after)


def test_a_worker_killed_in_the_middle_of_a_run_loses_and_duplicates_no_row(
    cluster, tmp_path_factory, tmp_path
):
    p = _build("telco", tmp_path_factory)
    id_field = p.metadata["records"]["id_field"]
    rows = pd.concat([pd.read_csv(p.data)] * 25, ignore_index=True)  # 10,000 rows
    rows[id_field] = [f"C{i:06d}" for i in range(len(rows))]
    rows.to_csv(tmp_path / "input.csv", index=False)
    out = tmp_path / "out"
    args = [sys.executable, "-m", f"{p.package}.batch", "--input", str(tmp_path / "input.csv")]
    args += ["--output", str(out), "--model", str(p.model), "--blocksize", "16KiB"]
    env = {**cluster.env, "PYTHONPATH": str(p.path / "src"), "MPLBACKEND": "Agg"}
    env["DASK_SCHEDULER_ADDRESS"] = cluster.address  # as --scheduler
    with (
        cluster.worker("victim") as (victim, address),
        _process(args, tmp_path / "job.log", env, p.path) as job,
    ):
        deadline = time.monotonic() + 120
        while True:  # until the victim is scoring, in the middle of the run
            assert job.poll() is None, (tmp_path / "job.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "job.log").read_text()
            busy = cluster.client.processing(workers=[address]).get(address)
            if busy and len(list(out.glob("part-*.parquet"))) >= 3:
                break
            time.sleep(0.01)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        written_when_killed = len(list(out.glob("part-*.parquet")))
        assert job.wait(timeout=180) == 0, (tmp_path / "job.log").read_text()
    summary = json.loads((out / "_summary.json").read_text())
    print(
        f"killed with {len(busy)} task(s) after {written_when_killed} of {summary['partitions']} partitions"
    )
    assert written_when_killed < summary["partitions"]
    answers = pd.read_parquet(out)
    assert (summary["rows"], summary["scored"], summary["rejected"]) == (len(rows), len(rows), 0)
    assert len(answers) == len(rows) and answers[id_field].is_unique
    assert sorted(answers[id_field]) == sorted(rows[id_field])
    assert len(list(out.glob("part-*.parquet"))) == summary["partitions"]
    assert not list(out.rglob(".*.tmp"))  # what the killed worker was writing is gone
    assert not (out / "_rejects").exists()
    lines = [
        json.loads(line)
        for path in sorted((out / "_calculations").rglob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]
    assert len(lines) == len(rows) and len({line["id"] for line in lines}) == len(rows)
