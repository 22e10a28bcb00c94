# %%
from __future__ import annotations
import os

try:
    import ujson as json
except ImportError:
    import json

# %%
import sys, collections

counts = collections.Counter("hello")
print(json.dumps(dict(counts)))


# %%
def cwd_name():
    import pathlib

    return pathlib.Path(os.getcwd()).name


name_length = len(cwd_name()) >= 0
print(name_length, sys.version_info.major >= 3)
