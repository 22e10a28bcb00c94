# codes: IO001
# %%
import io
import os
import pickle
import sqlite3
import sys
import tempfile
from pathlib import Path

import cv2
import h5py
import joblib
import numpy as np
import pandas as pd
import requests
import seaborn as sns
import spacy
from PIL import Image
from sklearn.datasets import load_iris
from tensorflow import keras

DATA_DIR = "data/"
BASE = os.path.join("..", "input")
RAW = Path("data") / "raw"

# %% [markdown]
# Read the training data (the path is followed from the cell above).

# %%
# ruleid: IO001
df = pd.read_csv("data/train.csv")
# ruleid: IO001
churn = pd.read_csv(DATA_DIR + "churn.csv")
# ruleid: IO001
sales = pd.read_parquet(os.path.join(BASE, "sales.parquet"))
name = "customers"
# ruleid: IO001
customers = pd.read_excel(f"{DATA_DIR}{name}.xlsx", sheet_name="Sheet1")
# ruleid: IO001
events = pd.read_json("{}/events.json".format(DATA_DIR))
# ruleid: IO001
raw = pd.read_csv(RAW / "2024.csv", sep=";")
# ruleid: IO001
monthly = pd.read_csv("data/%s.csv" % name)
# ruleid: IO001
wide = pd.read_csv(
    "data/wide.csv",
    sep=";",
)

# %%
# ruleid: IO001
with open("config/params.json") as fh:
    params = fh.read()
# ruleid: IO001
model = pickle.load(open(Path("models") / "model.pkl", "rb"))
# ruleid: IO001
clf = joblib.load("models/clf.joblib")
# ruleid: IO001
arr = np.load(DATA_DIR + "features.npy")
# ruleid: IO001
notes = (RAW / "notes.txt").read_text()
# ruleid: IO001
con = sqlite3.connect("warehouse.db")
# ruleid: IO001
img = Image.open("images/cat.jpg")
# ruleid: IO001
edges = cv2.imread(os.path.join("images", "edges.png"))
# ruleid: IO001
store = h5py.File("features.h5", "r")
# ruleid: IO001
net = keras.models.load_model("models/net.keras")
# ruleid: IO001
home = pd.read_csv(os.path.expanduser("~/datasets/home.csv"))

# %%
frames = []
for part in ["jan.csv", "feb.csv"]:
    # ruleid: IO001
    frames.append(pd.read_csv(os.path.join(DATA_DIR, part)))


def load_raw():
    # ruleid: IO001
    return pd.read_csv(DATA_DIR + "raw.csv")

# %%
%%time
# ruleid: IO001
big = pd.read_csv("data/big.csv")

# %%
# ok: IO001
remote = pd.read_csv("s3://acme-data/churn/train.csv")
# ok: IO001
gcs = pd.read_parquet("gs://acme-data/churn/train.parquet")
# ok: IO001
from_env = pd.read_csv(os.environ["DATA_PATH"])
# ok: IO001
from_env_dir = pd.read_csv(os.getenv("DATA_DIR", "data") + "/x.csv")
# ok: IO001
buffered = pd.read_csv(io.StringIO("a,b\n1,2"))
# ok: IO001
mem = sqlite3.connect(":memory:")
tmp = tempfile.mkdtemp()
# ok: IO001
scratch = pd.read_csv(os.path.join(tmp, "x.csv"))
# ok: IO001
iris = load_iris()
# ok: IO001
tips = sns.load_dataset("tips")
# ok: IO001
nlp = spacy.load("en_core_web_sm")
# ok: IO001
resp = requests.get("https://example.com/api/data")
url = "https://raw.githubusercontent.com/acme/data/main/x.csv"
# ok: IO001
web = pd.read_csv(url)
# ok: IO001
from_argv = open(sys.argv[1])
# ok: IO001
from_config = pd.read_csv(config["train_path"])
# ok: IO001
from_settings = pd.read_csv(settings.DATA_FILE)
# ok: IO001
content = pd.read_csv(io.BytesIO(resp.content))

# %%
def load(path):
    # ok: IO001
    return pd.read_csv(path)


def load_from(folder):
    # ok: IO001
    return pd.read_csv(os.path.join(folder, "x.csv"))


# ok: IO001
reader = lambda p: pd.read_csv(p)
# ok: IO001
tables = [pd.read_csv(f) for f in files]
for path in paths:
    # ok: IO001
    pd.read_csv(path)
# ok: IO001
unknown_prefix = pd.read_csv(f"{prefix}/data.csv")
# ok: IO001
with open(get_path()) as fh:
    pass
