"""Writes loans/ : a default-risk notebook whose model is a scikit-learn Pipeline (a
ColumnTransformer with one-hot categories and imputed, scaled numbers, then a logistic
regression) fitted on the raw columns, with the CSV it reads."""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

from tests.helpers import code, markdown, notebook, write

CELLS = [
    markdown(
        "# Loan default\n\nPreprocessing inside the model: a `Pipeline` takes the columns "
        "as they are in `data/loans.csv`."
    ),
    code(
        "import numpy as np\n"
        "import pandas as pd\n"
        "import matplotlib.pyplot as plt\n"
        "from sklearn.compose import ColumnTransformer\n"
        "from sklearn.impute import SimpleImputer\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.metrics import accuracy_score, roc_auc_score\n"
        "from sklearn.model_selection import train_test_split\n"
        "from sklearn.pipeline import Pipeline\n"
        "from sklearn.preprocessing import OneHotEncoder, StandardScaler",
        count=1,
    ),
    code("RANDOM_STATE = 7\nTEST_SIZE = 0.2", count=2),
    code("%%time\nloans = pd.read_csv('data/loans.csv')\nloans.shape", count=3),
    code("loans.head()", count=4),
    code("loans.isna().mean().round(3)", count=5),
    code(
        "fig, ax = plt.subplots()\n"
        "loans.boxplot(column='credit_score', by='defaulted', ax=ax)\n"
        "plt.show()",
        count=6,
    ),
    markdown("## Model"),
    code(
        "num_cols = ['income', 'loan_amount', 'credit_score', 'emp_length']\n"
        "cat_cols = ['term', 'purpose', 'home_ownership']\n"
        "X = loans[num_cols + cat_cols]\n"
        "y = loans['defaulted']",
        count=7,
    ),
    code(
        "X_train, X_test, y_train, y_test = train_test_split(\n"
        "    X, y, test_size=TEST_SIZE, random_state=RANDOM_STATE, stratify=y\n"
        ")",
        count=8,
    ),
    code(
        "numeric = Pipeline(steps=[\n"
        "    ('imputer', SimpleImputer(strategy='median')),\n"
        "    ('scaler', StandardScaler()),\n"
        "])\n"
        "preprocessor = ColumnTransformer(transformers=[\n"
        "    ('num', numeric, num_cols),\n"
        "    ('cat', OneHotEncoder(handle_unknown='ignore'), cat_cols),\n"
        "])\n"
        "clf = Pipeline(steps=[\n"
        "    ('preprocessor', preprocessor),\n"
        "    ('classifier', LogisticRegression(max_iter=1000)),\n"
        "])\n"
        "clf.fit(X_train, y_train)",
        count=9,
    ),
    code(
        "proba = clf.predict_proba(X_test)[:, 1]\n"
        "print('ROC AUC: %.3f' % roc_auc_score(y_test, proba))\n"
        "print('accuracy: %.3f' % accuracy_score(y_test, clf.predict(X_test)))",
        count=10,
    ),
    code(
        "names = clf.named_steps['preprocessor'].get_feature_names_out()\n"
        "coefs = clf.named_steps['classifier'].coef_[0]\n"
        "pd.Series(coefs, index=names).sort_values()",
        count=11,
    ),
]

PURPOSES = {
    "debt_consolidation": 0.3,
    "credit_card": 0.1,
    "home_improvement": -0.2,
    "car": -0.3,
    "small_business": 0.8,
    "other": 0.2,
}


def make(folder: Path, rows: int = 500) -> Path:
    """The notebook and ``data/loans.csv`` in ``folder``; returns the notebook's path."""
    rng = random.Random(2024)
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    with open(data / "loans.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "loan_id",
                "income",
                "loan_amount",
                "term",
                "purpose",
                "home_ownership",
                "emp_length",
                "credit_score",
                "defaulted",
            ]
        )
        for i in range(rows):
            income = round(rng.lognormvariate(10.9, 0.45), -2)
            amount = round(rng.uniform(1000, 35000), -2)
            term = rng.choices(["36 months", "60 months"], weights=[7, 3])[0]
            purpose = rng.choices(list(PURPOSES), weights=[40, 20, 12, 8, 5, 15])[0]
            home = rng.choices(["RENT", "MORTGAGE", "OWN"], weights=[45, 42, 13])[0]
            emp = rng.randint(0, 10)
            score = int(min(850, max(520, rng.gauss(690, 45))))
            z = (
                -1.4
                + 3.0 * amount / income
                - (score - 690) / 30
                + (0.6 if term == "60 months" else 0)
                + PURPOSES[purpose]
                + (0.3 if home == "RENT" else 0)
                - 0.05 * emp
            )
            defaulted = int(rng.random() < 1 / (1 + math.exp(-z)))
            shown_emp = "" if rng.random() < 0.08 else emp
            shown_score = "" if rng.random() < 0.04 else score
            w.writerow(
                [
                    1_000_000 + i,
                    income,
                    amount,
                    term,
                    purpose,
                    home,
                    shown_emp,
                    shown_score,
                    defaulted,
                ]
            )
    return write(folder / "loans.ipynb", notebook(CELLS))
