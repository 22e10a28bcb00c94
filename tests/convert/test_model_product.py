"""The model is the product: ``run()`` returns the notebook's fitted models and metrics, the
golden values compare a model by its predictions on rows recorded from the notebook, and
the data and model files a step writes are compared by their contents. Realistic notebooks
(a CSV read by relative path, features, a split, a fitted pipeline, metrics, ``joblib.dump``)
are converted, verified and recorded; then the generated steps are edited the way a
regression would edit them, and the generated tests must fail."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import joblib
import nbformat
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from nb2prod.convert import render_package, run
from nb2prod.convert.verify import golden_support, has_nbclient, record_golden, verify
from nb2prod.notebook.load import load_notebook
from nb2prod.notebook.parse import parse_notebook
from nb2prod.scaffold.model_finder import products

G = golden_support()
PYTHON = os.environ.get("NB2PROD_VERIFY_PYTHON", sys.executable)
needs_kernel = pytest.mark.skipif(
    not has_nbclient(PYTHON), reason=f"nbclient/ipykernel missing in {PYTHON}"
)


def _frame(n: int = 240, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "tenure": rng.integers(1, 72, n),
            "monthly": rng.normal(70, 20, n).round(2),
            "contract": rng.choice(["month", "year", "two_year"], n),
            "age": rng.normal(45, 12, n).round(0),
        }
    )
    df.loc[rng.choice(n, 30, replace=False), "age"] = np.nan
    logit = -1 + 0.03 * df["monthly"] - 0.05 * df["tenure"] + (df["contract"] == "month") * 1.2
    df["churn"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return df


CHURN = [
    "import joblib\nimport pandas as pd\nfrom sklearn.compose import ColumnTransformer\n"
    "from sklearn.ensemble import RandomForestClassifier\n"
    "from sklearn.impute import SimpleImputer\nfrom sklearn.linear_model import LogisticRegression\n"
    "from sklearn.metrics import accuracy_score, roc_auc_score\n"
    "from sklearn.model_selection import train_test_split\n"
    "from sklearn.pipeline import make_pipeline\n"
    "from sklearn.preprocessing import OneHotEncoder, StandardScaler",
    "SEED = 42\nTEST_SIZE = 0.25",
    "# Load",
    "df = pd.read_csv('data/churn.csv')\ndf['age'] = df['age'].fillna(df['age'].mean())\n"
    "print(df.shape)",
    "# Features",
    "X = df.drop(columns='churn')\ny = df['churn']\n"
    "X_train, X_test, y_train, y_test = train_test_split(\n"
    "    X, y, test_size=TEST_SIZE, random_state=SEED)",
    "# Train",
    "prep = ColumnTransformer([\n"
    "    ('num', make_pipeline(SimpleImputer(strategy='median'), StandardScaler()),\n"
    "     ['tenure', 'monthly', 'age']),\n"
    "    ('cat', OneHotEncoder(handle_unknown='ignore'), ['contract'])])\n"
    "model = make_pipeline(prep, LogisticRegression(C=1.0, max_iter=1000))\n"
    "model.fit(X_train, y_train)\n"
    "forest = make_pipeline(prep, RandomForestClassifier(n_estimators=30, max_depth=4,"
    " random_state=SEED))\nforest.fit(X_train, y_train)",
    "# Evaluate",
    "acc = accuracy_score(y_test, model.predict(X_test))\n"
    "auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])\n"
    "forest_auc = roc_auc_score(y_test, forest.predict_proba(X_test)[:, 1])\n"
    "print(f'accuracy {acc:.3f} auc {auc:.3f} forest {forest_auc:.3f}')",
    "# Save",
    "joblib.dump(model, 'model.joblib')",
]


def _notebook(folder: Path, cells: list[str], name: str = "churn") -> Path:
    """A notebook (``# Title`` cells are markdown) beside ``data/churn.csv``."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    _frame().to_csv(folder / "data" / "churn.csv", index=False)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(c) if c.startswith("# ") else nbformat.v4.new_code_cell(c)
        for c in cells
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


# -- run() returns the model and the metrics -----------------------------------------------


def test_models_and_metrics_are_found_without_running_the_notebook(tmp_path):
    cells = [
        *CHURN,
        "import statsmodels.formula.api as smf\nols = smf.ols('monthly ~ tenure', df).fit()\n"
        "rmse = float(((ols.resid) ** 2).mean() ** 0.5)",
        "from sklearn.svm import SVC\nsvc = SVC()\nfor c in (0.1, 1.0):\n"
        "    svc.set_params(C=c).fit(X_train, y_train)",
    ]
    nb = load_notebook(_notebook(tmp_path, cells))
    found = products(parse_notebook(nb))
    assert found[:4] == ["model", "forest", "ols", "svc"]  # the fitted models first
    assert {"acc", "auc", "forest_auc", "rmse"} <= set(found[3:])
    assert "X_train" not in found and "df" not in found


def test_run_returns_the_fitted_models_and_metrics_even_when_no_step_reads_them(tmp_path):
    plan, files = render_package(_notebook(tmp_path, CHURN))
    last = plan.steps[-2]  # "Evaluate": its metrics are read by no later step
    assert last.outputs == ["acc", "auc", "forest_auc"]
    assert {"model", "forest", "acc", "auc", "forest_auc"} <= set(plan.results)
    pipeline = files[f"src/{plan.package}/pipeline.py"]
    assert '"forest_auc": forest_auc' in pipeline and '"model": model' in pipeline
    # the model files a step writes are listed for the golden values, by notebook path
    layout = json.loads(files["tests/golden.json"])
    assert {s["name"]: s["files"] for s in layout["steps"]}[plan.steps[-1].name] == ["model.joblib"]
    # --export stays what the user asked for: the products are not recorded as exports
    assert "exports = []" in files["pyproject.toml"]


def test_a_file_whose_name_depends_on_the_data_or_a_figure_is_not_listed(tmp_path):
    cells = [
        *CHURN,
        "import matplotlib.pyplot as plt\nname = 'm' + str(SEED)\n"
        "joblib.dump(model, f'{name}.pkl')\njoblib.dump(forest, f'{len(df)}.pkl')\n"
        "plt.savefig('roc.png')\n"
        "X_test.to_csv('holdout.csv', index=False)",
    ]
    plan, files = render_package(_notebook(tmp_path, cells))
    layout = json.loads(files["tests/golden.json"])
    listed = [f for s in layout["steps"] for f in s["files"]]
    # the name computed from a constant is known; the one computed from the data is not
    assert listed == ["model.joblib", "m42.pkl", "holdout.csv"]


# -- fingerprints: rows, predictions, files -------------------------------------------------


def test_recorded_rows_are_json_and_rebuild_the_same_columns_and_dtypes():
    frame = pd.DataFrame(
        {
            "n": np.arange(25, dtype="int64"),
            "x": np.linspace(0, 1, 25),
            "s": ["a", None, "c", "d", "e"] * 5,
            "cat": pd.Categorical(
                ["lo", "hi", "lo", "mid", "hi"] * 5, categories=["lo", "mid", "hi"]
            ),
            "flag": [True, False] * 12 + [True],
            "when": pd.date_range("2024-01-01", periods=25, freq="D"),
            "f32": np.arange(25, dtype="float32"),
        }
    )
    frame.loc[3, "x"] = np.nan
    frame.loc[1, "s"] = np.nan
    encoded = G.encode_rows(frame)
    text = json.dumps(encoded, allow_nan=False)  # strict JSON
    rebuilt = G.decode_rows(json.loads(text))
    assert list(rebuilt.columns) == list(frame.columns)
    assert list(rebuilt.dtypes.astype(str)) == list(frame.dtypes.astype(str))
    pd.testing.assert_frame_equal(rebuilt, frame.iloc[: G.MAX_ROWS])
    assert list(rebuilt["cat"].cat.categories) == ["lo", "mid", "hi"]
    array = np.arange(300, dtype="float64").reshape(100, 3)
    array[0, 0] = np.inf
    back = G.decode_rows(json.loads(json.dumps(G.encode_rows(array), allow_nan=False)))
    np.testing.assert_array_equal(back, array[: G.MAX_ROWS])
    wide = np.zeros((50, 500))
    assert len(G.encode_rows(wide)["values"]) == G.MAX_CELLS // 500  # fewer rows when wide


def test_rows_are_taken_from_the_variable_that_fits_the_model_test_data_first():
    df = _frame()
    X, y = df[["tenure", "monthly"]], df["churn"]
    X_train, X_test = X.iloc[:150], X.iloc[150:]
    model = LogisticRegression().fit(X_train, y.iloc[:150])
    namespace = {"df": df, "X_train": X_train, "X_test": X_test, "_3": X_test, "y": y}
    ranked = [name for name, _ in G.candidate_rows(model, namespace)]
    assert ranked == ["X_test", "X_train", "df"]  # exact columns first; df holds them too
    plain = LogisticRegression().fit(X_train.to_numpy(), y.iloc[:150])
    arrays = {"train": X_train.to_numpy(), "other": np.zeros((5, 3)), "test_x": X_test.to_numpy()}
    assert [n for n, _ in G.candidate_rows(plain, arrays)] == ["test_x", "train"]


def test_predictions_tell_apart_models_that_fitted_attributes_do_not():
    df = _frame()
    X, y = df[["tenure", "monthly"]], df["churn"]
    namespace = {"X_test": X.iloc[150:]}
    five = KNeighborsClassifier(n_neighbors=5).fit(X, y)
    three = KNeighborsClassifier(n_neighbors=3).fit(X, y)
    expected = json.loads(json.dumps(G.product(five, namespace), allow_nan=False))
    assert expected["predictions"]["source"] == "X_test"
    assert set(expected["predictions"]["outputs"]) == {"predict", "predict_proba"}
    # what the package side computes: its model, the notebook's rows
    same = G.product(KNeighborsClassifier(n_neighbors=5).fit(X, y), expected=expected)
    assert G.differences(expected, same) == []
    changed = G.differences(expected, G.product(three, expected=expected))
    assert changed and all(".predictions.outputs." in d for d in changed)
    unfitted = G.differences(expected, G.product(KNeighborsClassifier(), expected=expected))
    assert any("NotFittedError" in d for d in unfitted)


def test_a_saved_model_is_compared_by_what_it_predicts(tmp_path):
    df = _frame()
    X, y = df[["tenure", "monthly"]], df["churn"]
    namespace = {"X_test": X.iloc[200:]}
    joblib.dump(LogisticRegression(C=1.0).fit(X, y), tmp_path / "model.joblib")
    expected = G.file_fingerprint(tmp_path / "model.joblib", namespace)
    assert expected["kind"] == "estimator" and "predictions" in expected
    joblib.dump(LogisticRegression(), tmp_path / "model.joblib")  # saved before fitting
    unfitted = G.file_fingerprint(tmp_path / "model.joblib", expected=expected)
    assert any("NotFittedError" in d for d in G.differences(expected, unfitted))
    df.to_csv(tmp_path / "out.csv", index=False)
    table = G.file_fingerprint(tmp_path / "out.csv")
    assert table["kind"] == "DataFrame" and table["shape"] == [240, 5]
    df.iloc[:-1].to_csv(tmp_path / "out.csv", index=False)
    assert G.differences(table, G.file_fingerprint(tmp_path / "out.csv")) != []
    assert G.file_fingerprint(tmp_path / "absent.parquet") == {"kind": "missing"}
    (tmp_path / "blob.pkl").write_bytes(b"not a pickle")
    assert G.file_fingerprint(tmp_path / "blob.pkl")["kind"] == "file"


def test_a_probe_never_raises_and_leaves_the_random_state_alone(tmp_path):
    class Broken:
        def fit(self, X, y=None):
            return self

        def get_params(self, deep=True):
            return {}

        def predict(self, X):
            raise RuntimeError("boom")

        @property
        def n_features_in_(self):
            raise RuntimeError("boom")

    np.random.seed(3)
    before = np.random.get_state()[1].copy()
    out = tmp_path / "values.jsonl"
    namespace = {"m": Broken(), "X": np.zeros((4, 2)), "model": LogisticRegression()}
    G.probe(str(out), "step", namespace, ["m", "model", "absent"], files=["nope.csv"])
    G.probe(str(tmp_path / "no" / "such" / "dir.jsonl"), "step", namespace, ["m"], files=[])
    step, fps = json.loads(out.read_text())
    assert step == "step" and set(fps) == {"m", "model", "file:nope.csv"}
    assert fps["file:nope.csv"] == {"kind": "missing"}
    assert (np.random.get_state()[1] == before).all()


# -- the whole loop, and regressions the generated tests catch ------------------------------


def _pytest(folder: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=folder,
        env={**env, "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def verified(tmp_path_factory):
    """The churn notebook converted, verified and its golden values recorded."""
    folder = tmp_path_factory.mktemp("project")
    nb = _notebook(folder / "notebooks", CHURN)
    out = folder / "pkg"
    assert run(nb, out).exit_code == 0
    result = verify(nb, out, PYTHON, timeout=300)
    assert result.error is None and result.faithful, result.mismatches
    assert record_golden(out, result) is not None
    return nb, out, result


@needs_kernel
def test_verify_records_the_models_predictions_and_the_saved_model(verified):
    _, out, _ = verified
    golden = json.loads((out / "tests" / "golden.json").read_text())
    train, evaluate, save = _steps(out)
    model = golden["values"][train]["model"]
    assert model["kind"] == "estimator"
    rows = model["predictions"]["rows"]
    assert model["predictions"]["source"] == "X_test"
    assert [c["name"] for c in rows["columns"]] == ["tenure", "monthly", "contract", "age"]
    assert len(rows["columns"][0]["values"]) == G.MAX_ROWS
    assert set(model["predictions"]["outputs"]) == {"predict", "predict_proba"}
    assert "predictions" in golden["values"][train]["forest"]
    assert {"acc", "auc", "forest_auc"} <= set(golden["values"][evaluate])
    saved = golden["values"][save]["file:model.joblib"]
    assert saved["predictions"]["outputs"] == model["predictions"]["outputs"]


@needs_kernel
def test_the_pipeline_returns_the_model_and_the_metrics(verified):
    nb, out, _ = verified
    code = (
        "import json\nfrom churn import pipeline\nr = pipeline.run()\n"
        "print(json.dumps({k: type(v).__name__ for k, v in r.items()}))"
    )
    env = {**os.environ, "PYTHONPATH": str(out / "src"), "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [PYTHON, "-c", code], cwd=nb.parent, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    types = json.loads(proc.stdout.strip().splitlines()[-1])
    assert types["model"] == types["forest"] == "Pipeline"
    assert types["acc"] == "float" and types["forest_auc"] == "float"


def _steps(out: Path) -> tuple[str, str, str]:
    """The names of the steps that fit the models, compute the metrics, save the model."""
    layout = json.loads((out / "tests" / "golden.json").read_text())["steps"]
    fit = next(s["name"] for s in layout if "model" in s["outputs"])
    metrics = next(s["name"] for s in layout if "acc" in s["outputs"])
    save = next(s["name"] for s in layout if s["files"] == ["model.joblib"])
    return fit, metrics, save


def _mutant(out: Path, tag: str, old: str, new: str) -> Path:
    """A copy of the package beside it (its data root, relative, still resolves) with one
    edit in its steps."""
    copy = out.with_name(f"mutant_{tag}")
    shutil.copytree(out, copy)
    steps = copy / "src" / "churn" / "steps.py"
    source = steps.read_text()
    assert old in source, source
    steps.write_text(source.replace(old, new, 1))
    return copy


@needs_kernel
def test_the_generated_tests_pass_then_catch_changed_models_and_data(verified):
    _, out, _ = verified
    train, _, save = _steps(out)
    passing = _pytest(out)
    assert passing.returncode == 0, passing.stdout
    assert "skipped" not in passing.stdout

    # a hyper-parameter changed: the model predicts otherwise on the recorded rows
    hyper = _pytest(_mutant(out, "c", "C=1.0", "C=0.01"))
    assert hyper.returncode == 1
    assert f"test_step_returns_what_the_notebook_computed[{train}]" in hyper.stdout
    assert "model.predictions.outputs.predict_proba" in hyper.stdout

    # the model saved before it is fitted: the saved file is compared, not only run()
    unfitted = _pytest(_mutant(out, "u", "joblib.dump(model,", "joblib.dump(LogisticRegression(),"))
    assert unfitted.returncode == 1
    assert f"test_step_returns_what_the_notebook_computed[{save}]" in unfitted.stdout
    assert "NotFittedError" in unfitted.stdout
    assert f"[{train}]" not in unfitted.stdout  # the returned model is still the fitted one

    # a fillna dropped: the imputer fills the gaps with another value, the model changes
    dropped = _pytest(
        _mutant(
            out,
            "f",
            """df["age"] = df["age"].fillna(df["age"].mean())""",
            "pass",
        )
    )
    assert dropped.returncode == 1
    assert f"test_step_returns_what_the_notebook_computed[{train}]" in dropped.stdout
    assert "model.predictions.outputs" in dropped.stdout
