"""Before/after pairs for each transformer, through the fix engine on one-cell notebooks."""

from __future__ import annotations

import ast
from textwrap import dedent

import pytest

HEADER = 'import fsspec\nimport os\nDATA_URI = os.environ.get("NB2PROD_DATA_URI", "s3://acme-data/churn")\n'

IO_CASES = [
    (
        'df = pd.read_csv("data/train.csv")\n',
        'df = pd.read_csv(f"{DATA_URI}/data/train.csv")\n',
    ),
    (
        'DATA = "./data"\ndf = pd.read_parquet(os.path.join(DATA, "x.parquet"), columns=["a"])\n',
        'DATA = "./data"\ndf = pd.read_parquet(f"{DATA_URI}/data/x.parquet", columns=["a"])\n',
    ),
    (
        'df.to_csv(path_or_buf="out/pred.csv", index=False)  # keep\n',
        'df.to_csv(path_or_buf=f"{DATA_URI}/out/pred.csv", index=False)  # keep\n',
    ),
    (
        'for name in names:\n    d = pd.read_csv(f"data/{name}.csv")\n',
        'for name in names:\n    d = pd.read_csv(f"{DATA_URI}/data/{name}.csv")\n',
    ),
    (
        'with open("notes.txt", encoding="utf-8") as f:\n    text = f.read()\n',
        'with fsspec.open(f"{DATA_URI}/notes.txt", "r", encoding="utf-8") as f:\n    text = f.read()\n',
    ),
    (
        'pickle.dump(model, open("m.pkl", "wb"))\n',
        'pickle.dump(model, fsspec.open(f"{DATA_URI}/m.pkl", "wb").open())\n',
    ),
    (
        'x = np.load("arr.npy")\n',
        'with fsspec.open(f"{DATA_URI}/arr.npy", "rb") as fh:\n    x = np.load(fh)\n',
    ),
    (
        'np.save("arr", x)\n',
        'with fsspec.open(f"{DATA_URI}/arr.npy", "wb") as fh:\n    np.save(fh, x)\n',
    ),
    (
        'def save(m):\n    joblib.dump(m, "model.joblib")\n',
        'def save(m):\n    with fsspec.open(f"{DATA_URI}/model.joblib", "wb") as fh:\n        joblib.dump(m, fh)\n',
    ),
    (
        'plt.savefig("figs/roc.pdf", dpi=200)\n',
        'with fsspec.open(f"{DATA_URI}/figs/roc.pdf", "wb") as fh:\n    plt.savefig(fh, dpi=200, format="pdf")\n',
    ),
]

IMPORTS = "import os\nimport pickle\nimport joblib\nimport numpy as np\nimport pandas as pd\nimport matplotlib.pyplot as plt\n"


@pytest.mark.parametrize(("before", "after"), IO_CASES)
def test_io_to_s3(fix, before: str, after: str) -> None:
    new, result = fix([IMPORTS, dedent(before)])
    assert new[1] == dedent(after)
    fsspec = "import fsspec\n" if "fsspec" in after else ""
    assert new[0] == IMPORTS + fsspec + HEADER.split("\n")[2] + "\n"
    assert len(result.rewrites) == 1 and not result.skipped
    ast.parse(new[1])


def test_header_goes_after_leading_imports_and_magics(fix) -> None:
    new, _ = fix(['%matplotlib inline\nimport pandas as pd\nx = 1\ndf = pd.read_csv("a.csv")\n'])
    assert new[0] == (
        "%matplotlib inline\nimport pandas as pd\nimport os\n"
        'DATA_URI = os.environ.get("NB2PROD_DATA_URI", "s3://acme-data/churn")\n'
        'x = 1\ndf = pd.read_csv(f"{DATA_URI}/a.csv")\n'
    )


def test_folder_map_and_env_name(fix) -> None:
    new, result = fix(
        ["import pandas as pd\n", 'a = pd.read_csv("data/raw/a.csv")\nb = pd.read_csv("b.csv")\n'],
        **{"data-uri-map": {"data/": "s3://acme-raw/"}},
    )
    assert 'DATA_URI_DATA = os.environ.get("NB2PROD_DATA_URI_DATA", "s3://acme-raw")' in new[0]
    assert new[1] == (
        'a = pd.read_csv(f"{DATA_URI_DATA}/raw/a.csv")\nb = pd.read_csv(f"{DATA_URI}/b.csv")\n'
    )
    assert len(result.rewrites) == 2


UNSAFE = [
    'import os\nos.chdir("data")\n',
    'import sqlite3\ncon = sqlite3.connect("local.db")\n',
    'import glob\nimport pandas as pd\nfor p in glob.glob("data/*.csv"):\n    pd.read_csv(p)\n',
    'import pandas as pd\ndf = pd.read_csv("/home/me/data.csv")\n',
    'import numpy as np\nprint(np.load("a.npy").shape)\n',
    "import pandas as pd\ndf = pd.read_csv(input())\n",
    # the written file is then read by a call that cannot take a URI: both stay local
    'import joblib\njoblib.dump(m, "model.joblib")\ns3.upload_file("model.joblib", "b", "k")\n',
    'import pandas as pd\nfrom PIL import Image\ndf.to_csv("./x.png")\nImage.open("x.png")\n',
]


@pytest.mark.parametrize("before", UNSAFE)
def test_unsafe_rewrites_stay_findings(fix, before: str) -> None:
    new, result = fix([before])
    assert new == [before]
    assert not result.rewrites and not result.changed


def test_not_configured_is_a_note(fix) -> None:
    cell = 'import pandas as pd\ndf = pd.read_csv("a.csv")\n'
    new, result = fix([cell], **{"data-uri": ""})
    assert new == [cell] and not result.rewrites
    assert any("set data-uri" in n for n in result.notes)


TOKEN = "ghp_1234567890abcdefghijABCDEFGHIJ123456"
SECRET_CASES = [
    (
        'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEZ"\n'.replace(
            "EXAMPLE", "Q1w2E3r"
        ),
        'aws_secret_access_key = os.environ["AWS_SECRET_ACCESS_KEY"]\n',
    ),
    (
        f'headers = {{"Authorization": "token {TOKEN}"}}\n',
        'headers = {"Authorization": "token " + os.environ["GITHUB_TOKEN"]}\n',
    ),
    (
        'db_password = "s3cr3t-Pa55w0rd!"\n',
        'db_password = os.environ["DB_PASSWORD"]\n',
    ),
    (
        f'token = os.getenv("GH_TOKEN", "{TOKEN}")\n',
        'token = os.environ["GH_TOKEN"]\n',
    ),
    (
        f'# old: {TOKEN}\nclient = Client(api_token="{TOKEN}")\n',
        '# old: <redacted: set GITHUB_TOKEN>\nclient = Client(api_token=os.environ["GITHUB_TOKEN"])\n',
    ),
]


@pytest.mark.parametrize(("before", "after"), SECRET_CASES)
def test_secret_to_env(fix, before: str, after: str) -> None:
    new, result = fix(["import os\n", before])
    assert new[1] == after
    assert new[0] == "import os\n"  # already imported, nothing else added
    assert result.env_vars and all(v.isupper() for v in result.env_vars)
    report = repr(result)
    secret = before.split('"')[-2] if "getenv" not in before else TOKEN
    assert TOKEN not in report and secret not in report


def test_secret_adds_import_os(fix) -> None:
    new, result = fix([f'import requests\nAPI_KEY = "{TOKEN}"\n'])
    assert new[0] == 'import requests\nimport os\nAPI_KEY = os.environ["GITHUB_TOKEN"]\n'
    assert result.env_vars == ["GITHUB_TOKEN"]


def test_environ_assignment_is_removed(fix) -> None:
    new, _ = fix(["import os\n", f'os.environ["GITHUB_TOKEN"] = "{TOKEN}"\nx = 1\n'])
    assert new[1] == "pass  # GITHUB_TOKEN: set it in the environment (nb2prod --fix)\nx = 1\n"


def test_markdown_and_outputs(tmp_path) -> None:
    from nb2prod.fix.engine import fix_notebook
    from tests.fix.conftest import settings, sources
    from tests.helpers import code, markdown, notebook, write

    out = [{"output_type": "stream", "name": "stdout", "text": [f"token={TOKEN}\n"]}]
    path = write(
        tmp_path / "n.ipynb",
        notebook([markdown(f"Log in with `{TOKEN}`."), code("print(t)", outputs=out, count=1)]),
    )
    result = fix_notebook(path, settings())
    assert sources(path)[0] == "Log in with `<redacted: set GITHUB_TOKEN>`."
    text = path.read_text()
    assert TOKEN not in text and '"outputs": []' in text
    assert {r.code for r in result.rewrites} == {"SEC004", "SEC005"}
    assert TOKEN not in "".join(result.diffs)


def test_report_text_is_masked(fix) -> None:
    from nb2prod.fix.report import render_text

    _, result = fix(["import os\n", f'API_KEY = "{TOKEN}"\nopen("/etc/x.txt")\n'])
    text = render_text(result, diff=True)
    assert TOKEN not in text and "GITHUB_TOKEN" in text
    assert "SEC001 fixed" in text and "IO001 not fixed" in text and "(written)" in text
