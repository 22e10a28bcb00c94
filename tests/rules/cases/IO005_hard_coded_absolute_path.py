# codes: IO005
# %%
import os
import sys

import pandas as pd

# ruleid: IO005
BASE = "/home/ana/projects/churn"
# ruleid: IO005
sys.path.append("/Users/ana/libs")
# ruleid: IO005
HOME_DATA = "~/data/churn.csv"
# ruleid: IO005
WIN = "C:\\Users\\ana\\data\\sales.xlsx"
# ruleid: IO005
WIN_FORWARD = "D:/work/data"
# ruleid: IO005
UNC = r"\\fileserver\share\data"
name = "titanic"
# ruleid: IO005
KAGGLE = f"/kaggle/input/{name}/train.csv"
# ruleid: IO005
COLAB = "/content/drive/MyDrive/data"
# ruleid: IO005
ANY_FILE = "/some/where/file.parquet"
# ruleid: IO005
paths = {"train": "/mnt/data/train.csv", "test": "data/test.csv"}

# %%
# ok: IO005
df = pd.read_csv("/data/raw/x.csv")
# ok: IO005
df2 = pd.read_csv(os.path.join("/home/ana/data", "x.csv"))
# ok: IO005
ROOT = "/"
# ok: IO005
route = "/api/v1/users"
# ok: IO005
pattern = r"^/(\d+)/$"
# ok: IO005
url = "https://example.com/home/ana/x.csv"
# ok: IO005
rel = "data/x.csv"
# ok: IO005
suffix = BASE + "/data"
# ok: IO005
default = os.environ.get("DATA_DIR", "/data/churn")
# ok: IO005
"""A note about /home/ana/projects/churn/data.csv."""
# ok: IO005
ratio = "1/2"
# ok: IO005
unit = "/s"
# ok: IO005
s3 = "s3://bucket/home/x.csv"
# ok: IO005
single = "/data"
# ok: IO005
tilde = "~"
