"""The model finder: which variable is the fitted model, its features, target, metrics."""

from __future__ import annotations

import pytest

from nb2prod.errors import InputError
from nb2prod.notebook.load import load_notebook
from nb2prod.scaffold.model_finder import find_model
from tests.conftest import SAMPLES
from tests.helpers import from_percent, write


def choose(tmp_path, text: str, **overrides):
    path = write(tmp_path / "analysis.ipynb", from_percent(text))
    return find_model(load_notebook(path), **overrides)


def test_method_call_receiver_features_and_target(tmp_path):
    c = choose(
        tmp_path,
        "# %%\nfrom sklearn.linear_model import LogisticRegression\n"
        "# %%\nclf = LogisticRegression()\nclf.fit(X_train, y_train)\n",
    )
    assert (c.model, c.features, c.target, c.cell) == ("clf", "X_train", "y_train", 2)


def test_chained_fit_binds_the_assigned_name(tmp_path):
    c = choose(
        tmp_path,
        "# %%\nfrom sklearn.pipeline import make_pipeline\n"
        "# %%\nmodel = make_pipeline(StandardScaler(), Ridge()).fit(X, y)\n",
    )
    assert (c.model, c.features, c.target) == ("model", "X", "y")


def test_the_last_fit_wins_and_keywords_are_read(tmp_path):
    text = (
        "# %%\nscaler = StandardScaler()\nscaler.fit(X_raw)\n"
        "# %%\nsearch = GridSearchCV(SVC(), grid)\nsearch.fit(X=X_scaled, y=labels)\n"
        "# %%\npredicted = search.predict(X_scaled)\n"
    )
    assert (choose(tmp_path, text).model, choose(tmp_path, text).target) == ("search", "labels")
    earlier = choose(tmp_path, text, model="scaler")
    assert (earlier.model, earlier.features, earlier.target) == ("scaler", "X_raw", None)


def test_fits_in_functions_and_module_functions_are_not_models(tmp_path):
    text = (
        "# %%\nfrom scipy.stats import norm\nimport statsmodels.api as sm\n"
        "# %%\ndef train(X, y):\n    m = Ridge()\n    m.fit(X, y)\n    return m\n"
        "# %%\nloc, scale = norm.fit(data)\nresult = sm.OLS(y, X).fit()\nvar = VAR(d).fit(4)\n"
    )
    with pytest.raises(InputError) as err:
        choose(tmp_path, text)
    assert str(err.value).startswith(str(tmp_path / "analysis.ipynb") + ": no fitted model")
    assert "--model NAME" in str(err.value) and "\n" not in str(err.value)


def test_features_given_as_an_expression_need_a_name(tmp_path):
    text = "# %%\nx = 1\n# %%\nmodel = Ridge()\nmodel.fit(df[FEATURES], df['price'])\n"
    with pytest.raises(InputError) as err:
        choose(tmp_path, text)
    assert err.value.cell == 2 and "`df[FEATURES]`" in str(err.value)
    assert "--features" in str(err.value)
    c = choose(tmp_path, text, features="X")
    assert (c.model, c.features, c.target) == ("model", "X", None)


def test_model_override(tmp_path):
    text = "# %%\nmodel = Ridge()\nmodel.fit(X, y)\nbaseline = fitted_elsewhere()\n"
    c = choose(tmp_path, text, model="baseline", features="X")
    assert (c.model, c.features) == ("baseline", "X")
    with pytest.raises(InputError, match="no `.fit\\(...\\)` call .* on `baseline`"):
        choose(tmp_path, text, model="baseline")


def test_metrics_are_metric_calls_and_metric_names(tmp_path):
    c = choose(
        tmp_path,
        "# %%\nfrom sklearn import metrics\nfrom sklearn.metrics import r2_score\n"
        "MIN_SCORE = 0.5\n"
        "# %%\nmodel = Ridge().fit(X_train, y_train)\npred = model.predict(X_test)\n"
        "fit_quality = r2_score(y_test, pred)\n"
        "errors = {'mae': metrics.mean_absolute_error(y_test, pred)}\n"
        "val_rmse, n_test = 3.2, len(y_test)\n"
        "def helper():\n    inner_score = 1\n",
    )
    assert c.metrics == ["fit_quality", "errors", "val_rmse"]


@pytest.mark.parametrize(
    ("name", "model", "features", "target", "metrics"),
    [
        ("churn_classifier", "search", "X_train", "y_train", ["roc_auc", "accuracy"]),
        ("delivery_time_regression", "model", "X_train", "y_train", ["scores"]),
        ("clean_pipeline", "model", "X_train", "y_train", ["metrics", "scores"]),
    ],
)
def test_sample_notebooks(name, model, features, target, metrics):
    c = find_model(load_notebook(SAMPLES / f"{name}.ipynb"))
    assert (c.model, c.features, c.target, c.metrics) == (model, features, target, metrics)
