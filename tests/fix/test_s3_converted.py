"""Done means (issue 5): a notebook that reads a local CSV is fixed (`lint --fix`),
converted (`convert`), and the generated package runs against a real S3-compatible server
(moto, on loopback): same printed results as the original code on local files, and its
write lands in the bucket."""

from __future__ import annotations

from pathlib import Path

import pytest

from nb2prod.convert import run as convert
from tests.convert.helpers import run_cells_as_script, run_package
from tests.fix.conftest import make, s3_client, s3_env, settings

pytest.importorskip("pandas", reason="pandas is needed to run the notebook code")
pytest.importorskip("s3fs", reason="s3fs is needed to reach S3 through fsspec")
pytest.importorskip("boto3")
pytest.importorskip("moto.server")

BUCKET = "converted-data"
CSV = "region,sales\nnorth,10\nsouth,32\nnorth,5\neast,7\n"
CELLS = [
    "import pandas as pd\n",
    'df = pd.read_csv("data/sales.csv")\n',
    'totals = df.groupby("region", as_index=False)["sales"].sum()\n'
    'print(totals.to_csv(index=False), end="")\n',
    'totals.to_csv("out/totals.csv", index=False)\nprint(int(totals["sales"].sum()))\n',
]


def test_fixed_and_converted_package_runs_against_s3(tmp_path: Path, s3: str) -> None:
    local = tmp_path / "local"
    (local / "data").mkdir(parents=True)
    (local / "out").mkdir()
    (local / "data" / "sales.csv").write_text(CSV)
    original = run_cells_as_script(CELLS, local)
    assert original.returncode == 0, original.stderr
    assert original.stdout == "region,sales\neast,7\nnorth,15\nsouth,32\n54\n"

    client = s3_client(s3)
    client.create_bucket(Bucket=BUCKET)
    client.put_object(Bucket=BUCKET, Key="proj/data/sales.csv", Body=CSV.encode())

    from nb2prod.fix.engine import fix_notebook

    nb = make(tmp_path, CELLS, name="sales_report.ipynb")
    fixed = fix_notebook(nb, settings(**{"data-uri": f"s3://{BUCKET}/proj"}))
    assert {r.code for r in fixed.rewrites} == {"IO001", "IO002"} and not fixed.skipped

    out = tmp_path / "pkg"
    result = convert(nb, out)
    assert result.exit_code == 0, result.findings
    assert not [f for f in result.findings if f.code.startswith("IO")]  # all through S3 now
    assert "NB2PROD_DATA_URI=" in (out / ".env.example").read_text().splitlines()

    remote = tmp_path / "remote"  # an empty folder: no local file can be read
    remote.mkdir()
    env = s3_env(s3, NB2PROD_DATA_URI=f"s3://{BUCKET}/proj")
    proc = run_package(out, result.package, env=env, cwd=remote)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == original.stdout
    assert not any(remote.rglob("*.csv"))
    body = client.get_object(Bucket=BUCKET, Key="proj/out/totals.csv")["Body"].read()
    assert body.decode() == (local / "out" / "totals.csv").read_text()
