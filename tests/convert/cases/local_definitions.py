# %%
THRESHOLD = 3


# %%
def above(values, limit=THRESHOLD):
    return [v for v in values if v > limit]


class Model:
    weight = THRESHOLD * 2

    def predict(self, x):
        return x * self.weight


# %%
def label(x):
    return "small"


print(label(1))


# %%
def label(x):
    return "big" if x > THRESHOLD else "small"


print(label(5), above([1, 5]), Model().predict(2))
