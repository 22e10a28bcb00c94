"""Hard-negative notebooks (done right, or only looking suspicious) and two mixed ones."""

from __future__ import annotations

import string

from _build import B64, Book, Fake, fill, png, result, stdout


def remote_clean() -> Book:
    b = Book(
        "neg01_remote_clean.ipynb",
        "the standard: S3/GCS/HTTP URIs, env settings, buffers, tempfile",
    )
    b.md("# Churn scoring (production-ready)\nAll data through S3; settings from the environment.")
    b.code(
        """
import io
import os
import tempfile

import boto3
import fsspec
import pandas as pd

DATA_URI = os.environ.get("DATA_URI", "s3://acme-data/churn")  #@- remote default
OUT_URI = os.environ["OUTPUT_URI"]  #@- from the environment
"""
    )
    b.code(
        """
customers = pd.read_csv(f"{DATA_URI}/customers.csv")  #@- remote URI from the environment
events = pd.read_parquet("gs://acme-ml-public/events/2024/")  #@- GCS URI
holidays = pd.read_csv("https://raw.githubusercontent.com/acme/open-data/main/holidays.csv")  #@- https URL
"""
    )
    b.code(
        """
s3 = boto3.client("s3")
obj = s3.get_object(Bucket="acme-data", Key="churn/extra/segments.csv")  #@- an S3 key, not a local path or a secret
segments = pd.read_csv(io.BytesIO(obj["Body"].read()))  #@- in-memory buffer
"""
    )
    b.code(
        '''
raw = """id,score
1,0.3
2,0.9
"""
scores = pd.read_csv(io.StringIO(raw))  #@- in-memory text
'''
    )
    b.code(
        """
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "report.html")
    customers.describe().to_html(path)  #@- tempfile folder
    fs = fsspec.filesystem("s3")
    fs.put(path, f"{OUT_URI}/report.html")  #@- upload to the configured output
"""
    )
    b.code(
        """
customers.to_parquet(f"{OUT_URI}/customers_scored.parquet")  #@- remote output
with fsspec.open(f"{OUT_URI}/summary.json", "w") as f:  #@- remote, through fsspec.open
    f.write(customers.describe().to_json())
"""
    )
    b.code(
        """
def load(path):
    return pd.read_csv(path)  #@- a parameter


sample = load(f"{DATA_URI}/sample.csv")  #@- a remote path passed to a notebook function
"""
    )
    return b


def hub_and_toys() -> Book:
    b = Book("neg02_hub_and_toys.ipynb", "toy data sets, hub ids, web APIs, routes and regexes")
    b.md("# Library tour")
    b.code(
        """
from sklearn.datasets import fetch_california_housing, load_iris

iris = load_iris(as_frame=True)  #@- scikit-learn toy data set
housing = fetch_california_housing(as_frame=True)  #@- scikit-learn's own download cache
"""
    )
    b.code(
        """
import plotly.express as px
import seaborn as sns

penguins = sns.load_dataset("penguins")  #@- seaborn example data
gap = px.data.gapminder()  #@- plotly example data
"""
    )
    b.code(
        """
from transformers import AutoModel, AutoTokenizer

tok = AutoTokenizer.from_pretrained("bert-base-uncased")  #@- the docs' hub id
mdl = AutoModel.from_pretrained("google/flan-t5-small")  #@- org/name hub id
"""
    )
    b.code(
        """
import torchvision

resnet = torchvision.models.resnet18(weights=torchvision.models.ResNet18_Weights.DEFAULT)  #@- pretrained weights by name
"""
    )
    b.code(
        """
import requests

resp = requests.get("https://api.github.com/repos/pandas-dev/pandas/releases/latest", timeout=10)  #@- web API
resp.json()["tag_name"]
""",
        [result("'v2.2.2'")],
    )
    b.code(
        """
pattern = r"^/api/v\\d+/items/\\d+$"  #@- a regex
url_path = "/v2/predict"  #@- a route
print(f"{len(iris.frame)} rows")
""",
        [stdout("150 rows\n")],
    )
    return b


def hashes_ids() -> Book:
    k = Fake("neg03")
    b = Book(
        "neg03_hashes_ids.ipynb",
        "checksums, UUIDs, commit hashes, base64 data, credential-ish names",
    )
    b.md("# Data set manifest")
    b.code(
        fill(
            """
import base64
import hashlib
import uuid

EXPECTED_MD5 = "@@MD5@@"  #@- a checksum
DATA_SHA256 = "@@SHA@@"  #@- a checksum
RUN_ID = "@@UUID@@"  #@- a UUID
commit = "@@GIT@@"  #@- a git commit
""",
            MD5=k.hexs(32),
            SHA=k.hexs(64),
            UUID=k.uuid(),
            GIT=k.hexs(40),
        )
    )
    b.code(
        """
secret_name = "prod/warehouse/analyst-password"  #@- the name of a secret, not a secret
password_field = "password"  #@- a field name
sort_key = "created_at"  #@- a sort key
primary_key = "customer_id"  #@- a column
KEY_COLUMNS = ["customer_id", "order_id"]  #@- columns
n_tokens = 512  #@- a count
"""
    )
    b.code(fill('logo_b64 = "@@LOGO@@"  #@- base64 image data in code', LOGO=k.s(300, B64) + "=="))
    b.code(
        fill(
            """
request_id = "req_@@REQ@@"  #@- a request id
api_version = "2024-02-15-preview"  #@- an API version
TOKENIZER_NAME = "bert-base-uncased"  #@- a hub id
""",
            REQ=k.s(24, string.ascii_letters + string.digits),
        )
    )
    b.code(
        """
manifest = {"files": 12, "md5": EXPECTED_MD5, "run": RUN_ID}  #@- names in a dict
hashlib.md5(b"acme").hexdigest()
""",
        [result(f"'{k.hexs(32)}'")],
        out="- an md5 in a result",
    )
    b.code("uuid.uuid4()", [result(f"UUID('{k.uuid()}')")], out="- a UUID in a result")
    return b


def placeholders() -> Book:
    b = Book("neg04_placeholders.ipynb", "placeholders, getpass/input, environment reads")
    b.md(
        "Replace `YOUR_API_KEY` with your key from the [console](https://console.example.com).  #@- a placeholder in prose"
    )
    b.code(
        """
OPENAI_API_KEY = "YOUR_API_KEY"  #@- placeholder
HF_TOKEN = "<token>"  #@- placeholder
DB_PASSWORD = "xxx"  #@- placeholder
ADMIN_PASSWORD = "changeme"  #@- placeholder
SLACK_TOKEN = "xoxb-your-token-here"  #@- placeholder
STRIPE_KEY = "sk_live_..."  #@- placeholder
AWS_SECRET_ACCESS_KEY = "${AWS_SECRET_ACCESS_KEY}"  #@- placeholder
api_key = "<your-api-key>"  #@- placeholder
password = "********"  #@- masked
token = "REPLACE_ME"  #@- placeholder
"""
    )
    b.code(
        """
import getpass
import os

password = getpass.getpass("Warehouse password: ")  #@- typed in
api_key = input("API key: ")  #@- typed in
config = {"client_id": "churn-dashboard", "client_secret": os.environ["OAUTH_CLIENT_SECRET"]}  #@- from the environment
"""
    )
    b.code(
        """
import openai

openai.api_key = os.environ["OPENAI_API_KEY"]  #@- from the environment
openai.api_base = "https://api.openai.com/v1"  #@- a URL
"""
    )
    return b


def fraud_model() -> Book:
    k = Fake("mix01")
    b = Book(
        "mix01_fraud_model.ipynb",
        "a realistic mix: warehouse URL, local cache folder, f-string paths, webhook",
    )
    b.md(
        "# Fraud model v3\nAuthor: ana. Data from the warehouse; the keys below are for the sandbox.  #@- prose"
    )
    b.code("!pip install -q lightgbm==4.3.0 shap")
    b.code(
        fill(
            """
import os

import joblib
import lightgbm as lgb
import matplotlib.pyplot as plt
import pandas as pd
import requests
import shap
from sklearn.metrics import roc_auc_score
from sqlalchemy import create_engine

WAREHOUSE = "postgresql://ml_ro:@@PW@@@warehouse.acme.internal:5432/fraud"  #@> SEC003
OUT = "outputs/fraud_v3"  #@- a relative constant
os.makedirs(OUT, exist_ok=True)  #@> IO003
""",
            PW=k.password(),
        )
    )
    b.code(
        """
%%time
engine = create_engine(WAREHOUSE)  #@- the URL through a variable
tx = pd.read_sql("SELECT * FROM transactions WHERE ts >= '2024-01-01'", engine)  #@- SQL, not a file
tx.to_parquet(os.path.join(OUT, "transactions.parquet"))  #@> IO002: cache under a local constant
""",
        [stdout("CPU times: user 41.2 s, sys: 3.9 s, total: 45.1 s\nWall time: 1min 2s\n")],
    )
    b.code(
        """
features = [c for c in tx.columns if c.startswith("f_")]
model = lgb.LGBMClassifier(n_estimators=400, learning_rate=0.05)
model.fit(tx[features], tx["is_fraud"])
auc = roc_auc_score(tx["is_fraud"], model.predict_proba(tx[features])[:, 1])
"""
    )
    b.code(
        """
sample = tx[features].sample(2000, random_state=0)
shap.summary_plot(shap.TreeExplainer(model).shap_values(sample), sample, show=False)
plt.savefig(f"{OUT}/shap_summary.png", dpi=120)  #@> IO002: f-string of a local constant
""",
        [png("mix01")],
        out="- base64 PNG",
    )
    b.code(
        'joblib.dump(model, f"{OUT}/model.joblib")  #@> IO002',
        [result("['outputs/fraud_v3/model.joblib']")],
    )
    b.code(
        fill(
            """
SLACK = "@@HOOK@@"  #@> SEC001
requests.post(SLACK, json={"text": f"fraud v3 AUC {auc:.3f}"})
""",
            HOOK=k.slack_hook(),
        )
    )
    return b


def segmentation() -> Book:
    b = Book(
        "mix02_segmentation.ipynb",
        "Path.home()/Path.cwd() paths, a token file, %run, plotly write_html",
    )
    b.md("# Customer segmentation (RFM + k-means)")
    b.code(
        """
import json
import os
from pathlib import Path

import pandas as pd
import plotly.express as px
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

%run ./helpers.ipynb  #@- %run is NB003's (docs)
"""
    )
    b.code(
        """
HOME_DATA = Path.home() / "data" / "segments"
PROJECT = Path.cwd().parent
rfm = pd.read_csv(HOME_DATA / "rfm.csv")  #@> IO001 ?: under Path.home()
cfg = json.loads((PROJECT / "config" / "segments.json").read_text())  #@> IO001 ?: under Path.cwd()
"""
    )
    b.code(
        """
X = StandardScaler().fit_transform(rfm[["recency", "frequency", "monetary"]])
km = KMeans(n_clusters=cfg.get("k", 5), n_init=10, random_state=0).fit(X)
rfm["segment"] = km.labels_
rfm.groupby("segment").mean(numeric_only=True)
"""
    )
    b.code(
        """
px.set_mapbox_access_token(open(".mapbox_token").read())  #@> IO001: token read from a local file
fig = px.scatter_mapbox(rfm, lat="lat", lon="lon", color="segment", zoom=4)
fig.write_html("segments_map.html")  #@> IO002 ?: plotly write_html
"""
    )
    b.code(
        """
mapbox_token = os.environ["MAPBOX_TOKEN"]  #@- from the environment
rfm.to_csv("segments.csv", index=False)  #@> IO002
%store rfm
"""
    )
    return b


def builders() -> list:
    """This module's notebook builders, in file order."""
    return [remote_clean, hub_and_toys, hashes_ids, placeholders, fraud_model, segmentation]
