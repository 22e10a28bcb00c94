"""Labelled IO notebooks: re-runs, images, reports, a Kaggle kernel, a project layout."""

from __future__ import annotations

from _build import Book, error, png, result, stdout


def rerun_out_of_order() -> Book:
    b = Book(
        "io12_rerun_out_of_order.ipynb",
        "a re-run pasted cell, out-of-order counts, an unexecuted write",
    )
    b.md("# Price elasticity (scratch)")
    b.code(
        "import numpy as np\nimport pandas as pd\nimport statsmodels.formula.api as smf", count=1
    )
    b.code('prices = pd.read_csv("prices_2023.csv")  #@> IO001', count=7)
    b.code(
        """
prices = pd.read_csv("prices_2023.csv")  #@> IO001: the same read, pasted again and re-run
prices = prices[prices["qty"] > 0]
""",
        count=3,
    )
    b.code(
        'promo = pd.read_csv("../promo/promo_weeks.csv")  #@> IO001',
        [
            error(
                "FileNotFoundError",
                "[Errno 2] No such file or directory: '../promo/promo_weeks.csv'",
                [
                    "\x1b[0;31mFileNotFoundError\x1b[0m: [Errno 2] No such file or directory: "
                    "'/home/ana/work/promo/promo_weeks.csv'"
                ],
            )
        ],
        count=4,
    )
    b.code(
        'prices.to_csv("prices_clean.csv", index=False)  #@> IO002: an unexecuted cell still holds the write',
        count=None,
    )
    b.code(
        """
prices["log_q"] = np.log(prices["qty"])
prices["log_p"] = np.log(prices["price"])
fit = smf.ols("log_q ~ log_p", data=prices).fit()
fit.params
""",
        [result("Intercept    4.812\nlog_p       -1.273\ndtype: float64")],
        count=5,
    )
    b.code('fit.save("elasticity_ols.pickle")  #@> IO002 ?: statsmodels results .save', count=6)
    return b


def images_cv() -> Book:
    b = Book("io13_images_cv.ipynb", "PIL, OpenCV, h5py, npz; in-memory image buffers")
    b.md("# Image preprocessing")
    b.code(
        """
import io
import os

import cv2
import h5py
import numpy as np
from PIL import Image

IMG_DIR = "images/train"  #@- a relative constant
"""
    )
    b.code(
        """
names = sorted(os.listdir(IMG_DIR))  #@> IO003: listdir of a local constant
img = Image.open(os.path.join(IMG_DIR, names[0]))  #@> IO001: PIL
arr = cv2.imread("images/train/cat_001.jpg")  #@> IO001: cv2.imread
"""
    )
    b.code(
        """
gray = cv2.cvtColor(arr, cv2.COLOR_BGR2GRAY)
cv2.imwrite("images/gray/cat_001.png", gray)  #@> IO002
Image.fromarray(gray).save("thumb.png")  #@> IO002 ?: PIL Image.save
""",
        [result("True")],
    )
    b.code(
        """
with h5py.File("features.h5", "w") as h5:  #@> IO002: h5py in write mode
    h5.create_dataset("gray", data=gray)
with h5py.File("features.h5", "r") as h5:  #@> IO001
    back = h5["gray"][:]
np.savez_compressed("embeddings.npz", emb=np.random.rand(10, 512))  #@> IO002: numpy archive
"""
    )
    b.code(
        """
buf = io.BytesIO()
Image.fromarray(gray).save(buf, format="PNG")  #@- in-memory buffer
Image.open(buf)
""",
        [png("io13")],
        out="- base64 PNG",
    )
    return b


def reports_export() -> Book:
    b = Book(
        "io14_reports_export.ipynb",
        "to_excel/to_json/ExcelWriter/savefig/append; config files; sqlite",
    )
    b.md("# Monthly revenue report")
    b.code(
        """
import json
import os
import sqlite3

import pandas as pd
import yaml
from sqlalchemy import create_engine

engine = create_engine(os.environ["WAREHOUSE_URL"])  #@- URL from the environment
df = pd.read_sql("SELECT region, month, revenue FROM sales.monthly", con=engine)  #@- SQL, not a file
"""
    )
    b.code(
        """
pivot = df.pivot_table(index="month", columns="region", values="revenue")
pivot.to_excel("reports/revenue_by_region.xlsx")  #@> IO002
pivot.to_json("reports/revenue.json", orient="split")  #@> IO002
html_table = pivot.to_html()  #@- no path: returns a string
"""
    )
    b.code(
        """
with pd.ExcelWriter("reports/revenue_detail.xlsx") as writer:  #@> IO002 ?: ExcelWriter on a local file
    for region, part in df.groupby("region"):
        part.to_excel(writer, sheet_name=region)  #@- into the writer, not a path
"""
    )
    b.code(
        """
fig = pivot.plot(figsize=(10, 5)).get_figure()
fig.savefig("reports/revenue.pdf")  #@> IO002: fig.savefig
""",
        [png("io14")],
    )
    b.code(
        r"""
report = f"# Revenue\n\n{pivot.tail(3).to_markdown()}\n"
with open("reports/README.md", "a") as f:  #@> IO002: append mode
    f.write(report)
"""
    )
    b.code(
        """
with open("config.yaml") as f:  #@> IO001: local config file
    cfg = yaml.safe_load(f)
thresholds = json.load(open("thresholds.json"))  #@> IO001
"""
    )
    b.code(
        """
cache = sqlite3.connect("cache/app.db")  #@> IO001: sqlite3 file
mem = sqlite3.connect(":memory:")  #@- in-memory database
"""
    )
    return b


def kaggle_titanic() -> Book:
    b = Book(
        "io15_kaggle_titanic.ipynb",
        "a Kaggle kernel: the /kaggle/input walk, submission.csv, Kaggle secrets",
    )
    b.md("# Titanic: random forest baseline")
    b.code(
        """
import numpy as np  # linear algebra
import pandas as pd  # data processing, CSV file I/O (e.g. pd.read_csv)

import os
for dirname, _, filenames in os.walk('/kaggle/input'):  #@> IO003: the starter cell's walk
    for filename in filenames:
        print(os.path.join(dirname, filename))  #@- joining names, no file access
""",
        [
            stdout(
                "/kaggle/input/titanic/train.csv\n/kaggle/input/titanic/test.csv\n"
                "/kaggle/input/titanic/gender_submission.csv\n"
            )
        ],
        out="- local paths printed in an output: IO rules read code",
    )
    b.code(
        """
INPUT = "/kaggle/input/titanic"  #@> IO005: absolute constant
train = pd.read_csv(f"{INPUT}/train.csv")  #@> IO001: f-string of an absolute constant
test = pd.read_csv("/kaggle/input/titanic/test.csv")  #@> IO001
"""
    )
    b.code(
        """
from kaggle_secrets import UserSecretsClient

wandb_key = UserSecretsClient().get_secret("wandb_api")  #@- Kaggle's secret store
"""
    )
    b.code(
        """
from sklearn.ensemble import RandomForestClassifier

features = ["Pclass", "Sex", "SibSp", "Parch"]
X = pd.get_dummies(train[features])
X_test = pd.get_dummies(test[features])
model = RandomForestClassifier(n_estimators=100, max_depth=5, random_state=1)
model.fit(X, train["Survived"])
predictions = model.predict(X_test)
"""
    )
    b.code(
        """
output = pd.DataFrame({"PassengerId": test.PassengerId, "Survived": predictions})
output.to_csv("submission.csv", index=False)  #@> IO002
output.to_csv("/kaggle/working/submission_rf.csv", index=False)  #@> IO002
print("Your submission was successfully saved!")
""",
        [stdout("Your submission was successfully saved!\n")],
    )
    return b


def project_layout() -> Book:
    b = Book(
        "io16_project_layout.ipynb",
        "a notebooks/ folder: chdir, %pushd/%popd, relative sys.path, logs",
    )
    b.md("# 02 - features\nRun from `notebooks/`.")
    b.code(
        """
%load_ext autoreload
%autoreload 2
import os
import sys

import pandas as pd

sys.path.append("..")  #@- a relative sys.path entry, not an absolute path
os.chdir(os.path.dirname(os.getcwd()))  #@> IO004: whatever its argument
"""
    )
    b.code(
        """
%pushd data/external  #@> IO004
!ls -lh
%popd  #@> IO004
""",
        [stdout("total 12M\n-rw-r--r-- 1 ana ana 12M May  2 10:11 census.csv\n")],
    )
    b.code(
        """
ROOT = os.path.abspath("..")
df = pd.read_csv(os.path.join(ROOT, "data", "processed", "train.csv"))  #@> IO001 ?: under os.path.abspath("..")
LOG_FILE = "/var/log/acme/features.log"  #@> IO005: absolute path to a file
"""
    )
    b.code(
        """
from src.features import build_features

feats = build_features(df)
feats.to_parquet("data/processed/features.parquet")  #@> IO002
"""
    )
    return b


def builders() -> list:
    """This module's notebook builders, in file order."""
    return [rerun_out_of_order, images_cv, reports_export, kaggle_titanic, project_layout]
