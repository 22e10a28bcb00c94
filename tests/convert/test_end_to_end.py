"""A converted notebook, run as ``python -m pkg``, prints what the notebook prints."""

from __future__ import annotations

import ast

import pytest

from nb2prod.convert import run
from tests.convert.helpers import run_cells_as_script, run_package

# A tiny frame with pandas' in-place API, defined by the notebook itself, so the test needs
# nothing beyond the standard library.
FRAME_NOTEBOOK = """
# %%
class Frame:
    def __init__(self, rows):
        self.rows = list(rows)

    def dropna(self, inplace=False):
        kept = [r for r in self.rows if None not in r]
        if inplace:
            self.rows = kept
            return None
        return Frame(kept)

    def __len__(self):
        return len(self.rows)

# %% [markdown]
# ## Load

# %%
df = Frame([(1, 2), (None, 3), (4, None), (5, 6)])
print("loaded", len(df))
df

# %% [markdown]
# ## Clean

# %%
df.dropna(inplace=True)

# %% [markdown]
# ## Report

# %%
print(len(df))
"""

PANDAS_NOTEBOOK = """
# %%
import pandas as pd
MIN_VALUE = 2

# %%
df = pd.DataFrame({"a": [1.0, None, 3.0, 4.0], "b": [1, 2, None, 4]})
df.head()

# %%
df.dropna(inplace=True)
df["c"] = df["a"] * 2

# %%
print(len(df))
print(int((df["a"] >= MIN_VALUE).sum()))
"""


def _code_cells(text: str) -> list[str]:
    return [c.split("\n", 1)[1] for c in text.split("# %%")[1:] if not c.startswith(" [markdown]")]


@pytest.mark.parametrize("text", [FRAME_NOTEBOOK], ids=["frame"])
def test_in_place_mutation_reaches_later_steps(text, make_notebook, tmp_path):
    nb = make_notebook(text)
    out = tmp_path / "pkg"
    result = run(nb, out)
    assert result.exit_code == 0, result.findings
    expected = run_cells_as_script(_code_cells(text), tmp_path)
    assert expected.returncode == 0, expected.stderr
    assert expected.stdout == "loaded 4\n2\n"
    got = run_package(out, result.package, cwd=tmp_path)
    assert got.returncode == 0, got.stderr
    assert got.stdout == expected.stdout
    steps = (out / "src" / result.package / "steps.py").read_text()
    # The step that mutates df in place hands it on; the display line is gone.
    assert "def clean(df):" in steps
    assert "return df" in steps.split("def clean(df):")[1].split("def report")[0]
    assert "\n    df\n" not in steps


def test_pandas_dropna_inplace(make_notebook, tmp_path):
    pytest.importorskip("pandas")
    nb = make_notebook(PANDAS_NOTEBOOK)
    out = tmp_path / "pkg"
    result = run(nb, out)
    assert result.exit_code == 0, result.findings
    expected = run_cells_as_script(_code_cells(PANDAS_NOTEBOOK), tmp_path)
    assert expected.stdout == "2\n1\n"
    got = run_package(out, result.package, cwd=tmp_path)
    assert got.stdout == expected.stdout, got.stderr
    got = run_package(out, result.package, "--min-value", "0", cwd=tmp_path)
    assert got.stdout == "2\n2\n", got.stderr


def test_settings_from_command_line_and_environment(make_notebook, tmp_path):
    nb = make_notebook(
        "# %%\nN = 3\nLABEL = 'x'\nSCALE = 1.5\nVERBOSE = False\n\n# %%\n"
        "print(LABEL * N, N * SCALE, VERBOSE)\n"
    )
    out = tmp_path / "pkg"
    result = run(nb, out)
    assert result.exit_code == 0
    pkg = result.package
    assert run_package(out, pkg, cwd=tmp_path).stdout == "xxx 4.5 False\n"
    got = run_package(out, pkg, "--n", "2", "--label", "ab", "--verbose", "yes", cwd=tmp_path)
    assert got.stdout == "abab 3.0 True\n", got.stderr
    env = {f"{pkg.upper()}_SCALE": "2", f"{pkg.upper()}_N": "1"}
    got = run_package(out, pkg, "--n", "4", env=env, cwd=tmp_path)
    assert got.stdout == "xxxx 8.0 False\n", got.stderr  # the command line wins
    bad = run_package(out, pkg, "--n", "many", cwd=tmp_path)
    assert bad.returncode == 2 and "--n: invalid literal" in bad.stderr
    upper = run_package(out, pkg, "--LABEL", "ab", cwd=tmp_path)  # one spelling per option
    assert upper.returncode == 2 and "unrecognized arguments: --LABEL" in upper.stderr


def test_function_reading_notebook_globals_sees_current_values(make_notebook, tmp_path):
    text = """
# %%
offset = 10

# %%
def shifted(x):
    return x + offset

def twice(x):
    return shifted(x) * 2

# %%
print(shifted(1), twice(1))
values = list(map(shifted, [1, 2]))
offset = 100

# %%
print(shifted(1), values, sorted([3, 1, 2], key=lambda v: -v))
"""
    nb = make_notebook(text)
    out = tmp_path / "pkg"
    result = run(nb, out)
    assert result.exit_code == 0, result.findings
    expected = run_cells_as_script(_code_cells(text), tmp_path).stdout
    assert expected == "11 22\n101 [11, 12] [3, 2, 1]\n"
    got = run_package(out, result.package, cwd=tmp_path)
    assert got.stdout == expected, got.stderr
    steps = (out / "src" / result.package / "steps.py").read_text()
    assert "def shifted(x, *, offset):" in steps
    assert "def twice(x, *, offset):" in steps


def test_generated_tests_pass_and_can_fail(make_notebook, tmp_path):
    import subprocess
    import sys

    nb = make_notebook("# %%\nSIZE = 3\n\n# %%\nitems = list(range(SIZE))\n\n# %%\nprint(items)\n")
    out = tmp_path / "pkg"
    result = run(nb, out)
    assert result.exit_code == 0
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(out / "tests")]
    ok = subprocess.run(cmd, cwd=out, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout
    steps = out / "src" / result.package / "steps.py"
    assert "list(range(size))" in steps.read_text()  # SIZE is the setting `size`
    steps.write_text(steps.read_text().replace("list(range(size))", "list(range(size)) + [1 / 0]"))
    broken = subprocess.run(cmd, cwd=out, capture_output=True, text=True, timeout=120)
    assert broken.returncode == 1, broken.stdout
    assert "ZeroDivisionError" in broken.stdout


def test_every_generated_file_parses(make_notebook, tmp_path):
    nb = make_notebook("# %%\nimport math\n\n# %%\nprint(math.pi)\n")
    result = run(nb, tmp_path / "pkg")
    assert result.exit_code == 0
    for rel in result.files:
        if rel.endswith(".py"):
            ast.parse((tmp_path / "pkg" / rel).read_text())


def test_main_guard_and_loops_behave_as_in_the_notebook(make_notebook, tmp_path):
    text = """
# %%
import collections
counts = collections.Counter()

# %%
for word in "a b a c".split():
    counts[word] += 1
if __name__ == "__main__":
    print("main", sorted(counts.items()))

# %%
total = 0
while total < 3:
    total += 1
print(total, counts.most_common(1))
"""
    nb = make_notebook(text)
    out = tmp_path / "pkg"
    result = run(nb, out)
    assert result.exit_code == 0, result.findings
    expected = run_cells_as_script(_code_cells(text), tmp_path).stdout
    assert expected == "main [('a', 2), ('b', 1), ('c', 1)]\n3 [('a', 2)]\n"
    got = run_package(out, result.package, cwd=tmp_path)
    assert got.stdout == expected, got.stderr


def test_read_only_global_declaration_becomes_a_parameter(make_notebook, tmp_path):
    text = """
# %%
frames = []

# %%
def save(x):
    global frames, other
    frames.append(x)

save(1)
save(2)

# %%
print(frames)
"""
    nb = make_notebook(text)
    out = tmp_path / "pkg"
    result = run(nb, out)
    assert result.exit_code == 0, result.findings
    got = run_package(out, result.package, cwd=tmp_path)
    assert got.stdout == "[1, 2]\n", got.stderr
    steps = (out / "src" / result.package / "steps.py").read_text()
    assert "global other\n" in steps and "def save(x, *, frames):" in steps
