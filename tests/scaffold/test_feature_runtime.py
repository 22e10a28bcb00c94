"""The feature runtime (templates/service/src/{pkg}/feature_runtime.py.j2): the notebook's
feature code, as a generated ``compute(run, settings)``, run in fit mode and in serve mode.

The compute functions below are written as the generator writes them; ``Notebook`` runs
them as the notebook did (every wrapped call plainly), which gives the notebook's own
training matrix to check against."""

from __future__ import annotations

import importlib
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import joblib
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

pytest.importorskip("sklearn")
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "service"
TEMPLATE = "src/{pkg}/feature_runtime.py.j2"
MODULES = sorted((TEMPLATES / "src" / "{pkg}").glob("feature_*.py.j2"))  # the runtime's modules
AGE_FILTER = "cell 4: df = df.dropna(subset=['Age'])"


@pytest.fixture(scope="module")
def fr(tmp_path_factory):
    """The rendered templates (the runtime's modules), imported as ``pkg.feature_runtime``."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    root = tmp_path_factory.mktemp("runtime")
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    assert TEMPLATES / TEMPLATE in MODULES
    for path in MODULES:
        rel = path.relative_to(TEMPLATES).as_posix()
        text = env.get_template(rel).render(package="pkg")
        # plain Python: the package name is the template's only variable
        assert text == path.read_text().replace("{{ package }}", "pkg")
        (root / "pkg" / path.name.removesuffix(".j2")).write_text(text)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("pkg.feature_runtime")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == "pkg" or m.startswith("pkg.")]:
            del sys.modules[name]


@dataclass(frozen=True)
class Settings:
    data: str
    test_size: float = 0.25


class Notebook:
    """Runs a compute() as the notebook ran its statements."""

    def read(self, key, thunk):
        return thunk()

    def split(self, key, func, *arrays, **kwargs):
        return func(*arrays, **kwargs)

    def fit(self, key, obj, *args, **kwargs):
        return obj.fit(*args, **kwargs)

    def fit_transform(self, key, obj, *args, **kwargs):
        return obj.fit_transform(*args, **kwargs)

    def stat(self, key, thunk):
        return thunk()

    def bins(self, key, func, x, *args, **kwargs):
        return func(x, *args, **kwargs)

    def columns(self, key, frame):
        return frame

    def categories(self, key, data):
        return data

    def dummies(self, key, func, data, *args, **kwargs):
        return func(data, *args, **kwargs)


def notebook(compute, settings):
    return compute(Notebook(), settings)


# -- data ------------------------------------------------------------------------------------


def write_customers(folder: Path, n: int = 240) -> None:
    rng = np.random.default_rng(1)
    plans = np.array(["basic", "plus", "pro"])[rng.integers(0, 3, n)]
    age = rng.normal(40, 12, n).round(1)
    age[rng.random(n) < 0.1] = np.nan
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:04d}" for i in range(n)],
            "plan": plans,
            "region": np.array(["north", "south", "east", "west"])[rng.integers(0, 4, n)],
            "age": age,
            "income": rng.normal(50_000, 9_000, n).round(2),
            "tenure": rng.integers(1, 60, n),
            "notes": [f"note {i}" for i in range(n)],
            "churn": (rng.random(n) < 0.3).astype(int),
        }
    )
    frame.to_csv(folder / "customers.csv", index=False)
    pd.DataFrame({"plan": ["basic", "plus", "pro"], "price": [10.0, 20.0, 35.5]}).to_csv(
        folder / "plans.csv", index=False
    )


def write_titanic(folder: Path, n: int = 300) -> None:
    rng = np.random.default_rng(2)
    age = rng.uniform(1, 70, n).round(0)
    age[rng.random(n) < 0.2] = np.nan
    embarked = np.array(["S", "C", "Q"], dtype=object)[rng.choice(3, n, p=[0.6, 0.25, 0.15])]
    embarked[[5, 17]] = None
    frame = pd.DataFrame(
        {
            "PassengerId": np.arange(1, n + 1),
            "Survived": rng.integers(0, 2, n),
            "Pclass": rng.integers(1, 4, n),
            "Name": [f"Passenger {i}" for i in range(n)],
            "Sex": np.array(["male", "female"])[rng.integers(0, 2, n)],
            "Age": age,
            "Fare": rng.gamma(2.0, 15.0, n).round(2),
            "Embarked": embarked,
        }
    )
    frame.to_csv(folder / "titanic.csv", index=False)


WORDS = [
    "good",
    "bad",
    "great",
    "awful",
    "fine",
    "love",
    "hate",
    "service",
    "food",
    "price",
    "slow",
    "fast",
]


def write_reviews(folder: Path, n: int = 200) -> None:
    rng = np.random.default_rng(3)
    texts: list[Any] = [" ".join(rng.choice(WORDS, rng.integers(2, 7))) for _ in range(n)]
    for i in (3, 50, 120):
        texts[i] = None
    frame = pd.DataFrame(
        {
            "review_id": np.arange(n),
            "text": texts,
            "stars": rng.integers(1, 6, n),
            "label": np.array(["neg", "pos"])[rng.integers(0, 2, n)],
        }
    )
    frame.to_csv(folder / "reviews.csv", index=False)


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Settings:
    folder = tmp_path_factory.mktemp("data")
    write_customers(folder)
    write_titanic(folder)
    write_reviews(folder)
    return Settings(data=str(folder))


# -- the notebooks' feature code, as generated -----------------------------------------------


def customers(run, settings):
    df = run.read("read@1", lambda: pd.read_csv(Path(settings.data) / "customers.csv"))
    plans = run.read("read@2", lambda: pd.read_csv(Path(settings.data) / "plans.csv"))
    df["age"] = df["age"].fillna(run.stat("stat@3", lambda: df["age"].median()))
    df = df.merge(plans, on="plan", how="left")
    df["income_per_year"] = df["income"] / df["age"]
    X = run.columns(
        "cols@4",
        pd.get_dummies(df[["age", "income", "tenure", "price", "income_per_year", "region"]]),
    )
    y = df["churn"]
    return X, y


def titanic(run, settings):
    df = run.read(
        "read@1",
        lambda: pd.read_csv(Path(settings.data) / "titanic.csv", index_col="PassengerId"),
    )
    df["Embarked"] = df["Embarked"].fillna(run.stat("stat@2", lambda: df["Embarked"].mode())[0])
    df = df.dropna(subset=["Age"]).copy()
    df["AgeBand"] = run.bins("bins@3", pd.qcut, df["Age"], 4, labels=False)
    X = run.dummies(
        "dum@4",
        pd.get_dummies,
        df[["Pclass", "Sex", "AgeBand", "Embarked", "Fare"]],
        drop_first=True,
    )
    y = df["Survived"]
    X_train, X_test, y_train, y_test = run.split(
        "split@5", train_test_split, X, y, test_size=settings.test_size, random_state=0
    )
    scaler = StandardScaler()
    scaler = run.fit("fit@6", scaler, X_train)
    X_train = scaler.transform(X_train)
    return X_train, y_train


def titanic_columns(run, settings):
    """As titanic, with get_dummies(drop_first=True) wrapped by run.columns only."""
    df = run.read(
        "read@1",
        lambda: pd.read_csv(Path(settings.data) / "titanic.csv", index_col="PassengerId"),
    )
    df = df.dropna(subset=["Age"]).copy()
    X = run.columns("cols@2", pd.get_dummies(df[["Pclass", "Sex", "Fare"]], drop_first=True))
    return X, df["Survived"]


def reviews(run, settings):
    df = run.read("read@1", lambda: pd.read_csv(Path(settings.data) / "reviews.csv"))
    df = df.dropna(subset=["text"])
    texts_train, texts_test, y_train, y_test = run.split(
        "split@2", train_test_split, df["text"], df["label"], test_size=0.2, random_state=0
    )
    vectorizer = TfidfVectorizer(min_df=2)
    X_train = run.fit_transform("ft@3", vectorizer, texts_train)
    X_test = vectorizer.transform(texts_test)  # the notebook goes on with the fitted vectorizer
    assert X_test.shape[1] == X_train.shape[1]
    return X_train, y_train


def customers_nullable(run, settings):
    """No fill: the model takes nulls in age."""
    df = run.read("read@1", lambda: pd.read_csv(Path(settings.data) / "customers.csv"))
    df["plan_code"] = df["plan"].map({"basic": 0, "plus": 1, "pro": 2}).astype(int)
    return df[["age", "income", "plan_code"]], df["churn"]


def customers_reset(run, settings):
    """A filter, then a fresh index: rows are told by their values."""
    df = run.read("read@1", lambda: pd.read_csv(Path(settings.data) / "customers.csv"))
    plans = run.read("read@2", lambda: pd.read_csv(Path(settings.data) / "plans.csv"))
    df = df.dropna(subset=["age"]).reset_index(drop=True)
    df = df.merge(plans, on="plan", how="left")
    X = run.columns("cols@3", pd.get_dummies(df[["age", "income", "price", "region"]]))
    return X, df["churn"]


def target_encoded(run, settings):
    df = run.read("read@1", lambda: pd.read_csv(Path(settings.data) / "customers.csv"))
    rates = df.groupby("plan")["churn"].mean()
    df["plan_rate"] = df["plan"].map(rates)
    X = run.columns("cols@2", pd.get_dummies(df[["income", "tenure", "plan_rate", "region"]]))
    return X, df["churn"]


def target_encoded_as_stat(run, settings):
    df = run.read("read@1", lambda: pd.read_csv(Path(settings.data) / "customers.csv"))
    rates = run.stat("stat@2", lambda: df.groupby("plan")["churn"].mean())
    df["plan_rate"] = df["plan"].map(rates)
    X = run.columns("cols@3", pd.get_dummies(df[["income", "tenure", "plan_rate", "region"]]))
    return X, df["churn"]


def noisy(run, settings):
    df = run.read("read@1", lambda: pd.read_csv(Path(settings.data) / "customers.csv"))
    df["noise"] = np.random.default_rng().random(len(df))
    return df[["income", "tenure", "noise"]], df["churn"]


def noisy_seeded(run, settings):
    df = run.read("read@1", lambda: pd.read_csv(Path(settings.data) / "customers.csv"))
    df["noise"] = np.random.default_rng(0).random(len(df))
    return df[["income", "tenure", "noise"]], df["churn"]


def fitted(fr, compute, settings, **kwargs):
    X, y = notebook(compute, settings)
    return fr.fit_state(compute, settings, X, y, **kwargs), X


def source(settings: Settings, name: str, **read) -> pd.DataFrame:
    return pd.read_csv(Path(settings.data) / name, **read)


def dense(x):
    return x.toarray() if hasattr(x, "toarray") else np.asarray(x)


# -- (1) pandas features ---------------------------------------------------------------------


def test_pandas_features_replay(fr, data):
    state, X = fitted(fr, customers, data)
    assert state.replayable, state.reasons
    assert state.source == "read@1" and "read@2" in state.recorded  # plans.csv kept
    assert state.target_columns == ["churn"]
    assert state.placeholders == {"churn": 0}
    assert state.checked["batch"] == state.checked["one_by_one"] == "equal"
    assert state.checked["rows"] == 20 and state.checked["target"] == {"churn": [0, 1]}
    assert state.layout == "dataframe" and state.columns == list(X.columns)
    assert state.dtypes == dict(X.dtypes)
    # required: fields whose absence changes the features; others are accepted but optional
    assert sorted(state.required) == ["age", "income", "plan", "region", "tenure"]
    raw = {c["name"]: c for c in state.raw["columns"]}
    assert list(raw) == ["customer_id", "plan", "region", "age", "income", "tenure", "notes"]
    assert raw["plan"]["kind"] == "string" and raw["plan"]["categories"] == ["basic", "plus", "pro"]
    assert raw["age"]["kind"] == "number" and raw["age"]["nullable"] is True
    assert raw["tenure"]["kind"] == "integer" and raw["tenure"]["min"] >= 1
    assert "categories" not in raw["notes"] and raw["notes"]["example"] == "text"
    assert raw["income"]["required"] and not raw["notes"]["required"]
    assert state.raw["index"] is None and "churn" not in state.raw["example"]

    rows = [0, 7, 100, 239]
    frame = source(data, "customers.csv").iloc[rows].drop(columns=["churn"])
    out = fr.transform(customers, state, frame)
    assert out.kept == [0, 1, 2, 3] and out.rejected == {}
    assert list(out.matrix.index) == rows  # the records' own index
    pd.testing.assert_frame_equal(out.matrix, X.iloc[rows])


def test_pandas_features_per_record_rejects(fr, data):
    state, X = fitted(fr, customers, data)
    base = source(data, "customers.csv").drop(columns=["churn", "notes", "customer_id"])
    records = base.iloc[[0, 1, 2, 3, 4]].to_dict("records")
    records[1]["income"] = None
    records[2]["plan"] = "enterprise"  # not in plans.csv: no price
    records[3]["region"] = "mars"  # an unseen dummy: dropped, the others 0
    records[4]["age"] = None  # filled with the training median
    out = fr.transform(customers, state, records)
    assert out.kept == [0, 3, 4]
    assert out.rejected == {
        1: "field income is null and the feature code leaves it null"
        " (feature income, income_per_year)",
        2: "feature price is null for this record (training never had a null there)",
    }
    assert list(out.matrix.index) == [0, 3, 4]
    assert list(out.matrix.columns) == list(X.columns)
    assert (out.matrix.dtypes == X.dtypes).all()
    assert not out.matrix.loc[3, [c for c in X.columns if c.startswith("region_")]].any()
    median = source(data, "customers.csv")["age"].median()
    assert out.matrix.loc[4, "age"] == median
    with pytest.raises(fr.FeatureError, match="missing required fields: income"):
        fr.transform(customers, state, [{k: v for k, v in records[0].items() if k != "income"}])


def test_training_nulls_pass_and_failing_records_are_rejected(fr, data):
    state, X = fitted(fr, customers_nullable, data)
    assert state.replayable, state.reasons
    assert state.nullable == [0]  # age
    assert sorted(state.required) == ["age", "income", "plan"]
    records = [
        {"plan": "plus", "age": None, "income": 1.0},
        {"plan": "gold", "age": 30.0, "income": 2.0},  # plan_code: astype(int) fails on NaN
        {"plan": "pro", "age": 20.0, "income": 3.0},
    ]
    out = fr.transform(customers_nullable, state, records)
    assert out.kept == [0, 2] and list(out.rejected) == [1]
    assert out.rejected[1].startswith("the feature code fails on this record: IntCastingNaNError")
    expected = pd.DataFrame(
        {"age": [np.nan, 20.0], "income": [1.0, 3.0], "plan_code": [1, 2]}, index=[0, 2]
    )
    pd.testing.assert_frame_equal(out.matrix, expected)
    assert out.matrix.dtypes.tolist() == X.dtypes.tolist()
    # a float field of an integer column is not truncated
    fields = {"plan": "pro", "age": 20.0, "income": 3.0, "tenure": 2.5}
    with_tenure = fr._prepare(state, [fields])[0]
    assert with_tenure["tenure"].tolist() == [2.5]


def test_rows_told_by_their_values_after_reset_index(fr, data):
    state, X = fitted(fr, customers_reset, data, filters=["cell 3: df = df.dropna(subset=['age'])"])
    assert state.replayable, state.reasons
    assert state.checked["row_source"] == "training rows matched by value"
    assert state.checked["rows"] == 20 and state.checked["one_by_one"] == "equal"
    frame = source(data, "customers.csv")
    survivors = frame.dropna(subset=["age"]).index  # X's rows, in order
    records = frame.iloc[44:55].drop(columns=["churn"]).reset_index(drop=True)
    out = fr.transform(customers_reset, state, records)
    assert out.kept == [0, 1, 2, 3, 6, 7, 8, 9]  # 48, 49 and 54 have no age
    reason = (
        "the feature code drops this record: field age is null"
        " (the notebook's filters: cell 3: df = df.dropna(subset=['age']))"
    )
    assert out.rejected == {4: reason, 5: reason, 10: reason}
    rows = survivors.get_indexer([44 + k for k in out.kept])
    pd.testing.assert_frame_equal(out.matrix, X.iloc[rows].set_axis(out.kept))


def test_id_field_becomes_the_index(fr, data):
    state, X = fitted(fr, customers, data, id_field="request_id")
    frame = source(data, "customers.csv").iloc[[5, 6]].drop(columns=["churn"])
    frame.insert(0, "request_id", ["a", "b"])
    out = fr.transform(customers, state, frame)
    assert list(out.matrix.index) == ["a", "b"]
    np.testing.assert_array_equal(out.matrix.to_numpy(), X.iloc[[5, 6]].to_numpy())


def test_the_state_pickles(fr, data, tmp_path):
    state, X = fitted(fr, customers, data)
    joblib.dump(state, tmp_path / "state.joblib")
    loaded = joblib.load(tmp_path / "state.joblib")
    assert loaded.settings == data and loaded.required == state.required
    frame = source(data, "customers.csv").iloc[[10, 11]]
    pd.testing.assert_frame_equal(fr.transform(customers, loaded, frame).matrix, X.iloc[[10, 11]])


def test_a_big_lookup_table_is_not_kept(fr, data, monkeypatch):
    monkeypatch.setattr(fr, "LOOKUP_LIMIT", 2)
    state, _ = fitted(fr, customers, data)
    assert not state.replayable
    assert state.reasons == ["read@2: a table of 3 rows is too big to keep"]
    with pytest.raises(fr.FeatureError, match="cannot serve raw records: read@2"):
        fr.transform(customers, state, source(data, "customers.csv").head(2))


# -- (2) titanic style -----------------------------------------------------------------------


def test_titanic_replays_through_bins_dummies_split_and_scaler(fr, data):
    state, X = fitted(fr, titanic, data, filters=[AGE_FILTER])
    assert state.replayable, state.reasons
    assert state.layout == "array" and state.width == X.shape[1] == 6
    assert state.checked["row_source"] == "the target's index"
    assert state.target_columns == ["Survived"] and set(state.placeholders) == {"Survived"}
    assert sorted(state.required) == ["Age", "Embarked", "Fare", "Pclass", "Sex"]
    assert state.raw["index"]["name"] == "PassengerId"
    assert state.raw["index"]["kind"] == "integer"
    embarked = next(c for c in state.raw["columns"] if c["name"] == "Embarked")
    assert embarked["categories"] == ["C", "Q", "S"] and embarked["nullable"] is True

    frame = source(data, "titanic.csv", index_col="PassengerId")
    y = notebook(titanic, data)[1]
    ids = list(y.index[:15])  # training rows, in the order of the matrix
    out = fr.transform(titanic, state, frame.loc[ids].drop(columns=["Survived"]))
    assert out.rejected == {} and out.kept == list(range(15))
    np.testing.assert_allclose(out.matrix, X[:15], rtol=0, atol=1e-12)
    # one record at a time, with its id as a field
    record = frame.loc[[ids[3]]].reset_index().to_dict("records")
    one = fr.transform(titanic, state, record)
    np.testing.assert_allclose(one.matrix, X[3:4], rtol=0, atol=1e-12)


def test_titanic_rejects_records_with_reasons(fr, data):
    state, X = fitted(fr, titanic, data, filters=[AGE_FILTER])
    frame = source(data, "titanic.csv", index_col="PassengerId").dropna(subset=["Age"])
    records = frame.iloc[:5].drop(columns=["Survived"]).reset_index().to_dict("records")
    records[1]["Age"] = None
    records[2]["Fare"] = None
    records[3]["Embarked"] = None  # filled with the training mode
    records[4]["Age"] = 500.0  # beyond the training bins: no age band
    out = fr.transform(titanic, state, records)
    assert out.kept == [0, 3]
    assert out.rejected == {
        1: f"the feature code drops this record: field Age is null (the notebook's filters: {AGE_FILTER})",
        2: "field Fare is null and the feature code leaves it null (feature column 2)",
        4: "feature column 1 is null for this record (training never had a null there)",
    }
    assert out.matrix.shape == (2, 6) and not np.isnan(out.matrix).any()
    # a batch where every record is filtered out
    alone = fr.transform(titanic, state, [records[1]])
    assert alone.kept == [] and alone.matrix.shape == (0, 6)
    assert alone.rejected[0].startswith("the feature code drops this record: field Age is null")


def test_bins_and_dummies_serve_one_record_as_training(fr, data):
    state, _ = fitted(fr, titanic, data, filters=[AGE_FILTER])
    frame = source(data, "titanic.csv", index_col="PassengerId").dropna(subset=["Age"])
    edges = state.recorded["bins@3"]["edges"]
    assert edges[0] == frame["Age"].min() and edges[-1] == frame["Age"].max()
    encoded = state.recorded["dum@4"]["encoded"]
    assert list(encoded["Sex"].categories) == ["female", "male"]
    assert list(state.recorded["dum@4"]["columns"]) == [
        "Pclass",
        "AgeBand",
        "Fare",
        "Sex_male",
        "Embarked_Q",
        "Embarked_S",
    ]


def test_get_dummies_drop_first_without_categories_is_caught(fr, data):
    X, y = notebook(titanic_columns, data)
    state = fr.fit_state(titanic_columns, data, X, y)
    assert not state.replayable
    assert state.checked["batch"] == "equal"
    assert state.reasons[0].startswith(
        "serve mode, one record at a time, does not give the training features: column 'Sex_male'"
    )


# -- (3) text --------------------------------------------------------------------------------


def test_text_features_replay(fr, data):
    state, X = fitted(fr, reviews, data, filters=["cell 2: df = df.dropna(subset=['text'])"])
    assert state.replayable, state.reasons
    assert state.layout == "sparse" and state.width == X.shape[1]
    assert state.target_columns == ["label"] and state.required == ["text"]
    frame = source(data, "reviews.csv").dropna(subset=["text"])
    y = notebook(reviews, data)[1]
    records = frame.loc[y.index[:10]].drop(columns=["label"])
    out = fr.transform(reviews, state, records)
    assert out.kept == list(range(10))
    assert abs(out.matrix - X[:10]).max() < 1e-12
    batch = [{"review_id": 1, "text": "good food", "stars": 5}, {"review_id": 2, "text": None}]
    batch.append({"text": "zzz unknown words"})
    out = fr.transform(reviews, state, batch)
    assert out.kept == [0, 2]
    assert out.rejected == {
        1: "the feature code drops this record: field text is null"
        " (the notebook's filters: cell 2: df = df.dropna(subset=['text']))"
    }
    assert out.matrix.shape == (2, X.shape[1]) and out.matrix[1].nnz == 0


# -- (4) (5) code that cannot serve ----------------------------------------------------------


def test_target_encoding_reads_the_target(fr, data):
    state, _ = fitted(fr, target_encoded, data)
    assert not state.replayable
    assert "the feature code reads the target column 'churn'" in state.reasons
    assert state.required == [c["name"] for c in state.raw["columns"]]
    with pytest.raises(fr.FeatureError, match="reads the target column 'churn'"):
        fr.transform(target_encoded, state, source(data, "customers.csv").head(1))


def test_target_encoding_learned_at_training_replays(fr, data):
    state, X = fitted(fr, target_encoded_as_stat, data)
    assert state.replayable, state.reasons
    records = source(data, "customers.csv").iloc[[3, 4]].drop(columns=["churn"])
    pd.testing.assert_frame_equal(
        fr.transform(target_encoded_as_stat, state, records).matrix, X.iloc[[3, 4]]
    )


def test_random_features_do_not_replay(fr, data):
    state, _ = fitted(fr, noisy, data)
    assert not state.replayable
    assert state.reasons[0].startswith(
        "the feature code does not reproduce the notebook's training matrix: column 'noise', row 0:"
    )
    state, _ = fitted(fr, noisy_seeded, data)
    assert not state.replayable
    assert state.reasons[0].startswith(
        "serve mode does not give the training features: column 'noise', row "
    )


def test_fit_mode_failure_is_a_reason(fr, data):
    def broken(run, settings):
        df = run.read("read@1", lambda: pd.read_csv(Path(settings.data) / "customers.csv"))
        return df["no such column"], None

    state = fr.fit_state(broken, data, None)
    assert not state.replayable and state.reasons == [
        "the feature code fails in fit mode: KeyError: 'no such column'"
    ]


def test_no_table_read(fr, data):
    def arrays(run, settings):
        X = run.read("read@1", lambda: np.arange(12.0).reshape(6, 2))
        return X, None

    state = fr.fit_state(arrays, data, np.arange(12.0).reshape(6, 2))
    assert state.reasons == ["the feature code reads no table (DataFrame) to serve records as"]


# -- the run object --------------------------------------------------------------------------


def test_serve_mode_steps(fr):
    run = fr.FeatureRun.fitting(None)
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": ["a", "b", "a", "c"]})
    for column in ("x", "c"):  # a loop: one key, recorded once per pass
        run.stat("stat@1", lambda column=column: frame[column].mode())
    parts = run.split("split@2", train_test_split, frame, frame["x"], test_size=0.5, random_state=0)
    assert len(parts) == 4 and len(parts[0]) == 2
    assert run.splits["split@2"][0][0].equals(parts[0].index)
    cats = run.categories("cat@3", frame["c"].astype("category"))
    scaler = StandardScaler()
    run.fit("fit@4", scaler, frame[["x"]])
    state = fr.FeatureState(recorded=run.recorded, source="read@0")
    assert set(state.recorded) == {"stat@1", "stat@1#1", "cat@3", "fit@4"}

    serve = fr.FeatureRun.serving(state, frame.head(2))
    assert serve.stat("stat@1", lambda: 1 / 0).tolist() == frame["x"].mode().tolist()
    assert serve.stat("stat@1", lambda: 1 / 0).tolist() == ["a"]
    with pytest.raises(fr.FeatureError, match="stat@1#2: nothing was recorded"):
        serve.stat("stat@1", lambda: 1 / 0)
    new = pd.DataFrame({"x": [9.0], "c": ["z"]}, index=[7])
    served = serve.split("split@2", train_test_split, new, new["x"], test_size=0.5)
    assert [len(p) for p in served] == [1, 1, 1, 1] and served[0] is new
    one = serve.categories("cat@3", new["c"].astype("category"))
    assert one.dtype == cats.dtype and one.isna().all() and list(one.index) == [7]
    fresh = StandardScaler()  # the served code builds its own, unfitted
    assert serve.fit("fit@4", fresh, new[["x"]]) is state.recorded["fit@4"]
    assert fresh.transform(pd.DataFrame({"x": [2.5]}))[0, 0] == 0.0


# -- bins: serve mode gives the categories and codes of the fit call --------------------------

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, allow_subnormal=False)
values = st.lists(st.one_of(finite, finite, finite, st.just(math.nan)), min_size=4, max_size=40)


def fit_then_serve(fr, func, x, *args, **kwargs):
    run = fr.FeatureRun.fitting(None)
    try:
        fit_out = run.bins("b", func, x, *args, **kwargs)
    except ValueError:
        assume(False)
    state = fr.FeatureState(recorded=run.recorded)
    served = fr.FeatureRun.serving(state, None).bins("b", func, x, *args, **kwargs)
    singles = [
        fr.FeatureRun.serving(state, None).bins("b", func, x.iloc[[i]], *args, **kwargs)
        for i in range(0, len(x), 3)
    ]
    return fit_out, served, singles


def assert_same_bins(fit_out, served, singles):
    pd.testing.assert_series_equal(served, fit_out)
    for single in singles:
        pd.testing.assert_series_equal(single, fit_out.loc[single.index], check_dtype=False)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # pandas' qcut
@hyp_settings(max_examples=60)
@given(
    values,
    st.integers(2, 6),
    st.sampled_from(["none", "false", "list"]),
    st.sampled_from(["raise", "drop"]),
)
def test_qcut_serves_as_fitted(fr, xs, q, labels, duplicates):
    x = pd.Series(xs, name="v")
    label_arg = {"none": None, "false": False, "list": [f"q{i}" for i in range(q)]}[labels]
    fit_out, served, singles = fit_then_serve(
        fr, pd.qcut, x, q, labels=label_arg, duplicates=duplicates
    )
    assert_same_bins(fit_out, served, singles)


@hyp_settings(max_examples=60)
@given(values, st.integers(1, 6), st.sampled_from(["none", "false", "list"]), st.booleans())
def test_cut_with_int_bins_serves_as_fitted(fr, xs, bins, labels, right):
    x = pd.Series(xs, name="v")
    label_arg = {"none": None, "false": False, "list": [f"b{i}" for i in range(bins)]}[labels]
    fit_out, served, singles = fit_then_serve(fr, pd.cut, x, bins, labels=label_arg, right=right)
    assert_same_bins(fit_out, served, singles)


def test_categories_of_a_frame_and_dummies_of_a_series(fr):
    frame = pd.DataFrame({"a": ["x", "y", "x"], "b": ["u", "u", "v"], "n": [1, 2, 3]})
    run = fr.FeatureRun.fitting(None)
    cats = run.categories("cat@1", frame[["a", "b"]].astype("category"))
    dummies = run.dummies("dum@2", pd.get_dummies, frame["a"], drop_first=True)
    assert list(dummies.columns) == ["y"]
    serve = fr.FeatureRun.serving(fr.FeatureState(recorded=run.recorded), None)
    new = pd.DataFrame({"a": ["y", "w"], "b": ["v", "v"]}, index=[4, 5])
    served = serve.categories("cat@1", new.astype("category"))
    assert served.dtypes.tolist() == cats.dtypes.tolist()
    assert served["a"].tolist()[0] == "y" and pd.isna(served["a"].tolist()[1])
    one = serve.dummies("dum@2", pd.get_dummies, new["a"].iloc[[0]], drop_first=True)
    assert one.columns.tolist() == ["y"] and one["y"].tolist() == [True]


def test_cut_with_edges_and_retbins(fr):
    x = pd.Series([0.0, 5.0, 18.0, 30.0, 64.0, 90.0])
    run = fr.FeatureRun.fitting(None)
    out, edges = run.bins("b", pd.cut, x, bins=[0, 18, 65, 100], retbins=True)
    state = fr.FeatureState(recorded=run.recorded)
    served, served_edges = fr.FeatureRun.serving(state, None).bins(
        "b", pd.cut, x, bins=[0, 18, 65, 100], retbins=True
    )
    pd.testing.assert_series_equal(served, out)
    assert np.isnan(served.cat.codes.where(served.cat.codes >= 0)[0])  # 0 is outside (0, 18]
    np.testing.assert_array_equal(served_edges, edges)


def test_describe_frame(fr):
    frame = pd.DataFrame(
        {
            "flag": [True, False, True],
            "when": pd.to_datetime(["2024-01-01", "2024-02-01", None]),
            "n": [1, 2, 3],
            "mixed": ["a", 1, None],
        },
        index=pd.Index([10, 11, 12], name="id"),
    )
    described = fr.describe_frame(frame)
    cols = {c["name"]: c for c in described["columns"]}
    assert cols["flag"] == {
        "name": "flag",
        "dtype": "bool",
        "nullable": False,
        "kind": "boolean",
        "example": True,
    }
    assert cols["when"]["kind"] == "datetime" and cols["when"]["nullable"] is True
    assert cols["when"]["max"] == "2024-02-01T00:00:00"
    assert cols["n"]["min"] == 1 and cols["n"]["example"] == 2
    assert cols["mixed"]["kind"] == "string" and cols["mixed"]["mixed"] is True
    assert described["index"]["name"] == "id" and described["example"]["n"] == 2
