# codes: SEC003
# %%
import os

from pymongo import MongoClient
from sqlalchemy import create_engine

# ruleid: SEC003
engine = create_engine("postgresql://etl:S3cr3tPw@db.internal:5432/sales")
# ruleid: SEC003
engine = create_engine("postgresql+psycopg2://user:pass@host/db")
# ruleid: SEC003
client = MongoClient("mongodb+srv://analyst:x8Kd93jfL2@cluster0.ab1cd.mongodb.net/?retryWrites=true")
# ruleid: SEC003
redis_url = "redis://:Rk93jd8Fh2@cache.internal:6379/0"
# ruleid: SEC003
DATABASE_URL = os.getenv("DATABASE_URL", "mysql://root:r00tPa55@localhost:3306/shop")
# ruleid: SEC003
weather = requests.get("https://api.openweathermap.org/data/2.5/weather?q=Paris&appid=x&api_key=9f8e7d6c5b4a39281706f5e4d3c2b1a0")
# ruleid: SEC003
!git clone https://jdoe:Tr0ub4dor3@gitlab.internal/analytics/models.git
# ruleid: SEC003
conn = pyodbc.connect("DRIVER={ODBC Driver 18 for SQL Server};SERVER=db.acme.io;DATABASE=sales;UID=sa;PWD=Sql$erv3r!;")
# ruleid: SEC003
conn = psycopg2.connect("host=db.internal dbname=sales user=etl password=S3cr3tPw")

# %%
# ok: SEC003
engine = create_engine(os.environ["DATABASE_URL"])
# ok: SEC003
engine = create_engine(f"postgresql://{user}:{password}@{host}/sales")
# ok: SEC003
engine = create_engine("postgresql://{}:{}@{}/sales".format(user, password, host))
# ok: SEC003
engine = create_engine("postgresql://user:<password>@host/db")
# ok: SEC003
engine = create_engine("postgresql://user:${DB_PASSWORD}@host/db")
# ok: SEC003
engine = create_engine("postgresql://user:password@localhost/db")
# ok: SEC003
engine = create_engine("postgresql://user:****@host/db")
# ok: SEC003
engine = create_engine("postgresql://etl@db.internal:5432/sales")
# ok: SEC003
engine = create_engine("postgresql://%s:%s@%s/sales" % (user, password, host))
# ok: SEC003
page = "https://example.org/docs?page=2&sort=desc"
# ok: SEC003
api = "https://api.example.org/v1/items?api_key=YOUR_API_KEY"
# ok: SEC003
site = "http://localhost:8888/tree"
# ok: SEC003
ftp = "ftp://anonymous:guest@ftp.example.org/pub"
# ok: SEC003
conn = psycopg2.connect("host=db.internal dbname=sales user=etl password={}".format(pw))
# ok: SEC003
conn = pyodbc.connect(f"DRIVER={{ODBC Driver 18}};SERVER=db;UID=sa;PWD={os.environ['PWD']};")
