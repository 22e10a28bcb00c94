# codes: SEC001
# All tokens below are fake: random characters in the providers' formats.
# %%
import os

import boto3

# ruleid: SEC001
AWS_ACCESS_KEY_ID = "AKIAFQNGIQ6I54K4Y3ML"
s3 = boto3.client(
    "s3",
    # ruleid: SEC001
    aws_access_key_id="ASIA3831PWRBSGD1AQ96",
    # ruleid: SEC001
    aws_secret_access_key="6dj0xqU+PUv/61lLWv6lCNKNK+3DOLqbUQUW4Di6",
)
# ok: SEC001
docs = boto3.client("s3", aws_access_key_id="AKIAIOSFODNN7EXAMPLE")
# ok: SEC001
docs_secret = {"aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
# ok: SEC001
AWS_SECRET_ACCESS_KEY = os.environ["AWS_SECRET_ACCESS_KEY"]
# ok: SEC001
checksum = "6dj0xqU+PUv/61lLWv6lCNKNK+3DOLqbUQUW4Di6"

# %%
from openai import OpenAI

# ruleid: SEC001
client = OpenAI(api_key=os.getenv("OPENAI_API_KEY", "sk-proj-Gtw-T_b6Yf1eCYp_ZxYCZ0itrMAwZk-77L7ITbHtMCNaY0q4"))
# ruleid: SEC001
legacy = os.environ.get("OPENAI_API_KEY", "sk-cC1jsDXOwFUQzBsAntCKer6MWMs491eb7XuOaFz0tH2efsaK")
# ruleid: SEC001
claude_key = "sk-ant-api03-8okNsuOB2xAKFXeyaUfPvAuvmoj9HgyYvMPkdul8Aqqvhy5eNQ_ryg6mSQKcEa0zOs1nVsyCi_kP6YxBHrhpSwnp1_Vd-AA"
# ok: SEC001
placeholder = os.getenv("OPENAI_API_KEY", "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
# ok: SEC001
templated = os.getenv("OPENAI_API_KEY", "<your-openai-key>")
# ok: SEC001
learn = "scikit-learn sk-learn-estimator-comparison-notebook"

# %%
import requests

page = 1
# ruleid: SEC001
headers = {"Authorization": "token ghp_4OOF8Q2YHt44hHZWnyojttOkdWhywW3FumfK"}
# ruleid: SEC001
url = f"https://api.github.com/user/repos?page={page}&access_token=ghs_GHHpZpFNGhQHX0nNmWIsKwp4tbJGG0vp0C3f"
# ruleid: SEC001
GITHUB_PAT = "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"
# ruleid: SEC001
gitlab = requests.get("https://gitlab.com/api/v4/projects", headers={"PRIVATE-TOKEN": "glpat-CIejClCv1EHVP_hZvsJA"})
# ruleid: SEC001
NPM = "npm_NZEvGSTazfn68qPud6IB9jr4gVlGvGEmvdBR"
# ok: SEC001
not_a_token = "ghp_short"
# ruleid: SEC001
lazy_fake = "ghp_1234567890abcdefghijklmnopqrstuvwxyz"

# %%
# ruleid: SEC001
slack = WebClient(token="xoxb-0274912781-6966905213980-hFsDRvntqxLX7Zbv2LaeoGLM")
# ruleid: SEC001
requests.post("https://hooks.slack.com/services/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", json={"text": "done"})
# ok: SEC001
requests.post("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX")
# ruleid: SEC001
DISCORD = "https://discord.com/api/webhooks/944951368697535619/fFrjKvMwwyAZR7ZsruG9xwMMTBtjwrdxoOjvG5EQFQJVZF6RK9m8DU7MQKykk2EFIQ8J"
# ruleid: SEC001
bot = telebot.TeleBot("5731739572:AAtZ5WqdZrukTMalZrLfAlf_07b_cGc4HnD")
# ruleid: SEC001
stripe.api_key = "sk_live_tBk8MmWkC8tq0kGeonVnMFMD"
# ruleid: SEC001
restricted = "rk_live_vG5RAxhnSXpclZVclu3GhQ1a"
# ok: SEC001
test_mode = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
# ruleid: SEC001
sg = SendGridAPIClient("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")
# ruleid: SEC001
twilio_key = "SKf39f72c57e0bad43956ef598270b3243"
# ruleid: SEC001
mailgun = ("api", "key-yeyuq8gas54bnonjtllb031rgfii03c1")

# %%
# ruleid: SEC001
gmaps = googlemaps.Client(key="AIzaWwb0R1-IFMuZeVx5AzjjY4jAcaaJb8cnBwt")
# ok: SEC001
gmaps = googlemaps.Client(key="PASTE YOUR API KEY HERE")
# ruleid: SEC001
login(token="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")
# ruleid: SEC001
DATABRICKS_TOKEN = "dapi8c0bc99603ea3ede051baea5436113ab"
# ruleid: SEC001
conn_str = "DefaultEndpointsProtocol=https;AccountName=acmedata;AccountKey=bq5Sh89Do6FNaBYJnqMVKDdjz0fjjwpFsAJzBoTAcxcaRN//cyCWbk7nKlhkqdinxRS2ofPJQsVifSIYrSIw/C==;EndpointSuffix=core.windows.net"
# ok: SEC001
conn_str = "DefaultEndpointsProtocol=https;AccountName=acmedata;AccountKey=<account-key>;EndpointSuffix=core.windows.net"
# ruleid: SEC001
jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiAic3ZjLWV0bCIsICJpYXQiOiAxNzE2MjM5MDIyLCAic2NvcGUiOiAicmVhZDpzYWxlcyJ9.eFsrAOk0StWMsyHrAZQ7JWKG4XCarS3uYlsN6SSbgS4"
# ok: SEC001
jwt_io = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"

# %%
# ruleid: SEC001
PRIVATE_KEY = """-----BEGIN RSA PRIVATE KEY-----
SfWSorF5vQGABvkuoJKt5YOFxASfBXCnbMfx0DL1PuGLjIZcYaGlqvlsnJaBwnVL
w5F1ZQJy0evpx6AKGIaUe8moy5CtLfrwAUQZ8pKBaNkOcMg/e7l1q9WiRH4wqwYX
-----END RSA PRIVATE KEY-----"""
# ruleid: SEC001
service_account = {"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nVFLjL9B0yXZr8HaSDbdON1zNnlW5gRBVVUJ4SXJB3I6m6wtTWAr0kpCvSMTpU0qC\n-----END PRIVATE KEY-----\n"}
# ok: SEC001
note = "The key file starts with -----BEGIN RSA PRIVATE KEY----- and is read from disk."

# %%
# In comments and shell lines too.
# ruleid: SEC001
# old key: AKIAFQNGIQ6I54K4Y3ML (rotated?)
# ruleid: SEC001
!curl -H "Authorization: token ghp_4OOF8Q2YHt44hHZWnyojttOkdWhywW3FumfK" https://api.github.com/user
# ruleid: SEC001
%env HF_TOKEN=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
# ok: SEC001
!aws s3 cp data.csv s3://acme-data/raw/

# %%
# Hashes, UUIDs and commit ids are not tokens.
# ok: SEC001
digest = "ea716822e22841705047870ad856a920"
# ok: SEC001
run_id = "3f2b8c1e-9d4a-4e6b-8c2f-1a7d9e0b5c3a"
# ok: SEC001
commit = "9fceb02d0ae598e95dc970b74767f19372d61af8"
