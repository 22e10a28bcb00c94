# codes: IO001
# SQLAlchemy's sqlite URLs name a local database file; an archive URL without a chained
# filesystem (GDAL/fiona's zip://) names a local archive.
# %%
import geopandas as gpd
import sqlalchemy as sa
from sqlalchemy import create_engine

# %%
# ruleid: IO001
cache = create_engine("sqlite:///cache/sales.db")
# ruleid: IO001
absolute = sa.create_engine("sqlite+pysqlite:////var/data/app.db")
# ok: IO001
memory = create_engine("sqlite://")
# ok: IO001
memory2 = create_engine("sqlite:///:memory:")
# ok: IO001
warehouse = create_engine("postgresql+psycopg2://etl@warehouse.acme.internal/sales")

# %%
# ruleid: IO001
counties = gpd.read_file("zip://data/tl_2023_us_county.zip")
# ok: IO001
remote = gpd.read_file("zip://counties.shp::s3://acme-geo/tl_2023_us_county.zip")
