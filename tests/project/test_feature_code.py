"""The feature slice and its code: which statements turn the rows read into the model's
training matrix, which calls are wrapped for the runtime, and why a slice cannot be
replayed on raw records (CV018 at the cell)."""

from __future__ import annotations

from pathlib import Path

from nb2prod.project.feature_code import feature_code
from nb2prod.project.plan import plan_project
from nb2prod.project.service import ServiceRequest
from tests.helpers import from_percent, write

HEAD = """# %%
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
SEED = 0
"""

FEATURES = """# %%
df = pd.read_csv("data/people.csv")
df.head()
df["age"] = df["age"].fillna(df["age"].median())
df["band"] = pd.qcut(df["income"], 4, labels=False)
df["total"] = df[["a", "b"]].sum(axis=1)
df["ratio"] = df["a"].apply(lambda v: v / max(v, 1))
plt.hist(df["age"])
X = pd.get_dummies(df[["age", "band", "total", "ratio", "city"]], columns=["city"])
y = df["label"]
print(df["age"].mean())
# %%
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=SEED)
scaler = StandardScaler()
scaler.fit(X_train)
X_train = scaler.transform(X_train)
X_test = scaler.transform(X_test)
model = LogisticRegression().fit(X_train, y_train)
print(model.score(X_test, y_test))
"""


def _plan(tmp_path: Path, text: str):
    nb = write(tmp_path / "nb.ipynb", from_percent(text))
    return plan_project(nb, service=ServiceRequest())


def test_the_slice_holds_the_feature_code_and_wraps_what_training_learns(tmp_path):
    plan = _plan(tmp_path, HEAD + FEATURES)
    code = plan.feature
    assert code is not None and code.replayable, code.reasons
    body = code.body
    assert "run.read(" in body and "pd.read_csv" in body
    assert "run.stat(" in body and "df['age'].median()" in body
    assert "run.bins(" in body and "pd.qcut" in body
    assert "run.dummies(" in body
    assert "run.split(" in body
    assert "scaler = run.fit(" in body  # a bare scaler.fit(X_train) rebinds the variable
    assert 'df["total"] = df[["a", "b"]].sum(axis=1)' in body  # per row: not a statistic
    assert "lambda v: v / max(v, 1)" in body  # per-row code is left as written
    assert code.wrapped == {"read": 1, "stat": 1, "bins": 1, "dummies": 1, "split": 1, "fit": 1}
    for left_out in ("df.head()", "plt.hist", "print(", "X_test = scaler", "LogisticRegression"):
        assert left_out not in body, left_out
    assert code.piece.settings == [("seed", "seed")]
    assert code.evaluation == "X_test"
    assert code.piece.split_parts and set(code.piece.split_parts.values()) == {0}
    assert "def compute(run: Any, settings: Any):" in code.function
    assert "seed = settings.seed" in code.function
    assert code.function.rstrip().endswith("return X_train, y_train")
    assert "import matplotlib" not in "\n".join(code.imports)  # unused by the feature code
    features_py = plan.files[f"src/{plan.name}/features.py"]
    assert "REPLAYABLE = True" in features_py and 'EVALUATION = "X_test"' in features_py
    assert not plan.service_findings


def test_random_draws_per_batch_are_not_replayable(tmp_path):
    text = HEAD + FEATURES.replace(
        'y = df["label"]', 'X["noise"] = np.random.permutation(len(X))\ny = df["label"]'
    )
    plan = _plan(tmp_path, text)
    assert plan.feature is not None and not plan.feature.replayable
    [found] = plan.service_findings
    assert found.code == "CV018" and found.cell == 2
    assert "np.random.permutation(len(X))" in found.message and "random" in found.message
    features_py = plan.files[f"src/{plan.name}/features.py"]
    assert "REPLAYABLE = False" in features_py and "def compute" not in features_py
    assert "np.random.permutation" in features_py  # the reason, in the module's docstring
    assert found in plan.package.findings


def test_an_unseeded_split_and_data_not_read_from_a_file_are_said(tmp_path):
    unseeded = HEAD + FEATURES.replace("random_state=SEED", "test_size=0.3")
    plan = _plan(tmp_path, unseeded)
    assert any("random_state" in f.message for f in plan.service_findings)
    generated = """# %%
import numpy as np
from sklearn.linear_model import LinearRegression
# %%
rng = np.random.default_rng(0)
X = rng.normal(size=(50, 2))
y = X @ np.array([1.0, 2.0])
model = LinearRegression().fit(X, y)
"""
    plan = _plan(tmp_path, generated)
    assert any("data file" in f.message for f in plan.service_findings), plan.service_findings


def test_a_string_spanning_lines_keeps_its_text(tmp_path):
    text = (
        HEAD
        + """# %%
names = 'a b \\
c d'
names = names.split(' ')
df = pd.read_csv("data/x.csv", names=names)
X = df[["a", "b", "c"]]
y = df["d"]
model = LogisticRegression().fit(X, y)
"""
    )
    plan = _plan(tmp_path, text)
    assert plan.feature is not None and plan.feature.replayable, plan.feature.reasons
    assert "names = 'a b \\\nc d'" in plan.feature.function  # not indented into the string


def test_feature_code_on_a_plan_without_a_fit_says_so(tmp_path):
    plan = _plan(tmp_path, HEAD + FEATURES)
    choice = plan.choice
    assert choice is not None
    choice.features = "not_a_variable"
    code = feature_code(plan.package, choice)
    assert not code.replayable and "no `.fit(not_a_variable" in code.reasons[0]
