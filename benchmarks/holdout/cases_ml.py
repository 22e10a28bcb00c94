"""Held-out notebooks: NLP (spaCy, gensim), time series, images, a thesis on Windows.

Labels are end-of-line markers (see ``benchmarks/labelled/_build.py``): ``#@> CODE: note``
expects a finding, ``#@- note`` is a hard negative, ``?`` marks a stretch label.
"""

from __future__ import annotations

from collections.abc import Callable

from _keys import Book, Keys, fill, png, result, stdout


def nlp_tickets() -> Book:
    b = Book("hk06_nlp_support_tickets.ipynb", "spaCy package vs model folder, gensim, HF login")
    k = Keys(b.name)
    b.md("# Support tickets: NER + routing\nTrained pipeline from `training/` (see spacy project).")
    b.code(
        """
import json
import pandas as pd
import spacy
nlp_base = spacy.load("en_core_web_sm")   #@- a spaCy package name
nlp = spacy.load("./training/ner_tickets/model-best")   #@> IO ?: spaCy pipeline from a local folder
tickets = pd.read_json("exports/tickets_2024q1.jsonl", lines=True)   #@> IO001
with open("resources/product_names.txt", encoding="utf-8") as fh:   #@> IO001
    products = [line.strip() for line in fh]
"""
    )
    b.code(
        """
docs = list(nlp.pipe(tickets["body"].tolist(), batch_size=64))   #@- no file
tickets["products"] = [[e.text for e in d.ents if e.label_ == "PRODUCT"] for d in docs]
nlp.to_disk("models/ner_tickets_v2")   #@> IO ?: spaCy to_disk into a local folder
""",
        [stdout("100%|##########| 18234/18234 [01:12<00:00, 251.3it/s]\n", "stderr")],
    )
    b.code(
        """
import gensim.downloader as gapi
from gensim.models import KeyedVectors, Word2Vec
glove = gapi.load("glove-wiki-gigaword-100")   #@- a gensim-data name
ft = KeyedVectors.load("embeddings/ft_tickets_300.kv")   #@> IO ?: gensim KeyedVectors.load of a local file
google = KeyedVectors.load_word2vec_format("/data/embeddings/GoogleNews-vectors-negative300.bin.gz", binary=True)   #@> IO: absolute path read
tokens = [[t.lower_ for t in d if t.is_alpha] for d in docs]
w2v = Word2Vec(sentences=tokens, vector_size=200, window=5, min_count=3, workers=4)
w2v.save("models/w2v_tickets.model")   #@> IO002: gensim model.save
w2v.wv.save_word2vec_format("models/w2v_tickets.txt")   #@> IO ?: word2vec text format to a local file
"""
    )
    b.code(
        fill(
            """
from huggingface_hub import login
from transformers import AutoTokenizer, pipeline
login(token="@@HF@@")   #@> SEC001: Hugging Face token
tok = AutoTokenizer.from_pretrained("distilbert-base-uncased")   #@- a hub id
special_tokens = {"pad_token": "[PAD]", "sep_token": "[SEP]"}   #@- tokenizer tokens, not credentials
max_tokens = 256   #@- a length
router = pipeline("text-classification", model="./models/ticket-router", tokenizer=tok)   #@> IO ?: pipeline(model=) of a local folder
""",
            HF=k.hf(),
        ),
        [stdout("Token is valid (permission: write).\nLogin successful\n", "stderr")],
        out="- login's confirmation, no token",
    )
    b.code(
        """
import nltk
nltk.download("stopwords", download_dir="/home/jovyan/nltk_data")   #@> IO: an absolute home path
nltk.download("punkt")   #@- a corpus name
json.dumps({"n_tickets": len(tickets)})   #@- json.dumps to a string
"""
    )
    return b


def demand_forecast() -> Book:
    b = Book("hk07_demand_forecast.ipynb", "statsmodels save/load, prophet JSON, json.dump, mlflow")
    b.code(
        """
import json, os, pickle
from pathlib import Path
import numpy as np
import pandas as pd
import statsmodels.api as sm
DATA = Path("data") / "weekly_demand.csv"   #@- a relative Path constant, read below
sales = pd.read_csv(DATA, parse_dates=["week"])   #@> IO001: the Path constant
sales["period"] = sales["week"].dt.to_period("W")   #@- to_period is not a writer
sales["week"] = pd.to_datetime(sales["week"], utc=True)   #@- to_datetime is not a writer
"""
    )
    b.md("Weekly SARIMAX first; the data lives in `s3://acme-forecast/weekly/` in prod.")
    b.code(
        """
y = sales.set_index("week")["units"].resample("W-MON").sum()   #@- a resample rule, not a path
sarimax = sm.tsa.statespace.SARIMAX(y, order=(1, 1, 1), seasonal_order=(1, 1, 1, 52)).fit(disp=False)
sarimax.save("models/sarimax_weekly.pickle")   #@> IO002 ?: statsmodels results.save
loaded = sm.load("models/sarimax_weekly.pickle")   #@> IO ?: statsmodels load of a local pickle
np.savetxt("out/residuals.csv", sarimax.resid.values, delimiter=",")   #@> IO002 ?: np.savetxt
""",
        [
            stdout(
                "ConvergenceWarning: Maximum Likelihood optimization failed to converge.\n",
                "stderr",
            )
        ],
    )
    b.code(
        """
from prophet import Prophet
from prophet.serialize import model_from_json, model_to_json
prophet_df = y.reset_index().rename(columns={"week": "ds", "units": "y"})
m = Prophet(yearly_seasonality=True, weekly_seasonality=False, seasonality_mode="multiplicative")
m.fit(prophet_df)
with open("models/prophet_demand.json", "w") as fout:   #@> IO002: open for writing
    fout.write(model_to_json(m))   #@- writes to the handle opened above
with open("models/prophet_demand.json", "r") as fin:   #@> IO001: open for reading
    m2 = model_from_json(fin.read())
"""
    )
    b.code(
        """
params = {"changepoint_prior_scale": 0.05, "seasonality_mode": "multiplicative"}
json.dump(params, open("models/prophet_params.json", "w"), indent=2)   #@> IO002: json.dump into open(..., "w")
with open(os.path.expanduser("~/forecasts/cache/holidays.pkl"), "rb") as f:   #@> IO: a home-folder pickle
    holidays = pickle.load(f)
"""
    )
    b.code(
        """
import mlflow
mlflow.set_tracking_uri("http://mlflow.acme.internal:5000")   #@- a tracking server URL
run_id = "5f0e2c7d9a8b4c3e9f1a2b3c4d5e6f70"   #@- an MLflow run id
future = m2.make_future_dataframe(periods=26, freq="W")
forecast = m2.predict(future)
fig = m2.plot(forecast)
fig.savefig("figures/prophet_forecast.png", dpi=150)   #@> IO002
mlflow.log_artifact("figures/prophet_forecast.png")   #@> IO ?: log_artifact uploads (reads) a local file
forecast.to_parquet(f"{os.environ['FORECAST_URI']}/demand/{run_id}.parquet")   #@- an env URI
""",
        [png(b.name + "fc")],
        out="- a PNG forecast",
    )
    return b


def weld_images() -> Book:
    b = Book("hk08_weld_defect_images.ipynb", "PIL, OpenCV, torchvision ImageFolder, skimage")
    b.code(
        """
import io, os
import cv2
import matplotlib.pyplot as plt
import requests
import torch
from PIL import Image
from torchvision import datasets, transforms
IMG_DIR = "data/welds/raw"   #@- a relative folder constant
files = sorted(os.listdir(IMG_DIR))   #@> IO003: listdir of the constant
img = Image.open(os.path.join(IMG_DIR, files[0]))   #@> IO001: joined from the constant
img.thumbnail((256, 256))
img.save("data/welds/thumbs/" + files[0])   #@> IO002 ?: PIL Image.save to a local path
"""
    )
    b.code(
        """
os.makedirs("data/welds/edges", exist_ok=True)   #@> IO003
for fname in files[:50]:
    gray = cv2.imread(f"{IMG_DIR}/{fname}", cv2.IMREAD_GRAYSCALE)   #@> IO001: f-string of the constant
    edges = cv2.Canny(gray, 50, 150)
    cv2.imwrite(os.path.join("data/welds/edges", fname), edges)   #@> IO002
"""
    )
    b.code(
        """
def load_rgb(path):
    return cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)   #@- a function parameter

sample = load_rgb("data/welds/raw/w_0042.jpg")   #@> IO001: a path passed to a notebook function that opens it
plt.imshow(sample)
""",
        [png(b.name + "weld")],
        out="- a PNG image",
    )
    b.code(
        """
resp = requests.get("https://images.acme-mfg.com/samples/weld_0001.png", timeout=10)   #@- a web URL
remote = Image.open(io.BytesIO(resp.content))   #@- an in-memory buffer
from skimage import io as skio
mask = skio.imread(r"C:\\Users\\pkumar\\Desktop\\weld_masks\\mask_0042.png")   #@> IO: a Windows path
"""
    )
    b.code(
        """
tfm = transforms.Compose([transforms.Resize(224), transforms.ToTensor()])
train_ds = datasets.ImageFolder("data/welds/labelled/train", transform=tfm)   #@> IO ?: ImageFolder reads a local folder
val_ds = datasets.ImageFolder(root=os.environ["WELDS_VAL_DIR"], transform=tfm)   #@- from the environment
model = torch.hub.load("pytorch/vision", "resnet18", weights="IMAGENET1K_V1")   #@- a hub repo
""",
        [stdout("Using cache found in /root/.cache/torch/hub/pytorch_vision_main\n", "stderr")],
    )
    b.code(
        """
torch.save(model.state_dict(), "checkpoints/weld_resnet18_ep12.pt")   #@> IO002
print(f"saved, val acc {0.943:.3f}")   #@- a print
""",
        [stdout("saved, val acc 0.943\n")],
    )
    return b


def thesis_windows() -> Book:
    b = Book("hk09_thesis_eeg_windows.ipynb", "a thesis on Windows: chdir, D:/ paths, UNC share")
    b.code(
        r"""
import glob, json, os, pickle, shutil, sys
from pathlib import Path
import h5py
import matplotlib.pyplot as plt
import pandas as pd
import scipy.io as sio
os.chdir(r"C:\Users\lena.b\OneDrive - Uni\thesis\analysis")   #@> IO004
sys.path.insert(0, "C:/Users/lena.b/code/eeg-utils")   #@> IO005: a Windows path with forward slashes
DATA_ROOT = os.environ.get("THESIS_DATA", r"D:\thesis\raw")   #@- an environment default
"""
    )
    b.code(
        r"""
runs = glob.glob("results/run_*/metrics.json")   #@> IO003
metrics = [json.load(open(p)) for p in runs]   #@> IO001 ?: each globbed file opened in a comprehension
with open(r"D:\thesis\cache\embeddings.pkl", "rb") as f:   #@> IO: a Windows drive path
    emb = pickle.load(f)
h5 = h5py.File("D:/thesis/raw/eeg_subject07.h5", "r")   #@> IO: h5py on a D:/ path
"""
    )
    b.code(
        r"""
mat = sio.loadmat("raw/subject07.mat")   #@> IO ?: scipy loadmat of a local file
X = mat["epochs"].mean(axis=0)
sio.savemat("out/features_s07.mat", {"X": X})   #@> IO ?: scipy savemat
pattern = r"/subject(\d+)/"   #@- a regex
"""
    )
    b.code(
        r"""
df = pd.DataFrame([m["scores"] for m in metrics])
df.to_latex("tables/results.tex", index=False, float_format="%.3f")   #@> IO002: to_latex with a path
Path("figures").mkdir(exist_ok=True)   #@> IO003
plt.plot(X.T)
plt.savefig("figures/erp_grand_average.pdf")   #@> IO002
shutil.copy("out/features_s07.mat", r"\\fileserver\lab\lena\features_s07.mat")   #@> IO003: a copy onto a UNC share
""",
        [png(b.name + "erp")],
        out="- a PNG plot",
    )
    b.code(
        """
df.describe().round(3)
""",
        [result("        acc     f1\nmean  0.812  0.774")],
    )
    return b


def builders() -> list[Callable[[], Book]]:
    return [nlp_tickets, demand_forecast, weld_images, thesis_windows]
