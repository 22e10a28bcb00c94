# %%
import matplotlib.pyplot as plt
from sklearn.linear_model import LinearRegression

# %%
X, y = [[0], [1], [2]], [0, 1, 2]
model = LinearRegression()
model.fit(X, y)

# %%
model.coef_
X[0], y[0]
print("score", model.score(X, y))
df_info = len(X)
plt.plot(X, y)
plt.show()
display(model)
f"{df_info} rows"
