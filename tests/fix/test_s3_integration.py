"""A fixed notebook's code runs against a real S3-compatible server (moto, on loopback)
and gives the same results as the original code on local files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nb2prod.notebook.load import load_notebook
from tests.fix.conftest import make, s3_client, s3_env, settings

pytest.importorskip("moto.server")
pytest.importorskip("s3fs")
pytest.importorskip("boto3")

BUCKET = "acme-data"
CELLS = [
    "import csv\nimport json\nimport pickle\n",
    'with open("data/rows.csv", newline="") as f:\n    rows = list(csv.DictReader(f))\n',
    'CONF = "config"\nsettings = json.load(open(CONF + "/params.json"))\n',
    "total = sum(int(r['n']) * settings['scale'] for r in rows)\n",
    'with open("out/total.txt", "w") as f:\n    f.write(str(total))\n',
    'pickle.dump({"total": total}, open("out/model.pkl", "wb"))\n',
    'print(json.dumps({"total": total, "rows": len(rows)}))\n',
]
FILES = {"data/rows.csv": "n,name\n1,a\n2,b\n39,c\n", "config/params.json": '{"scale": 3}'}
RUNNER = """
import json, sys
cells = json.load(open(sys.argv[1]))
ns = {}
for source in cells:
    exec(compile(source, "<cell>", "exec"), ns)
"""


def _run(cells: list[str], cwd: Path, env: dict[str, str]) -> str:
    script = cwd / "cells.json"
    script.write_text(json.dumps(cells))
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, str(script)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_fixed_notebook_runs_against_s3(tmp_path: Path, s3: str) -> None:
    env = s3_env(s3)
    local = tmp_path / "local"
    (local / "out").mkdir(parents=True)
    for name, content in FILES.items():
        (local / name).parent.mkdir(parents=True, exist_ok=True)
        (local / name).write_text(content)
    expected = _run(CELLS, local, env)
    assert json.loads(expected) == {"total": 3 * (1 + 2 + 39), "rows": 3}

    client = s3_client(s3)
    client.create_bucket(Bucket=BUCKET)
    for name, content in FILES.items():
        client.put_object(Bucket=BUCKET, Key=f"churn/{name}", Body=content.encode())

    from nb2prod.fix.engine import fix_notebook

    path = make(tmp_path, CELLS)
    result = fix_notebook(path, settings())
    assert len(result.rewrites) == 4 and not result.skipped
    fixed = [c.source for c in load_notebook(path).cells]
    assert not re.search(r"(?<![.\w])open\(", "".join(fixed))  # no builtin open left

    remote = tmp_path / "remote"  # an empty folder: no local file can be read
    remote.mkdir()
    assert _run(fixed, remote, env) == expected
    assert not any(remote.rglob("*.txt")) and not any(remote.rglob("*.pkl"))
    body = client.get_object(Bucket=BUCKET, Key="churn/out/total.txt")["Body"].read()
    assert body.decode() == (local / "out" / "total.txt").read_text() == "126"
    model = client.get_object(Bucket=BUCKET, Key="churn/out/model.pkl")["Body"].read()
    assert model == (local / "out" / "model.pkl").read_bytes()


def test_pandas_and_numpy_through_s3(tmp_path: Path, s3: str) -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("numpy")
    cells = [
        "import numpy as np\nimport pandas as pd\n",
        'df = pd.read_csv("data/rows.csv")\ndf["m"] = df["n"] * 2\n',
        'df.to_csv("out/rows2.csv", index=False)\nnp.save("out/arr", df["m"].to_numpy())\n',
        'arr = np.load("out/arr.npy")\nprint(int(arr.sum()), len(pd.read_csv("out/rows2.csv")))\n',
    ]
    env = s3_env(s3, NB2PROD_DATA_URI="s3://pandas-bucket/p")
    local = tmp_path / "local"
    (local / "data").mkdir(parents=True)
    (local / "out").mkdir()
    (local / "data" / "rows.csv").write_text(FILES["data/rows.csv"])
    expected = _run(cells, local, env)
    assert expected == "84 3\n"
    client = s3_client(s3)
    client.create_bucket(Bucket="pandas-bucket")
    client.put_object(
        Bucket="pandas-bucket", Key="p/data/rows.csv", Body=FILES["data/rows.csv"].encode()
    )
    from nb2prod.fix.engine import fix_notebook

    path = make(tmp_path, cells)
    result = fix_notebook(path, settings())  # default s3://acme-data/churn, overridden by env
    assert len(result.rewrites) == 5 and not result.skipped
    remote = tmp_path / "remote"
    remote.mkdir()
    assert _run([c.source for c in load_notebook(path).cells], remote, env) == expected
    keys = {o["Key"] for o in client.list_objects_v2(Bucket="pandas-bucket")["Contents"]}
    assert {"p/out/rows2.csv", "p/out/arr.npy"} <= keys
