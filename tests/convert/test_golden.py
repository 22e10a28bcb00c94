"""Golden values: the fingerprints shared by ``--verify`` and the generated tests, and the
whole loop on a real notebook (execute, record, generated tests pass, then fail when the
package stops reproducing the notebook)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nb2prod.convert import run
from nb2prod.convert.verify import golden_support, has_nbclient, record_golden, verify
from tests.convert.helpers import VERIFY_PYTHON, run_package_tests

G = golden_support()

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=300)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=30)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5), inner, max_size=30)
        | st.frozensets(st.integers(), max_size=30)
    ),
    max_leaves=60,
)


@given(values)
def test_a_fingerprint_is_strict_json_and_equals_itself(value):
    fp = G.fingerprint(value)
    text = json.dumps(fp, allow_nan=False)  # NaN and infinities are spelled out
    assert G.differences(json.loads(text), fp) == []
    assert G.differences(fp, G.fingerprint(value)) == []


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_numbers_differ_beyond_the_tolerance_only(x):
    assert G.differences(G.fingerprint(x), G.fingerprint(x * (1 + 1e-9))) == []
    assert G.differences(G.fingerprint(x), G.fingerprint(x + 1e-3 + abs(x) * 1e-5)) != []


def test_frames_are_compared_by_shape_dtypes_and_column_statistics():
    frame = pd.DataFrame({"a": [1.0, 2.0, None], "b": ["x", "y", "z"], "c": [True, False, True]})
    fp = G.fingerprint(frame)
    assert fp["shape"] == [3, 3] and fp["columns"] == ["a", "b", "c"]
    assert fp["stats"][0] == {"count": 2, "sum": 3.0, "min": 1.0, "max": 2.0, "mean": 1.5}
    assert G.differences(fp, G.fingerprint(frame.copy())) == []
    changed = frame.assign(a=[1.0, 2.5, None])
    assert any(".stats[0].sum" in d for d in G.differences(fp, G.fingerprint(changed)))
    assert G.differences(fp, G.fingerprint(frame.iloc[:2])) != []
    assert G.differences(fp, G.fingerprint(frame.astype({"c": "int64"}))) != []


def test_arrays_estimators_and_opaque_objects():
    from sklearn.linear_model import LinearRegression

    arr = np.arange(6, dtype="float32").reshape(2, 3)
    assert G.fingerprint(arr)["stats"]["sum"] == 15.0
    model = LinearRegression().fit(np.array([[0.0], [1.0], [2.0]]), [1.0, 3.0, 5.0])
    fp = G.fingerprint(model)
    assert G.comparable(fp) and math.isclose(fp["fitted"]["coef_"]["stats"]["sum"], 2.0)
    other = LinearRegression().fit(np.array([[0.0], [1.0], [2.0]]), [1.0, 4.0, 7.0])
    assert G.differences(fp, G.fingerprint(other)) != []
    assert not G.comparable(G.fingerprint(object()))


def test_a_value_that_cannot_be_summarised_is_kept_by_its_type():
    class Odd(dict):
        def __iter__(self):
            raise RuntimeError("cannot iterate")

    frame = pd.DataFrame({"a": [1, 2]})
    frame.columns = pd.MultiIndex.from_tuples([("x", "y")])
    for value in (Odd(a=1), frame, {"k": Odd(a=1)}):
        fp = G.fingerprint(value)
        json.dumps(fp, allow_nan=False)
        assert G.differences(fp, G.fingerprint(value)) == []
    assert G.fingerprint(Odd(a=1)) == {"kind": "object", "type": f"{__name__}.{Odd.__qualname__}"}


def test_printed_lines_skip_what_changes_between_runs():
    expected = ["rows 3", "at 12:00:01", "mean 1.5"]
    assert G.printed_differences(expected, [1], "rows 3\nat 12:09:30\nmean 1.5000000001\n") == []
    assert G.printed_differences(expected, [], "rows 3\nat 12:09:30\nmean 1.5\n") != []
    assert G.printed_differences(expected, [], "rows 3\nmean 1.5\n") != []
    # a changing line that wraps into two: the lines around it still count
    assert G.printed_differences(expected, [1], "rows 3\nat\n12:09\nmean 1.5\n") == []
    assert G.printed_differences(expected, [1], "rows 4\nat\n12:09\nmean 1.5\n") != []
    assert G.printed_differences(expected, [1], "rows 3\nat\n12:09\nmean 2.5\n") != []
    assert G.printed_differences(expected, [1], "mean 1.5\n") != []


NOTEBOOK = """
# %%
import numpy as np
import pandas as pd
# %% [markdown]
# # Clean
# %%
df = pd.DataFrame({"amount": [10.0, None, 30.0, 40.0], "city": ["a", "b", None, "d"]})
df.dropna(inplace=True)
print(len(df))
# %% [markdown]
# # Summarise
# %%
jitter = np.random.default_rng().random(2)
total = float(df["amount"].sum())
print("total", total, "jitter", jitter[0])
# %% [markdown]
# # Report
# %%
print("mean", total / len(df), "of", jitter.size)
"""

PYTHON = VERIFY_PYTHON


@pytest.mark.skipif(not has_nbclient(PYTHON), reason=f"nbclient/ipykernel missing in {PYTHON}")
def test_verify_records_golden_values_that_the_generated_tests_check(make_notebook, tmp_path):
    nb = make_notebook(NOTEBOOK)
    out = tmp_path / "pkg"
    assert run(nb, out).exit_code == 0
    before = run_package_tests(out)
    assert before.returncode == 0 and "skipped" in before.stdout  # nothing recorded yet

    result = verify(nb, out, PYTHON, timeout=120)
    assert result.error is None and result.faithful, result.mismatches
    assert result.unstable_values == {"summarise": ["jitter"]}
    assert result.unstable_lines == [1]  # "total ... jitter ..." changes from run to run
    assert result.compared_values == 2  # df (after dropna) and total
    assert record_golden(out, result) == out / "tests" / "golden.json"
    golden = json.loads((out / "tests" / "golden.json").read_text())
    assert golden["values"]["clean"]["df"]["shape"] == [2, 2]
    assert golden["printed"]["lines"][0] == "2"

    passing = run_package_tests(out)
    assert passing.returncode == 0, passing.stdout
    assert "skipped" not in passing.stdout and "5 passed" in passing.stdout

    steps = out / "src" / result.package / "steps.py"
    source = steps.read_text()
    assert "df.dropna(inplace=True)" in source
    steps.write_text(source.replace("df.dropna(inplace=True)", "df = df.dropna(subset=['amount'])"))
    failing = run_package_tests(out)
    assert failing.returncode == 1
    assert "test_step_returns_what_the_notebook_computed[clean]" in failing.stdout
    assert "test_pipeline_prints_what_the_notebook_printed" in failing.stdout

    broken = verify(nb, out, PYTHON, timeout=120)
    assert not broken.faithful
    assert any(m.kind == "returned" and m.cell == 3 for m in broken.mismatches)
