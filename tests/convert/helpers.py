"""Run a generated package, or a notebook's own cells, in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_package(
    out: Path, package: str, *args: str, env: dict | None = None, cwd: Path, timeout: float = 60
):
    """``python -m package args`` with ``out/src`` on the path, in ``cwd``."""
    full_env = {**os.environ, "PYTHONPATH": str(out / "src"), "MPLBACKEND": "Agg", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", package, *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_cells_as_script(sources: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """The notebook's own code, cell after cell, executed in a fresh interpreter."""
    script = "\n".join(sources)
    code = f"exec(compile({script!r}, 'notebook', 'exec'), {{'__name__': '__main__'}})"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=60
    )


# The interpreter that runs notebooks for --verify (nbclient and ipykernel importable).
VERIFY_PYTHON = os.environ.get("NB2PROD_VERIFY_PYTHON", sys.executable)


def run_package_tests(folder: Path) -> subprocess.CompletedProcess:
    """The generated package's own tests (``pytest -q``) in ``folder``, with VERIFY_PYTHON."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [VERIFY_PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
