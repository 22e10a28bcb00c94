# %%
RATE = 0.5

# %%
import math


def scaled(x):
    return x * factor * RATE


def report(values):
    for v in values:
        print(round(scaled(v), 2), math.floor(v))


class Point:
    def __init__(self, x):
        self.x = x


# %%
factor = 3
report([1, 2])
fns = [scaled]
mapped = list(map(scaled, [1, 2]))
p = Point(1)

# %%
factor = 10
print(scaled(p.x), mapped)
