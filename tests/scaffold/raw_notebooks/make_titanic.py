"""Writes titanic/ : a survival notebook that imputes, bins, maps and one-hot encodes the
raw passenger list (a ``title_of`` helper applied to the names), scales after the split and
fits a random forest, with the CSV it reads."""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

from tests.helpers import code, markdown, notebook, write

CELLS = [
    markdown("# Titanic survival\n\nFeature engineering on `data/passengers.csv`, then a forest."),
    code(
        "import numpy as np\n"
        "import pandas as pd\n"
        "import matplotlib.pyplot as plt\n"
        "\n"
        "from sklearn.model_selection import train_test_split\n"
        "from sklearn.preprocessing import StandardScaler\n"
        "from sklearn.ensemble import RandomForestClassifier\n"
        "from sklearn.metrics import accuracy_score, classification_report",
        count=1,
    ),
    code("RANDOM_STATE = 42", count=2),
    code("train = pd.read_csv('data/passengers.csv')\ntrain.head()", count=3),
    code("train.info()", count=4),
    code("train.isnull().sum()", count=5),
    code(
        "train.groupby('Pclass')['Survived'].mean().plot(kind='bar')\n"
        "plt.title('Survival rate by class')\n"
        "plt.show()",
        count=6,
    ),
    markdown("## Feature engineering"),
    code(
        "def title_of(name):\n"
        "    title = name.split(',')[1].split('.')[0].strip()\n"
        "    if title in ['Mlle', 'Ms']:\n"
        "        return 'Miss'\n"
        "    if title == 'Mme':\n"
        "        return 'Mrs'\n"
        "    if title not in ['Mr', 'Mrs', 'Miss', 'Master']:\n"
        "        return 'Rare'\n"
        "    return title",
        count=7,
    ),
    code(
        "df = train.copy()\ndf['Title'] = df['Name'].apply(title_of)\ndf['Title'].value_counts()",
        count=8,
    ),
    code(
        "# missing values\n"
        "df['Age'] = df['Age'].fillna(df['Age'].median())\n"
        "df['Embarked'] = df['Embarked'].fillna(df['Embarked'].mode()[0])",
        count=9,
    ),
    code(
        "df['FamilySize'] = df['SibSp'] + df['Parch'] + 1\n"
        "df['IsAlone'] = (df['FamilySize'] == 1).astype(int)\n"
        "df['FareBand'] = pd.qcut(df['Fare'], 4, labels=False)\n"
        "df['AgeBand'] = pd.cut(df['Age'], bins=[0, 12, 18, 60, 100], labels=False)\n"
        "df['Sex'] = df['Sex'].map({'male': 0, 'female': 1})",
        count=10,
    ),
    code(
        "df = pd.get_dummies(df, columns=['Embarked', 'Title'])\n"
        "df = df.drop(['Name', 'PassengerId', 'Ticket', 'Cabin'], axis=1)\n"
        "df.head()",
        count=11,
    ),
    markdown("## Model"),
    code(
        "X = df.drop('Survived', axis=1)\n"
        "y = df['Survived']\n"
        "X_train, X_test, y_train, y_test = train_test_split(\n"
        "    X, y, test_size=0.2, random_state=RANDOM_STATE, stratify=y)\n"
        "print(X_train.shape, X_test.shape)",
        count=12,
    ),
    code(
        "scaler = StandardScaler()\n"
        "X_train = scaler.fit_transform(X_train)\n"
        "X_test = scaler.transform(X_test)",
        count=13,
    ),
    code(
        "rf = RandomForestClassifier(n_estimators=100, max_depth=5, random_state=RANDOM_STATE)\n"
        "rf.fit(X_train, y_train)",
        count=14,
    ),
    code(
        "y_pred = rf.predict(X_test)\n"
        "print('Accuracy:', accuracy_score(y_test, y_pred))\n"
        "print(classification_report(y_test, y_pred))",
        count=15,
    ),
    code(
        "importances = pd.Series(rf.feature_importances_, index=X.columns)\n"
        "importances.sort_values(ascending=False).head(10)",
        count=16,
    ),
]

SURNAMES = [
    "Braund",
    "Cumings",
    "Heikkinen",
    "Futrelle",
    "Allen",
    "Moran",
    "McCarthy",
    "Palsson",
    "Johnson",
    "Nasser",
    "Sandstrom",
    "Bonnell",
    "Saundercock",
    "Andersson",
    "Vestrom",
    "Hewlett",
    "Rice",
    "Williams",
    "Vander Planke",
    "Masselmani",
    "Fynney",
    "Beesley",
]
FIRST = {
    "male": ["Owen", "John", "William", "James", "Charles", "Thomas", "Ernst", "Karl"],
    "female": ["Florence", "Laina", "Lily", "Elisabeth", "Anna", "Maria", "Hulda", "Alice"],
}


def _title(rng: random.Random, sex: str, age: float) -> str:
    if rng.random() < 0.04:
        return rng.choice(["Dr", "Rev", "Col", "Major"] if sex == "male" else ["Mlle", "Ms", "Mme"])
    if sex == "male":
        return "Master" if age < 13 else "Mr"
    return "Miss" if age < 22 or rng.random() < 0.3 else "Mrs"


def make(folder: Path, rows: int = 500) -> Path:
    """The notebook and ``data/passengers.csv`` in ``folder``; returns the notebook's path."""
    rng = random.Random(1912)
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    header = ["PassengerId", "Survived", "Pclass", "Name", "Sex", "Age", "SibSp", "Parch"]
    with open(data / "passengers.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([*header, "Ticket", "Fare", "Cabin", "Embarked"])
        for i in range(rows):
            pclass = rng.choices([1, 2, 3], weights=[1, 1, 2])[0]
            sex = rng.choices(["male", "female"], weights=[65, 35])[0]
            age = round(min(80.0, max(0.5, rng.gauss(30, 14))), 0 if rng.random() < 0.9 else 1)
            sibsp = rng.choices([0, 1, 2, 3, 4], weights=[68, 23, 4, 3, 2])[0]
            parch = rng.choices([0, 1, 2, 3], weights=[76, 13, 9, 2])[0]
            fare = round(
                {1: 84, 2: 21, 3: 13}[pclass] * rng.lognormvariate(0, 0.45) * (1 + 0.2 * parch), 4
            )
            title = _title(rng, sex, age)
            name = f"{rng.choice(SURNAMES)}, {title}. {rng.choice(FIRST[sex])}"
            score = (
                -1.2
                + (2.5 if sex == "female" else 0)
                + {1: 1.0, 2: 0.3, 3: -0.7}[pclass]
                + (1.0 if age < 12 else 0)
                - 0.4 * max(0, sibsp - 1)
            )
            survived = int(rng.random() < 1 / (1 + math.exp(-score)))
            ticket = f"{rng.choice(['', 'PC ', 'A/5 ', 'STON/O2. '])}{rng.randint(1000, 399999)}"
            cabin = (
                f"{rng.choice('ABCDE')}{rng.randint(1, 120)}"
                if pclass == 1 and rng.random() < 0.7
                else ""
            )
            embarked = "" if rng.random() < 0.01 else rng.choices("SCQ", weights=[72, 19, 9])[0]
            shown_age = "" if rng.random() < 0.2 else age
            w.writerow(
                [
                    i + 1,
                    survived,
                    pclass,
                    name,
                    sex,
                    shown_age,
                    sibsp,
                    parch,
                    ticket,
                    fare,
                    cabin,
                    embarked,
                ]
            )
    return write(folder / "titanic.ipynb", notebook(CELLS))
