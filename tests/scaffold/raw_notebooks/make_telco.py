"""Writes telco/ : a churn notebook whose features are pandas code on the raw extract
(a derived flag, a median fill, a yes/no map, one-hot contracts), with the CSV it reads."""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

from tests.helpers import code, markdown, notebook, write

CELLS = [
    markdown(
        "# Telco churn\n\nWhich customers leave? A first logistic regression on the CRM "
        "extract in `data/customers.csv`."
    ),
    code("!pip install -q scikit-learn matplotlib", count=1),
    code(
        "import numpy as np\n"
        "import pandas as pd\n"
        "import matplotlib.pyplot as plt\n"
        "from sklearn.model_selection import train_test_split\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.metrics import accuracy_score, roc_auc_score",
        count=2,
    ),
    code("SEED = 0\nTEST_SIZE = 0.2", count=3),
    code("%matplotlib inline", count=4),
    markdown("## Data"),
    code("%%time\ndf = pd.read_csv('data/customers.csv')\nprint(df.shape)", count=5),
    code("df.head()", count=6),
    code("df.isnull().sum()", count=7),
    code("df.churned.value_counts(normalize=True)", count=8),
    code(
        "churn_rate = df.groupby('contract').churned.apply(lambda s: (s == 'yes').mean())\n"
        "churn_rate.plot(kind='bar', title='Churn rate by contract')\n"
        "plt.ylabel('churn rate')\n"
        "plt.show()",
        count=9,
    ),
    markdown("## Features\n\nLong-tenure flag, median-filled charges, support as 0/1, one-hot"),
    code(
        "df['long_tenure'] = df.tenure > 24\n"
        "df['monthly_charges'] = df['monthly_charges'].fillna(df['monthly_charges'].median())\n"
        "df['support'] = df.support.map({'yes': 1, 'no': 0})\n"
        "df = pd.get_dummies(df, columns=['contract'])\n"
        "df.head()",
        count=10,
    ),
    code(
        "features = ['tenure', 'long_tenure', 'monthly_charges', 'support',\n"
        "            'contract_month', 'contract_year', 'contract_two_year']\n"
        "X = df[features]\n"
        "y = (df.churned == 'yes').astype(int)\n"
        "X.shape, y.mean()",
        count=11,
    ),
    markdown("## Model"),
    code(
        "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=TEST_SIZE,"
        " random_state=SEED)",
        count=12,
    ),
    code("model = LogisticRegression(max_iter=1000)\nmodel.fit(X_train, y_train)", count=13),
    code(
        "y_pred = model.predict(X_test)\n"
        "y_prob = model.predict_proba(X_test)[:, 1]\n"
        "print('accuracy:', round(accuracy_score(y_test, y_pred), 3))\n"
        "print('roc auc:', round(roc_auc_score(y_test, y_prob), 3))",
        count=14,
    ),
    code("pd.Series(model.coef_[0], index=features).sort_values()", count=15),
]

NOTES = [
    "",
    "",
    "",
    "asked about a discount",
    "complained about dropped calls",
    "moved house, kept the plan",
    "billing question, resolved",
    "wants faster internet",
    "happy with the service",
    "called twice about the router",
]


def make(folder: Path, rows: int = 400) -> Path:
    """The notebook and ``data/customers.csv`` in ``folder``; returns the notebook's path."""
    rng = random.Random(12)
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    with open(data / "customers.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["customer_id", "tenure", "monthly_charges", "contract", "support", "notes", "churned"]
        )
        for i in range(rows):
            contract = rng.choices(["month", "year", "two_year"], weights=[5, 3, 2])[0]
            tenure = rng.randint(1, 72)
            charges = round(rng.uniform(18, 118), 2)
            support = rng.choice(["yes", "no"])
            score = (
                0.8
                - tenure / 20
                + (charges - 65) / 30
                + {"month": 1.2, "year": -0.3, "two_year": -1.2}[contract]
                - (0.8 if support == "yes" else 0.0)
            )
            churned = "yes" if rng.random() < 1 / (1 + math.exp(-score)) else "no"
            shown = "" if rng.random() < 0.06 else charges
            w.writerow(
                [f"C{10000 + i}", tenure, shown, contract, support, rng.choice(NOTES), churned]
            )
    return write(folder / "telco.ipynb", notebook(CELLS))
