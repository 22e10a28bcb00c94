"""The model artifact and the calculation log on S3 (a moto server on loopback): train
writes the model to an s3:// location, the service loads it from there and writes its
calculation log under an s3:// prefix, in batches of the configured size and at shutdown."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from tests.fix.conftest import s3_client, s3_env
from tests.scaffold.helpers import env_for, serve, wait_ready

pytest.importorskip("s3fs")
pytest.importorskip("moto.server")
httpx = pytest.importorskip("httpx")

BUCKET = "scaffold-models"


def _objects(client, prefix: str) -> list[str]:
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def _lines(client, keys: list[str]) -> list[dict]:
    out = []
    for key in keys:
        body = client.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
        out.extend(json.loads(line) for line in body.splitlines())
    return out


def test_train_to_s3_then_serve_from_s3_with_the_calculation_log_on_s3(
    built, s3, tmp_path, monkeypatch
):
    b = built("regression")
    client = s3_client(s3)
    client.create_bucket(Bucket=BUCKET)
    prefix = b.package.upper() + "_"
    env = env_for(b.package, **{k: v for k, v in s3_env(s3).items() if k.startswith("AWS_")})
    model_uri = f"s3://{BUCKET}/models/{b.package}"

    trained = subprocess.run(
        [sys.executable, "-m", f"{b.package}.train", "--out", model_uri],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(b.project / "src")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert trained.returncode == 0, trained.stderr
    assert _objects(client, "models/") == [
        f"models/{b.package}/features.joblib",
        f"models/{b.package}/metadata.json",
        f"models/{b.package}/model.joblib",
    ]
    metadata = json.loads(
        client.get_object(Bucket=BUCKET, Key=f"models/{b.package}/metadata.json")["Body"].read()
    )
    assert f"saved model {metadata['version']} (regressor) to {model_uri}" in trained.stdout
    assert metadata["features"] == b.metadata["features"]  # same data, same features

    service_env = {
        **env,
        prefix + "MODEL_URI": model_uri,
        prefix + "CALCULATION_LOG_URI": f"s3://{BUCKET}/calculations/",
        prefix + "CALCULATION_LOG_BATCH": "5",
        prefix + "CALCULATION_LOG_SECONDS": "3600",  # only size and shutdown trigger a write
    }
    records = [e["record"] for e in metadata["records"]["examples"][:12]]  # raw records
    with serve(b.project, b.package, service_env, tmp_path / "server.log") as server:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            assert wait_ready(http)["model_version"] == metadata["version"]
            ids = []
            for record in records:
                answer = http.post("/predict", json=record)
                assert answer.status_code == 200, answer.text
                ids.append(answer.json()["request_id"])
            deadline = time.monotonic() + 20
            while len(_objects(client, "calculations/")) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            written = _objects(client, "calculations/")
            assert len(written) == 2  # two full batches of 5; 2 lines wait for shutdown
            assert [len(_lines(client, [k])) for k in written] == [5, 5]
        assert server.stop() in (0, -signal.SIGTERM)  # uvicorn re-raises it once done
        assert "Application shutdown complete" in server.log.read_text()

    keys = _objects(client, "calculations/")
    assert len(keys) == 3
    lines = _lines(client, keys)
    assert [line["request_id"] for line in lines] == ids
    assert all(line["model_version"] == metadata["version"] for line in lines)
    assert [line["inputs"] for line in lines] == records

    for name, value in s3_env(s3).items():  # the scientist's side: back into pandas
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    import fsspec

    fsspec.config.conf.pop("s3", None)
    log = b.module("service.calculation_log").read_calculations(f"s3://{BUCKET}/calculations")
    assert list(log["request_id"]) == ids
    assert list(log["inputs.zone"]) == [r["zone"] for r in records]
