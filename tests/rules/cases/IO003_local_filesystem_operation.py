# codes: IO003
# %%
import glob
import os
import shutil
import tempfile
from pathlib import Path

import fsspec

DATA_DIR = "data"
OUT_DIR = os.path.join("output", "run1")

# %%
# ruleid: IO003
os.makedirs("output", exist_ok=True)
# ruleid: IO003
files = glob.glob("data/*.csv")
# ruleid: IO003
names = os.listdir(DATA_DIR)
# ruleid: IO003
here = os.listdir()
# ruleid: IO003
for root, dirs, fnames in os.walk("data"):
    pass
# ruleid: IO003
shutil.copy("data/a.csv", "backup/a.csv")
# ruleid: IO003
shutil.rmtree(OUT_DIR)
# ruleid: IO003
os.remove("tmp.txt")
# ruleid: IO003
Path("models").mkdir(parents=True, exist_ok=True)
# ruleid: IO003
for p in (Path(DATA_DIR) / "raw").glob("*.json"):
    pass
# ruleid: IO003
shutil.move(os.path.join(DATA_DIR, "x.csv"), "archive/")
# ruleid: IO003
os.rename(f"{DATA_DIR}/old.csv", f"{DATA_DIR}/new.csv")

# %%
fs = fsspec.filesystem("s3")
# ok: IO003
remote_files = fs.glob("s3://acme-data/raw/*.csv")
# ok: IO003
os.makedirs(os.environ["OUT"], exist_ok=True)
# ok: IO003
matches = glob.glob(pattern)
tmp = tempfile.mkdtemp()
# ok: IO003
os.listdir(tmp)
# ok: IO003
shutil.rmtree(tmp)
# ok: IO003
exists = os.path.exists("data/x.csv")
# ok: IO003
df = df.rename(columns={"a": "b"})
name = "data/x.csv"
# ok: IO003
other = name.replace("x", "y")


def prepare(folder):
    # ok: IO003
    os.makedirs(folder, exist_ok=True)
