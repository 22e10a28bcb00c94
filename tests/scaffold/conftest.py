"""Fixtures of the scaffold tests: each sample project is converted, scaffolded and trained
once per test process, and shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fix.conftest import s3  # noqa: F401 - the moto S3 server fixture, reused
from tests.scaffold.helpers import NOTEBOOKS, Built, convert_and_scaffold, train_in_process

pytest.importorskip("fastapi")
pytest.importorskip("sklearn")

_BUILT: dict[str, Built] = {}


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """built(kind) -> the sample project of that kind ("classification", "regression"),
    converted, scaffolded and trained (model in a local folder)."""

    def get(kind: str) -> Built:
        if kind not in _BUILT:
            name = NOTEBOOKS[kind]
            root: Path = tmp_path_factory.mktemp(kind)
            project = convert_and_scaffold(name, root / name)
            _BUILT[kind] = train_in_process(project, name, str(root / "model"))
        return _BUILT[kind]

    return get
