# codes: IO001, IO002, IO003, IO005
# Images saved by PIL, rasterio, spaCy pipelines, LangChain loaders and vector stores; a
# copy's destination is part of the IO003 finding, not a hard-coded path of its own.
# %%
import shutil

import rasterio
import spacy
from langchain_community.document_loaders import PyPDFLoader
from langchain_community.vectorstores import FAISS
from PIL import Image

# %%
# ruleid: IO001
img = Image.open("data/raw/weld_001.png")
img.thumbnail((256, 256))
# ruleid: IO002
img.save("data/thumbs/" + "weld_001.png")
# ok: IO002
img.save(buffer := __import__("io").BytesIO(), format="PNG")
canvas = Image.new("RGB", (64, 64))
# ruleid: IO002
canvas.save("out/blank.png")

# %%
# ruleid: IO001
with rasterio.open("rasters/dem.tif") as src:
    profile = src.profile
# ruleid: IO002
with rasterio.open("out/dem_clipped.tif", "w", **profile) as dst:
    pass
# ok: IO001
remote = rasterio.open("s3://acme-geo/dem.tif")

# %%
# ok: IO001
nlp = spacy.load("en_core_web_sm")
# ruleid: IO001
custom = spacy.load("./training/ner/model-best")
# ruleid: IO002
custom.to_disk("models/ner_v2")
# ruleid: IO001
custom.from_disk("models/ner_v1")

# %%
# ruleid: IO001
pages = PyPDFLoader("docs/handbook.pdf").load()
store = FAISS.from_documents(pages, None)
# ruleid: IO002
store.save_local("indexes/handbook")
# ruleid: IO001
again = FAISS.load_local("indexes/handbook", None)

# %%
# ruleid: IO003
shutil.copy("out/features.mat", r"\\fileserver\lab\features.mat")
# ruleid: IO005
BACKUP = r"\\fileserver\lab\backup"

# %%
import gspread
from kaggle.api.kaggle_api_extended import KaggleApi

api = KaggleApi()
# ruleid: IO002
api.competition_download_files("store-sales", path="data/")
# ok: IO002
api.competition_download_files("store-sales", path="s3://acme-data/kaggle/")
# ruleid: IO001
gc = gspread.service_account(filename="secrets/sheets-sa.json")
