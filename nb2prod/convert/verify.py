"""Check a converted package against its notebook: run both, compare what they print.

The notebook is executed with nbclient (in a subprocess of the chosen interpreter, in a
scratch folder); the package with ``python -m <pkg>`` (``src`` on ``PYTHONPATH``). What the
cells print (stream ``stdout`` outputs, not displayed values) is compared line by line
with what the package prints: lines are aligned on their shape (numbers and memory
addresses masked), numbers in aligned lines are compared with a tolerance, and every
mismatch names the notebook cell that printed the expected line.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Mismatch", "NotebookRun", "VerifyResult", "compare", "run_notebook", "verify"]

_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")

# Executed by the chosen interpreter: argv = notebook, per-cell timeout, JSON result path.
_RUNNER = r"""
import json, sys
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
path, timeout, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
nb = nbformat.read(path, as_version=4)
error = None
try:
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False).execute()
except CellExecutionError as exc:
    error = (getattr(exc, "ename", "") + ": " + getattr(exc, "evalue", "")).strip(": ")
except Exception as exc:
    error = type(exc).__name__ + ": " + str(exc)
cells, failed = [], None
for i, cell in enumerate(nb.cells, 1):
    text = "".join(
        o.get("text", "") for o in cell.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )
    if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
        failed = failed or i
    cells.append([i, text])
with open(out, "w", encoding="utf-8") as f:
    json.dump({"cells": cells, "error": error, "failed_cell": failed}, f)
"""


@dataclass(slots=True)
class Mismatch:
    kind: str  # "value" (same line, numbers differ), "changed", "missing", "extra"
    cell: int | None  # notebook cell (Cell.index) that printed the expected line
    expected: str | None
    actual: str | None
    line: int | None = None  # 1-based line of the package's stdout


@dataclass(slots=True)
class NotebookRun:
    cells: list[tuple[int, str]]  # (cell index counting all cells from 1, stdout)
    error: str | None = None  # why the notebook did not run to the end
    failed_cell: int | None = None
    seconds: float = 0.0


@dataclass(slots=True)
class VerifyResult:
    notebook: str
    package: str | None
    faithful: bool
    mismatches: list[Mismatch] = field(default_factory=list)
    error: str | None = None  # verification could not be completed (notebook failed ...)
    returncode: int | None = None  # of ``python -m <pkg>``
    stderr_tail: str = ""
    notebook_seconds: float = 0.0
    package_seconds: float = 0.0
    expected_lines: int = 0

    @property
    def values_only(self) -> bool:
        """Every line printed where expected; only numbers differ (e.g. timings)."""
        return self.error is None and all(m.kind == "value" for m in self.mismatches)


def _shape(line: str) -> str:
    return _NUMBER.sub("#", _ADDRESS.sub("0x?", line))


def _close(a: str, b: str, rel_tol: float, abs_tol: float) -> bool:
    try:
        x, y = float(a), float(b)
    except ValueError:
        return a == b
    return x == y or math.isclose(x, y, rel_tol=rel_tol, abs_tol=abs_tol)


def same_line(expected: str, actual: str, rel_tol: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    """Equal text, numbers within tolerance, memory addresses ignored."""
    if expected == actual:
        return True
    if _shape(expected) != _shape(actual):
        return False
    xs = _NUMBER.findall(_ADDRESS.sub("", expected))
    ys = _NUMBER.findall(_ADDRESS.sub("", actual))
    return all(_close(x, y, rel_tol, abs_tol) for x, y in zip(xs, ys, strict=True))


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def compare(
    expected: list[tuple[int, str]],
    actual: str,
    rel_tol: float = 1e-6,
    abs_tol: float = 1e-9,
) -> list[Mismatch]:
    """Mismatches between the cells' stdout ``[(cell, text)]`` and the package's stdout."""
    exp = [(cell, line) for cell, text in expected for line in _lines(text)]
    act = _lines(actual)
    matcher = difflib.SequenceMatcher(
        None, [_shape(x) for _, x in exp], [_shape(y) for y in act], autojunk=False
    )
    out: list[Mismatch] = []
    last_cell: int | None = exp[0][0] if exp else None
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for (cell, x), j in zip(exp[i1:i2], range(j1, j2), strict=True):
                if not same_line(x, act[j], rel_tol, abs_tol):
                    out.append(Mismatch("value", cell, x, act[j], j + 1))
            last_cell = exp[i2 - 1][0]
            continue
        pairs = min(i2 - i1, j2 - j1)
        for k in range(pairs):
            cell, x = exp[i1 + k]
            out.append(Mismatch("changed", cell, x, act[j1 + k], j1 + k + 1))
        for cell, x in exp[i1 + pairs : i2]:
            out.append(Mismatch("missing", cell, x, None))
        if i2 > i1:
            last_cell = exp[i2 - 1][0]
        for j in range(j1 + pairs, j2):
            out.append(Mismatch("extra", last_cell, None, act[j], j + 1))
    return out


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONIOENCODING": "utf-8"}
    env.pop("PYTHONPATH", None)
    return {**env, **(extra or {})}


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float):
    """subprocess.run in its own session; the whole group (kernel included) dies on timeout."""
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def has_nbclient(python: str) -> bool:
    """Whether ``python`` can execute notebooks (nbclient and ipykernel importable)."""
    proc = subprocess.run(
        [python, "-c", "import nbclient, ipykernel, nbformat"],
        capture_output=True,
        check=False,
    )
    return proc.returncode == 0


def run_notebook(notebook: str | Path, python: str, timeout: float = 120) -> NotebookRun:
    """Execute the notebook with nbclient in a scratch folder; collect each cell's stdout."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nb2prod-verify-nb-") as scratch:
        result = Path(scratch) / ".nb2prod-result.json"
        cmd = [python, "-c", _RUNNER, str(Path(notebook).resolve()), str(int(timeout)), str(result)]
        proc = _run(cmd, Path(scratch), _env(), timeout)
        seconds = time.perf_counter() - start
        if proc is None:
            return NotebookRun([], f"notebook timed out after {timeout:g} s", seconds=seconds)
        if not result.is_file():
            tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            return NotebookRun([], f"could not execute the notebook: {tail}", seconds=seconds)
        data = json.loads(result.read_text(encoding="utf-8"))
    cells = [(int(i), text) for i, text in data["cells"]]
    return NotebookRun(cells, data["error"], data["failed_cell"], seconds)


def package_name(package_dir: str | Path) -> str | None:
    """The package under ``src/`` that has a ``__main__.py``."""
    found = sorted(p.parent.name for p in Path(package_dir, "src").glob("*/__main__.py"))
    return found[0] if len(found) == 1 else None


def run_package(package_dir: str | Path, python: str, timeout: float = 120):
    """``python -m <pkg>`` in a scratch folder; None on timeout."""
    pkg = package_name(package_dir)
    if pkg is None:
        raise ValueError(f"{package_dir}: no single src/<package>/__main__.py")
    env = _env({"PYTHONPATH": str(Path(package_dir, "src").resolve()), "MPLBACKEND": "Agg"})
    with tempfile.TemporaryDirectory(prefix="nb2prod-verify-pkg-") as scratch:
        return _run([python, "-m", pkg], Path(scratch), env, timeout)


def verify(
    notebook_path: str | Path,
    package_dir: str | Path,
    python: str,
    timeout: float = 120,
    rel_tol: float = 1e-6,
    abs_tol: float = 1e-9,
    notebook_run: NotebookRun | None = None,
) -> VerifyResult:
    """Run notebook and package; ``faithful`` when both finish and print the same lines.

    ``notebook_run`` reuses an earlier execution of the notebook (it does not change).
    """
    pkg = package_name(package_dir)
    result = VerifyResult(str(notebook_path), pkg, faithful=False)
    if pkg is None:
        result.error = f"{package_dir}: no single src/<package>/__main__.py"
        return result
    nb = notebook_run or run_notebook(notebook_path, python, timeout)
    result.notebook_seconds = nb.seconds
    result.expected_lines = sum(len(_lines(text)) for _, text in nb.cells)
    if nb.error is not None:
        where = f" (cell {nb.failed_cell})" if nb.failed_cell else ""
        result.error = f"notebook failed{where}: {nb.error}"
        return result
    start = time.perf_counter()
    proc = run_package(package_dir, python, timeout)
    result.package_seconds = time.perf_counter() - start
    if proc is None:
        result.error = f"package timed out after {timeout:g} s"
        return result
    result.returncode = proc.returncode
    result.stderr_tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
    result.mismatches = compare(nb.cells, proc.stdout, rel_tol, abs_tol)
    result.faithful = proc.returncode == 0 and not result.mismatches
    return result
