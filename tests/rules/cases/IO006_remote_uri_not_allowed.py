# codes: IO006
# settings: {"allowed-remote-prefixes": ["s3://acme-data/"]}
# %%
import pandas as pd

# ok: IO006
train = pd.read_csv("s3://acme-data/churn/train.csv")
# ruleid: IO006
scratch = pd.read_csv("s3://someones-personal-bucket/churn.csv")
BUCKET = "s3://other-team"
# ruleid: IO006
df = pd.read_parquet(f"{BUCKET}/features.parquet")

# %%
# ok: IO006
train.to_parquet("s3://acme-data/churn/clean.parquet")
# ruleid: IO006
train.to_csv("gs://acme-data/churn.csv")
