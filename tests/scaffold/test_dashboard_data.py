"""The dashboard's pieces in the generated package (issue 15), in process, on the sample
regression project (the service takes the model's input): the training reference bins a
column as live values are binned, PSI and KS behave as statistics must, the log reader
keeps to its window and finds a record in the whole log, and a regressor's page is drawn
from a real calculation log with the shifted feature first."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
pd = pytest.importorskip("pandas")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

NUMBERS = st.lists(
    st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False), st.integers(-1000, 1000)),
    min_size=1,
    max_size=200,
)
TEXTS = st.lists(st.one_of(st.none(), st.sampled_from("abcdefghijklmnopqrstuvwxyz")), max_size=200)


@pytest.fixture(scope="module")
def gen(built):
    """The regression sample project, converted, scaffolded and trained."""
    return built("regression")


@settings(max_examples=60, deadline=None)
@given(values=NUMBERS)
def test_a_numeric_column_is_binned_live_as_at_training(gen, values):
    ref = gen.module("dashboard.reference")
    series = pd.Series([math.nan if v is None else v for v in values], dtype=float)
    described = ref.column_reference(series)
    counts, missing = ref.live_counts(described, values)
    assert missing == described["missing"] == sum(v is None for v in values)
    if described["edges"]:
        assert counts == described["counts"]
        assert described["sample"] == sorted(described["sample"])


@settings(max_examples=60, deadline=None)
@given(values=TEXTS)
def test_a_category_column_is_counted_live_as_at_training(gen, values):
    ref = gen.module("dashboard.reference")
    described = ref.column_reference(pd.Series(values, dtype=object))
    counts, missing = ref.live_counts(described, values)
    assert missing == described["missing"]
    assert counts == ref.training_counts(described)
    assert len(described["labels"]) <= ref.TOP


@settings(max_examples=80, deadline=None)
@given(
    a=st.lists(st.integers(0, 1000), min_size=2, max_size=12),
    b=st.lists(st.integers(0, 1000), min_size=2, max_size=12),
)
def test_psi_is_zero_for_the_same_shares_and_never_negative(gen, a, b):
    drift = gen.module("dashboard.drift")
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    if sum(a) and sum(b):
        assert drift.psi(a, [3 * x for x in a]) == pytest.approx(0.0, abs=1e-12)
        assert drift.psi(a, b) >= 0.0
    else:
        assert drift.psi(a, b) is None


@settings(max_examples=80, deadline=None)
@given(
    x=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=60),
    y=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=60),
)
def test_ks_is_a_distance_between_distribution_functions(gen, x, y):
    drift = gen.module("dashboard.drift")
    assert drift.ks(x, x) == 0.0
    assert 0.0 <= drift.ks(x, y) <= 1.0
    assert drift.ks(x, y) == pytest.approx(drift.ks(y, x))
    assert drift.ks(x, [max(x) + 1.0] * 3) == 1.0  # disjoint samples: the largest distance


def _write(path: Path, lines: list[dict], whole: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(json.dumps(line) for line in lines) + "\n"
    path.write_text(text if whole else text + '{"request_id": "half')


def test_the_reader_keeps_to_its_window_and_finds_in_the_whole_log(gen, tmp_path):
    logs = gen.module("dashboard.logs")
    line = {"model_version": "v", "timestamp": "2024-09-01T10:00:00Z", "row": 0}
    _write(tmp_path / "2024-09-01" / "100000-a.jsonl", [{**line, "request_id": "r1", "id": 7}])
    _write(tmp_path / "2024-09-09" / "100000-b.jsonl", [{**line, "request_id": "r2", "id": 8}] * 3)
    _write(tmp_path / "2024-09-10" / "090000-c.jsonl", [{**line, "request_id": "r3", "id": 9}] * 2)
    _write(tmp_path / "_rejected" / "2024-09-10" / "x.jsonl", [{"request_id": "bad"}])
    _write(tmp_path / "2024-09-10" / "100000-d.jsonl", [{**line, "request_id": "r4"}], whole=False)

    reader = logs.LogReader(str(tmp_path))
    assert [p.rsplit("/", 1)[-1] for _, p in reader.files()] == [
        "100000-a.jsonl",
        "100000-b.jsonl",
        "090000-c.jsonl",
        "100000-d.jsonl",
    ]
    week = reader.window(days=7)  # 2024-09-04 to 2024-09-10: the first file is out
    assert [x["request_id"] for x in week.lines] == ["r2"] * 3 + ["r3"] * 2 + ["r4"]
    assert (week.files, week.files_total, week.first_day) == (3, 4, "2024-09-09")
    assert len(reader.window(days=None).lines) == 7
    newest = logs.LogReader(str(tmp_path), max_lines=3).window(days=None)
    assert newest.truncated and [x["request_id"] for x in newest.lines] == ["r3", "r3", "r4"]

    half = tmp_path / "2024-09-10" / "100000-d.jsonl"
    assert str(half) not in reader._cache  # a file still being written is read again
    _write(half, [{**line, "request_id": "r4"}, {**line, "request_id": "r5"}])
    assert [x["request_id"] for x in reader.window(days=1).lines][-2:] == ["r4", "r5"]

    assert [x["request_id"] for x in reader.find("7", None)] == ["r1"]  # outside the window
    assert len(reader.find(None, "r2")) == 3
    assert reader.find("nothing", "nothing") == []
    rejected = logs.LogReader(logs.rejections_uri(str(tmp_path))).window(days=None)
    assert [x["request_id"] for x in rejected.lines] == ["bad"]
    calculation_log = gen.module("service.calculation_log")
    assert len(calculation_log.read_calculations(str(tmp_path))) == 8  # _rejected/ left out


def test_a_regressors_page_from_its_calculation_log(gen, tmp_path):
    scoring, summary = gen.module("scoring"), gen.module("dashboard.summary")
    page, log_module = gen.module("dashboard.page"), gen.module("service.calculation_log")
    loaded = scoring.LoadedModel(gen.module("artifact").load(gen.model_uri), 1000)
    reference = gen.metadata["reference"]
    assert set(reference["columns"]) == {c["name"] for c in gen.metadata["features"]["columns"]}
    numeric = next(n for n, c in reference["columns"].items() if c["kind"] == "numeric")
    _, records = gen.rows(list(range(200)))
    shifted = [{**r, numeric: r[numeric] * 5 + 100} for r in records[:80]]
    log = log_module.CalculationLog(str(tmp_path), batch=50)
    for request_id, batch in (("plain", records), ("shifted", shifted)):
        parsed, _ = loaded.schema.parse(json.dumps(batch).encode())  # as the service does
        answers, X = loaded.predict(parsed)
        log.append(
            scoring.calculation_lines(loaded, parsed, answers, X, request_id, summary.now(), 1.5)
        )
    log.close()

    data = summary.dashboard_data(str(tmp_path), gen.metadata, request_id="shifted")
    assert data["traffic"]["predictions"] == 280
    assert data["traffic"]["sources"] == {"service": 280}
    drift = data["drift"]["features"]
    assert drift[0]["feature"] == numeric and drift[0]["level"] == "major"
    [prediction] = data["scores"]["scores"]
    assert prediction["name"] == "prediction" and math.isclose(
        sum(prediction["histogram"]["live"]), 1, abs_tol=1e-3
    )
    assert len(data["lookup"]["found"]) == 50  # at most 50 lines of a lookup
    html = page.render(data)
    assert f'id="model-version">{gen.metadata["version"]}<' in html
    assert (
        f'<tr data-feature="{numeric}">'
        in html.split('id="drift-table"')[1].split("</thead>")[1][:200]
    )
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert json.loads(json.dumps(data)) == data  # plain JSON data, served as /dashboard/data
