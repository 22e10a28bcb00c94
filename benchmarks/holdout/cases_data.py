"""Held-out notebooks: a Kaggle kernel, a Databricks export, SageMaker, geospatial, polars.

Labels are end-of-line markers (see ``benchmarks/labelled/_build.py``): ``#@> CODE: note``
expects a finding, ``#@- note`` is a hard negative, ``?`` marks a stretch label.
"""

from __future__ import annotations

from collections.abc import Callable

from _keys import Book, Keys, databricks_cell, fill, png, result, stdout


def kaggle_store_sales() -> Book:
    b = Book("hk01_kaggle_store_sales.ipynb", "Kaggle kernel: /kaggle/input, submission.csv, API")
    k = Keys(b.name)
    b.meta(
        {
            "kaggle": {
                "accelerator": "none",
                "dataSources": [{"sourceId": 29781, "sourceType": "competition"}],
                "isInternetEnabled": True,
                "language": "python",
            }
        },
        "- Kaggle's notebook metadata",
    )
    b.md("# Store Sales: LightGBM baseline\nPublic LB 0.41. Forked from my EDA notebook.")
    b.code(
        """
import numpy as np
import pandas as pd
import os
for dirname, _, filenames in os.walk('/kaggle/input'):   #@> IO003: os.walk over the Kaggle input folder
    for filename in filenames:
        print(os.path.join(dirname, filename))   #@- a walked name, printed
""",
        [
            stdout(
                "/kaggle/input/store-sales-time-series-forecasting/oil.csv\n"
                "/kaggle/input/store-sales-time-series-forecasting/train.csv\n"
                "/kaggle/input/store-sales-time-series-forecasting/test.csv\n"
            )
        ],
        out="- file names printed by the walk",
    )
    b.code(
        """
INPUT_DIR = '/kaggle/input/store-sales-time-series-forecasting/'   #@> IO005: absolute prefix constant
train = pd.read_csv('/kaggle/input/store-sales-time-series-forecasting/train.csv', parse_dates=['date'])   #@> IO001: absolute Kaggle input path
test = pd.read_csv(INPUT_DIR + 'test.csv', parse_dates=['date'])   #@> IO001: constant + name
oil = pd.read_csv('../input/store-sales-time-series-forecasting/oil.csv')   #@> IO001: the old ../input form
holidays = pd.read_csv(os.path.join(INPUT_DIR, 'holidays_events.csv'))   #@> IO001: join of the constant
print(train.shape, test.shape)
""",
        [stdout("(3000888, 6) (28512, 5)\n")],
    )
    b.code(
        """
from kaggle_secrets import UserSecretsClient
user_secrets = UserSecretsClient()
wandb_key = user_secrets.get_secret("wandb_api_key")   #@- Kaggle's secrets store
import wandb
wandb.login(key=wandb_key)   #@- a key from the secrets store
""",
        [
            stdout(
                "wandb: Appending key for api.wandb.ai to your netrc file: /root/.netrc\n", "stderr"
            )
        ],
        out="- wandb's log line with a netrc path",
    )
    b.code(
        """
train = train.merge(oil, on='date', how='left')   #@- a merge, no file
train['dcoilwtico'] = train['dcoilwtico'].ffill()
for df in (train, test):
    df['dow'] = df['date'].dt.dayofweek
    df['month'] = df['date'].dt.month
    df['payday'] = ((df['date'].dt.day == 15) | df['date'].dt.is_month_end).astype(int)
"""
    )
    b.code(
        """
import lightgbm as lgb
features = ['store_nbr', 'onpromotion', 'dcoilwtico', 'dow', 'month', 'payday']
params = {'objective': 'tweedie', 'learning_rate': 0.05, 'num_leaves': 255, 'verbose': -1}   #@- model parameters
dtrain = lgb.Dataset(train[features], np.log1p(train['sales']))
model = lgb.train(params, dtrain, num_boost_round=800)
model.save_model('lgb_store_sales.txt')   #@> IO002 ?: lightgbm save_model beside the notebook
preds = model.predict(test[features])
"""
    )
    b.code(
        """
sub = pd.read_csv('/kaggle/input/store-sales-time-series-forecasting/sample_submission.csv')   #@> IO001: sample submission
sub['sales'] = np.expm1(preds).clip(0)
sub.to_csv('submission.csv', index=False)   #@> IO002: submission.csv in the working folder
sub.head()
""",
        [result("        id     sales\n0  3000888  4.112371\n1  3000889  0.000000")],
    )
    b.md("Running it on my laptop instead (the API downloads the data):")
    b.code(
        fill(
            """
os.environ['KAGGLE_USERNAME'] = 'tomasvrba'   #@- a user name
os.environ['KAGGLE_KEY'] = '@@KEY@@'   #@> SEC: Kaggle API key in os.environ
from kaggle.api.kaggle_api_extended import KaggleApi
api = KaggleApi()
api.authenticate()
api.competition_download_files('store-sales-time-series-forecasting', path='data/')   #@> IO ?: the API writes into a local folder
""",
            KEY=k.kaggle(),
        ),
        count=None,
    )
    b.code(
        """
!kaggle competitions submit -c store-sales-time-series-forecasting -f submission.csv -m "lgb baseline"   #@- a shell line, no secret
""",
        count=None,
    )
    return b


def databricks_ingest() -> Book:
    b = Book(
        "hk02_databricks_ingest.ipynb",
        "Databricks export: dbutils, dbfs: and /dbfs, JDBC, secret scopes, widget metadata",
        executed=False,
    )
    k = Keys(b.name)
    widget_token = k.databricks()
    b.meta(
        {
            "application/vnd.databricks.v1+notebook": {
                "dashboards": [],
                "language": "python",
                "notebookMetadata": {"pythonIndentUnit": 4},
                "notebookName": "ingest_vendor_orders",
                "widgets": {
                    "api_token": {
                        "currentValue": widget_token,
                        "nuid": k.uuid(),
                        "widgetInfo": {
                            "defaultValue": "",
                            "label": None,
                            "name": "api_token",
                            "options": {"validationRegex": None, "widgetType": "text"},
                            "widgetType": "text",
                        },
                    },
                    "run_date": {
                        "currentValue": "2024-06-01",
                        "nuid": k.uuid(),
                        "widgetInfo": {
                            "defaultValue": "2024-06-01",
                            "label": None,
                            "name": "run_date",
                            "options": {"validationRegex": None, "widgetType": "text"},
                            "widgetType": "text",
                        },
                    },
                },
            }
        },
        "SEC006: a Databricks token saved as a widget's current value",
    )

    def cell(text: str) -> None:
        b.code(text, metadata=databricks_cell(k))

    b.md("# Ingest vendor orders into bronze")
    cell(
        """
dbutils.widgets.text("run_date", "2024-06-01")
dbutils.widgets.text("api_token", "")   #@- an empty widget default
run_date = dbutils.widgets.get("run_date")
api_token = dbutils.widgets.get("api_token")   #@- read from the widget
"""
    )
    cell(
        """
raw_files = dbutils.fs.ls("dbfs:/mnt/landing/vendor_orders/")   #@- a dbfs: URI
display(raw_files)
orders = (spark.read.format("json")
          .option("multiline", "true")
          .load(f"dbfs:/mnt/landing/vendor_orders/{run_date}/"))   #@- a dbfs: URI in an f-string
"""
    )
    cell(
        """
countries = pd.read_csv("/dbfs/FileStore/tables/country_codes.csv")   #@> IO: /dbfs is a POSIX path (the driver's FUSE mount), not a dbfs: URI
legacy = spark.read.csv("/mnt/landing/legacy/orders_2019.csv", header=True)   #@> IO ?: /mnt is a listed root, but Spark resolves it on DBFS
"""
    )
    cell(
        """
jdbc_url = "jdbc:postgresql://orders-db.prod.internal:5432/orders"   #@- a JDBC URL without credentials
orders_pg = (spark.read.format("jdbc")
    .option("url", jdbc_url)
    .option("dbtable", "public.orders")
    .option("user", "svc_ingest")   #@- a user name
    .option("password", dbutils.secrets.get(scope="orders-db", key="svc-ingest-password"))   #@- a Databricks secret scope
    .load())
"""
    )
    cell(
        fill(
            """
# staging copy, quick check before the merge
stg = spark.read.jdbc(
    url="jdbc:postgresql://orders-db.staging.internal:5432/orders",
    table="public.orders",
    properties={"user": "svc_ingest", "password": "@@PW@@", "driver": "org.postgresql.Driver"},   #@> SEC002: password in the JDBC properties dict
)
""",
            PW=k.password(),
        )
    )
    cell(
        """
spark.conf.set("fs.azure.account.key.acmelake.dfs.core.windows.net", dbutils.secrets.get("kv-prod", "lake-key"))   #@- a secret scope
orders.write.format("delta").mode("append").save("dbfs:/mnt/bronze/vendor_orders")   #@- a dbfs: URI
orders.write.mode("overwrite").parquet("abfss://bronze@acmelake.dfs.core.windows.net/vendor_orders/")   #@- abfss: container@account, no password
"""
    )
    cell(
        """
sample = orders.limit(1000).toPandas()
sample.to_csv("/dbfs/FileStore/exports/orders_sample.csv", index=False)   #@> IO: a write through the /dbfs FUSE path
"""
    )
    cell(
        fill(
            """
import requests
DATABRICKS_HOST = "https://adb-4412345678901234.12.azuredatabricks.net"   #@- a workspace URL
TOKEN = "@@TOKEN@@"   #@> SEC001: Databricks personal access token
resp = requests.post(f"{DATABRICKS_HOST}/api/2.1/jobs/run-now", headers={"Authorization": f"Bearer {TOKEN}"}, json={"job_id": 912})   #@- uses the constant flagged above
""",
            TOKEN=k.databricks(),
        )
    )
    cell(
        """
%sql
SELECT run_date, count(*) FROM bronze.vendor_orders GROUP BY run_date   #@- SQL in a %sql cell
"""
    )
    return b


def sagemaker_churn() -> Book:
    b = Book("hk03_sagemaker_churn.ipynb", "SageMaker: session, S3 channels, model.tar.gz locally")
    k = Keys(b.name)
    b.meta(
        {
            "instance_type": "ml.t3.medium",
            "kernelspec": {
                "display_name": "conda_python3",
                "language": "python",
                "name": "conda_python3",
            },
        },
        "- SageMaker notebook-instance metadata",
    )
    b.code(
        """
import os, tarfile
import boto3
import pandas as pd
import sagemaker
import xgboost as xgb
from sagemaker import get_execution_role
from sagemaker.inputs import TrainingInput
sess = sagemaker.Session()
role = get_execution_role()
bucket = sess.default_bucket()
prefix = "churn-xgb"   #@- an S3 key prefix
container = sagemaker.image_uris.retrieve("xgboost", boto3.Session().region_name, "1.7-1")
"""
    )
    b.code(
        """
df = pd.read_csv("churn.txt")   #@> IO001: the sample file beside the notebook
df = pd.get_dummies(df.drop(columns=["Phone"]))   #@- no file
train = df.sample(frac=0.8, random_state=42)
val = df.drop(train.index)
train.to_csv("train.csv", header=False, index=False)   #@> IO002
val.to_csv("validation.csv", header=False, index=False)   #@> IO002
"""
    )
    b.code(
        """
boto3.Session().resource("s3").Bucket(bucket).Object(os.path.join(prefix, "train/train.csv")).upload_file("train.csv")   #@> IO ?: upload_file reads the local file
s3_val = sess.upload_data(path="validation.csv", bucket=bucket, key_prefix=f"{prefix}/validation")   #@> IO ?: upload_data reads the local file
"""
    )
    b.code(
        """
xgb_est = sagemaker.estimator.Estimator(
    container,
    role,
    instance_count=1,
    instance_type="ml.m5.xlarge",
    output_path=f"s3://{bucket}/{prefix}/output",   #@- an S3 f-string
    sagemaker_session=sess,
)
xgb_est.set_hyperparameters(max_depth=5, eta=0.2, objective="binary:logistic", num_round=100)   #@- a colon in a value
xgb_est.fit({"train": TrainingInput(f"s3://{bucket}/{prefix}/train", content_type="csv"),   #@- S3 channels
             "validation": TrainingInput(s3_val, content_type="csv")})
""",
        [stdout("2024-06-03 09:12:44 Starting - Starting the training job...\n")],
    )
    b.code(
        """
model_key = xgb_est.model_data.replace(f"s3://{bucket}/", "")
boto3.client("s3").download_file(bucket, model_key, "model.tar.gz")   #@> IO ?: download_file writes a local file
with tarfile.open("model.tar.gz") as tar:   #@> IO ?: reads the local archive
    tar.extractall(path="model")   #@> IO ?: extracts into a local folder
booster = xgb.Booster()
booster.load_model("model/xgboost-model")   #@> IO001: xgboost load_model of a local file
"""
    )
    b.code(
        fill(
            """
# from my laptop get_execution_role() fails, so:
sm_boto = boto3.Session(
    aws_access_key_id="@@AKID@@",   #@> SEC001: AWS access key id
    aws_secret_access_key="@@SECRET@@",   #@> SEC001: AWS secret key bound to its name
    region_name="eu-west-1",   #@- a region
)
kms_key = "arn:aws:kms:eu-west-1:123456789012:key/@@UUID@@"   #@- a KMS key ARN, not a secret
role = "arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole-20240101T000000"   #@- a role ARN
""",
            AKID=k.aws_id(),
            SECRET=k.aws_secret(),
            UUID=k.uuid(),
        ),
        count=None,
    )
    b.code(
        """
from sagemaker.serializers import CSVSerializer
predictor = xgb_est.deploy(initial_instance_count=1, instance_type="ml.t2.medium", serializer=CSVSerializer())   #@- an endpoint
print(predictor.predict(val.iloc[:5, 1:].values).decode())
predictor.delete_endpoint()
""",
        [stdout("0.0213,0.8812,0.0402,0.1137,0.0075\n")],
    )
    return b


def geo_flood() -> Book:
    b = Book(
        "hk04_geo_flood_exposure.ipynb", "geopandas shapefiles, rasterio, folium, Mapbox token"
    )
    k = Keys(b.name)
    b.md("## Flood exposure of parcels (2024 update)\nRivers buffered 250 m, DEM clipped.")
    b.code(
        """
import os
import geopandas as gpd
import matplotlib.pyplot as plt
import rasterio
from rasterio.mask import mask
BASE = "/Users/maria.k/Documents/GIS/flood_2024"   #@> IO005: a home folder on a Mac
"""
    )
    b.code(
        """
parcels = gpd.read_file(f"{BASE}/parcels/parcels_2023.shp")   #@> IO001: shapefile under the constant
rivers = gpd.read_file("data/rivers.gpkg", layer="rivers")   #@> IO001
counties = gpd.read_file("zip://data/tl_2023_us_county.zip")   #@> IO ?: zip:// of a local archive
world = gpd.read_file("https://naciscdn.org/naturalearth/110m/cultural/ne_110m_admin_0_countries.zip")   #@- a web URL
parcels = parcels.to_crs(epsg=32633)   #@- to_crs is not a writer
buffers = rivers.to_crs(parcels.crs).buffer(250)
"""
    )
    b.code(
        """
with rasterio.open("rasters/dem_10m.tif") as src:   #@> IO ?: rasterio read of a local GeoTIFF
    dem, transform = mask(src, buffers.geometry, crop=True)
    profile = src.profile
profile.update(height=dem.shape[1], width=dem.shape[2], transform=transform)
with rasterio.open("out/dem_clipped.tif", "w", **profile) as dst:   #@> IO ?: rasterio write mode
    dst.write(dem)
red = rasterio.open("s3://sentinel-cogs/sentinel-s2-l2a-cogs/33/U/WP/2024/6/S2A_33UWP_20240601_0_L2A/B04.tif")   #@- a public S3 object
"""
    )
    b.code(
        """
exposed = gpd.sjoin(parcels, gpd.GeoDataFrame(geometry=buffers), predicate="intersects")
exposed.to_file("out/exposed_parcels.gpkg", driver="GPKG")   #@> IO002: GeoDataFrame.to_file
exposed.to_parquet("gs://acme-geo/flood/exposed_parcels.parquet")   #@- a GCS URI
ax = exposed.plot(column="value_eur", legend=True, figsize=(8, 8))
plt.savefig(os.path.join(BASE, "figures", "exposure.png"), dpi=200)   #@> IO002: figure under the constant
""",
        [png(b.name + "map")],
        out="- a PNG map",
    )
    b.code(
        fill(
            """
import folium
os.environ["MAPBOX_ACCESS_TOKEN"] = "@@MAPBOX@@"   #@> SEC: a Mapbox secret token
m = folium.Map(location=[48.2, 16.37], zoom_start=10, tiles="cartodbpositron")   #@- a tile set name
folium.GeoJson(exposed.to_crs(4326).to_json()).add_to(m)   #@- to_json without a path
m.save("out/flood_map.html")   #@> IO002 ?: folium Map.save to a local file
""",
            MAPBOX=k.mapbox_secret(),
        )
    )
    return b


def polars_attribution() -> Book:
    b = Book(
        "hk05_marketing_attribution.ipynb",
        "polars, duckdb, feather, pyarrow; GA4 key file, Facebook Ads secrets",
    )
    k = Keys(b.name)
    b.code(
        """
import os
import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
events = pl.read_csv("data/events_2024_05.csv", try_parse_dates=True)   #@> IO001: polars reader
sessions = pl.scan_parquet("data/sessions/*.parquet").collect()   #@> IO001: polars lazy reader
campaigns = pl.read_csv("https://raw.githubusercontent.com/acme/mkt-ref/main/campaigns.csv")   #@- a web URL
events.write_parquet("data/events_clean.parquet")   #@> IO002 ?: polars writer
"""
    )
    b.code(
        """
con = duckdb.connect("attribution.duckdb")   #@> IO ?: a local DuckDB database file
scratch = duckdb.connect()   #@- in-memory
touch = con.sql("SELECT user_id, channel, ts FROM touchpoints").df()   #@- a query
touch.to_feather("cache/touchpoints.feather")   #@> IO002
touch2 = pd.read_feather("cache/touchpoints.feather")   #@> IO001
weights = np.load("cache/shapley_weights.npz", allow_pickle=True)   #@> IO001
table = pq.read_table("s3://acme-mkt/attribution/2024-05/")   #@- an S3 prefix
pq.write_table(table, "cache/attribution.parquet")   #@> IO ?: pyarrow write_table to a local file
"""
    )
    b.code(
        fill(
            """
from facebook_business.api import FacebookAdsApi
os.environ["GOOGLE_APPLICATION_CREDENTIALS"] = "/Users/jchen/keys/ga4-reader.json"   #@> IO005: a key file path on a laptop
FacebookAdsApi.init(
    app_id="@@APPID@@",   #@- a numeric app id
    app_secret="@@APPSECRET@@",   #@> SEC: Facebook app secret
    access_token="@@FBTOKEN@@",   #@> SEC: Facebook user access token
)
ad_account = "act_1029384756"   #@- an ad account id
""",
            APPID=k.digits(15),
            APPSECRET=k.hexs(32),
            FBTOKEN=k.facebook(),
        )
    )
    b.code(
        """
spend = pl.from_pandas(touch2).group_by("channel").agg(pl.len().alias("touches"))   #@- no file
spend.sort("touches", descending=True).head()
""",
        [result("shape: (5, 2)\n channel   touches\n paid_social  41200")],
    )
    return b


def builders() -> list[Callable[[], Book]]:
    return [kaggle_store_sales, databricks_ingest, sagemaker_churn, geo_flood, polars_attribution]
