# codes: SEC002
# Credentials bound to literals. All values are made up.
# %%
import getpass
import os

# ruleid: SEC002
password = "Tr0ub4dor&3"
# ruleid: SEC002
DB_PASSWORD = "hunter2hunter2"
# ruleid: SEC002
api_key = "ea716822e22841705047870ad856a920"
# ruleid: SEC002
SECRET_KEY = "q7Lr2Vx9Kd4Wm8Zp3Tn6Bs1Hc5Jf0Ge"
# ruleid: SEC002
client_secret: str = "mF3-k9Qz_Lw2Xv7Rb4Tn8Yp1"
# ruleid: SEC002
openai.api_key = "3kD9sLq2ZxWv7Nc1Bt8YhR3m"
# ruleid: SEC002
self_token = os.getenv("API_TOKEN", "tk_84hf73jdk29dj3k4")
# ok: SEC002
password = os.environ["DB_PASSWORD"]
# ok: SEC002
password = getpass.getpass("Password: ")
# ok: SEC002
api_key = os.getenv("OPENAI_API_KEY")
# ok: SEC002
token = os.environ.get("HF_TOKEN", "")

# %%
# Placeholders are not secrets.
# ok: SEC002
api_key = "<your-key>"
# ok: SEC002
API_KEY = "YOUR_API_KEY"
# ok: SEC002
token = "xxxx"
# ok: SEC002
password = "***"
# ok: SEC002
password = "changeme"
# ok: SEC002
secret = "${SECRET}"
# ok: SEC002
token = "{{ token }}"
# ok: SEC002
password = ""
# ok: SEC002
api_key = "..."
# ok: SEC002
api_key = "insert-your-api-key-here"
# ok: SEC002
aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

# %%
import boto3
import psycopg2

# ruleid: SEC002
conn = psycopg2.connect(host="db.internal", user="etl", password="S3cr3t!pass")
session = boto3.Session(
    aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
    # ruleid: SEC002
    aws_session_token="FQoGZXIvYXdzEPr4kd93jdh38dj39dk3j",
)
# ruleid: SEC002
config = {"user": "etl", "password": "Pa55w0rd-2024"}
# ruleid: SEC002
headers = {"X-API-Key": "9f8e7d6c5b4a39281706f5e4d3c2b1a0"}
# ruleid: SEC002
headers = {"Authorization": "Bearer 3kD9sLq2ZxWv7Nc1Bt8YhR3mP6aE"}
settings = {}
# ruleid: SEC002
settings["token"] = "a8Kd93jfL20dkQ7z"
# ruleid: SEC002
os.environ["MLFLOW_TRACKING_PASSWORD"] = "mlfl0w-Pa55"
# ruleid: SEC002
os.environ.setdefault("WANDB_API_KEY", "c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0")
# ruleid: SEC002
kaggle = {"username": "jdoe", "key": "0a1b2c3d4e5f60718293a4b5c6d7e8f9"}
# ruleid: SEC002
s3 = boto3.client("s3", aws_secret_access_key="6dj0xqU+PUv/61lLWv6lCNKNK+3DOLqbUQUW4Di6")
# ruleid: SEC002
os.environ["OPENAI_API_KEY"] = "sk-proj-Gtw-T_b6Yf1eCYp_ZxYCZ0itrMAwZk-77L7ITbHtMCNaY0q4"
# ok: SEC002
s3 = boto3.client("s3", aws_access_key_id="AKIAFQNGIQ6I54K4Y3ML")
# ruleid: SEC002
r = requests.get(url, auth=("etl", "S3cr3t!pass"))
# ruleid: SEC002
r = requests.get(url, auth=HTTPBasicAuth("etl", "S3cr3t!pass2"))
# ruleid: SEC002
server.login("me@acme.io", "gm4il-app-pa55")
# ruleid: SEC002
wandb.login(key="c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0")
# ruleid: SEC002
os.system("export API_TOKEN=a8Kd93jfL20dkQ7zX1 && python job.py")
# ok: SEC002
r = requests.get(url, auth=("etl", os.environ["PW"]))
# ok: SEC002
server.login(user, os.environ["SMTP_PASSWORD"])
# ok: SEC002
os.system("export API_TOKEN=$API_TOKEN && python job.py")


# ruleid: SEC002
def connect(host, password="letmein2024!"):
    return psycopg2.connect(host=host, password=password)


# ruleid: SEC002
if password == "hunter2hunter2":
    pass

# %%
# Credential-named things that are not credentials.
# ok: SEC002
max_tokens = 512
# ok: SEC002
num_tokens = len(text.split())
# ok: SEC002
tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
# ok: SEC002
pad_token = "<pad>"
# ok: SEC002
tok = Tokenizer(num_words=1000, oov_token="<OOV>")
# ok: SEC002
password_field = "pwd"
# ok: SEC002
token_col = "token"
# ok: SEC002
key = "species"
# ok: SEC002
df = df.sort_values(by="date", key=lambda s: s.str.lower())
# ok: SEC002
df["password"] = df["password"].str.strip()
# ok: SEC002
secret_name = "prod/etl/db-credentials"
# ok: SEC002
credentials = "service-account.json"
# ok: SEC002
s3_key = "data/2024/train.csv"
# ok: SEC002
api_key_env = "OPENAI_API_KEY"
# ok: SEC002
api_key = "OPENAI_API_KEY"
# ok: SEC002
password_hash = "5f4dcc3b5aa765d61d8327deb882cf99"
# ok: SEC002
token = "9fceb02d0ae598e95dc970b74767f19372d61af8"
# ok: SEC002
access_token_url = "https://oauth2.googleapis.com/token"
# ok: SEC002
auth_type = "oauth"
# ok: SEC002
client_secret = "3f2b8c1e-9d4a-4e6b-8c2f-1a7d9e0b5c3a"
# ok: SEC002
secret_path = "/run/secrets/db_password"

# %%
# Shell and %env lines.
# ruleid: SEC002
%env DB_PASSWORD=Tr0ub4dor3
# ruleid: SEC002
!export API_TOKEN=a8Kd93jfL20dkQ7zX1
# ok: SEC002
%env DB_PASSWORD=$DB_PASSWORD
# ok: SEC002
!echo $API_TOKEN

# %%
# ruleid: SEC002
smtp.login("alerts@acme.io", "gm4il-app-pa55")
# ok: SEC002
smtp.login("alerts@acme.io", os.environ["SMTP_PASSWORD"])
