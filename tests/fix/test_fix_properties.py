"""Property: cells mixing local IO, remote IO, secrets and other code -> after --fix, lint
reports no fixable IO/SEC finding, every cell parses, and a second fix changes nothing."""

from __future__ import annotations

import ast
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nb2prod.fix.engine import fix_notebook
from nb2prod.lint.engine import check_notebook
from nb2prod.notebook.load import load_notebook
from tests.fix.conftest import make
from tests.fix.conftest import settings as nb_settings

FOLDERS = ["", "data/", "./data/raw/", "models/"]
NAMES = ["train", "test_2024", "x-y", "features.v2"]
TOKENS = [
    "ghp_1234567890abcdefghijABCDEFGHIJ123456",
    "xoxb-2817402387-1234567890123-Zq8KrT5vYw2LmN3bVc4XjH6g",
    "AKIAZ7QWERTY12345XYZ",
]
FIXABLE = {"IO001", "IO002", "SEC001", "SEC002", "SEC004", "SEC005"}

folder, name = st.sampled_from(FOLDERS), st.sampled_from(NAMES)
local_io = st.one_of(
    st.builds(lambda f, n: f'df = pd.read_csv("{f}{n}.csv")', folder, name),
    st.builds(lambda f, n: f'df.to_parquet("{f}{n}.parquet")', folder, name),
    st.builds(lambda f, n: f'arr = np.load("{f}{n}.npy")', folder, name),
    st.builds(lambda f, n: f'joblib.dump(model, "{f}{n}.joblib")', folder, name),
    st.builds(lambda f, n: f'with open("{f}{n}.txt") as fh:\n    text = fh.read()', folder, name),
    st.builds(lambda f, n: f'D = "{f}"\ndf = pd.read_json(D + "{n}.json")', folder, name),
    st.builds(lambda f: f'for k in ks:\n    pd.read_csv(f"{f}{{k}}.csv")', folder),
)
remote_io = st.builds(lambda n: f'df = pd.read_csv("s3://other-bucket/{n}.csv")', name)
secret = st.builds(
    lambda var, tok: f'{var} = "{tok}"',
    st.sampled_from(["api_key", "token", "AWS_ACCESS_KEY_ID", "slack_token"]),
    st.sampled_from(TOKENS),
)
other = st.sampled_from(
    ["x = 1 + 2", "print(df.head())", "def f(a):\n    return a * 2", "%time y = 3"]
)
statement = st.one_of(local_io, remote_io, secret, other)
cell = st.lists(statement, min_size=1, max_size=4).map("\n".join)
IMPORTS = "import joblib\nimport numpy as np\nimport pandas as pd\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(cell, min_size=1, max_size=4), md_token=st.sampled_from([None, *TOKENS]))
def test_fix_then_lint_is_clean(cells: list[str], md_token: str | None) -> None:
    tmp = Path(tempfile.mkdtemp())
    try:
        all_cells: list = [IMPORTS, *cells]
        if md_token:
            all_cells.append(("markdown", f"Our key: {md_token}"))
        path = make(tmp, all_cells)
        s = nb_settings()
        fix_notebook(path, s)
        nb = load_notebook(path)
        findings = [f for f in check_notebook(nb, s) if f.code in FIXABLE]
        assert findings == [], [(f.code, f.message) for f in findings]
        for c in nb.code_cells:
            python = "\n".join(
                "pass" if ln.lstrip().startswith("%") else ln for ln in c.source.split("\n")
            )
            ast.parse(python)
        text = path.read_bytes()
        again = fix_notebook(path, s)
        assert not again.changed and not again.rewrites and path.read_bytes() == text
    finally:
        shutil.rmtree(tmp)
