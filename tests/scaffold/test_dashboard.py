"""Done means (issue 15): the sample churn notebook, converted with the service (raw records,
the client's id ``customer_id``) and trained by `python -m <pkg>.train`, is served by two
replicas under uvicorn that write one calculation log; a batch run writes to it too. After
real HTTP predictions (normal records, records whose monthly charges are shifted, bad
records), a real headless Chromium (the system's, driven by Playwright) loads /dashboard
and finds the model version, the count of predictions of every replica and the batch run,
the shifted feature first in the drift table, the rejected requests with their reasons, and
a record by its id with the features the model saw. The page makes no request outside the
service. `python -m <pkg>.report` writes the same facts as one static file, also from an
s3:// log. Screenshots go to $NB2PROD_TEST_ARTIFACTS (default tests/artifacts/dashboard).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLES
from tests.fix.conftest import s3_client, s3_env
from tests.scaffold.helpers import env_for, run_in_project, serve, wait_ready

httpx = pytest.importorskip("httpx")

PACKAGE = "churn_classifier"
ID_FIELD = "customer_id"
SNAPSHOT = "2024-09-30"  # the notebook's tenure_months: days since signup to it, // 30
NORMAL = 120  # records sent as they are
SHIFTED = 240  # records sent with their monthly charges doubled plus 60
ARTIFACTS = (
    Path(os.environ.get("NB2PROD_TEST_ARTIFACTS") or Path(__file__).parents[1] / "artifacts")
    / "dashboard"
)


@dataclass
class Served:
    url: str
    project: Path
    model_dir: Path
    log_dir: Path
    metadata: dict[str, Any]
    env: dict[str, str]
    predictions: int  # lines the log must hold: every replica's and the batch run's
    batch: int  # of them, the batch run's
    rows: list[dict[str, str]]  # the sample CSV, as read
    answers: dict[str, dict[str, Any]]  # the service's answer for some record ids


def _record(row: dict[str, str], shift: bool = False) -> dict[str, Any]:
    """A raw record as a client sends it (the target column left out)."""
    record: dict[str, Any] = {
        ID_FIELD: row[ID_FIELD],
        "signup_date": row["signup_date"] + "T00:00:00",
        "contract": row["contract"],
        "payment_method": row["payment_method"],
        "monthly_charges": float(row["monthly_charges"]),
        "total_charges": float(row["total_charges"]),
        "support_tickets": int(row["support_tickets"]),
    }
    if shift:
        record[ID_FIELD] = "S-" + row[ID_FIELD]
        record["monthly_charges"] = round(record["monthly_charges"] * 2 + 60, 2)
    return record


def _run(args: list[str], project: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_in_project(project, args, env, timeout=300)


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    from nb2prod.convert import run as convert
    from nb2prod.project.service import ServiceRequest

    root = tmp_path_factory.mktemp("dashboard")
    project, model_dir, log_dir = root / "project", root / "model", root / "calculations"
    converted = convert(
        SAMPLES / f"{PACKAGE}.ipynb", project, service=ServiceRequest(id_field=ID_FIELD)
    )
    assert converted.exit_code == 0, (converted.error, converted.findings)
    env = env_for(PACKAGE)
    trained = _run(["-m", f"{PACKAGE}.train", "--out", str(model_dir)], project, env)
    assert trained.returncode == 0, trained.stderr[-3000:]
    assert "the service takes raw records" in trained.stdout
    metadata = json.loads((model_dir / "metadata.json").read_text())
    with (SAMPLES / "data" / "customers.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    prefix = PACKAGE.upper() + "_"
    service_env = {
        **env,
        prefix + "MODEL_URI": str(model_dir),
        prefix + "CALCULATION_LOG_URI": str(log_dir),
        prefix + "CALCULATION_LOG_SECONDS": "0.2",
    }
    answers: dict[str, dict[str, Any]] = {}
    # Replica B answers one record, then stops (and writes what it holds, as at a deploy).
    with (
        serve(project, PACKAGE, service_env, root / "replica-b.log") as server,
        httpx.Client(base_url=server.url, timeout=60) as http,
    ):
        wait_ready(http)
        answer = http.post("/predict", json=_record(rows[200]), headers={"X-Request-ID": "b-1"})
        assert answer.status_code == 200, answer.text
        answers[rows[200][ID_FIELD]] = answer.json()
    # A batch run writes its calculation log to the same folder.
    scores, records_csv = root / "scores", root / "records.csv"
    with records_csv.open("w", newline="") as fh:  # the records the service takes, as CSV
        writer = csv.DictWriter(fh, fieldnames=list(_record(rows[0])))
        writer.writeheader()
        writer.writerows(_record(r) for r in rows[NORMAL:])
    batch = _run(
        ["-m", f"{PACKAGE}.batch", "--input", str(records_csv)]
        + ["--output", str(scores), "--model", str(model_dir), "--scheduler", "synchronous"]
        + ["--calculation-log", str(log_dir), "--quiet"],
        project,
        env,
    )
    assert batch.returncode == 0, batch.stderr[-3000:]
    scored = json.loads((scores / "_summary.json").read_text())["scored"]
    assert scored == len(rows) - NORMAL
    with (
        serve(project, PACKAGE, service_env, root / "replica-a.log") as server,
        httpx.Client(base_url=server.url, timeout=60) as http,
    ):
        wait_ready(http)
        normal = [_record(r) for r in rows[:NORMAL]]
        answer = http.post("/predict", json=normal, headers={"X-Request-ID": "normal"})
        assert answer.status_code == 200, answer.text
        shifted = [_record(rows[i % len(rows)], shift=True) for i in range(SHIFTED)]
        for k in range(0, SHIFTED, 30):
            answer = http.post(
                "/predict", json=shifted[k : k + 30], headers={"X-Request-ID": f"shifted-{k // 30}"}
            )
            assert answer.status_code == 200, answer.text
            for record, a in zip(shifted[k : k + 30], answer.json()["predictions"], strict=True):
                answers[record[ID_FIELD]] = a
        missing = {k: v for k, v in normal[0].items() if k != "contract"}
        unknown = {**normal[1], "contract": "teleport"}
        for request_id, bad in (("bad-missing", missing), ("bad-category", unknown)):
            answer = http.post("/predict", json=bad, headers={"X-Request-ID": request_id})
            assert answer.status_code == 422, answer.text
        yield Served(
            server.url,
            project,
            model_dir,
            log_dir,
            metadata,
            env,
            NORMAL + SHIFTED + 1 + scored,
            scored,
            rows,
            answers,
        )


def _tenure_months(signup_date: str) -> int:
    """The notebook's feature, computed here: whole 30-day months from signup to SNAPSHOT."""
    import datetime as dt

    days = (dt.date.fromisoformat(SNAPSHOT) - dt.date.fromisoformat(signup_date[:10])).days
    return days // 30


def test_the_training_reference_is_in_the_metadata(served):
    reference = served.metadata["reference"]
    assert "error" not in reference, reference
    assert set(reference["columns"]) == {c["name"] for c in served.metadata["features"]["columns"]}
    charges = reference["columns"]["monthly_charges"]
    assert (
        charges["kind"] == "numeric"
        and sum(charges["counts"]) == served.metadata["training"]["rows"]
    )
    assert len(charges["sample"]) == 101 and charges["sample"] == sorted(charges["sample"])
    assert reference["columns"]["contract"]["kind"] == "categorical"
    assert set(reference["scores"]) == {"0", "1"}
    assert sum(reference["prediction"]["counts"]) == reference["scored_rows"]


def test_the_data_holds_every_replica_and_the_batch_run(served):
    data = httpx.get(f"{served.url}/dashboard/data", timeout=60).json()
    traffic = data["traffic"]
    assert traffic["predictions"] == served.predictions
    assert traffic["sources"] == {
        "service": served.predictions - served.batch,
        "batch": served.batch,
    }
    assert traffic["versions"] == [[served.metadata["version"], served.predictions]]
    assert sum(n for _, n in traffic["per_period"]) == served.predictions
    assert data["rejections"]["requests"] == 2
    reasons = {(r["field"], r["type"]) for r in data["rejections"]["reasons"]}
    assert reasons == {("contract", "missing"), ("contract", "literal_error")}
    drift = data["drift"]["features"]
    assert drift[0]["feature"] == "monthly_charges" and drift[0]["level"] == "major"
    assert drift[0]["psi"] > max(d["psi"] for d in drift[1:])
    assert drift[0]["live"] == served.predictions


def test_a_record_is_found_by_its_id_with_what_the_model_saw(served):
    row = served.rows[7]
    record_id = "S-" + row[ID_FIELD]
    data = httpx.get(f"{served.url}/dashboard/data", params={"id": record_id}, timeout=60).json()
    [found] = data["lookup"]["found"]
    sent = _record(row, shift=True)
    assert found["id"] == record_id and found["inputs"] == sent
    assert found["scores"] == served.answers[record_id]["scores"]
    assert found["prediction"] == served.answers[record_id]["prediction"]
    assert found["features"]["tenure_months"] == _tenure_months(row["signup_date"])
    assert found["features"]["monthly_charges"] == sent["monthly_charges"]
    by_request = httpx.get(
        f"{served.url}/dashboard/data", params={"request_id": "shifted-3"}, timeout=60
    ).json()["lookup"]["found"]
    assert sorted(r["row"] for r in by_request) == list(range(30))
    other = httpx.get(
        f"{served.url}/dashboard/data", params={"id": served.rows[200][ID_FIELD]}
    ).json()
    assert {r["request_id"] for r in other["lookup"]["found"]} >= {"b-1"}  # replica B's


# -- in a real browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no chromium on this machine (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A page that records every request it makes (even one its policy blocks) and every
    error on its console."""
    context = browser.new_context(viewport={"width": 1280, "height": 1800})
    opened = context.new_page()
    opened.requested = []  # type: ignore[attr-defined]
    opened.on("request", lambda request: opened.requested.append(request.url))
    opened.errors = []  # type: ignore[attr-defined] # console errors: a blocked load among them
    opened.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
    yield opened
    context.close()


def _screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _facts(page) -> dict[str, Any]:
    """What the page shows, read from the rendered document."""
    return {
        "version": page.inner_text("#model-version"),
        "served": page.inner_text("#predictions-served"),
        "rejected": page.inner_text("#rejected-requests"),
        "drift": page.eval_on_selector_all(
            "#drift-table tbody tr", "rows => rows.map(r => r.dataset.feature)"
        ),
        "reasons": page.eval_on_selector_all(
            "#rejection-reasons tr td:nth-child(2)", "cells => cells.map(c => c.innerText)"
        ),
    }


def test_the_page_shows_the_version_the_count_the_drift_and_a_record(served, page):
    response = page.goto(f"{served.url}/dashboard")
    assert response.status == 200
    assert "default-src 'none'" in response.headers["content-security-policy"]
    facts = _facts(page)
    assert facts["version"] == served.metadata["version"]
    assert facts["served"] == str(served.predictions)
    assert facts["rejected"] == "2"
    assert facts["drift"][0] == "monthly_charges"
    assert set(facts["drift"]) == set(served.metadata["reference"]["columns"])
    assert sorted(facts["reasons"]) == ["literal_error", "missing"]
    roc_auc = served.metadata["metrics"]["roc_auc"]
    assert f"{roc_auc:.4g}" in page.inner_text("#metrics")
    assert page.locator("#scores svg").count() >= 2  # a score's and the predictions' charts
    _screenshot(page, "dashboard")

    record_id = "S-" + served.rows[11][ID_FIELD]
    page.fill("#lookup-form input[name=id]", record_id)
    page.click("#lookup-form button")
    page.wait_for_selector("#lookup")
    assert f"id={record_id}" in page.url
    found = page.locator("#lookup .record")
    assert found.count() == 1 and found.get_attribute("data-id") == record_id
    text = found.inner_text()
    assert "features the model saw" in text and "tenure_months" in text
    assert str(_tenure_months(served.rows[11]["signup_date"])) in text
    probability = served.answers[record_id]["scores"]["1"]
    assert f"{probability:.4g}" in text
    _screenshot(page, "dashboard-lookup")

    page.goto(f"{served.url}/dashboard?id=no-such-record")
    assert page.locator("#not-found").count() == 1
    assert page.requested and all(url.startswith(served.url + "/") for url in page.requested), (
        page.requested
    )
    assert page.errors == []


def test_the_report_is_the_same_page_as_a_static_file(served, page, tmp_path):
    record_id = "S-" + served.rows[11][ID_FIELD]
    out = tmp_path / "report.html"
    args = ["-m", f"{PACKAGE}.report", "--log", str(served.log_dir), "--out", str(out)]
    done = _run(
        [*args, "--model", str(served.model_dir), "--id", record_id], served.project, served.env
    )
    assert done.returncode == 0, done.stderr
    assert f"{served.predictions} predictions, 2 rejected requests" in done.stdout
    page.goto(out.as_uri())
    assert page.locator("#lookup-form").count() == 0  # a file: no form
    live = page.context.new_page()
    live.goto(f"{served.url}/dashboard")
    assert _facts(page) == _facts(live)
    live.close()
    assert page.locator("#lookup .record").get_attribute("data-id") == record_id
    _screenshot(page, "report")
    assert page.requested == [out.as_uri()]
    assert page.errors == []


def test_the_report_reads_a_log_on_s3(served, s3, tmp_path):
    client = s3_client(s3)
    client.create_bucket(Bucket="dashboard-logs")
    for path in served.log_dir.rglob("*.jsonl"):
        key = "calculations/" + path.relative_to(served.log_dir).as_posix()
        client.put_object(Bucket="dashboard-logs", Key=key, Body=path.read_bytes())
    out = tmp_path / "report.html"
    env = {**served.env, **{k: v for k, v in s3_env(s3).items() if k.startswith("AWS_")}}
    args = ["-m", f"{PACKAGE}.report", "--log", "s3://dashboard-logs/calculations"]
    done = _run([*args, "--out", str(out), "--model", str(served.model_dir)], served.project, env)
    assert done.returncode == 0, done.stderr
    assert f"{served.predictions} predictions, 2 rejected requests" in done.stdout
    html = out.read_text()
    assert f'id="predictions-served">{served.predictions}<' in html


def test_the_report_names_a_bad_input_in_one_line(served, tmp_path):
    out = tmp_path / "report.html"
    args = ["-m", f"{PACKAGE}.report", "--out", str(out)]
    for extra, named in (
        (["--log", str(tmp_path / "nothing")], "nothing"),
        (["--log", str(served.log_dir), "--model", str(tmp_path / "no-model")], "no-model"),
    ):
        done = _run([*args, *extra], served.project, served.env)
        assert done.returncode == 2, done.stdout + done.stderr
        assert named in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "Traceback" not in done.stderr
    assert not out.exists()


def test_the_generated_dashboard_passes_ruff_and_the_readme_shows_it(served):
    from nb2prod.lint.ruff import ruff_binary

    paths = [f"src/{PACKAGE}/dashboard", f"src/{PACKAGE}/report.py"]
    common = ["--no-cache", "--isolated", "--line-length", "100", "--target-version", "py311"]
    select = ["--select", "E,F,W,I,B,UP,SIM,BLE"]
    for args in (["check", *common, *select, *paths], ["format", "--check", *common, *paths]):
        done = subprocess.run(
            [ruff_binary(), *args], cwd=served.project, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
    readme = (served.project / "README.md").read_text()
    assert "http://127.0.0.1:8000/dashboard" in readme
    assert f"python -m {PACKAGE}.report --log" in readme
