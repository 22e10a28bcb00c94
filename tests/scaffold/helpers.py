"""Build scaffolded projects from the sample notebooks, train them, serve them with uvicorn."""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import SAMPLES

DATA = SAMPLES / "data"
NOTEBOOKS = {
    "classification": "churn_classifier",
    "regression": "delivery_time_regression",
}
_RUNNING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")


@dataclass
class Built:
    """A converted, scaffolded and trained sample project."""

    project: Path
    package: str
    model_uri: str
    metadata: dict[str, Any]
    results: dict[str, Any]  # what pipeline.run() returned

    def module(self, name: str) -> Any:
        """A module of the generated package (``train``, ``artifact``, ``service.app`` ...)."""
        return importlib.import_module(f"{self.package}.{name}")

    @property
    def features(self) -> Any:
        return self.results[self.metadata["features"]["variable"]]

    def rows(self, positions: list[int]) -> tuple[Any, list[dict[str, Any]]]:
        """Training rows as the model takes them, and the same rows as request records
        (built here, not by the generated code)."""
        X = self.features
        names = [c["name"] for c in self.metadata["features"]["columns"]]
        if hasattr(X, "iloc"):
            rows = X.iloc[positions]
            values = rows.to_numpy(dtype=object).tolist()
        else:
            rows = X[positions]
            values = rows.tolist()
        plain = [[v.item() if hasattr(v, "item") else v for v in row] for row in values]
        return rows, [dict(zip(names, row, strict=True)) for row in plain]


def env_for(package: str, **extra: str) -> dict[str, str]:
    """The environment of a generated project's processes: its data from the samples, one
    OpenMP thread (two test workers share two cores), its src folder importable."""
    prefix = package.upper() + "_"
    return {
        **os.environ,
        prefix + "DATA_URI": str(DATA),
        "OMP_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        **extra,
    }


def convert_and_scaffold(name: str, out: Path) -> Path:
    """``nb2prod convert`` the sample notebook ``name``, then ``nb2prod scaffold`` it."""
    from nb2prod.convert import run as convert
    from nb2prod.scaffold import run as scaffold

    converted = convert(SAMPLES / f"{name}.ipynb", out)
    assert converted.exit_code == 0, (converted.error, converted.findings)
    scaffolded = scaffold(out)
    assert scaffolded.exit_code == 0, scaffolded.error
    return out


def run_in_project(
    project: Path, args: list[str], env: dict[str, str], timeout: float = 600
) -> subprocess.CompletedProcess:
    """``python <args>`` in the generated project, its src folder importable."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=project,
        env={**env, "PYTHONPATH": str(project / "src")},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def import_project(project: Path, package: str) -> None:
    """Make the generated package importable in this process."""
    src = str(project / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    importlib.invalidate_caches()
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]


def train_in_process(project: Path, package: str, location: str) -> Built:
    """Run the generated pipeline here and save its model as ``python -m <pkg>.train`` does."""
    import_project(project, package)
    train = importlib.import_module(f"{package}.train")
    pipeline = importlib.import_module(f"{package}.pipeline")
    settings_mod = importlib.import_module(f"{package}.settings")
    artifact = importlib.import_module(f"{package}.artifact")
    settings = settings_mod.load_settings([], environ={package.upper() + "_DATA_URI": str(DATA)})
    results = pipeline.run(settings)
    model, meta = train.build(results, settings)
    saved = artifact.save(model, meta, location)
    return Built(project, package, location, saved, results)


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> int:
        """SIGTERM, as an orchestrator does; uvicorn shuts down gracefully."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@contextlib.contextmanager
def serve(project: Path, package: str, env: dict[str, str], log: Path) -> Iterator[Server]:
    """``python -m <pkg>.service`` on a free loopback port; yields once the port is known."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", f"{package}.service", "--host", "127.0.0.1", "--port", "0"],
            cwd=project,
            env={**env, "PYTHONPATH": str(project / "src")},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = None
    try:
        deadline = time.monotonic() + 60
        while server is None:
            found = _RUNNING.search(log.read_text(errors="replace"))
            if found:
                server = Server(f"http://127.0.0.1:{found.group(1)}", process, log)
            elif process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the service did not start:\n{log.read_text()}")
            else:
                time.sleep(0.05)
        yield server
    finally:
        if server is not None:
            server.stop()
        elif process.poll() is None:
            process.kill()
            process.wait()


def wait_ready(client: Any, timeout: float = 60) -> dict[str, Any]:
    """Poll ``/ready`` until the model is loaded; its answer."""
    deadline = time.monotonic() + timeout
    while True:
        answer = client.get("/ready")
        if answer.status_code == 200:
            return answer.json()
        assert answer.status_code == 503, answer.text
        if answer.json().get("status") == "failed" or time.monotonic() > deadline:
            raise AssertionError(f"model not loaded: {answer.text}")
        time.sleep(0.05)
