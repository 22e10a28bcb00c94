# %%
import random

# %%
random.seed(0)
data = [random.randint(0, 9) for _ in range(5)]

# %%
print(data)

# %%
evens = [d for d in data if d % 2 == 0]
odds = [d for d in data if d % 2]

# %%
print(len(evens), len(odds), len(data))
summary = {"even": len(evens)}
print(summary)
