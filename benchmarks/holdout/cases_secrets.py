"""Held-out notebooks: secrets in less usual forms, in markdown, in outputs; a clean job.

Labels are end-of-line markers (see ``benchmarks/labelled/_build.py``): ``#@> CODE: note``
expects a finding, ``#@- note`` is a hard negative, ``?`` marks a stretch label.
"""

from __future__ import annotations

from collections.abc import Callable

from _keys import Book, Keys, fill, png, result, stdout


def integrations() -> Book:
    b = Book(
        "hk14_ops_integrations.ipynb", "basic-auth tuples, API-key headers, PEM, Kafka SASL, SSH"
    )
    k = Keys(b.name)
    b.code(
        fill(
            """
import json, os
import boto3
import requests
from requests.auth import HTTPBasicAuth
JIRA = "https://acme.atlassian.net"
r = requests.get(f"{JIRA}/rest/api/3/search", params={"jql": "project = DATA"}, auth=("m.kovacs@acme.io", "@@ATL@@"), timeout=30)   #@> SEC: Atlassian token in a basic-auth tuple
jenkins = requests.post("https://ci.acme.internal/job/nightly-features/build", auth=HTTPBasicAuth("svc-jenkins", "@@JEN@@"))   #@> SEC002: Jenkins API token in HTTPBasicAuth
""",
            ATL=k.atlassian(),
            JEN=k.jenkins(),
        ),
        [result("<Response [201]>")],
    )
    b.code(
        fill(
            """
headers = {"X-API-Key": "@@XKEY@@", "Accept": "application/json"}   #@> SEC002: an X-API-Key header
datadog_headers = {
    "DD-API-KEY": "@@DDAPI@@",   #@> SEC002: a Datadog API key header
    "DD-APPLICATION-KEY": "@@DDAPP@@",   #@> SEC ?: a Datadog application key (is "application key" a credential name?)
}
sess = requests.Session()
sess.headers.update({"PRIVATE-TOKEN": "@@GL@@"})   #@> SEC001: GitLab token in a header dict
sess.headers["Authorization"] = "token @@GHP@@"   #@> SEC001: GitHub token in a header item
sess.headers["X-Vendor-Auth"] = f"Bearer {os.environ['VENDOR_TOKEN']}"   #@- from the environment
""",
            XKEY=k.s(32),
            DDAPI=k.datadog_api(),
            DDAPP=k.datadog_app(),
            GL=k.glpat(),
            GHP=k.ghp(),
        )
    )
    pem = k.pem_rsa_lines()
    b.code(
        fill(
            """
import snowflake.connector
PRIVATE_KEY = \"\"\"@@PEM0@@   #@> SEC001: a PEM private key in a string
@@PEMBODY@@\"\"\"
sf = snowflake.connector.connect(
    account="acme-eu1",
    user="SVC_LOADER",   #@- a user name
    private_key_file="/home/mkovacs/.ssh/snowflake_rsa_key.p8",   #@> IO005: a key file in a home folder
    warehouse="LOAD_WH",
)
""",
            PEM0=pem[0],
            PEMBODY="\n".join(pem[1:]),
        )
    )
    b.code(
        fill(
            """
from confluent_kafka import Producer
producer = Producer({
    "bootstrap.servers": "pkc-4r297.europe-west1.gcp.confluent.cloud:9092",   #@- a broker address
    "security.protocol": "SASL_SSL",
    "sasl.mechanisms": "PLAIN",   #@- a mechanism name
    "sasl.username": "@@CKEY@@",   #@- the API key id, used as a user name
    "sasl.password": "@@CSECRET@@",   #@> SEC002: the API secret as sasl.password
})
""",
            CKEY=k.confluent_key(),
            CSECRET=k.confluent_secret(),
        )
    )
    b.code(
        fill(
            """
import paramiko
ssh = paramiko.SSHClient()
ssh.set_missing_host_key_policy(paramiko.AutoAddPolicy())
ssh.connect("10.0.7.21", username="deploy", password="@@SSHPW@@")   #@> SEC002: SSH password keyword
key = paramiko.RSAKey.from_private_key_file(os.path.expanduser("~/.ssh/id_rsa"))   #@> IO: a home-folder key file
# vendor sandbox password: @@SANDBOX@@   #@> SEC002: a password in a comment
""",
            SSHPW=k.password(),
            SANDBOX=k.password(),
        )
    )
    b.code(
        fill(
            """
import stripe
stripe.api_key = "@@RK@@"   #@> SEC: a Stripe restricted key
secret_name = "prod/vendor/api"   #@- a secret's name in Secrets Manager
vendor_key = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=secret_name)["SecretString"])["api_key"]   #@- from Secrets Manager
webhook_id = "@@UUID@@"   #@- a UUID
!pip install --extra-index-url https://ci-bot:@@PIPTOKEN@@@pkgs.acme.io/simple/ acme-features==1.4.2   #@> SEC: a token in a package index URL
""",
            RK=k.stripe_restricted(),
            UUID=k.uuid(),
            PIPTOKEN=k.s(32),
        ),
        count=None,
    )
    return b


def onboarding_notes() -> Book:
    b = Book(
        "hk15_onboarding_notes.ipynb",
        "secrets pasted in markdown and raw cells; prose and examples",
    )
    k = Keys(b.name)
    b.md(
        """
# Churn project: onboarding
Data lives in `s3://acme-ml/churn/`; ask #data-eng for read access.   #@- an S3 URI in prose
"""
    )
    b.md(
        fill(
            """
## Credentials
The warehouse user is `analyst`; the password is in 1Password under "warehouse-analyst".   #@- prose about a password
Until IT sets up SSO use `postgresql://analyst:@@PW@@@warehouse.acme.internal:5432/sales`   #@> SEC004: a password in a URL
Alerts bot for #churn-alerts: `@@XOXB@@`   #@> SEC004: Slack bot token
Your OpenAI key looks like `sk-proj-...` and goes in `.env`, never here.   #@- a placeholder key
""",
            PW=k.password(),
            XOXB=k.xoxb(),
        )
    )
    b.md(
        fill(
            """
Grafana panel (read-only link): [latency](https://grafana.acme.io/d/churn-api?orgId=1&api_key=@@GLSA@@)   #@> SEC004: a key in a link's query
AWS docs example, for the format only: `AKIAIOSFODNN7EXAMPLE`   #@- AWS's documented example key
Fixed in commit `@@SHA@@` (see PR 412).   #@- a commit hash
""",
            GLSA=k.grafana(),
            SHA=k.hexs(40),
        )
    )
    b.raw(
        fill(
            """
# .env used for the demo on 12 June
OPENAI_API_KEY=@@OAI@@   #@> SEC004: an OpenAI key in a raw cell
DB_HOST=warehouse.acme.internal   #@- a host name
""",
            OAI=k.openai(),
        )
    )
    b.md(
        fill(
            """
To pull the private models:
```bash
export HF_TOKEN=@@HF@@   #@> SEC004: HF token in a fenced block
huggingface-cli download acme/churn-encoder --local-dir models/
```
My personal Slack token is `@@XOXP@@` (for the export script).   #@> SEC004: Slack user token
""",
            HF=k.hf(),
            XOXP=k.xoxp(),
        )
    )
    b.md(
        """
![architecture](attachment:arch.png)   #@- an attached image (base64 in attachments)
""",
        attachments={"arch.png": {"image/png": png(b.name + "arch")["data"]["image/png"]}},
    )
    b.code(
        """
import os
HF_TOKEN = os.environ["HF_TOKEN"]   #@- from the environment
print("token set:", bool(HF_TOKEN))
""",
        [stdout("token set: True\n")],
    )
    return b


def debug_session() -> Book:
    b = Book("hk16_pipeline_debug_outputs.ipynb", "secrets printed into outputs; masked values")
    k = Keys(b.name)
    b.code(
        """
!cat ~/.aws/credentials
""",
        [
            stdout(
                f"[default]\naws_access_key_id = {k.aws_id()}\n"
                f"aws_secret_access_key = {k.aws_secret()}\nregion = eu-west-1\n"
            )
        ],
        out="SEC005 SEC005: an AWS key pair printed from the credentials file",
    )
    b.code(
        """
import os
from sqlalchemy import create_engine
engine = create_engine(os.environ["WAREHOUSE_URL"])   #@- from the environment
print(engine.url)
""",
        [stdout("postgresql+psycopg2://etl:***@warehouse.acme.internal:5432/sales\n")],
        out="- SQLAlchemy masks the password",
    )
    b.code(
        """
print(engine.url.render_as_string(hide_password=False))
""",
        [stdout(f"postgresql+psycopg2://etl:{k.password()}@warehouse.acme.internal:5432/sales\n")],
        out="SEC005: the unmasked URL printed",
    )
    b.code(
        """
dict(os.environ)
""",
        [
            result(
                "{'HOME': '/home/jovyan',\n 'GITHUB_TOKEN': '"
                + k.ghp()
                + "',\n 'PATH': '/opt/conda/bin:/usr/local/bin:/usr/bin',\n"
                " 'JUPYTERHUB_API_TOKEN': '" + k.hexs(32) + "'}"
            )
        ],
        out="SEC005: a GitHub token in the printed environment",
    )
    b.code(
        """
import requests
r = requests.get(os.environ["VENDOR_URL"], timeout=5)
""",
        [
            {
                "ename": "ConnectionError",
                "evalue": "HTTPSConnectionPool(host='api.vendor.io', port=443): Max retries "
                "exceeded with url: /v2/orders?page=3&api_key=" + k.s(32),
                "output_type": "error",
                "traceback": ["ConnectionError: Max retries exceeded"],
            }
        ],
        out="SEC005 ?: an api_key parameter in the path of an error message (no scheme)",
    )
    remote = f"origin\thttps://mkovacs:{k.ghp()}@github.com/acme/churn.git"
    b.code(
        """
!git remote -v
""",
        [stdout(f"{remote} (fetch)\n{remote} (push)\n")],
        out="SEC005: a token in the remote URL (once per secret and cell)",
    )
    b.code(
        """
token_resp = requests.post(os.environ["AUTH_URL"], data={"grant_type": "client_credentials"}, timeout=5)
token_resp.json()
""",
        [result("{'access_token': '" + k.jwt() + "', 'token_type': 'Bearer', 'expires_in': 3600}")],
        out="SEC005: a JWT access token in the result",
    )
    b.code(
        """
key = os.environ["OPENAI_API_KEY"]
print(f"using key {key[:4]}...{key[-4:]}")
""",
        [stdout("using key sk-p...9fQa\n")],
        out="- a key shortened by the author",
    )
    b.code(
        """
import boto3, logging
logging.basicConfig(level=logging.INFO)
s3 = boto3.client("s3")
print("run", "1f3c9a7e5b2d4c6e8f0a1b2c3d4e5f60", "sha256", "9b74c9897bac770ffc029102a200c5de3a5c2b8d1e0f4a6b7c8d9e0f1a2b3c4d")
""",
        [
            stdout(
                "INFO:botocore.credentials:Found credentials in environment variables.\n", "stderr"
            ),
            stdout(
                "run 1f3c9a7e5b2d4c6e8f0a1b2c3d4e5f60 sha256 9b74c9897bac770ffc029102a200c5de3a5c2b8d1e0f4a6b7c8d9e0f1a2b3c4d\n"
            ),
        ],
        out="- a log line, a run id and a checksum",
    )
    return b


def clean_job() -> Book:
    b = Book(
        "hk17_clean_scoring_job.ipynb",
        "to the standard: remote URIs, env, temp files, secret managers",
    )
    k = Keys(b.name)
    b.code(
        """
import hashlib, io, json, os, tempfile
import boto3
import fsspec
import joblib
import pandas as pd
import requests
from sqlalchemy import create_engine
DATA_URI = os.environ.get("DATA_URI", "s3://acme-ml/scoring")   #@- an S3 default
MODEL_URI = os.environ["MODEL_URI"]   #@- from the environment
run_date = os.environ.get("RUN_DATE", "2024-06-01")   #@- a date default
"""
    )
    b.code(
        """
with fsspec.open(f"{MODEL_URI}/model.joblib", "rb") as f:   #@- a remote file handle
    model = joblib.load(f)   #@- loaded from the remote handle
features = pd.read_parquet(f"{DATA_URI}/features/dt={run_date}/")   #@- under the S3 prefix
customers = pd.read_parquet("abfss://curated@acmelake.dfs.core.windows.net/customers/")   #@- abfss
logs = pd.read_json("wasbs://logs@acmestore.blob.core.windows.net/2024/06/01/app.jsonl", lines=True)   #@- wasbs
ref = pd.read_csv("gs://acme-ref/countries.csv")   #@- GCS
bench = pd.read_parquet("hf://datasets/acme/public-benchmarks/data/train-00000-of-00001.parquet")   #@- hf://
"""
    )
    b.code(
        """
scores = features.assign(score=model.predict_proba(features)[:, 1])
fs = fsspec.filesystem("s3")
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "scores.parquet")   #@- a temporary folder
    scores.to_parquet(path)   #@- written in the temporary folder
    fs.put(path, f"{DATA_URI}/scores/{run_date}.parquet")   #@- uploaded to S3
buf = io.BytesIO()
scores.to_parquet(buf)   #@- an in-memory buffer
checksum = hashlib.sha256(buf.getvalue()).hexdigest()
"""
    )
    b.code(
        fill(
            """
secret = boto3.client("secretsmanager").get_secret_value(SecretId="prod/scoring/db")["SecretString"]   #@- from Secrets Manager
db = json.loads(secret)
engine = create_engine(f"postgresql://{db['username']}:{db['password']}@{db['host']}:5432/scoring")   #@- filled in by the f-string
headers = {"Authorization": f"Bearer {os.environ['SCORING_API_TOKEN']}"}   #@- from the environment
requests.post("https://scoring.acme.internal/api/v1/batches", headers=headers, json={"rows": len(scores)}, timeout=30)   #@- a URL with a route
EXPECTED_SHA256 = "@@SHA@@"   #@- a checksum
password_env = "SCORING_DB_PASSWORD"   #@- an environment variable's name
max_tokens = 1024   #@- a number
token_url = "https://auth.acme.internal/oauth2/token"   #@- a token endpoint URL
secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/scoring/db-Xq7LmN"   #@- a secret's ARN, not the secret
""",
            SHA=k.hexs(64),
        ),
        [result("<Response [202]>")],
    )
    return b


def builders() -> list[Callable[[], Book]]:
    return [integrations, onboarding_notes, debug_session, clean_job]
