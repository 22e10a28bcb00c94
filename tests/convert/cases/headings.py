# %% [markdown]
# # Sales analysis
#
# Some words.

# %%
import statistics

# %% [markdown]
# ## 1. Load the data

# %%
sales = [3, 1, 4, 1, 5]

# %% [markdown]
# ## Clean

# %%
sales = [s for s in sales if s > 1]

# %% [markdown]
# ## Clean

# %%
sales.sort()

# %% [markdown]
# ### Report: **summary**

# %%
print(statistics.mean(sales), sales)
