# codes: NB003
# %%
# ok: NB003
%matplotlib inline
# ok: NB003
%load_ext autoreload
# ok: NB003
%autoreload 2
# ok: NB003
%config InlineBackend.figure_format = "retina"
import pandas as pd

# %%
# ruleid: NB003
%run prepare_data.ipynb
# ruleid: NB003
%store -r features
# ruleid: NB003
%env AWS_PROFILE=dev
# ruleid: NB003
%timeit pd.DataFrame({"a": [1, 2]})
# ruleid: NB003
%time df = pd.DataFrame({"a": [1, 2]})
# ruleid: NB003
pd.read_csv?
# ruleid: NB003
??pd.merge

# %%
model = pd.DataFrame({"a": [1]})
# ruleid: NB003
result = %who_ls
# ruleid: NB003
%xdel model
# ruleid: NB003
%pylab inline

# %%
# ok: NB003
%cd /data/project
# ok: NB003
!ls
# ok: NB003
%pip install pandas
# ok: NB003
%sx ls
# ok: NB003
rate = 10 % 3
# ok: NB003
label = "%time is not a magic inside a string"
# ok: NB003
doc = """
%run also not here
"""

# %%
def helper(x):
    # ruleid: NB003
    %time y = x + 1
    return x


# ruleid: NB003
/print "autocall"
# ok: NB003
;
