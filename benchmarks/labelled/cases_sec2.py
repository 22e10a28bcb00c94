"""Labelled SEC notebooks: databases, HTTP auth, shell lines, split keys, markdown."""

from __future__ import annotations

import string

from _build import ALNUM, Book, Fake, fill, png_b64, result, stdout


def db_connections() -> Book:
    k = Fake("sec05")
    b = Book(
        "sec05_db_connections.ipynb",
        "passwords in database URLs, ODBC/libpq strings, connect(password=); safe forms",
    )
    b.md("# Warehouse access")
    b.code(
        """
import os

import pandas as pd
import psycopg2
import pymongo
import pyodbc
from sqlalchemy import create_engine
"""
    )
    b.code(
        fill(
            'engine = create_engine("postgresql://analyst:@@PW@@@warehouse.acme.internal:5432/sales")  #@> SEC003: password in a database URL',
            PW=k.password(),
        )
    )
    b.code(
        fill(
            'conn = psycopg2.connect(host="warehouse.acme.internal", dbname="sales", user="analyst", password="@@PW@@")  #@> SEC002: password keyword',
            PW=k.password(),
        )
    )
    b.code(
        fill(
            'mongo = pymongo.MongoClient("mongodb+srv://ml_reader:@@PW@@@cluster0.ab1cd.mongodb.net/?retryWrites=true&w=majority")  #@> SEC003',
            PW=k.password(),
        )
    )
    b.code(
        fill(
            'cnxn = pyodbc.connect("DRIVER={ODBC Driver 18 for SQL Server};SERVER=sql01.acme.internal;DATABASE=crm;UID=sa;PWD=@@PW@@;")  #@> SEC003: ODBC PWD',
            PW=k.password(),
        )
    )
    b.code(
        fill(
            'pg = psycopg2.connect("host=warehouse.acme.internal dbname=sales user=etl password=@@PW@@")  #@> SEC003: libpq connection string',
            PW=k.password(),
        )
    )
    b.code(
        fill(
            """
%load_ext sql
%sql postgresql://analyst:@@PW@@@warehouse.acme.internal/sales  #@> SEC003: URL with a password in a %sql magic
""",
            PW=k.password(),
        )
    )
    b.code(
        """
safe_engine = create_engine(os.environ["DATABASE_URL"])  #@- from the environment
user, pw = os.environ["DB_USER"], os.environ["DB_PASSWORD"]  #@- from the environment
f_engine = create_engine(f"postgresql://{user}:{pw}@warehouse.acme.internal:5432/sales")  #@- filled in by an f-string
tmpl = "postgresql://analyst:${DB_PASSWORD}@warehouse.acme.internal/sales"  #@- shell-style placeholder
doc_url = "postgresql://user:<password>@host:5432/db"  #@- placeholder
local = create_engine("sqlite:///:memory:")  #@- in-memory SQLite
cache = "redis://localhost:6379/0"  #@- no credentials
"""
    )
    return b


def http_auth() -> Book:
    k = Fake("sec06")
    b = Book(
        "sec06_http_auth.ipynb", "basic auth, bearer headers, api_key/access_token query parameters"
    )
    b.md("# Partner shipments API")
    b.code(
        """
import os

import requests
from requests.auth import HTTPBasicAuth

BASE = "https://api.partner-data.com/v2"  #@- plain URL
"""
    )
    b.code(
        fill(
            'r = requests.get(f"{BASE}/shipments", auth=("acme_ml", "@@PW@@"), timeout=30)  #@> SEC002: basic-auth pair',
            PW=k.password(),
        )
    )
    b.code(
        fill(
            'r2 = requests.get(f"{BASE}/carriers", auth=HTTPBasicAuth("acme_ml", "@@PW@@"))  #@> SEC002: HTTPBasicAuth',
            PW=k.password(),
        )
    )
    b.code(
        fill(
            """
headers = {"Authorization": "Bearer @@TOK@@"}  #@> SEC002: bearer token without a provider format
headers["X-API-Key"] = "@@HEX@@"  #@> SEC002: credential item
""",
            TOK=k.s(40, ALNUM),
            HEX=k.hexs(),
        )
    )
    b.code(
        fill(
            """
weather = requests.get("https://api.weather-feed.io/v1/history?city=Berlin&api_key=@@HEX@@").json()  #@> SEC003: credential query parameter
fx = requests.get("https://fx.example-rates.com/latest?base=EUR&access_token=@@TOK@@").json()  #@> SEC003
""",
            HEX=k.hexs(),
            TOK=k.s(30, ALNUM),
        )
    )
    b.code(
        """
token = os.environ["PARTNER_TOKEN"]  #@- from the environment
safe = {"Authorization": f"Bearer {token}"}  #@- f-string of an environment value
params = {"api_key": os.environ["WEATHER_KEY"], "city": "Berlin"}  #@- from the environment
auth = ("acme_ml", os.environ["PARTNER_PASSWORD"])  #@- password from the environment
"""
    )
    b.code(
        """
API_KEY = "YOUR_API_KEY"  #@- placeholder
r3 = requests.get(f"{BASE}/ports?api_key={API_KEY}")  #@- filled in by an f-string
r3.json()[:1]
""",
        [result("[{'port_id': 'DEHAM', 'name': 'Hamburg', 'updated': '2024-05-01T10:00:00Z'}]")],
    )
    return b


def shell_secrets() -> Book:
    k = Fake("sec07")
    b = Book(
        "sec07_shell_secrets.ipynb",
        "secrets in !curl -u, -H Authorization, git clone, %env, --password",
    )
    b.md("# Export from the partner API")
    b.code(
        fill(
            "!curl -u acme_ml:@@PW@@ https://api.partner-data.com/v2/export.csv -o export.csv  #@> SEC002: curl -u user:password",
            PW=k.password(),
        )
    )
    b.code(
        fill(
            '!curl -s -H "Authorization: Bearer @@TOK@@" https://api.partner-data.com/v2/status  #@> SEC002: Authorization header in a shell line',
            TOK=k.s(40, ALNUM),
        )
    )
    b.code(
        fill(
            "!git clone https://oauth2:@@GL@@@gitlab.acme.io/ml/feature-lib.git  #@> SEC: GitLab token as a URL password",
            GL=k.glpat(),
        )
    )
    b.code(fill("%env DB_PASSWORD=@@PW@@  #@> SEC002: %env with a password", PW=k.password()))
    b.code(
        fill(
            "!export HF_TOKEN=@@HF@@ && huggingface-cli whoami  #@> SEC001: Hugging Face token in a shell line",
            HF=k.hf(),
        )
    )
    b.code(
        fill(
            '!mysql -h db.acme.internal -u analyst --password=@@PW@@ -e "SELECT COUNT(*) FROM sales.orders"  #@> SEC002: --password',
            PW=k.password(),
        )
    )
    b.code(
        fill(
            "!aws configure set aws_secret_access_key @@SECRET@@  #@> SEC: AWS secret key set through the CLI",
            SECRET=k.aws_secret(),
        )
    )
    b.code(
        """
!curl -s https://api.partner-data.com/v2/health  #@- no credentials
!echo "token: $PARTNER_TOKEN" | wc -c  #@- a variable reference
!pip install -q "openai>=1.0"  #@- an install line
""",
        [stdout('{"status": "ok"}\n41\n')],
    )
    return b


def split_positional_kaggle() -> Book:
    k = Fake("sec08")
    key = k.openai()
    b = Book(
        "sec08_split_positional_kaggle.ipynb",
        "keys split by + or f-strings, positional client args, kaggle.json",
    )
    b.md("# Notifications and data download")
    b.code(
        fill(
            """
# split so that the scanner does not see it
OPENAI_KEY = "sk-proj-" + "@@A@@" + "@@B@@"  #@> SEC: OpenAI key split by +
""",
            A=key[8:70],
            B=key[70:],
        )
    )
    b.code(
        fill(
            """
PREFIX = "ghp_"
GH_TOKEN = f"{PREFIX}@@BODY@@"  #@> SEC: GitHub token built in an f-string from a constant
""",
            BODY=k.ghp()[4:],
        )
    )
    b.code(
        fill(
            """
from twilio.rest import Client

twilio = Client("AC@@SID@@", "@@AUTH@@")  #@> SEC: Twilio auth token as a positional argument
""",
            SID=k.hexs(),
            AUTH=k.hexs(),
        )
    )
    b.code(
        fill(
            """
from minio import Minio

minio = Minio("minio.acme.internal:9000", "@@ACCESS@@", "@@SECRET@@", secure=True)  #@> SEC002: MinIO keys as positional arguments
""",
            ACCESS=k.s(20, string.ascii_uppercase + string.digits),
            SECRET=k.s(40, ALNUM),
        )
    )
    b.code(
        fill(
            """
import smtplib

server = smtplib.SMTP("smtp.acme.io", 587)
server.starttls()
server.login("reports@acme.io", "@@PW@@")  #@> SEC002: server.login password
""",
            PW=k.password(),
        )
    )
    b.code(
        fill(
            """
!mkdir -p ~/.kaggle
import json
kaggle_token = {"username": "ana_ml", "key": "@@KEY@@"}  #@> SEC002: kaggle.json credentials
with open("/root/.kaggle/kaggle.json", "w") as f:  #@> IO002: writes the credentials file
    json.dump(kaggle_token, f)
!chmod 600 /root/.kaggle/kaggle.json
""",
            KEY=k.hexs(),
        )
    )
    b.code(
        """
import os

account_sid = os.environ["TWILIO_ACCOUNT_SID"]  #@- from the environment
auth_token = os.environ["TWILIO_AUTH_TOKEN"]  #@- from the environment
twilio_ok = Client(account_sid, auth_token)  #@- variables, not literals
"""
    )
    return b


def markdown_secrets() -> Book:
    k = Fake("sec09")
    b = Book(
        "sec09_markdown_secrets.ipynb",
        "tokens and URLs pasted in markdown and raw cells; prose without keys",
    )
    b.md(
        """
# Setup notes

1. Get a token from https://huggingface.co/settings/tokens and set `HF_TOKEN` in your shell.  #@- instructions, no key
2. Ask #data-eng for warehouse access; never paste the password here.  #@- prose about a password
"""
    )
    b.md(
        fill(
            """
## My local setup (delete before sharing!)

```bash
export HF_TOKEN=@@HF@@  #@> SEC004: pasted Hugging Face token
export OPENAI_API_KEY=<your-key>  #@- placeholder
```
""",
            HF=k.hf(),
        )
    )
    b.md(
        fill(
            "Warehouse: `postgresql://analyst:@@PW@@@warehouse.acme.internal:5432/sales`  #@> SEC004: URL with a password",
            PW=k.password(),
        )
    )
    b.md(
        "The weather-feed API key is kept in Vault under `secret/ml/weather`; read it with `hvac`.  #@- prose about a key"
    )
    b.md(fill("Old key (revoked?): @@GHP@@  #@> SEC004: GitHub token in prose", GHP=k.ghp()))
    b.md(
        "![confusion matrix](attachment:cm.png)  #@- an image attachment (base64)",
        attachments={"cm.png": {"image/png": png_b64("sec09-attachment")}},
    )
    b.md(
        fill(
            "Run id `@@UUID@@`, data checksum `@@SHA@@`.  #@- UUID and sha256",
            UUID=k.uuid(),
            SHA=k.hexs(64),
        )
    )
    b.raw(
        fill(
            """
[default]
aws_access_key_id = @@ID@@  #@> SEC004: pasted ~/.aws/credentials
aws_secret_access_key = @@SECRET@@  #@> SEC004
""",
            ID=k.aws_id(),
            SECRET=k.aws_secret(),
        )
    )
    b.code(
        'import os\n\nassert "HF_TOKEN" in os.environ, "set HF_TOKEN first"  #@- from the environment'
    )
    return b


def builders() -> list:
    """This module's notebook builders, in file order."""
    return [db_connections, http_auth, shell_secrets, split_positional_kaggle, markdown_secrets]
