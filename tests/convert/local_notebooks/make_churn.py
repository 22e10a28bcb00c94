"""Writes churn/ : a notebook as data scientists write it, with the data it reads by
relative path. Run by the tests (tests/convert/test_local_data.py) into a temporary folder."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from tests.helpers import code, markdown, notebook, write

CELLS = [
    markdown("# Churn model\nReads the customer extract from `data/`, trains, saves the model."),
    code("!pip install -q scikit-learn joblib", count=7),
    code(
        "import os\nimport numpy as np\nimport pandas as pd\nimport joblib\n"
        "from sklearn.model_selection import train_test_split\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.metrics import accuracy_score, roc_auc_score",
        count=1,
    ),
    code("%matplotlib inline", count=2),
    code('SEED = 0\nTEST_SIZE = 0.25\nDATA_DIR = "data/"\nTARGET = "churned"', count=3),
    markdown("## Load"),
    code(
        "%%time\ncustomers = pd.read_csv(DATA_DIR + 'customers.csv')\n"
        "plans = pd.read_csv(os.path.join('data', 'plans.csv'))\n"
        "print(customers.shape)",
        count=4,
    ),
    code("df = customers.merge(plans, on='plan', how='left')\ndf.head()", count=5),
    code("%timeit df.describe()", count=6),
    markdown("## Features"),
    code(
        "np.random.seed(SEED)\n"
        "df.sample(5)\n"
        "df['tenure_years'] = df['tenure'] / 12\n"
        "df['monthly_charges'] = df['monthly_charges'].fillna(df['monthly_charges'].median())\n"
        "df['noise'] = np.random.permutation(len(df)) % 3\n"
        "X = pd.get_dummies(df[['tenure_years', 'monthly_charges', 'price', 'noise', 'plan']],"
        " columns=['plan'], dtype=float)\n"
        "y = df[TARGET]",
        count=8,
    ),
    markdown("## Train"),
    code(
        "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=TEST_SIZE,"
        " random_state=SEED)\n"
        "model = LogisticRegression(C=0.5, max_iter=500)\nmodel.fit(X_train, y_train)",
        count=9,
    ),
    code(
        "pred = model.predict(X_test)\nacc = accuracy_score(y_test, pred)\n"
        "auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])\n"
        "print(f'accuracy {acc:.4f} auc {auc:.4f}')",
        count=10,
    ),
    markdown("## Save"),
    code(
        "!mkdir -p models\njoblib.dump(model, 'models/churn.joblib')\n"
        "X_test.assign(pred=pred).to_csv('models/scored.csv', index=False)",
        count=11,
    ),
    code(
        "scored = pd.read_csv('models/scored.csv')\nprint(len(scored), scored['pred'].mean())",
        count=12,
    ),
]


def make(folder: Path, rows: int = 400) -> Path:
    """The notebook and its data files in ``folder``; returns the notebook's path."""
    rng = random.Random(7)
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    with open(data / "plans.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["plan", "price"])
        w.writerows([["basic", 20], ["plus", 35], ["pro", 60]])
    with open(data / "customers.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "plan", "tenure", "monthly_charges", "churned"])
        for i in range(rows):
            plan = rng.choice(["basic", "plus", "pro"])
            tenure = rng.randint(1, 72)
            charges = "" if rng.random() < 0.05 else round(rng.uniform(15, 110), 2)
            p = 0.6 - tenure / 150 + (0.15 if plan == "basic" else 0)
            w.writerow([i, plan, tenure, charges, int(rng.random() < p)])
    return write(folder / "churn.ipynb", notebook(CELLS))
