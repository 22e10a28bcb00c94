"""Helpers for --fix tests: build a notebook from cell sources, fix it, read it back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nb2prod.config import load_settings
from nb2prod.fix.engine import fix_notebook
from nb2prod.fix.model import FixResult
from nb2prod.notebook.model import join_source
from tests.helpers import code, markdown, notebook, write

DATA_URI = "s3://acme-data/churn"


def settings(**overrides):
    return load_settings(overrides={"data-uri": DATA_URI, **overrides}, start=Path("/"))


def make(tmp: Path, cells: list[str | tuple[str, str]], name: str = "nb.ipynb") -> Path:
    built = []
    for c in cells:
        if isinstance(c, tuple):
            built.append(markdown(c[1]))
        else:
            built.append(code(c))
    return write(tmp / name, notebook(built))


def sources(path: Path) -> list[str]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return [join_source(c["source"]) for c in doc["cells"]]


@pytest.fixture
def fix(tmp_path: Path):
    """fix(cells, **settings) -> (new sources, FixResult)."""

    def run(cells, **overrides) -> tuple[list[str], FixResult]:
        path = make(tmp_path, cells)
        result = fix_notebook(path, settings(**overrides))
        return sources(path), result

    return run


# -- a real S3-compatible server (moto) on loopback, shared by the S3 tests ------------------
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def s3():
    """The endpoint URL of a moto S3 server started for the test session."""
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_env(endpoint: str, **extra: str) -> dict[str, str]:
    """This process's environment plus fake credentials pointing boto/s3fs at ``endpoint``."""
    import os

    return {
        **os.environ,
        **FAKE_AWS,
        "AWS_ENDPOINT_URL_S3": endpoint,
        "AWS_ENDPOINT_URL": endpoint,
        **extra,
    }


def s3_client(endpoint: str):
    """A boto3 S3 client for the test server."""
    boto3 = pytest.importorskip("boto3")
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=FAKE_AWS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_AWS["AWS_SECRET_ACCESS_KEY"],
        region_name=FAKE_AWS["AWS_DEFAULT_REGION"],
    )
