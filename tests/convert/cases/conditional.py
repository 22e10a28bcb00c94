# %%
mode = "fast"
limit = 2

# %%
result = "default"

# %%
if mode == "slow":
    result = "slow path"
for i in range(limit):
    last = i
del mode

# %%
print(result, last, limit)
