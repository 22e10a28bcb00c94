# codes: SEC001, SEC002
# Credentials given to key/value setters (Spark's option/config, conf.set, os.putenv,
# ConfigParser.set) and as the word after a credential name on a command line; a constant
# already reported where it is assigned is not reported again where an f-string uses it.
# All values are made up.
# %%
import configparser
import os

cfg = configparser.ConfigParser()
orders = (
    spark.read.format("jdbc")
    .option("url", "jdbc:postgresql://warehouse.internal:5432/sales")
    # ok: SEC002
    .option("user", "analyst")
    # ruleid: SEC002
    .option("password", "Qw3rTy9Uo2Pz")
    # ok: SEC002
    .option("header", "true")
    # ok: SEC002
    .option("password", os.environ["WAREHOUSE_PASSWORD"])
    # ok: SEC002
    .option("password", "<your-password>")
    .load()
)
# ok: SEC002
spark = SparkSession.builder.config("spark.executor.memory", "4g").getOrCreate()
# ruleid: SEC002
spark.conf.set("fs.azure.account.key.acme.dfs.core.windows.net", "q8Jd0kPz3LmN7vR2sT5wX9yB1cE4fG6hI8jK0lM2nO4pQ6rS8tU0vW2xY4zA6bC8dE0fG2hI4jK6lM8nO0pQ==")
# ruleid: SEC002
spark.conf.set("spark.hadoop.fs.s3a.secret.key", "Zq8Jd0kPz3LmN7vR2sT5wX9yB1cE4fG6hI8jK0lM")
# ok: SEC002
spark.conf.set("spark.sql.shuffle.partitions", "200")
# ok: SEC002
spark.conf.set("spark.hadoop.fs.s3a.aws.credentials.provider", "com.amazonaws.auth.EnvironmentVariableCredentialsProvider")
# ruleid: SEC002
os.putenv("API_TOKEN", "a8f9e7d6c5b4a3928171605f4e3d2c1b")
# ok: SEC002
os.putenv("API_TOKEN", os.environ.get("VAULT_TOKEN", ""))
# ruleid: SEC002
cfg.set("default", "db_password", "Zx9qLw2pRt7v")
# ok: SEC002
cfg.set("default", "region", "eu-west-1")

# %%
# ruleid: SEC002
!aws configure set aws_secret_access_key Zq8Jd0kPz3LmN7vR2sT5wX9yB1cE4fG6hI8jK0lM
# ruleid: SEC002
!dvc remote modify --local storage password Falcon7031-jqa
# ruleid: SEC002
!git config --global github.token 9f8e7d6c5b4a39281706f5e4d3c2b1a0
# ok: SEC002
!aws configure set aws_secret_access_key $AWS_SECRET_ACCESS_KEY
# ok: SEC002
!aws configure set aws_secret_access_key <your-secret-access-key>
# ok: SEC002
!dvc remote modify --local storage password changeme
# ok: SEC002
!dvc remote modify --local storage credentialpath ~/.config/gcloud/key.json
# ok: SEC002
!echo $REGISTRY_TOKEN | docker login -u ci-bot --password-stdin registry.example.com
# ok: SEC002
!pip install google-auth google-auth-oauthlib
# ok: SEC002
!apt-get install -y pass gnupg
# ok: SEC002
!python train.py --epochs 3 token-budget 5000

# %%
%%bash
# ruleid: SEC002
aws configure set aws_secret_access_key Zq8Jd0kPz3LmN7vR2sT5wX9yB1cE4fG6hI8jK0lM --profile etl
# ok: SEC002
aws configure set aws_secret_access_key "${AWS_SECRET_ACCESS_KEY}" --profile etl

# %%
import requests

# ruleid: SEC001
GITHUB_TOKEN = "ghp_4OOF8Q2YHt44hHZWnyojttOkdWhywW3FumfK"
# ok: SEC001, SEC002
headers = {"Authorization": f"token {GITHUB_TOKEN}", "Accept": "application/vnd.github+json"}
# ok: SEC002
session_headers = {"Authorization": "token " + GITHUB_TOKEN}
# ruleid: SEC001
inline = {"Authorization": f"token ghp_4OOF8Q2YHt44hHZWnyojttOkdWhywW3FumfK"}
# ruleid: SEC002
API_KEY = "k3J9dLq0Xz8Wv7Ut6Sr5"
# ok: SEC002
api_headers = {"X-API-Key": f"{API_KEY}", "Authorization": f"Bearer {API_KEY}"}
build_id = "k7J9dLq0Xz8Wv7Ut6Sr5"
# ruleid: SEC002
build_headers = {"Authorization": f"Bearer {build_id}"}
