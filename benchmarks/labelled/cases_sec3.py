"""Labelled SEC notebooks: outputs, comments, papermill metadata, tracking, clouds."""

from __future__ import annotations

import hashlib

from _build import URLSAFE, Book, Fake, error, fill, png, result, stdout, widget


def output_secrets() -> Book:
    k = Fake("sec10")
    b = Book(
        "sec10_output_secrets.ipynb",
        "secrets printed into outputs; hashes, UUIDs, images in outputs",
    )
    b.md("# Environment check")
    b.code(
        'import os\n\nprint(os.environ["GITHUB_TOKEN"])',
        [stdout(k.ghp() + "\n")],
        out="SEC005: token printed to stdout",
    )
    env = (
        f"environ({{'HOME': '/home/jovyan', 'AWS_ACCESS_KEY_ID': '{k.aws_id()}', "
        f"'AWS_SECRET_ACCESS_KEY': '{k.aws_secret()}', 'PATH': '/opt/conda/bin:/usr/bin'}})"
    )
    b.code("os.environ", [result(env)], out="SEC005: environment dumped in a result")
    b.code(
        'db_url = os.environ["DATABASE_URL"]\ndb_url',
        [result(f"'postgresql://analyst:{k.password()}@warehouse.acme.internal:5432/sales'")],
        out="SEC005: database URL with its password in a result",
    )
    feed = f"https://api.weather-feed.io/v1/history?city=Berlin&api_key={k.hexs()}"
    b.code(
        'import requests\n\nresp = requests.get(os.environ["FEED_URL"])\nresp.raise_for_status()',
        [
            error(
                "HTTPError",
                f"401 Client Error: Unauthorized for url: {feed}",
                [
                    "\x1b[0;31mHTTPError\x1b[0m                                 Traceback (most recent call last)",
                    f"\x1b[0;31mHTTPError\x1b[0m: 401 Client Error: Unauthorized for url: {feed}",
                ],
            )
        ],
        out="SEC005: credential query parameter in a traceback",
    )
    b.code(
        "!env | grep -i slack",
        [stdout(f"SLACK_BOT_TOKEN={k.xoxb()}\nSLACK_CHANNEL=#ml-alerts\n")],
        out="SEC005: shell output with a Slack token",
    )
    b.code(
        'import pandas as pd\n\ndf = pd.DataFrame({"x": range(10), "y": [v * v for v in range(10)]})\ndf.plot(x="x", y="y")',
        [result("<Axes: xlabel='x'>"), png("sec10")],
        out="- base64 PNG",
    )
    wheel = (
        "Building wheels for collected packages: sklearn-crfsuite\n"
        "  Building wheel for sklearn-crfsuite (setup.py) ... done\n"
        f"  Created wheel for sklearn-crfsuite: filename=sklearn_crfsuite-0.3.6-py2.py3-none-any.whl "
        f"size=12145 sha256={k.hexs(64)}\n"
        f"  Stored in directory: /root/.cache/pip/wheels/{k.hexs(2)}/{k.hexs(2)}/{k.hexs(60)}\n"
        "Successfully built sklearn-crfsuite\n"
    )
    b.code("!pip install sklearn-crfsuite", [stdout(wheel)], out="- wheel hashes in pip output")
    b.code(
        "import uuid\n\nrun_id = uuid.uuid4()\nprint(run_id)",
        [stdout(k.uuid() + "\n")],
        out="- a UUID",
    )
    b.code(
        'print("OPENAI_API_KEY set:", "OPENAI_API_KEY" in os.environ)',
        [stdout("OPENAI_API_KEY set: True\n")],
        out="- the docs' 'use instead'",
    )
    b.code(
        "from tqdm.auto import tqdm\n\nfor _ in tqdm(range(100)):\n    pass",
        [widget(k.hexs(), "  0%|          | 0/100 [00:00<?, ?it/s]")],
        out="- widget model id",
    )
    rows = "\n".join(f"{i}  {hashlib.sha1(str(i).encode()).hexdigest()}" for i in range(5))
    b.code(
        'import hashlib\n\npd.DataFrame({"user_hash": [hashlib.sha1(str(i).encode()).hexdigest() for i in range(5)]})',
        [result("                                  user_hash\n" + rows)],
        out="- sha1 hashes in a result",
    )
    return b


def comment_secrets() -> Book:
    k = Fake("sec11")
    b = Book(
        "sec11_comment_secrets.ipynb", "keys and passwords written in comments; comments about keys"
    )
    b.md("# Ticket triage")
    b.code(
        fill(
            """
import os
from openai import OpenAI

# openai.api_key = "@@OPENAI@@"  #@> SEC001: commented-out key
client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])  #@- from the environment
""",
            OPENAI=k.openai(),
        )
    )
    b.code(
        fill(
            """
# warehouse password: @@PW@@ (rotate after the demo)  #@> SEC002: password written in a comment
conn_params = {"host": "warehouse.acme.internal", "user": "analyst", "password": os.environ["WH_PASSWORD"]}  #@- from the environment
""",
            PW=k.password(),
        )
    )
    b.code(
        """
# TODO: move the API key to the environment before sharing  #@- a comment about a key, no key
# token budget: 4096 per request  #@- token in another sense
MAX_TOKENS = 4096  #@- not a credential
"""
    )
    b.code(
        fill(
            "# the token is @@TOK@@  #@> SEC002: token in a comment",
            TOK=k.s(40, "abcdefghijklmnopqrstuvwxyz0123456789"),
        )
    )
    b.code(
        fill(
            "# key: @@GOOGLE@@  #@> SEC001: Google key in a comment\nimport googlemaps",
            GOOGLE=k.google(),
        )
    )
    return b


def papermill_params() -> Book:
    k = Fake("sec12")
    hf = k.hf()
    b = Book(
        "sec12_papermill_params.ipynb", "papermill parameters cell and metadata holding a token"
    )
    b.md("# Nightly embedding refresh (papermill)")
    b.code(
        fill(
            '# Parameters\nrun_date = "2024-05-01"  #@- a date\napi_token = "@@HF@@"  #@> SEC001: Hugging Face token in the parameters cell',
            HF=hf,
        ),
        metadata={"tags": ["parameters"]},
    )
    b.code(
        fill(
            '# Parameters\nrun_date = "2024-05-02"\napi_token = "@@HF@@"  #@> SEC001: injected by papermill',
            HF=hf,
        ),
        metadata={"tags": ["injected-parameters"]},
    )
    b.code(
        """
from huggingface_hub import InferenceClient

client = InferenceClient(model="sentence-transformers/all-MiniLM-L6-v2", token=api_token)  #@- a variable, not a literal
"""
    )
    b.meta(
        {
            "papermill": {
                "parameters": {"api_token": hf, "run_date": "2024-05-02"},
                "environment_variables": {},
                "version": "2.6.0",
            }
        },
        "SEC006: token in papermill parameters (notebook metadata)",
    )
    return b


def tracking() -> Book:
    k = Fake("sec13")
    b = Book("sec13_tracking.ipynb", "W&B key, MLflow password in env and URI; run ids")
    b.md("# Experiment tracking")
    b.code(
        fill(
            """
import os

import mlflow
import wandb

wandb.login(key="@@WB@@")  #@> SEC ?: W&B API key given as key=
""",
            WB=k.hexs(40),
        )
    )
    b.code(
        fill(
            """
os.environ["MLFLOW_TRACKING_USERNAME"] = "ana"  #@- a user name
os.environ["MLFLOW_TRACKING_PASSWORD"] = "@@PW@@"  #@> SEC002
mlflow.set_tracking_uri("https://ana:@@PW2@@@mlflow.acme.io")  #@> SEC003: password in the tracking URI
""",
            PW=k.password(),
            PW2=k.password(),
        )
    )
    b.code(
        """
mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])  #@- from the environment
mlflow.set_experiment("churn")
with mlflow.start_run() as run:
    mlflow.log_param("max_depth", 6)
    print(run.info.run_id)
""",
        [stdout(k.hexs() + "\n")],
        out="- an MLflow run id",
    )
    b.code(
        'wandb.init(project="churn", config={"lr": 1e-3})',
        [
            stdout(
                f"wandb: Tracking run with wandb version 0.17.0\nwandb: Run data is saved locally in "
                f"/content/wandb/run-20240501_101010-{k.s(8, 'abcdefghijklmnopqrstuvwxyz0123456789')}\n"
                "wandb: View project at https://wandb.ai/ana/churn\n",
                "stderr",
            )
        ],
        out="- W&B banner with a run id",
    )
    return b


def spark_snowflake() -> Book:
    k = Fake("sec14")
    b = Book(
        "sec14_spark_snowflake.ipynb",
        "Snowflake/Redis passwords, Spark JDBC option, JDBC URL, s3a keys",
    )
    b.md("# Feature extraction on Spark")
    b.code(
        fill(
            """
import os

import redis
import snowflake.connector

ctx = snowflake.connector.connect(user="ANA_ML", password="@@PW@@", account="acme-eu1", warehouse="ML_WH")  #@> SEC002
""",
            PW=k.password(),
        )
    )
    b.code(
        fill(
            """
orders = (
    spark.read.format("jdbc")
    .option("url", "jdbc:postgresql://warehouse.acme.internal:5432/sales")
    .option("user", "analyst")
    .option("password", "@@PW@@")  #@> SEC ?: password given to Spark's option()
    .option("dbtable", "public.orders")
    .load()
)
""",
            PW=k.password(),
        )
    )
    b.code(
        fill(
            'cache = redis.Redis(host="cache.acme.internal", port=6379, password="@@PW@@")  #@> SEC002',
            PW=k.password(),
        )
    )
    b.code(
        fill(
            'jdbc_url = "jdbc:sqlserver://sql01.acme.internal:1433;databaseName=crm;user=sa;password=@@PW@@"  #@> SEC003: password in a connection string',
            PW=k.password(),
        )
    )
    b.code(
        fill(
            """
ctx2 = snowflake.connector.connect(user=os.environ["SF_USER"], password=os.environ["SF_PASSWORD"], account="acme-eu1")  #@- from the environment
spark_conf = {"spark.hadoop.fs.s3a.access.key": "@@ID@@", "spark.hadoop.fs.s3a.secret.key": "@@SECRET@@"}  #@> SEC001 SEC: AWS key pair in Spark settings (two secrets: the key id is SEC001, the secret key's code is open)
""",
            ID=k.aws_id(),
            SECRET=k.aws_secret(),
        )
    )
    return b


def azure_gcp() -> Book:
    k = Fake("sec15")
    b = Book(
        "sec15_azure_gcp.ipynb",
        "Azure storage key and SAS, GCP service-account PEM, Azure client secret",
    )
    b.md("# Cloud storage access")
    b.code(
        fill(
            """
import pandas as pd
from azure.storage.blob import BlobServiceClient

conn_str = "DefaultEndpointsProtocol=https;AccountName=acmemlstore;AccountKey=@@AZ@@;EndpointSuffix=core.windows.net"  #@> SEC001: Azure storage key
blob = BlobServiceClient.from_connection_string(conn_str)  #@- a variable
""",
            AZ=k.azure_key(),
        )
    )
    b.code(
        fill(
            """
sas_url = "https://acmemlstore.blob.core.windows.net/exports/orders.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2025-01-01T00:00:00Z&st=2024-01-01T00:00:00Z&spr=https&sig=@@SIG@@"  #@> SEC: SAS signature
orders = pd.read_csv(sas_url)  #@- an https URL through a variable
""",
            SIG=k.s(43) + "%3D",
        )
    )
    b.code(
        fill(
            """
from google.oauth2 import service_account

info = {"type": "service_account", "project_id": "acme-ml-prod", "private_key": "@@PEM@@", "client_email": "scoring@acme-ml-prod.iam.gserviceaccount.com"}  #@> SEC001: PEM private key
creds = service_account.Credentials.from_service_account_info(info)  #@- a variable
""",
            PEM=k.pem(),
        )
    )
    b.code(
        'creds_file = service_account.Credentials.from_service_account_file("/home/ana/keys/acme-ml-prod.json")  #@> IO: reads a local key file (IO001, or IO005 for the literal)'
    )
    b.code(
        fill(
            """
from azure.identity import ClientSecretCredential, DefaultAzureCredential

cred = DefaultAzureCredential()  #@- no secret
client_id = "@@CID@@"  #@- an application id (UUID)
tenant_id = "@@TID@@"  #@- a tenant id (UUID)
client_secret = "@@SECRET@@"  #@> SEC: Azure client secret
sp = ClientSecretCredential(tenant_id, client_id, client_secret)  #@- variables
""",
            CID=k.uuid(),
            TID=k.uuid(),
            SECRET=k.s(3) + k.digits(1) + "Q~" + k.s(34, URLSAFE + ".~"),
        )
    )
    return b


def builders() -> list:
    """This module's notebook builders, in file order."""
    return [output_secrets, comment_secrets, papermill_params, tracking, spark_snowflake, azure_gcp]
