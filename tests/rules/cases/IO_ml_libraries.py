# codes: IO001, IO002, IO003
# What ML notebooks read and write: Hugging Face transformers and datasets, xgboost,
# lightgbm, keras, fastai. A model hub id is not a local path; a folder is.
# %%
import os

import lightgbm as lgb
import xgboost as xgb
from datasets import Dataset, load_dataset, load_from_disk
from tensorflow import keras
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    Trainer,
    TrainingArguments,
    pipeline,
)

# ok: IO001
tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
# ok: IO001
model = AutoModelForSequenceClassification.from_pretrained("distilbert/distilbert-base-uncased")
# ok: IO001
large = AutoModelForSequenceClassification.from_pretrained("EleutherAI/gpt-neo-1.3B")
# ok: IO001
from_env = AutoModelForSequenceClassification.from_pretrained(os.environ["MODEL_DIR"])
# ok: IO001
from_hub = AutoModelForSequenceClassification.from_pretrained("hf://acme/churn-bert")
# ruleid: IO001
local = AutoModelForSequenceClassification.from_pretrained("./bert-churn")
# ruleid: IO001
saved = AutoTokenizer.from_pretrained("models/bert-churn")
# ruleid: IO001
nested = AutoModelForSequenceClassification.from_pretrained("runs/2024/bert")

# %%
# ruleid: IO002
args = TrainingArguments(output_dir="results", num_train_epochs=3)
trainer = Trainer(model=model, args=args)
trainer.train()
# ruleid: IO002
trainer.save_model("bert-finetuned")
# ok: IO002
trainer.save_model()
# ruleid: IO002
model.save_pretrained("churn-model")
# ruleid: IO002
tokenizer.save_pretrained("churn-model")
# ruleid: IO001
reloaded = AutoModelForSequenceClassification.from_pretrained("churn-model")
# ruleid: IO001
best = AutoModelForSequenceClassification.from_pretrained("results/checkpoint-500")
# ruleid: IO001
classify = pipeline("text-classification", model="bert-finetuned")
# ok: IO001
sentiment = pipeline("sentiment-analysis", model="distilbert-base-uncased-finetuned-sst-2-english")

# %%
# ruleid: IO001
csv = load_dataset("csv", data_files="data/train.csv")
# ruleid: IO001
splits = load_dataset("csv", data_files={"train": "train.csv", "test": "test.csv"})
# ruleid: IO001
images = load_dataset("imagefolder", data_dir="images")
# ok: IO001
imdb = load_dataset("imdb")
# ok: IO001
glue = load_dataset("glue", "mrpc")
# ruleid: IO002
csv.save_to_disk("processed")
# ok: IO002
csv.save_to_disk("acme-data/processed", fs=s3)
# ok: IO002
csv.save_to_disk("s3://acme-data/processed")
# ruleid: IO001
again = load_from_disk("processed")
# ruleid: IO001
frame = Dataset.from_csv("data/extra.csv")

# %%
# ruleid: IO001
dtrain = xgb.DMatrix("data/train.svm.txt")
booster = xgb.train({"max_depth": 3}, dtrain)
# ruleid: IO002
booster.save_model("xgb-model")
# ruleid: IO001
restored = xgb.Booster(model_file="xgb-model.json")
clf = xgb.XGBClassifier()
# ruleid: IO001
clf.load_model("clf")
# ok: IO001
fresh = xgb.Booster()
gbm = lgb.train({"objective": "binary"}, lgb.Dataset(X, label=y))
# ruleid: IO002
gbm.save_model("lgb_model")
# ruleid: IO001
lgb_again = lgb.Booster(model_file="lgb_model.txt")

# %%
from catboost import CatBoostClassifier
from sentence_transformers import SentenceTransformer

# ok: IO001
encoder = SentenceTransformer("all-MiniLM-L6-v2")
# ruleid: IO002
encoder.save("output/sbert")
# ruleid: IO001
tuned = SentenceTransformer("./sbert-tuned")
cat = CatBoostClassifier()
# ruleid: IO001
cat.load_model("catboost_model")

# %%
net = keras.Sequential([keras.layers.Dense(1)])
# ruleid: IO002
checkpoint = keras.callbacks.ModelCheckpoint(filepath="checkpoints/best_{epoch}")
# ruleid: IO002
net.save("saved_model/churn")
# ruleid: IO002
net.save_weights("weights/churn")
# ruleid: IO001
loaded = keras.models.load_model("saved_model/churn")
# ruleid: IO002
loaded.save("exported")
# ok: IO002
net.save(os.environ["MODEL_URI"])
# ok: IO002
history = net.fit(X, y)

# %%
from fastai.vision.all import *

# ok: IO001
path = untar_data(URLs.PETS)
# ruleid: IO003
files = get_image_files(path / "images")
# ruleid: IO001
labels = pd.read_csv(path / "labels.csv")
# ruleid: IO003
path.ls()
# ruleid: IO001
dls = ImageDataLoaders.from_folder(path, valid_pct=0.2)
