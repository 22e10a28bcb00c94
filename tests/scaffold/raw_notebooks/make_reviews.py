"""Writes reviews/ : a three-class sentiment notebook (stars mapped to negative, neutral,
positive) with TF-IDF fitted on the training texts and a multinomial naive Bayes, with the
CSV of generated reviews it reads."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from tests.helpers import code, markdown, notebook, write

CELLS = [
    markdown(
        "# Review sentiment\n\nStars 1-2 are negative, 3 neutral, 4-5 positive. "
        "TF-IDF + naive Bayes as a baseline."
    ),
    code(
        "import pandas as pd\n"
        "import matplotlib.pyplot as plt\n"
        "from sklearn.model_selection import train_test_split\n"
        "from sklearn.feature_extraction.text import TfidfVectorizer\n"
        "from sklearn.naive_bayes import MultinomialNB\n"
        "from sklearn.metrics import accuracy_score, classification_report, confusion_matrix",
        count=1,
    ),
    code("SEED = 1\nTEST_SIZE = 0.25", count=2),
    code("reviews = pd.read_csv('data/reviews.csv')\nreviews.head()", count=3),
    code("reviews.shape, reviews.text.isna().sum()", count=4),
    code(
        "reviews.stars.value_counts().sort_index().plot(kind='bar')\n"
        "plt.xlabel('stars')\n"
        "plt.show()",
        count=5,
    ),
    markdown("## Cleaning and labels"),
    code(
        "reviews = reviews.dropna(subset=['text'])\n"
        "reviews['text'] = reviews['text'].str.lower().str.strip()\n"
        "sentiment = {1: 'negative', 2: 'negative', 3: 'neutral', 4: 'positive', 5: 'positive'}\n"
        "reviews['label'] = reviews['stars'].map(sentiment)\n"
        "reviews['label'].value_counts()",
        count=6,
    ),
    code(
        "reviews['n_words'] = reviews.text.str.split().str.len()\n"
        "reviews.groupby('label').n_words.describe()",
        count=7,
    ),
    markdown("## TF-IDF + Naive Bayes"),
    code(
        "X_train, X_test, y_train, y_test = train_test_split(\n"
        "    reviews['text'], reviews['label'], test_size=TEST_SIZE, random_state=SEED,\n"
        "    stratify=reviews['label'])\n"
        "len(X_train), len(X_test)",
        count=8,
    ),
    code(
        "tfidf = TfidfVectorizer(ngram_range=(1, 2), min_df=2, stop_words='english')\n"
        "X_train_tfidf = tfidf.fit_transform(X_train)\n"
        "X_test_tfidf = tfidf.transform(X_test)\n"
        "X_train_tfidf.shape",
        count=9,
    ),
    code("clf = MultinomialNB(alpha=0.3)\nclf.fit(X_train_tfidf, y_train)", count=10),
    code(
        "preds = clf.predict(X_test_tfidf)\n"
        "print('accuracy', accuracy_score(y_test, preds))\n"
        "print(classification_report(y_test, preds))",
        count=11,
    ),
    code("confusion_matrix(y_test, preds, labels=['negative', 'neutral', 'positive'])", count=12),
    code(
        "clf.predict(tfidf.transform(['terrible, broke after two days', 'works great, love it']))",
        count=13,
    ),
]

PRODUCTS = ["blender", "kettle", "headphones", "desk lamp", "backpack", "phone case", "toaster"]
WORDS = {
    1: [
        "terrible",
        "broke",
        "waste of money",
        "refund",
        "awful",
        "cheap plastic",
        "stopped working",
    ],
    2: ["disappointed", "flimsy", "not worth it", "returned it", "poor quality", "too loud"],
    3: [
        "okay",
        "average",
        "does the job",
        "nothing special",
        "fine for the price",
        "mixed feelings",
    ],
    4: ["good", "solid", "works well", "happy with it", "nice design", "good value"],
    5: ["excellent", "love it", "perfect", "highly recommend", "fantastic", "best purchase"],
}
FILLER = [
    "arrived on time",
    "the box was damaged",
    "bought it as a gift",
    "used it for a week",
    "my second one",
    "the color matches the photos",
    "setup took five minutes",
]


def _text(rng: random.Random, stars: int) -> str:
    """One or two phrases of the review's own stars, often one of a neighbouring star, and
    filler: a learnable signal that is not trivially separable."""
    product = rng.choice(PRODUCTS)
    words = rng.sample(WORDS[stars], rng.choice([1, 1, 2]))
    for _ in range(rng.choice([0, 1, 1, 2])):
        words.append(rng.choice(WORDS[min(5, max(1, stars + rng.choice([-2, -1, 1, 2])))]))
    parts = [f"the {product} is {words[0]}", *words[1:], *rng.sample(FILLER, 2)]
    rng.shuffle(parts)
    text = ". ".join(parts) + "."
    return text[0].upper() + text[1:]


def make(folder: Path, rows: int = 450) -> Path:
    """The notebook and ``data/reviews.csv`` in ``folder``; returns the notebook's path."""
    rng = random.Random(5)
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    with open(data / "reviews.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["review_id", "product", "text", "stars", "helpful_votes"])
        for i in range(rows):
            stars = rng.choices([1, 2, 3, 4, 5], weights=[2, 2, 3, 3, 3])[0]
            text = "" if rng.random() < 0.02 else _text(rng, stars)
            product = rng.choice(PRODUCTS)
            w.writerow([f"R{i:05d}", product, text, stars, rng.randint(0, 12)])
    return write(folder / "reviews.ipynb", notebook(CELLS))
