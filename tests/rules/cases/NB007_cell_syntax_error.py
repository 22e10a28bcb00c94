# codes: NB007
# %%
import pandas as pd

# ruleid: NB007
print "rows:", len(pd.DataFrame())

# %%
# ok: NB007
%matplotlib inline
# ok: NB007
!ls -la
# ok: NB007
files = !ls
# ok: NB007
pd.read_csv?
df = pd.DataFrame({"a": [1, 2]})

# %%
# ok: NB007
y = 10 \
    % 3
# ok: NB007
z = (7
     % 2)

# %%
def broken(x):
    # ruleid: NB007
    return x +

# %%
total = (1 +
         2)
# ruleid: NB007
    indented = total

# %%
values = [1, 2, 3]
# ruleid: NB007
values.append(4
values.append(5)

# %%
# ok: NB007
pip install seaborn
