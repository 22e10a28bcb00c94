"""Small notebooks whose package must print exactly what the notebook's cells print when run
top to bottom (computed by executing the cells themselves)."""

from __future__ import annotations

import pytest

from nb2prod.convert import run
from tests.convert.helpers import run_cells_as_script, run_package

NOTEBOOKS = {
    "import-rebound-as-data": """
# %%
import string
# %%
string = string.ascii_lowercase[:3]
# %%
print(string.upper())
""",
    "function-redefined": """
# %%
def greet():
    return "hi"
# %%
print(greet())
# %%
def greet():
    return "hello"
# %%
print(greet())
""",
    "helper-calls-helper-with-state": """
# %%
import math
# %%
weights = [1, 2]
def norm(v):
    return math.sqrt(sum(x * x for x in v))
def normalise(v):
    n = norm(v) * scale
    return [x / n for x in v]
scale = 1
# %%
print(normalise(weights))
scale = 2
# %%
print([round(x, 3) for x in normalise(weights)])
""",
    "mutation-through-method-and-alias": """
# %%
import collections
# %%
log = []
seen = collections.Counter()
alias = log
# %%
alias.append("a")
seen.update("abca")
# %%
log.extend(["b"])
print(log, alias is log, seen.most_common(1))
""",
    "augmented-and-deleted": """
# %%
import json
# %%
total = 1
tmp = 5
# %%
total += tmp
del tmp
# %%
print(json.dumps({"total": total, "has_tmp": "tmp" in dir()}))
""",
    "class-with-notebook-state": """
# %%
import dataclasses
# %%
unit = "kg"
@dataclasses.dataclass
class Item:
    weight: float
    def show(self):
        return f"{self.weight} {unit}"
# %%
items = [Item(1.5), Item(2)]
print([i.show() for i in items])
""",
    "comprehension-and-lambda-scopes": """
# %%
import functools
# %%
x = 10
squares = [x * x for x in range(3)]
add = lambda y: y + x
# %%
print(x, squares, add(1), functools.reduce(lambda a, b: a + b, squares))
""",
    "try-except-and-with": """
# %%
import io
# %%
try:
    value = int("nope")
except ValueError:
    value = -1
with io.StringIO("a,b") as fh:
    header = fh.read().split(",")
# %%
print(value, header)
""",
    "parameters-used-in-function-default-and-body": """
# %%
LIMIT = 2
NAME = "run"
# %%
def head(values, n=LIMIT):
    return values[:n]
def tag(v):
    return f"{NAME}:{v}"
# %%
print(head([3, 4, 5]), tag(1))
""",
}


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_package_prints_what_the_notebook_prints(name, make_notebook, tmp_path):
    text = NOTEBOOKS[name]
    nb = make_notebook(text)
    cells = [c.split("\n", 1)[1] for c in text.split("# %%")[1:]]
    expected = run_cells_as_script(cells, tmp_path)
    assert expected.returncode == 0, expected.stderr
    assert expected.stdout.strip()
    out = tmp_path / "pkg"
    result = run(nb, out)
    assert result.exit_code == 0, [f.message for f in result.findings]
    got = run_package(out, result.package, cwd=tmp_path)
    assert got.returncode == 0, got.stderr
    assert got.stdout == expected.stdout
