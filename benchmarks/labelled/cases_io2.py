"""Labelled IO notebooks: model files (torch, keras, xgboost, lightgbm) and Hugging Face."""

from __future__ import annotations

from _build import Book, Fake, result, stdout, widget


def torch_training() -> Book:
    b = Book(
        "io07_torch_training.ipynb", "torch.save/load with Path constants; env and tempfile paths"
    )
    b.md("# Tabular MLP\nA small PyTorch baseline.")
    b.code(
        """
import os
import tempfile
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
"""
    )
    b.code(
        """
CKPT_DIR = Path("checkpoints")  #@- a relative constant
X = torch.randn(512, 20)
y = (X[:, 0] > 0).long()
loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 2))
"""
    )
    b.code(
        """
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(5):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    torch.save(model.state_dict(), CKPT_DIR / f"epoch_{epoch}.pt")  #@> IO002: Path constant / f-string
    print(f"epoch {epoch} loss {loss.item():.3f}")
""",
        [stdout("".join(f"epoch {i} loss {0.69 - 0.07 * i:.3f}\n" for i in range(5)))],
    )
    b.code(
        """
state = torch.load("checkpoints/epoch_4.pt", map_location="cpu")  #@> IO001
model.load_state_dict(state)
torch.save(model, "model_full.pt")  #@> IO002
torch.jit.script(model).save("model_scripted.pt")  #@> IO002 ?: TorchScript save
""",
        [result("<All keys matched successfully>")],
    )
    b.code(
        """
out_dir = Path(os.environ["MODEL_DIR"])  #@- folder from the environment
torch.save(model.state_dict(), out_dir / "model.pt")  #@- path from the environment
with tempfile.TemporaryDirectory() as tmp:
    torch.save(model.state_dict(), os.path.join(tmp, "model.pt"))  #@- tempfile folder
"""
    )
    return b


def keras_cnn() -> Book:
    b = Book("io08_keras.ipynb", "keras save/load_model, save_weights, checkpoints, SavedModel")
    b.md("# MNIST baseline (Keras)")
    b.code(
        """
import pandas as pd
import tensorflow as tf
from tensorflow import keras

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()  #@- Keras' built-in data set
x_train, x_test = x_train / 255.0, x_test / 255.0
"""
    )
    b.code(
        """
model = keras.Sequential([
    keras.layers.Flatten(input_shape=(28, 28)),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dense(10),
])
loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
"""
    )
    b.code(
        """
checkpoint = keras.callbacks.ModelCheckpoint("best_model.keras", save_best_only=True)  #@> IO002 ?: the callback writes a local file
history = model.fit(x_train, y_train, epochs=3, validation_split=0.1, callbacks=[checkpoint])
""",
        [stdout("Epoch 1/3\n1688/1688 - 4s - loss: 0.2587 - accuracy: 0.9262\n")],
    )
    b.code(
        """
model.save("mnist_dense.keras")  #@> IO002: keras model.save
model.save_weights("mnist_dense.weights.h5")  #@> IO002 ?: save_weights
"""
    )
    b.code(
        """
restored = keras.models.load_model("mnist_dense.keras")  #@> IO001: keras load_model
restored.evaluate(x_test, y_test, verbose=0)
""",
        [result("[0.0791, 0.9764]")],
    )
    b.code('pd.DataFrame(history.history).to_csv("history.csv")  #@> IO002')
    b.code(
        'tf.saved_model.save(model, "export/mnist/1")  #@> IO002 ?: SavedModel export to a local folder'
    )
    return b


def xgb_lgbm() -> Book:
    b = Book("io09_xgb_lgbm.ipynb", "xgboost/lightgbm save_model/load_model and model_file")
    b.md("# Boosted trees: xgboost vs lightgbm")
    b.code(
        """
import json

import lightgbm as lgb
import numpy as np
import xgboost as xgb
from sklearn.datasets import make_classification

X, y = make_classification(n_samples=2000, n_features=20, random_state=0)  #@- synthetic data
"""
    )
    b.code(
        """
clf = xgb.XGBClassifier(n_estimators=200, max_depth=4, learning_rate=0.1)
clf.fit(X, y)
clf.save_model("xgb_model.json")  #@> IO002: xgboost save_model
"""
    )
    b.code(
        """
booster = xgb.Booster()
booster.load_model("xgb_model.json")  #@> IO001: xgboost load_model
booster.predict(xgb.DMatrix(X[:10]))
"""
    )
    b.code(
        """
train_set = lgb.Dataset(X, label=y)
gbm = lgb.train({"objective": "binary", "verbose": -1}, train_set, num_boost_round=100)
gbm.save_model("lgb_model.txt")  #@> IO002: lightgbm save_model
"""
    )
    b.code(
        """
gbm2 = lgb.Booster(model_file="lgb_model.txt")  #@> IO001 ?: lightgbm reads its model file in the constructor
np.allclose(gbm.predict(X), gbm2.predict(X))
""",
        [result("True")],
    )
    b.code(
        """
importance = dict(zip([f"f{i}" for i in range(20)], clf.feature_importances_))
with open("feature_importance.json", "w") as f:  #@> IO002
    json.dump({k: float(v) for k, v in importance.items()}, f, indent=2)
"""
    )
    return b


def hf_transformers() -> Book:
    k = Fake("io10")
    b = Book(
        "io10_hf_transformers.ipynb", "transformers: hub ids vs ./local folders, save_pretrained"
    )
    b.md("# Ticket sentiment\nDistilBERT fine-tuned on our support tickets.")
    b.code("!pip install -q transformers datasets accelerate")
    b.code(
        """
import pandas as pd
import torch
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    Trainer,
    TrainingArguments,
    pipeline,
)

MODEL_NAME = "distilbert-base-uncased"  #@- hub model id
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)  #@- hub id through a constant
model = AutoModelForSequenceClassification.from_pretrained(MODEL_NAME, num_labels=3)  #@- hub id
""",
        [
            widget(k.hexs(), "tokenizer_config.json:   0%|          | 0.00/48.0 [00:00<?, ?B/s]"),
            widget(k.hexs(), "model.safetensors:   0%|          | 0.00/268M [00:00<?, ?B/s]"),
        ],
        out="- widget model ids of download progress bars",
    )
    b.code(
        """
tickets = pd.read_csv("data/tickets_labelled.csv")  #@> IO001
enc = tokenizer(list(tickets["text"]), truncation=True, padding=True, max_length=128)  #@- tokenizer call
"""
    )
    b.code(
        """
class TicketDataset(torch.utils.data.Dataset):
    def __init__(self, enc, labels):
        self.enc, self.labels = enc, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        item = {k: torch.tensor(v[i]) for k, v in self.enc.items()}
        item["labels"] = torch.tensor(self.labels[i])
        return item


labels = tickets["label"].tolist()
n = int(len(labels) * 0.8)
full = TicketDataset(enc, labels)
train_ds = torch.utils.data.Subset(full, range(n))
val_ds = torch.utils.data.Subset(full, range(n, len(labels)))
"""
    )
    b.code(
        """
args = TrainingArguments(output_dir="./results", num_train_epochs=2, per_device_train_batch_size=16)  #@> IO ?: checkpoints go to a local folder
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds)
trainer.train()
"""
    )
    b.code(
        """
trainer.save_model("./models/ticket-sentiment")  #@> IO002 ?: Trainer.save_model
model.save_pretrained("./models/ticket-sentiment")  #@> IO002: save_pretrained to a local folder
tokenizer.save_pretrained("./models/ticket-sentiment")  #@> IO002
"""
    )
    b.code(
        """
clf = pipeline("text-classification", model="./models/ticket-sentiment")  #@> IO001 ?: pipeline from a local folder
reloaded = AutoModelForSequenceClassification.from_pretrained("./models/ticket-sentiment")  #@> IO001: from_pretrained("./local")
sentiment = pipeline("sentiment-analysis", model="cardiffnlp/twitter-roberta-base-sentiment-latest")  #@- org/name hub id
"""
    )
    b.code(
        """
from sentence_transformers import SentenceTransformer

embedder_name = "sentence-transformers/all-MiniLM-L6-v2"  #@- org/name hub id
emb_model = SentenceTransformer(embedder_name)  #@- hub id through a variable
"""
    )
    return b


def hf_datasets() -> Book:
    k = Fake("io11")
    b = Book(
        "io11_hf_datasets.ipynb", "datasets: data_files, save_to_disk, load_from_disk; hub names"
    )
    b.md("# Reviews data set")
    b.code(
        """
from datasets import load_dataset, load_from_disk

imdb = load_dataset("imdb")  #@- hub data set
mrpc = load_dataset("glue", "mrpc", split="train")  #@- hub data set with a config
""",
        [
            widget(k.hexs(), "Downloading readme:   0%|          | 0.00/7.81k [00:00<?, ?B/s]"),
            widget(
                k.hexs(), "Generating train split:   0%|          | 0/25000 [00:00<?, ? examples/s]"
            ),
        ],
        out="- widget model ids",
    )
    b.code(
        """
local = load_dataset("csv", data_files="data/reviews.csv")  #@> IO001: data_files of a local file
splits = load_dataset("json", data_files={"train": "data/train.jsonl", "test": "data/test.jsonl"})  #@> IO001: data_files dict
"""
    )
    b.code(
        """
remote = load_dataset("parquet", data_files="s3://acme-data/reviews/2024/*.parquet")  #@- remote data files
web = load_dataset("csv", data_files="https://raw.githubusercontent.com/acme/open-data/main/reviews.csv")  #@- https data files
"""
    )
    b.code(
        """
tokenized = local.map(lambda b: {"n_chars": [len(t) for t in b["text"]]}, batched=True)
tokenized.save_to_disk("data/reviews_tokenized")  #@> IO002: save_to_disk
""",
        [
            widget(k.hexs(), "Map:   0%|          | 0/5000 [00:00<?, ? examples/s]"),
            widget(k.hexs(), "Saving the dataset (0/1 shards):   0%|          | 0/5000"),
        ],
        out="- widget model ids",
    )
    b.code(
        """
again = load_from_disk("data/reviews_tokenized")  #@> IO001: load_from_disk
again["train"].to_pandas().head()
"""
    )
    b.code(
        'again["train"].to_csv("data/reviews_export.csv")  #@> IO002: a to_* writer (Dataset.to_csv)'
    )
    b.meta(
        {
            "widgets": {
                "application/vnd.jupyter.widget-state+json": {
                    "state": {
                        k.hexs(): {
                            "model_name": "HBoxModel",
                            "model_module": "@jupyter-widgets/controls",
                            "state": {"children": [f"IPY_MODEL_{k.hexs()}"]},
                        }
                    },
                    "version_major": 2,
                    "version_minor": 0,
                }
            }
        },
        "- widget state in the notebook metadata",
    )
    return b


def builders() -> list:
    """This module's notebook builders, in file order."""
    return [torch_training, keras_cnn, xgb_lgbm, hf_transformers, hf_datasets]
