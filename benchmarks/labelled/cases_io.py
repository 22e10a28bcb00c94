"""Labelled notebooks about local file access (the IO family): pandas, paths, folders."""

from __future__ import annotations

from _build import Book, png, result, stdout


def churn_eda() -> Book:
    b = Book("io01_churn_eda.ipynb", "pandas/numpy reads and writes of relative paths, %%time")
    b.md("# Churn EDA\nQuick look at the customer table before modelling.")
    b.code(
        """
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import seaborn as sns
%matplotlib inline
"""
    )
    b.code(
        """
%%time
customers = pd.read_csv("data/customers.csv", parse_dates=["signup_date"])  #@> IO001: relative path under %%time
events = pd.read_parquet("data/events.parquet")  #@> IO001
customers.shape, events.shape
""",
        [
            stdout("CPU times: user 2.1 s, sys: 310 ms, total: 2.41 s\nWall time: 2.43 s\n"),
            result("((7043, 21), (1254331, 6))"),
        ],
    )
    b.code(
        """
tips = sns.load_dataset("tips")  #@- seaborn's example data set, by name
tips.head(3)
""",
        [
            result(
                "   total_bill   tip     sex smoker  day    time  size\n0       16.99  1.01  Female     No  Sun  Dinner     2"
            )
        ],
    )
    b.code(
        """
df = customers.merge(
    events.groupby("customer_id").size().rename("n_events").reset_index(),
    on="customer_id",
    how="left",
)
df["n_events"] = df["n_events"].fillna(0)
df.describe()
"""
    )
    b.code(
        """
fig, ax = plt.subplots(figsize=(8, 4))
df.groupby("tenure")["churn"].mean().plot(ax=ax)
ax.set_title("Churn by tenure")
plt.savefig("figures/churn_by_tenure.png", dpi=150, bbox_inches="tight")  #@> IO002: savefig
""",
        [png("io01")],
        out="- base64 PNG of the figure",
    )
    b.code(
        """
summary = df.groupby("contract")["churn"].agg(["mean", "count"])
summary.to_csv("outputs/churn_by_contract.csv")  #@> IO002
csv_text = summary.to_csv()  #@- to_csv without a path returns a string
print(csv_text[:200])
"""
    )
    b.code(
        """
X = df.select_dtypes("number").to_numpy()
np.save("features.npy", X)  #@> IO002: np.save beside the notebook
X_back = np.load("features.npy")  #@> IO001
"""
    )
    b.md(
        "Raw extracts land in `/data/raw/churn/` every night (see the ETL job).  #@- a path in markdown prose"
    )
    return b


def absolute_paths() -> Book:
    b = Book(
        "io02_absolute_paths.ipynb", "absolute, home and Windows paths; routes and env defaults"
    )
    b.md("# Weekly sales forecast")
    b.code(
        """
import os
import sys
import pandas as pd

sys.path.append("/home/ana/projects/forecasting/src")  #@> IO005: sys.path entry
BASE_DIR = "/Users/ana/Documents/sales"  #@> IO005: absolute constant
START = "2024/01/01"  #@- a date written with slashes
"""
    )
    b.code(
        r"""
sales = pd.read_csv(os.path.join(BASE_DIR, "weekly_sales.csv"))  #@> IO001: joined with an absolute constant
stores = pd.read_excel("~/Downloads/stores_2024.xlsx", sheet_name="stores")  #@> IO001: home-directory path
regions = pd.read_excel(r"C:\Users\ana\OneDrive\regions.xlsx")  #@> IO001: Windows path
"""
    )
    b.code(
        """
API_ROUTE = "/api/v1/forecast"  #@- URL route, not a file
HEALTH = "/health"  #@- one-part route
CACHE_DIR = os.environ.get("CACHE_DIR", "/tmp/forecast-cache")  #@- default of an environment lookup
print(f"Reading from {BASE_DIR}, writing to the share")  #@- a sentence, not a path
"""
    )
    b.code(
        """
def add_features(df):
    df = df.copy()
    df["week"] = pd.to_datetime(df["date"]).dt.isocalendar().week
    df["lag_1"] = df.groupby("store")["sales"].shift(1)
    return df


sales = add_features(sales.merge(stores, on="store"))
"""
    )
    b.code(
        """
forecast = sales.groupby("store")["sales"].rolling(4).mean().reset_index()
forecast.to_csv("/Users/ana/Documents/sales/forecast_2024w12.csv", index=False)  #@> IO002: absolute path, reported as the write
"""
    )
    b.code(
        r"""
SHARE = r"\\fileserver01\analytics\forecasts"  #@> IO005: UNC share
"""
    )
    return b


def paths_built() -> Book:
    b = Book(
        "io03_paths_built.ipynb", "paths from constants: join, f-string, format, +, Path /, helpers"
    )
    b.md("# Feature pipeline\nPaths are set once at the top.")
    b.code(
        """
import os
from pathlib import Path

import pandas as pd

DATA_DIR = "../data"  #@- a relative constant: reported where it is used
RAW = os.path.join(DATA_DIR, "raw")  #@- a path built, not used yet
PROCESSED = Path(DATA_DIR) / "processed"  #@- a path built, not used yet
SPLIT = "train"
"""
    )
    b.code(
        """
orders = pd.read_csv(os.path.join(RAW, "orders.csv"))  #@> IO001: os.path.join of earlier constants
items = pd.read_csv(f"{DATA_DIR}/raw/items_{SPLIT}.csv")  #@> IO001: f-string with a constant
users = pd.read_json("{}/users.json".format(RAW), lines=True)  #@> IO001: str.format
prices = pd.read_csv(DATA_DIR + "/raw/prices.csv")  #@> IO001: + concatenation
"""
    )
    b.code(
        """
def data_path(name):
    return PROCESSED / name


def load_table(path):
    return pd.read_parquet(path)  #@- a parameter: reported at the call instead
"""
    )
    b.code(
        """
features = pd.read_parquet(data_path("features.parquet"))  #@> IO001: path returned by a notebook function
labels = load_table("../data/processed/labels.parquet")  #@> IO001: local path passed to a notebook function that reads it
"""
    )
    b.code(
        r"""
merged = orders.merge(items, on="order_id").merge(users, on="user_id")
merged.to_parquet(PROCESSED / "merged.parquet")  #@> IO002: Path constant / name
(PROCESSED / "columns.txt").write_text("\n".join(merged.columns))  #@> IO002: Path.write_text
"""
    )
    b.code(
        """
OUT_URI = os.environ.get("OUT_URI", "s3://acme-data/features")  #@- remote default of an environment lookup
merged.to_parquet(f"{OUT_URI}/merged.parquet")  #@- remote URI from the environment
"""
    )
    return b


def glob_listdir() -> Book:
    b = Book("io04_glob_listdir.ipynb", "glob, listdir, walk, mkdir, rmtree over local folders")
    b.md("# Monthly sensor files\nOne CSV per sensor per month.")
    b.code(
        """
import glob
import os
import shutil
from pathlib import Path

import pandas as pd

RAW_DIR = "data/raw/sensors"  #@- a relative constant
"""
    )
    b.code(
        """
files = sorted(glob.glob(os.path.join(RAW_DIR, "*.csv")))  #@> IO003: glob of a local folder
print(len(files), "files")
frames = [pd.read_csv(f) for f in files]  #@> IO001 ?: files found by a local glob
""",
        [stdout("36 files\n")],
    )
    b.code(
        """
for name in os.listdir("data/raw/meta"):  #@> IO003
    if name.endswith(".json"):
        meta = pd.read_json(os.path.join("data/raw/meta", name))  #@> IO001: joined with a local literal
"""
    )
    b.code(
        """
for root, dirs, names in os.walk(RAW_DIR):  #@> IO003: os.walk
    print(root, len(names))
""",
        [stdout("data/raw/sensors 36\n")],
    )
    b.code(
        """
parquet_files = list(Path("data/interim").glob("*.parquet"))  #@> IO003: Path.glob
os.makedirs("data/clean", exist_ok=True)  #@> IO003: makedirs
Path("reports/figures").mkdir(parents=True, exist_ok=True)  #@> IO003: Path.mkdir
"""
    )
    b.code(
        """
shutil.rmtree("data/tmp", ignore_errors=True)  #@> IO003
os.remove("data/clean/old_sensors.csv")  #@> IO003
"""
    )
    b.code(
        """
df = pd.concat(frames, ignore_index=True)
df.to_csv("data/clean/sensors.csv", index=False)  #@> IO002
print(os.path.basename(files[0]), os.path.splitext("sensor_01.csv")[0])  #@- string helpers, no file access
"""
    )
    b.code(
        """
import fsspec

fs = fsspec.filesystem("s3")
remote_files = fs.glob("s3://acme-data/sensors/2024-*/*.csv")  #@- remote glob
"""
    )
    return b


def colab_drive() -> Book:
    b = Book("io05_colab_drive.ipynb", "Colab: Drive mount, %cd, os.chdir, /content paths, !pip")
    b.md("# Leaf disease classifier (Colab)\nMount Drive first.")
    b.code(
        """
from google.colab import drive
drive.mount('/content/drive')  #@> IO: the Drive mount point, an absolute path literal
""",
        [stdout("Mounted at /content/drive\n")],
    )
    b.code("!pip install -q timm albumentations  #@- an install: NB001, not IO or SEC")
    b.code(
        """
import os
import sys

from google.colab import userdata

os.environ["HF_TOKEN"] = userdata.get("HF_TOKEN")  #@- Colab's secret store
sys.path.insert(0, "/content/drive/MyDrive/libs")  #@> IO005: Drive folder on sys.path
"""
    )
    b.code(
        """
%cd /content/drive/MyDrive/projects/leaf-disease  #@> IO004: %cd magic
!unzip -q data/leaves.zip -d data/
""",
        [stdout("/content/drive/MyDrive/projects/leaf-disease\n")],
    )
    b.code(
        """
import pandas as pd

os.chdir("/content/drive/MyDrive/projects/leaf-disease")  #@> IO004: reported as the chdir only
train_df = pd.read_csv("/content/drive/MyDrive/projects/leaf-disease/train.csv")  #@> IO001: Drive path
test_df = pd.read_csv("test.csv")  #@> IO001: bare file name
"""
    )
    b.code(
        """
import timm
import torch

model = timm.create_model("efficientnet_b0", pretrained=True, num_classes=5)  #@- model name from the hub
"""
    )
    b.code(
        """
torch.save(model.state_dict(), "/content/drive/MyDrive/projects/leaf-disease/effnet_b0.pt")  #@> IO002
"""
    )
    return b


def sklearn_persistence() -> Book:
    b = Book(
        "io06_sklearn_persistence.ipynb", "joblib/pickle beside the notebook; fsspec and buffers"
    )
    b.md("# Credit risk model\nGradient boosting on the bureau features.")
    b.code(
        """
import io
import pickle

import fsspec
import joblib
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.model_selection import train_test_split
"""
    )
    b.code(
        """
X, y = load_breast_cancer(return_X_y=True)  #@- scikit-learn toy data set
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=42)
clf = GradientBoostingClassifier(random_state=42).fit(X_train, y_train)
clf.score(X_test, y_test)
""",
        [result("0.958041958041958")],
    )
    b.code(
        'joblib.dump(clf, "model.joblib")  #@> IO002: joblib.dump beside the notebook',
        [result("['model.joblib']")],
    )
    b.code(
        """
with open("model.pkl", "wb") as f:  #@> IO002: open for writing
    pickle.dump(clf, f)
"""
    )
    b.code(
        """
with open("model.pkl", "rb") as f:  #@> IO001
    clf_loaded = pickle.load(f)
reloaded = joblib.load("model.joblib")  #@> IO001
"""
    )
    b.code(
        """
with fsspec.open("s3://acme-models/credit/model.joblib", "wb") as f:  #@- remote, through fsspec
    joblib.dump(clf, f)  #@- into a remote file object
"""
    )
    b.code(
        """
buf = io.BytesIO()
pickle.dump(clf, buf)  #@- in-memory buffer
size_kb = len(buf.getvalue()) / 1024
"""
    )
    return b


def builders() -> list:
    """This module's notebook builders, in file order."""
    return [churn_eda, absolute_paths, paths_built, glob_listdir, colab_drive, sklearn_persistence]
