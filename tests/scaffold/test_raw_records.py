"""Done means (issue 12): for the realistic notebooks (raw_notebooks/), converted with the
service and trained by `python -m <pkg>.train`, the service under uvicorn takes the raw
records of the notebook's test rows over real HTTP and answers each with the scores the
notebook's own model gives its test matrix (abs 1e-9): the notebook's feature code runs on
the records. A record missing a required field is a 422 naming it; a column the features do
not use may be left out; the client's id comes back in the answer and the calculation log."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.scaffold.helpers import run_in_project, serve, wait_ready
from tests.scaffold.raw_notebooks import make_pipeline, make_reviews, make_telco, make_titanic

pd = pytest.importorskip("pandas")
httpx = pytest.importorskip("httpx")
model_selection = pytest.importorskip("sklearn.model_selection")


def _split(test_size: float, seed: int, stratify: str | None = None) -> Callable[[Any], list[Any]]:
    """The index labels the notebook's train_test_split puts in the test part of ``frame``."""

    def labels(frame: Any) -> list[Any]:
        strata = frame[stratify] if stratify else None
        _, test = model_selection.train_test_split(
            frame.index, test_size=test_size, random_state=seed, stratify=strata
        )
        return list(test)

    return labels


def _reviews_frame(frame: Any) -> Any:
    """The reviews notebook's filter and label (its split stratifies on the label)."""
    kept = frame.dropna(subset=["text"]).copy()
    sentiment = {1: "negative", 2: "negative", 3: "neutral", 4: "positive", 5: "positive"}
    kept["label"] = kept["stars"].map(sentiment)
    return kept


@dataclass(frozen=True)
class Kind:
    make: ModuleType
    csv: str
    id_field: str
    test_rows: Callable[[Any], list[Any]]
    prepare: Callable[[Any], Any] = lambda frame: frame
    left_out: tuple[str, ...] = ()  # raw columns the features do not use, not sent


KINDS = {
    "telco": Kind(make_telco, "customers.csv", "customer_id", _split(0.2, 0), left_out=("notes",)),
    "titanic": Kind(
        make_titanic,
        "passengers.csv",
        "PassengerId",
        _split(0.2, 42, "Survived"),
        left_out=("Ticket",),
    ),
    "reviews": Kind(
        make_reviews,
        "reviews.csv",
        "review_id",
        _split(0.25, 1, "label"),
        prepare=_reviews_frame,
        left_out=("helpful_votes",),
    ),
    "pipeline": Kind(make_pipeline, "loans.csv", "loan_id", _split(0.2, 7, "defaulted")),
}

# Run in the project: the notebook's own model (saved by train) on the notebook's test matrix.
NOTEBOOK_SCORES = """
import json, sys
import numpy as np
from {pkg} import artifact, features, pipeline
from {pkg}.settings import Settings

results = pipeline.run(Settings())
model = artifact.load(sys.argv[1]).model
X_test = results[features.EVALUATION]
index = getattr(X_test, "index", None)
out = {{
    "classes": [str(c) for c in model.classes_],
    "proba": np.asarray(model.predict_proba(X_test), dtype=float).tolist(),
    "predict": np.asarray(model.predict(X_test)).tolist(),
    "index": None if index is None else [int(i) for i in index],
}}
with open(sys.argv[2], "w") as fh:  # the pipeline prints what the notebook printed
    json.dump(out, fh)
"""


@dataclass
class Served:
    kind: str
    package: str
    project: Path
    metadata: dict[str, Any]
    http: Any  # httpx.Client on the running service
    log_dir: Path
    records: list[dict[str, Any]]  # the raw records of the notebook's test rows
    expected: list[dict[str, float]]  # the notebook model's scores on its test matrix
    predicted: list[Any]


def _env(package: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg", **extra}


def _run(project: Path, package: str, args: list[str], env: dict[str, str]) -> str:
    done = run_in_project(project, args, env, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def _test_records(kind: Kind, folder: Path, metadata: dict[str, Any]) -> tuple[list[Any], list]:
    """(test row labels, their raw records as a client sends them: no target column, no
    left-out column, nulls as null)."""
    frame = pd.read_csv(folder / "data" / kind.csv)
    labels = kind.test_rows(kind.prepare(frame))
    drop = set(metadata["records"]["target_columns"]) | set(kind.left_out)
    records = [
        {str(k): _plain(v) for k, v in frame.loc[label].items() if k not in drop}
        for label in labels
    ]
    return labels, records


@pytest.fixture(scope="module", params=list(KINDS))
def served(request, tmp_path_factory) -> Iterator[Served]:
    from nb2prod.convert import run as convert
    from nb2prod.project.service import ServiceRequest

    name, kind = request.param, KINDS[request.param]
    root = tmp_path_factory.mktemp(name)
    nb = kind.make.make(root / "analysis")
    project = root / "project"
    converted = convert(nb, project, service=ServiceRequest(id_field=kind.id_field))
    assert converted.exit_code == 0, (converted.error, converted.findings)
    package = converted.package
    env = _env(package)
    model_dir = root / "model"
    printed = _run(project, package, ["-m", f"{package}.train", "--out", str(model_dir)], env)
    assert "the service takes raw records" in printed, printed
    metadata = json.loads((model_dir / "metadata.json").read_text())
    assert (model_dir / "features.joblib").is_file()

    script = root / "notebook_scores.py"
    script.write_text(NOTEBOOK_SCORES.format(pkg=package))
    dumped = root / "notebook_scores.json"
    _run(project, package, [str(script), str(model_dir), str(dumped)], env)
    scores = json.loads(dumped.read_text())
    labels, records = _test_records(kind, nb.parent, metadata)
    assert len(records) == len(scores["proba"]) > 50
    if scores["index"] is not None:  # the notebook's X_test says which rows it holds
        assert scores["index"] == [int(label) for label in labels]
    expected = [dict(zip(scores["classes"], row, strict=True)) for row in scores["proba"]]

    prefix = package.upper() + "_"
    log_dir = root / "calculations"
    service_env = {
        **env,
        prefix + "MODEL_URI": str(model_dir),
        prefix + "CALCULATION_LOG_URI": str(log_dir),
        prefix + "CALCULATION_LOG_SECONDS": "0.2",
    }
    with (
        serve(project, package, service_env, root / "server.log") as server,
        httpx.Client(base_url=server.url, timeout=60) as http,
    ):
        assert wait_ready(http)["model_version"] == metadata["version"]
        yield Served(
            name,
            package,
            project,
            metadata,
            http,
            log_dir,
            records,
            expected,
            [str(p) for p in scores["predict"]],
        )


def _max_difference(answers: list[dict[str, Any]], expected: list[dict[str, float]]) -> float:
    worst = 0.0
    for answer, want in zip(answers, expected, strict=True):
        assert answer["scores"].keys() == want.keys()
        worst = max(worst, *(abs(answer["scores"][c] - p) for c, p in want.items()))
    return worst


def test_the_test_rows_get_the_notebook_models_scores(served):
    answer = served.http.post("/predict", json=served.records)
    assert answer.status_code == 200, answer.text
    answers = answer.json()["predictions"]
    assert len(answers) == len(served.records)
    difference = _max_difference(answers, served.expected)
    print(f"{served.kind}: {len(answers)} test rows, max abs score difference {difference:.3g}")
    assert difference <= 1e-9
    assert [str(a["prediction"]) for a in answers] == served.predicted


def test_one_record_at_a_time_gets_the_same_scores(served):
    picks = list(range(0, len(served.records), max(1, len(served.records) // 6)))
    answers = []
    for i in picks:
        answer = served.http.post("/predict", json=served.records[i])
        assert answer.status_code == 200, answer.text
        answers.append(answer.json())
    assert _max_difference(answers, [served.expected[i] for i in picks]) <= 1e-9


def test_the_request_schema_is_the_raw_record(served):
    records = served.metadata["records"]
    assert records["replayable"] is True and records["id_field"] == KINDS[served.kind].id_field
    names = [c["name"] for c in records["columns"]]
    assert not set(records["target_columns"]) & set(names)
    assert set(KINDS[served.kind].left_out) <= set(names) - set(records["required"])
    assert served.http.get("/model").json()["records"] == records
    schema = served.http.get("/openapi.json").json()
    body = schema["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"]
    one = body["schema"]["oneOf"][0]
    assert sorted(one["required"]) == sorted(records["required"])
    assert set(one["properties"]) == set(names) and one["additionalProperties"] is False


def test_a_record_missing_a_required_field_is_422_naming_it(served):
    required = served.metadata["records"]["required"]
    record = {k: v for k, v in served.records[0].items() if k != required[0]}
    answer = served.http.post("/predict", json=record)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["detail"]
    assert error["loc"] == ["body", required[0]] and error["type"] == "missing"
    batch = [served.records[0], record]
    [error] = served.http.post("/predict", json=batch).json()["detail"]
    assert error["loc"] == ["body", 1, required[0]]
    extra = served.http.post("/predict", json={**served.records[0], "unexpected": 1})
    assert extra.json()["detail"][0]["loc"] == ["body", "unexpected"]


def test_a_record_the_notebook_filters_out_is_422_with_the_reason(served):
    if served.kind != "reviews":
        pytest.skip("only the reviews notebook filters rows (dropna on text)")
    record = {**served.records[0], "text": None}
    answer = served.http.post("/predict", json=[served.records[1], record])
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["detail"]
    assert error["loc"] == ["body", 1, "text"]
    assert "text" in error["msg"] and "dropna" in error["msg"]


def test_the_id_comes_back_in_the_answer_and_the_calculation_log(served):
    id_field = KINDS[served.kind].id_field
    records = served.records[:3]
    one = served.http.post("/predict", json=records[0], headers={"X-Request-ID": "raw-one"})
    many = served.http.post("/predict", json=records[1:], headers={"X-Request-ID": "raw-many"})
    assert one.status_code == many.status_code == 200, one.text + many.text
    assert one.json()["id"] == records[0][id_field]
    assert [a["id"] for a in many.json()["predictions"]] == [r[id_field] for r in records[1:]]
    no_id = {k: v for k, v in records[0].items() if k != id_field}
    assert "id" not in served.http.post("/predict", json=no_id).json()

    read = _read_log(served)
    deadline = time.monotonic() + 20
    while True:  # written every 0.2 s
        lines = [line for line in read() if line["request_id"] in ("raw-one", "raw-many")]
        if len(lines) >= 3 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert [line["id"] for line in lines] == [r[id_field] for r in records]
    assert [line["inputs"] for line in lines] == records
    for line in lines:
        features = line["features"]
        assert isinstance(features, dict | list) and features


def _read_log(served: Served) -> Callable[[], list[dict[str, Any]]]:
    def read() -> list[dict[str, Any]]:
        lines = []
        for path in sorted(served.log_dir.rglob("*.jsonl")):
            lines += [json.loads(line) for line in path.read_text().splitlines() if line]
        return lines

    return read
