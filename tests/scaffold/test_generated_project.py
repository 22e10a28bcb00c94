"""Done means (issue 6): the generated project's own tests (the package's and the
service's) pass when run there, with this interpreter. The pipeline reads its data from
the notebook's default S3 location, served by moto on loopback."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.fix.conftest import s3_client, s3_env
from tests.scaffold.helpers import DATA

pytest.importorskip("s3fs")
pytest.importorskip("moto.server")

# The notebooks' DATA_URI defaults, and the file each reads there.
DATA_AT = {
    "classification": ("churn/2024-09/customers.csv", "customers.csv"),
    "regression": ("logistics/deliveries/2024-09/deliveries.csv", "deliveries.csv"),
}


@pytest.mark.parametrize("kind", sorted(DATA_AT))
def test_the_generated_tests_pass_in_the_generated_project(kind, built, s3):
    b = built(kind)
    client = s3_client(s3)
    client.create_bucket(Bucket="acme-data")
    key, name = DATA_AT[kind]
    client.put_object(Bucket="acme-data", Key=key, Body=(DATA / name).read_bytes())
    env = {**s3_env(s3), "OMP_NUM_THREADS": "1"}
    env.pop(b.package.upper() + "_DATA_URI", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", "-W", "ignore"],
        cwd=b.project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    outcomes = {
        m.group(2): m.group(1)
        for m in re.finditer(r"^(PASSED|FAILED|ERROR) (tests/\S+)", proc.stdout, re.MULTILINE)
    }
    service = {test: outcome for test, outcome in outcomes.items() if "test_service.py" in test}
    assert len(service) == 10 and set(service.values()) == {"PASSED"}, service
    assert "tests/test_pipeline.py::test_pipeline_runs_end_to_end" in outcomes
    assert not {"FAILED", "ERROR"} & set(outcomes.values()), outcomes
