# codes: SEC002
# Credentials on command lines, passed positionally to known clients, and written to
# credential files. All values are made up.
# %%
# ruleid: SEC002
!curl -u admin:Zx9qLw2pRt7v https://reports.internal/api/export
# ruleid: SEC002
!curl -s -H "Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0" https://api.example.com/v1/me
# ruleid: SEC002
!curl --header "X-API-Key: q4Lm8Tz2Wv6Yb1Nc5Rd9Kf3Hg7Js0Px" https://api.example.com/v1/items
# ruleid: SEC002
!wget --user=jdoe --password=Zx9qLw2pRt7v https://files.internal/data.zip
# ruleid: SEC002
!wandb login 8c3f5e7a9b1d2f4a6c8e0b2d4f6a8c0e2b4d6f8a
# ruleid: SEC002
!ngrok authtoken 2Nq8ZtYw3Lk5Xm7Pv9Rb1Sc4Df6Gh
# ruleid: SEC002
!python export.py --api-key=q4Lm8Tz2Wv6Yb1Nc5Rd9Kf3Hg7Js0Px --out data/
# ok: SEC002
!curl -u "$API_USER:$API_PASSWORD" https://reports.internal/api/export
# ok: SEC002
!curl -u {user}:{password} https://reports.internal/api/export
# ok: SEC002
!curl -H "Authorization: Bearer $TOKEN" https://api.example.com/v1/me
# ok: SEC002
!curl -H "Authorization: Bearer <your token>" https://api.example.com/v1/me
# ok: SEC002
!wandb login $WANDB_API_KEY
# ok: SEC002
!docker run -u 1000:1000 trainer:latest
# ok: SEC002
!python train.py --max-tokens 512 --pad-token 0 --token-limit 3 --secret-name prod

# %%
%%bash
# ruleid: SEC002
curl -u etl:Qw3rTy9Uo2Pz https://warehouse.internal/export.csv -o data/export.csv
# ok: SEC002
curl -u "etl:${WAREHOUSE_PASSWORD}" https://warehouse.internal/export.csv

# %%
import json
import os
import subprocess

import boto3
from minio import Minio
from twilio.rest import Client

# ruleid: SEC002
os.system("curl -u admin:Zx9qLw2pRt7v https://reports.internal/api/export")
# ruleid: SEC002
subprocess.run(["curl", "-H", "Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0", "https://api.example.com"])
# ok: SEC002
subprocess.run(["curl", "-H", f"Authorization: Bearer {os.environ['TOKEN']}", "https://api.example.com"])
# ok: SEC002
print("Authorization: Bearer <token>")

# %%
# ruleid: SEC002
client = Client("AC8f2e4d6c1b3a5978e0d2c4b6a8f1e3d5", "f3a9c2e7b1d04f5a8e6c9b2d7a1f4e3c")
# ruleid: SEC002
store = Minio("minio.internal:9000", "K7QX2M9WPL4RZT8VNB3J", "q8Zt+3nRwX5vLp2Ks9Jd/Ym7Hc4Bf6Ga1Ne0Tu8W")
# ruleid: SEC002
s3 = boto3.client("s3", "us-east-1", None, True, None, None, "AKIA0000000000EXAMPLE", "q8Zt+3nRwX5vLp2Ks9Jd/Ym7Hc4Bf6Ga1Ne0Tu8W")
# ok: SEC002
client = Client(os.environ["TWILIO_ACCOUNT_SID"], os.environ["TWILIO_AUTH_TOKEN"])
# ok: SEC002
store = Minio("minio.internal:9000", os.environ["MINIO_ACCESS_KEY"], os.environ["MINIO_SECRET_KEY"])
# ok: SEC002
play = Minio("play.min.io", "Q3AM3UQ867SPQQA43P2F", "zuf+tfteSlswRu7BJ86wekitnifILbZam1KYY3TG")
# ok: SEC002
s3 = boto3.client("s3", "us-east-1")
# ok: SEC002
placeholder = Client("ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "your_auth_token")

# %%
# ruleid: SEC002
json.dump({"username": "jdoe", "key": "3f9a8c7e6d5b4a39281706f5e4d3c2b1"}, open("kaggle.json", "w"))
kaggle = {"username": "jdoe", "key": os.environ["KAGGLE_KEY"]}
# ok: SEC002
json.dump(kaggle, open("kaggle.json", "w"))
# ok: SEC002
json.dump({"username": "jdoe", "key": "<your kaggle key>"}, open("kaggle.json", "w"))
# ok: SEC002
lookup = {"username": "jdoe", "key": "customer_id"}
# ruleid: SEC002
!echo '{"username":"jdoe","key":"3f9a8c7e6d5b4a39281706f5e4d3c2b1"}' > ~/.kaggle/kaggle.json
# ruleid: SEC002
open("kaggle.json", "w").write('{"username": "jdoe", "key": "3f9a8c7e6d5b4a39281706f5e4d3c2b1"}')
