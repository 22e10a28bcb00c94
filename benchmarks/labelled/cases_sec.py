"""Labelled notebooks with hard-coded secrets (the SEC family): cloud and API providers.

Every key is random (``_build.Fake``), in the provider's format, and belongs to nobody.
"""

from __future__ import annotations

from _build import B64, Book, Fake, fill, result, stdout


def aws_boto3() -> Book:
    k = Fake("sec01")
    b = Book(
        "sec01_aws_boto3.ipynb",
        "AWS key pairs in boto3, os.environ, storage_options; AWS's example keys",
    )
    b.md("# Pull the raw exports from S3")
    b.code(
        fill(
            """
import os

import boto3
import pandas as pd

s3 = boto3.client(
    "s3",
    aws_access_key_id="@@ID@@",  #@> SEC001: AWS access key id
    aws_secret_access_key="@@SECRET@@",  #@> SEC001: AWS secret key bound to its name
    region_name="eu-west-1",  #@- region
)
""",
            ID=k.aws_id(),
            SECRET=k.aws_secret(),
        )
    )
    b.code(
        """
obj = s3.get_object(Bucket="acme-raw-exports", Key="exports/2024/05/orders.csv")  #@- bucket and object key
orders = pd.read_csv(obj["Body"])  #@- a stream from S3
orders.shape
""",
        [result("(182004, 14)")],
    )
    b.code(
        fill(
            """
os.environ["AWS_ACCESS_KEY_ID"] = "@@ID@@"  #@> SEC001
os.environ["AWS_SECRET_ACCESS_KEY"] = "@@SECRET@@"  #@> SEC001
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"  #@- region
""",
            ID=k.aws_id(),
            SECRET=k.aws_secret(),
        )
    )
    b.code(
        fill(
            """
sts = boto3.client("sts", aws_session_token="@@TOKEN@@")  #@> SEC002: session token keyword (the docs' example)
""",
            TOKEN="IQoJb3JpZ2luX2VjE" + k.s(320, B64),
        )
    )
    b.code(
        """
session = boto3.Session(
    aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],  #@- from the environment
    aws_secret_access_key=os.getenv("AWS_SECRET_ACCESS_KEY"),  #@- from the environment
)
"""
    )
    b.code(
        """
# From the AWS docs, for the moto tests:
TEST_KEY_ID = "AKIAIOSFODNN7EXAMPLE"  #@- AWS's documented example key id
TEST_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  #@- AWS's documented example secret
"""
    )
    b.code(
        fill(
            """
df = pd.read_parquet("s3://acme-raw-exports/curated/orders.parquet", storage_options={"key": "@@ID@@", "secret": "@@SECRET@@"})  #@> SEC001 SEC: AWS key pair in storage_options (two secrets: the key id is SEC001, the secret key's code is open)
""",
            ID=k.aws_id(),
            SECRET=k.aws_secret(),
        )
    )
    b.code(
        "!aws s3 ls s3://acme-raw-exports/exports/2024/05/",
        [
            stdout(
                "2024-05-02 03:10:11   48213377 orders.csv\n2024-05-02 03:10:15    1203311 returns.csv\n"
            )
        ],
        out="- an S3 listing",
    )
    return b


def openai_llm() -> Book:
    k = Fake("sec02")
    b = Book(
        "sec02_openai_llm.ipynb",
        "OpenAI keys in os.environ, keyword and %env; max_tokens, pad_token, placeholders",
    )
    b.md("# Summarise support tickets with GPT")
    b.code("%pip install -q openai tiktoken")
    b.code(
        fill(
            """
import os
from openai import OpenAI

os.environ["OPENAI_API_KEY"] = "@@KEY@@"  #@> SEC001: OpenAI project key in os.environ
client = OpenAI()
""",
            KEY=k.openai(),
        )
    )
    b.code(
        fill(
            'client = OpenAI(api_key="@@KEY@@")  #@> SEC001: legacy-format OpenAI key as a keyword',
            KEY=k.openai_legacy(),
        )
    )
    b.code(
        fill(
            "%env OPENAI_API_KEY=@@KEY@@  #@> SEC001: %env line with an OpenAI key", KEY=k.openai()
        )
    )
    b.code(
        """
ticket = "Customer cannot log in after a password reset; the reset token had expired."  #@- prose about passwords and tokens
resp = client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[{"role": "user", "content": "Summarise: " + ticket}],
    max_tokens=256,  #@- max_tokens is not a credential
    temperature=0.2,
)
print(resp.choices[0].message.content)
""",
        [stdout("Login fails after password reset because the reset token expired.\n")],
        out="- a completion about a token",
    )
    b.code(
        """
import tiktoken

enc = tiktoken.encoding_for_model("gpt-4o-mini")
n_tokens = len(enc.encode(ticket))  #@- a token count
"""
    )
    b.code(
        """
# Fill in before running:
ANTHROPIC_API_KEY = "sk-ant-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"  #@- placeholder of x's
api_key = os.getenv("OPENAI_API_KEY", "sk-...")  #@- placeholder default
"""
    )
    b.code(
        """
from transformers import AutoTokenizer

tok = AutoTokenizer.from_pretrained("gpt2")  #@- hub id
tok.pad_token = tok.eos_token  #@- pad_token is not a credential
"""
    )
    return b


def github_slack() -> Book:
    k = Fake("sec03")
    b = Book("sec03_github_slack.ipynb", "GitHub/GitLab/Slack tokens and webhooks; commit hashes")
    b.md("# Weekly issue digest")
    sha = k.hexs(40)
    b.code(
        fill(
            """
!pip install git+https://@@GHP@@@github.com/acme-ml/feature-store-client.git  #@> SEC001: GitHub token in a pip URL
!pip install git+https://github.com/huggingface/peft.git@@@SHA@@  #@- pinned to a commit hash
""",
            GHP=k.ghp(),
            SHA=sha,
        )
    )
    b.code(
        fill(
            """
import requests

GITHUB_TOKEN = "@@GHP@@"  #@> SEC001
headers = {"Authorization": f"token {GITHUB_TOKEN}", "Accept": "application/vnd.github+json"}  #@- f-string of a variable
issues = requests.get("https://api.github.com/repos/acme-ml/churn/issues", headers=headers).json()
""",
            GHP=k.ghp(),
        )
    )
    b.code(
        fill(
            """
from slack_sdk import WebClient

slack = WebClient(token="@@XOXB@@")  #@> SEC001: Slack bot token
slack.chat_postMessage(channel="#ml-alerts", text=f"{len(issues)} open issues")  #@- a channel name
""",
            XOXB=k.xoxb(),
        )
    )
    b.code(
        fill(
            """
WEBHOOK = "@@HOOK@@"  #@> SEC001: Slack webhook, the token in the URL path
requests.post(WEBHOOK, json={"text": "retraining finished"})  #@- the webhook through a variable
""",
            HOOK=k.slack_hook(),
        )
    )
    b.code(
        fill(
            'gh_headers = {"Authorization": "Bearer @@PAT@@"}  #@> SEC001: fine-grained GitHub token',
            PAT=k.github_pat(),
        )
    )
    b.code(
        fill(
            """
import gitlab

gl = gitlab.Gitlab("https://gitlab.acme.io", private_token="@@GL@@")  #@> SEC001: GitLab token
""",
            GL=k.glpat(),
        )
    )
    b.code(
        fill(
            """
COMMIT = "@@SHA@@"  #@- git commit hash
repo_url = "https://github.com/acme-ml/churn.git"  #@- repository URL
""",
            SHA=sha,
        )
    )
    return b


def providers() -> Book:
    k = Fake("sec04")
    b = Book(
        "sec04_providers.ipynb",
        "Stripe, Google, Anthropic, HF, SendGrid, Telegram, Discord, JWT, Databricks",
    )
    b.md("# Integrations smoke test")
    b.code(
        fill(
            """
import requests
import stripe

stripe.api_key = "@@STRIPE@@"  #@> SEC001: Stripe live key
charges = stripe.Charge.list(limit=100)
""",
            STRIPE=k.stripe_live(),
        )
    )
    b.code(
        fill(
            """
import google.generativeai as genai

genai.configure(api_key="@@GOOGLE@@")  #@> SEC001: Google API key
""",
            GOOGLE=k.google(),
        )
    )
    b.code(
        fill(
            """
import anthropic

claude = anthropic.Anthropic(api_key="@@ANT@@")  #@> SEC001: Anthropic key
""",
            ANT=k.anthropic(),
        )
    )
    b.code(
        fill(
            """
from huggingface_hub import login

login(token="@@HF@@")  #@> SEC001: Hugging Face token
""",
            HF=k.hf(),
        )
    )
    b.code(
        fill(
            """
import sendgrid

sg = sendgrid.SendGridAPIClient("@@SG@@")  #@> SEC001: SendGrid key, positional
""",
            SG=k.sendgrid(),
        )
    )
    b.code(
        fill(
            """
TELEGRAM_URL = "https://api.telegram.org/bot@@TG@@/sendMessage"  #@> SEC001: Telegram bot token in the URL path
requests.post(TELEGRAM_URL, data={"chat_id": "-1001234567890", "text": "done"})  #@- chat id
""",
            TG=k.telegram(),
        )
    )
    b.code(fill('DISCORD = "@@DISCORD@@"  #@> SEC001: Discord webhook', DISCORD=k.discord_hook()))
    b.code(
        fill(
            'scoring_headers = {"Authorization": "Bearer @@JWT@@"}  #@> SEC001: JSON web token',
            JWT=k.jwt(),
        )
    )
    b.code(
        fill(
            """
from databricks import sql

conn = sql.connect(server_hostname="adb-1234567890123456.7.azuredatabricks.net", http_path="/sql/1.0/warehouses/@@WH@@", access_token="@@DAPI@@")  #@> SEC001: Databricks token
""",
            WH=k.hexs(16),
            DAPI=k.databricks(),
        )
    )
    return b


def builders() -> list:
    """This module's notebook builders, in file order."""
    return [aws_boto3, openai_llm, github_slack, providers]
