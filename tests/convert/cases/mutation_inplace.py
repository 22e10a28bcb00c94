# %%
import pandas as pd

# %%
df = pd.DataFrame({"a": [1.0, None, 3.0]})
df.head()

# %%
# drop incomplete rows
df.dropna(inplace=True)
df["b"] = df["a"] * 2
rows = []
rows.append(len(df))

# %%
print(len(df), rows)
df
