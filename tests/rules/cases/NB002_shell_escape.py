# codes: NB002
# %%
# ruleid: NB002
!ls -la data/
# ruleid: NB002
files = !ls data/*.csv
# ruleid: NB002
!wget https://example.com/data.zip && \
    unzip data.zip
# ok: NB002
!pip install xgboost
# ok: NB002
%pip install -q lightgbm

# %%
import os

# ruleid: NB002
%system nvidia-smi
# ruleid: NB002
out = %sx git rev-parse HEAD
# ruleid: NB002
%pip list
# ruleid: NB002
%mkdir -p output
# ok: NB002
cmd = "!rm -rf /tmp/x"
# ok: NB002
text = """
!echo this is inside a string
"""
# ok: NB002
%matplotlib inline

# %%
for name in os.listdir("."):
    # ruleid: NB002
    !echo {name}

# %%
total = sum(range(10))
if total > 3:
    # ruleid: NB002
    !echo {total}
else:
    # ruleid: NB002
    status = !git status --short

# %%
# ruleid: NB002
ls data/
# ok: NB002
x = 3 % 2
