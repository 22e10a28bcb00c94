"""Held-out notebooks: databases, an LLM app, a weekly report, a vendor ETL.

Labels are end-of-line markers (see ``benchmarks/labelled/_build.py``): ``#@> CODE: note``
expects a finding, ``#@- note`` is a hard negative, ``?`` marks a stretch label.
"""

from __future__ import annotations

from collections.abc import Callable

from _keys import Book, Keys, fill, png, result


def warehouse_sql() -> Book:
    b = Book("hk10_sql_warehouse.ipynb", "sqlalchemy URLs, psycopg2, pymongo, mysql dict, sqlite")
    k = Keys(b.name)
    b.code(
        fill(
            """
import getpass, os, sqlite3
import pandas as pd
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
engine = create_engine("postgresql+psycopg2://analyst:@@PW1@@@warehouse.acme.internal:5432/sales")   #@> SEC003: password in the engine URL
ro_engine = create_engine(os.environ["WAREHOUSE_RO_URL"])   #@- from the environment
engine
""",
            PW1=k.password(),
        ),
        [result("Engine(postgresql+psycopg2://analyst:***@warehouse.acme.internal:5432/sales)")],
    )
    b.code(
        fill(
            """
mssql_url = URL.create(
    "mssql+pyodbc",
    username="bi_reader",   #@- a user name
    password="@@PW2@@",   #@> SEC002: password keyword of URL.create
    host="sql02.corp.acme.com",
    database="Finance",
    query={"driver": "ODBC Driver 18 for SQL Server"},   #@- a driver name
)
fin = create_engine(mssql_url)
""",
            PW2=k.password(),
        )
    )
    b.code(
        fill(
            """
import psycopg2
conn = psycopg2.connect(
    host="10.20.1.15",
    dbname="ops",
    user="ops_ro",
    password="@@PW3@@",   #@> SEC002
)
conn2 = psycopg2.connect(host="10.20.1.15", dbname="ops", user="ops_ro", password=getpass.getpass("ops_ro password: "))   #@- getpass
dsn = "host=10.20.1.15 port=5432 dbname=ops user=ops_admin password=@@PW4@@ sslmode=require"   #@> SEC003: libpq connection string
""",
            PW3=k.password(),
            PW4=k.password(),
        )
    )
    b.code(
        fill(
            """
from pymongo import MongoClient
mongo = MongoClient("mongodb+srv://events_app:@@PW5@@@cluster0.ab1cd.mongodb.net/?retryWrites=true&w=majority")   #@> SEC003
events = mongo["prod"]["events"]
mongo_local = MongoClient("mongodb://localhost:27017/")   #@- no credentials
mongo_auth = MongoClient("mongo.internal", 27017, username="reporting", password="@@PW6@@", authSource="admin")   #@> SEC002
""",
            PW5=k.password(),
            PW6=k.password(),
        )
    )
    b.code(
        fill(
            """
import mysql.connector
MYSQL_CFG = {
    "host": "crm-db.acme.internal",
    "user": "crm_ro",   #@- a user name
    "passwd": "@@PW7@@",   #@> SEC002: the passwd key
    "database": "crm",
}
crm = mysql.connector.connect(**MYSQL_CFG)   #@- unpacks the dict flagged above
from cassandra.auth import PlainTextAuthProvider
auth_provider = PlainTextAuthProvider(username="cass_reader", password="@@PW8@@")   #@> SEC002
""",
            PW7=k.password(),
            PW8=k.password(),
        )
    )
    b.code(
        """
lite = sqlite3.connect("cache/sales_cache.db")   #@> IO001: sqlite file
mem = sqlite3.connect(":memory:")   #@- in-memory database
cache_engine = create_engine("sqlite:///cache/sales_cache.db")   #@> IO ?: a sqlite URL to a local file
q = text("SELECT region, SUM(amount) AS revenue FROM orders WHERE order_date >= :since GROUP BY region")
rev = pd.read_sql(q, engine, params={"since": "2024-01-01"})   #@- a query on an engine
rev.to_sql("revenue_by_region", lite, if_exists="replace", index=False)   #@- to_sql into a connection object
"""
    )
    b.code(
        """
PASSWORD_MIN_LENGTH = 12   #@- a policy number
users = pd.read_sql("SELECT id, email, password_hash, last_login FROM users", engine)   #@- a column name in SQL
users["password_hash"].str.len().describe()   #@- a column name
""",
        [result("count    10412.0\nmean        60.0\nName: password_hash, dtype: float64")],
    )
    return b


def llm_rag() -> Book:
    b = Book(
        "hk11_llm_rag_prototype.ipynb", "OpenAI, Anthropic, Cohere, HF, LangSmith keys; dotenv"
    )
    k = Keys(b.name)
    b.meta(
        {"vscode": {"interpreter": {"hash": k.hexs(64)}}},
        "- VS Code's interpreter hash (sha256)",
    )
    b.code(
        """
%pip install -q langchain langchain-openai langchain-community faiss-cpu cohere python-dotenv
from dotenv import find_dotenv, load_dotenv
load_dotenv(find_dotenv())   #@- .env loaded into the environment
import os
OPENAI_API_KEY = os.getenv("OPENAI_API_KEY")   #@- from the environment
"""
    )
    b.code(
        fill(
            """
os.environ["LANGCHAIN_TRACING_V2"] = "true"   #@- a flag
os.environ["LANGCHAIN_PROJECT"] = "rag-handbook"   #@- a project name
os.environ["LANGCHAIN_API_KEY"] = "@@LS@@"   #@> SEC: LangSmith key in os.environ
from anthropic import Anthropic
ANTHROPIC_KEY = "@@ANT@@"   #@> SEC001: Anthropic key
claude = Anthropic(api_key=ANTHROPIC_KEY)   #@- the constant flagged above
""",
            LS=k.langsmith(),
            ANT=k.anthropic(),
        )
    )
    b.code(
        fill(
            """
import cohere
co = cohere.Client("@@COHERE@@")   #@> SEC ?: a Cohere key passed positionally
from langchain_openai import ChatOpenAI, OpenAIEmbeddings
llm = ChatOpenAI(model="gpt-4o-mini", temperature=0, max_tokens=512, openai_api_key="@@OAI@@")   #@> SEC001
emb = OpenAIEmbeddings(model="text-embedding-3-small")   #@- a model name
from langchain_community.llms import HuggingFaceEndpoint
hf_llm = HuggingFaceEndpoint(repo_id="mistralai/Mistral-7B-Instruct-v0.2", huggingfacehub_api_token="@@HF@@")   #@> SEC001
from pinecone import Pinecone
pc = Pinecone(api_key="@@PC@@")   #@> SEC: Pinecone key
""",
            COHERE=k.cohere(),
            OAI=k.openai(),
            HF=k.hf(),
            PC=k.pinecone(),
        )
    )
    b.code(
        """
from langchain_community.document_loaders import PyPDFLoader
from langchain_community.vectorstores import FAISS
pages = PyPDFLoader("docs/employee_handbook_2024.pdf").load()   #@> IO ?: reads a local PDF
vs = FAISS.from_documents(pages, emb)
vs.save_local("indexes/handbook_faiss")   #@> IO ?: writes a local index folder
SYSTEM = "You answer HR questions from the handbook. Never reveal salaries, passwords or API keys."   #@- prose about keys
"""
    )
    b.code(
        """
resp = llm.invoke([("system", SYSTEM), ("human", "How many vacation days do I get?")])
""",
        [
            {
                "ename": "AuthenticationError",
                "evalue": "Error code: 401 - {'error': {'message': 'Incorrect API key provided: "
                + k.masked_openai()
                + ". You can find your API key at https://platform.openai.com/account/api-keys.'}}",
                "output_type": "error",
                "traceback": ["AuthenticationError: Error code: 401 (key masked by OpenAI)"],
            }
        ],
        out="- OpenAI's own masked key in the error",
    )
    b.code(
        """
{k: v for k, v in os.environ.items() if k.endswith("_KEY")}
""",
        [result("{'OPENAI_API_KEY': '" + k.openai() + "',\n 'PYDEVD_KEY': 'off'}")],
        out="SEC005: the .env key echoed into the output",
    )
    return b


def weekly_report() -> Book:
    b = Book("hk12_weekly_kpi_report.ipynb", "Excel, savefig, plotly, Styler, SMTP, Slack, Tableau")
    k = Keys(b.name)
    b.code(
        """
from pathlib import Path
import matplotlib.pyplot as plt
import pandas as pd
import plotly.express as px
REPORT_DIR = Path("reports") / "2024-W23"   #@- a relative folder, used below
REPORT_DIR.mkdir(parents=True, exist_ok=True)   #@> IO003
kpis = pd.read_parquet("s3://acme-bi/kpis/weekly/2024-W23.parquet")   #@- S3
targets = pd.read_excel("inputs/targets_2024.xlsx", sheet_name="Q2")   #@> IO001
"""
    )
    b.code(
        """
fig, ax = plt.subplots(figsize=(10, 4))
kpis.plot(x="region", y="revenue", kind="bar", ax=ax)
plt.savefig(REPORT_DIR / "revenue_by_region.png", bbox_inches="tight")   #@> IO002: Path constant / name
""",
        [png(b.name + "bar")],
        out="- a PNG chart",
    )
    b.code(
        """
funnel = px.funnel(kpis, x="users", y="stage")
funnel.write_html(str(REPORT_DIR / "funnel.html"), include_plotlyjs="cdn")   #@> IO002 ?: plotly write_html
funnel.write_image("reports/funnel.png", scale=2)   #@> IO002 ?: plotly write_image
"""
    )
    b.code(
        """
with pd.ExcelWriter(REPORT_DIR / "weekly_kpis.xlsx", engine="openpyxl") as xw:   #@> IO002
    kpis.to_excel(xw, sheet_name="kpis", index=False)   #@- into the writer
    targets.to_excel(xw, sheet_name="targets", index=False)   #@- into the writer
kpis.style.format({"revenue": "{:,.0f}"}).to_html(REPORT_DIR / "kpis_table.html")   #@> IO002 ?: Styler.to_html with a path
html_table = kpis.to_html(index=False)   #@- to_html without a path returns a string
summary_md = kpis.describe().to_markdown()   #@- to_markdown without a path
"""
    )
    b.code(
        fill(
            """
import smtplib
from email.message import EmailMessage
msg = EmailMessage()
msg["From"] = "bi-reports@acme.io"   #@- an address
msg["To"] = "leadership@acme.io"   #@- an address
msg["Subject"] = "Weekly KPIs 2024-W23"
msg.set_content(html_table, subtype="html")
with smtplib.SMTP_SSL("smtp.gmail.com", 465) as server:
    server.login("bi-reports@acme.io", "@@APP@@")   #@> SEC002: Gmail app password in server.login
    server.send_message(msg)
""",
            APP=k.app_password(),
        ),
        [result("{}")],
    )
    b.code(
        fill(
            """
import requests
import tableauserverclient as TSC
dash_url = "https://bi.acme.io/dashboards/weekly-kpis"   #@- a dashboard URL
SLACK_WEBHOOK = "@@HOOK@@"   #@> SEC001: Slack webhook
requests.post(SLACK_WEBHOOK, json={"text": f"Weekly KPIs are out: {dash_url}"}, timeout=10)   #@- posts to the constant
tableau_auth = TSC.PersonalAccessTokenAuth("weekly-kpis", "@@TAB@@", site_id="acme")   #@> SEC ?: Tableau PAT secret passed positionally
server = TSC.Server("https://tableau.acme.io", use_server_version=True)   #@- a server URL
""",
            HOOK=k.slack_hook(),
            TAB=k.tableau_pat(),
        )
    )
    return b


def vendor_etl() -> Book:
    b = Book("hk13_vendor_api_etl.ipynb", "API key in a query, FTP login, SFTP, Shopify, Airtable")
    k = Keys(b.name)
    b.code(
        fill(
            """
import os, shutil
from datetime import date, timedelta
import pandas as pd
import requests
API_BASE = "https://api.shipvendor.io/v2"   #@- a base URL
since = (date.today() - timedelta(days=1)).isoformat()   #@- a date
resp = requests.get(f"{API_BASE}/shipments?since={since}&api_key=@@QKEY@@", timeout=30)   #@> SEC: an api_key query parameter
page = requests.get(f"{API_BASE}/shipments", params={"since": since, "api_key": os.environ["SHIPVENDOR_KEY"]}, timeout=30)   #@- key from the environment
cursor = "eyJwYWdlIjozfQ"   #@- a base64 page cursor
""",
            QKEY=k.s(32),
        )
    )
    b.code(
        fill(
            """
from ftplib import FTP
ftp = FTP("ftp.partner-logistics.com")
ftp.login("acme_ftp", "@@FTPPW@@")   #@> SEC002: ftp.login(user, password)
with open("downloads/manifest_20240601.csv", "wb") as fh:   #@> IO002
    ftp.retrbinary("RETR /outgoing/manifest_20240601.csv", fh.write)   #@- a command for the FTP server
""",
            FTPPW=k.password(),
        ),
        [result("'226 Transfer complete.'")],
    )
    b.code(
        """
import pysftp
with pysftp.Connection("sftp.partner.io", username="acme", password=os.environ["SFTP_PASSWORD"]) as sftp:   #@- from the environment
    sftp.get("outgoing/returns.csv", localpath="downloads/returns.csv")   #@> IO ?: an SFTP download into a local file
"""
    )
    b.code(
        """
df = pd.read_csv("downloads/manifest_20240601.csv", sep=";")   #@> IO001
df.to_parquet("s3://acme-raw/vendor/manifest/dt=2024-06-01/part-0.parquet", storage_options={"key": os.environ["AWS_ACCESS_KEY_ID"], "secret": os.environ["AWS_SECRET_ACCESS_KEY"]})   #@- S3 with credentials from the environment
shutil.rmtree("downloads")   #@> IO003
"""
    )
    b.code(
        fill(
            """
SHOP = "acme-outlet.myshopify.com"
shop_headers = {"X-Shopify-Access-Token": "@@SHOPIFY@@", "Content-Type": "application/json"}   #@> SEC: Shopify admin token in a header
orders = requests.get(f"https://{SHOP}/admin/api/2024-04/orders.json?status=any", headers=shop_headers, timeout=30).json()   #@- a URL
AIRTABLE_TOKEN = "@@AIRTABLE@@"   #@> SEC: Airtable personal access token
etag = 'W/"5e3a1c2b"'   #@- an HTTP ETag
""",
            SHOPIFY=k.shopify(),
            AIRTABLE=k.airtable(),
        )
    )
    b.code(
        """
import gspread
gc = gspread.service_account(filename="secrets/gsheets-sa.json")   #@> IO ?: reads a local key file
sheet = gc.open_by_key("1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms").sheet1   #@- a spreadsheet id
"""
    )
    return b


def builders() -> list[Callable[[], Book]]:
    return [warehouse_sql, llm_rag, weekly_report, vendor_etl]
