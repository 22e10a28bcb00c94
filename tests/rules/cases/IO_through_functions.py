# codes: IO001, IO002, IO003
# Paths returned by the notebook's own functions, and paths passed to functions that open them:
# the finding is at the call that passes the local path.
# %%
import os
import pickle
from pathlib import Path

import pandas as pd

DATA = "data/"


def data_dir():
    return Path("data")


def path_of(name, ext=".csv"):
    return DATA + name + ext


def load(p):
    return pd.read_csv(p)


def save(df, name, folder="output"):
    os.makedirs(folder, exist_ok=True)
    df.to_csv(os.path.join(folder, name), index=False)


def read_pickle(path):
    with open(path, "rb") as fh:
        return pickle.load(fh)


def load_config():
    # ruleid: IO001
    return pd.read_json("config/settings.json")


def describe(df, title):
    print(title, df.shape)


# %% [markdown]
# Returned paths: the read is where the path is used.

# %%
# ruleid: IO001
train = pd.read_csv(data_dir() / "train.csv")
# ruleid: IO001
test = pd.read_csv(path_of("test"))
# ruleid: IO001
labels = pd.read_parquet(path=path_of("labels", ext=".parquet"))

# %% [markdown]
# Arguments: the call passing a local path reads or writes it.

# %%
# ruleid: IO001
extra = load("data/extra.csv")
# ruleid: IO001
more = load(data_dir() / "more.csv")
# ruleid: IO002, IO003
save(train, "clean.csv")
# ok: IO002, IO003
save(train, "clean.csv", folder=os.environ.get("OUT", "/tmp"))
# ruleid: IO001
state = read_pickle(Path("models") / "state.pkl")
# ok: IO001
remote = load("s3://acme-data/churn/train.csv")
# ok: IO001
configured = load(os.environ["TRAIN_PATH"])
# ok: IO001
unknown = load(get_path())
# ok: IO001
describe(train, "data/train.csv")
# ok: IO001
settings = load_config()

# %% [markdown]
# Functions calling functions, and one defined in a later cell. A path that is local inside
# the body already (`DATA + name`) is reported there, once, not again at each call.

# %%
def load_all(names):
    # ruleid: IO001
    return [load(DATA + n) for n in names]


def load_one(name):
    # ruleid: IO001
    return load(DATA + name)


def fetch(p):
    return parse(p)


# ok: IO001
one = load_one("a.csv")
# ok: IO001
everything = load_all(["a.csv", "b.csv"])

# %%
def parse(p):
    with open(p) as fh:
        return fh.read()


# ruleid: IO001
text = fetch("notes/readme.txt")


# %% [markdown]
# Recursion is not followed forever.

# %%
def walk(p, depth):
    if depth:
        return walk(p, depth - 1)
    return load(p)


# ruleid: IO001
tree = walk("data/tree.csv", 3)
