# codes: IO001, IO002, IO003
# Comprehension variables over known sequences: each file read or written in a list,
# generator or dict comprehension is seen where it happens, as in a for loop.
# %%
import glob
import os
from pathlib import Path

import fsspec
import pandas as pd

RAW = "data/raw"
FILES = ["data/jan.csv", "data/feb.csv"]
REMOTE = ["s3://acme/jan.csv", "s3://acme/feb.csv"]

# %%
# ruleid: IO001, IO003
frames = [pd.read_csv(f) for f in sorted(glob.glob(os.path.join(RAW, "*.csv")))]
# ruleid: IO001, IO003
df = pd.concat(pd.read_parquet(p) for p in Path("data/interim").glob("*.parquet"))
# ruleid: IO001
tables = {name: pd.read_csv(name) for name in FILES}

# %%
# ruleid: IO003
listing = glob.glob("data/raw/*.json")
# ruleid: IO003
listing2 = glob.glob("data/more/*.json")
# ruleid: IO001
metas = [pd.read_json(m) for m in listing]

# %%
# ok: IO001
remote_frames = [pd.read_csv(u) for u in REMOTE]
fs = fsspec.filesystem("s3")
# ok: IO001, IO003
s3_frames = [pd.read_csv(f"s3://{k}") for k in fs.glob("s3://acme/sensors/*.csv")]
# ok: IO001
by_key = [pd.read_csv(k) for k in os.environ["INPUT_URIS"].split(",")]

# %%
# A name bound by two comprehensions, or a tuple target: not guessed.
# ok: IO001
mixed = [pd.read_csv(x) for x in FILES] + [pd.read_csv(x) for x in REMOTE]
# ok: IO001
pairs = [pd.read_csv(b) for a, b in enumerate(REMOTE)]
# ok: IO001
readers = list(map(lambda q: pd.read_csv(q), REMOTE))

# %%
# ruleid: IO002
written = [frames[0].to_csv(out) for out in ["out/a.csv", "out/b.csv"]]
# ok: IO002
zipped = [f.to_csv(p) for f, p in zip(frames, REMOTE)]
