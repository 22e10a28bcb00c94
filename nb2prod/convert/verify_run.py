"""Running a notebook and its converted package in subprocesses of the chosen interpreter.

The notebook is executed with nbclient in a scratch copy of its folder, with a probe after
the last cell of each step that records fingerprints of the step's names (the package's
``tests/golden.py`` defines them). The package runs its pipeline (``src`` on
``PYTHONPATH``) with each step function wrapped to record the same fingerprints of what it
returns. A timeout kills the whole process group, kernel included.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nb2prod.convert.magic_output import cleaned
from nb2prod.notebook.model import Notebook

# Executed by the chosen interpreter. argv: notebook, per-cell timeout, JSON result path,
# probes JSON path ({"support": path of golden.py, "values": JSON-lines path,
# "probes": [[after cell, step, names]]}, or "-" for none).
_RUNNER = r"""
import json, sys
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
path, timeout, out, probes_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
nb = nbformat.read(path, as_version=4)
original = list(nb.cells)
if len(sys.argv) > 5 and sys.argv[5] != "-":  # cell sources with framed magics
    with open(sys.argv[5], encoding="utf-8") as f:
        for i, source in json.load(f).items():
            original[int(i) - 1].source = source
if probes_path != "-":
    with open(probes_path, encoding="utf-8") as f:
        spec = json.load(f)
    load = "\n".join([
        "def _nb2prod_load(path):",
        "    import importlib.util, sys",
        "    spec = importlib.util.spec_from_file_location('_nb2prod_golden', path)",
        "    module = importlib.util.module_from_spec(spec)",
        "    sys.modules['_nb2prod_golden'] = module",
        "    spec.loader.exec_module(module)",
        "_nb2prod_load(%r)" % spec["support"],
        "del _nb2prod_load",
    ])
    after = {}
    for cell, step, names in spec["probes"]:
        after.setdefault(cell, []).append(
            "__import__('sys').modules[%r].probe(%r, %r, globals(), %r)"
            % ("_nb2prod_golden", spec["values"], step, names)
        )
    cells = [nbformat.v4.new_code_cell(load)]
    for i, cell in enumerate(original, 1):
        cells.append(cell)
        cells += [nbformat.v4.new_code_cell(code) for code in after.get(i, [])]
    nb.cells = cells
error = None
try:
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False).execute()
except CellExecutionError as exc:
    error = (getattr(exc, "ename", "") + ": " + getattr(exc, "evalue", "")).strip(": ")
except Exception as exc:
    error = type(exc).__name__ + ": " + str(exc)
cells, failed = [], None
for i, cell in enumerate(original, 1):
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

# argv: package, golden.py path, golden.json path, values output path (JSON), and
# optionally the notebook's values (JSON {step: {name: fingerprint}}, or "-"): its models'
# recorded rows are given to the package's models, so their predictions can be compared.
_PACKAGE_RUNNER = r"""
import importlib, importlib.util, json, sys
pkg, support, layout_path, out = sys.argv[1:5]
spec = importlib.util.spec_from_file_location("_nb2prod_golden", support)
golden = importlib.util.module_from_spec(spec)
sys.modules["_nb2prod_golden"] = golden
spec.loader.exec_module(golden)
with open(layout_path, encoding="utf-8") as f:
    layout = json.load(f)["steps"]
expected = None
if len(sys.argv) > 5 and sys.argv[5] != "-":
    with open(sys.argv[5], encoding="utf-8") as f:
        expected = json.load(f)
steps = importlib.import_module(pkg + ".steps")
main = importlib.import_module(pkg + ".__main__").main
with golden.recording(steps, layout, expected) as values:
    try:
        code = main([])
    finally:
        with open(out, "w", encoding="utf-8") as f:
            json.dump(values, f, allow_nan=False)
sys.exit(code)
"""


@dataclass(slots=True)
class NotebookRun:
    cells: list[tuple[int, str]]  # (cell index counting all cells from 1, stdout)
    error: str | None = None  # why the notebook did not run to the end
    failed_cell: int | None = None
    seconds: float = 0.0
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # step -> name -> fp


@dataclass(slots=True)
class PackageRun:
    returncode: int
    stdout: str
    stderr: str
    values: dict[str, dict[str, Any]]  # step -> name -> fingerprint of what it returned
    seconds: float


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


def read_layout(package_dir: str | Path | None) -> dict[str, Any] | None:
    """The package's ``tests/golden.json`` (None when it has none or it is unreadable)."""
    if package_dir is None:
        return None
    path = Path(package_dir, "tests", "golden.json")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _read_values(path: Path) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            step, fps = json.loads(line)
            values[step] = fps
    return values


def load_or_none(notebook: str | Path) -> Notebook | None:
    """The notebook, or None when it cannot be read here (its run then fails on its own,
    with its own error)."""
    from nb2prod.errors import InputError
    from nb2prod.notebook.load import load_notebook

    try:
        return load_notebook(notebook)
    except InputError:
        return None


def run_notebook(
    notebook: str | Path,
    python: str,
    timeout: float = 120,
    package_dir: str | Path | None = None,
    nb: Notebook | None = None,
) -> NotebookRun:
    """Execute the notebook with nbclient in a scratch copy of its folder (see
    :mod:`nb2prod.convert.scratch`); collect each cell's stdout,
    and with ``package_dir`` the fingerprints of each step's names after its last cell.
    ``nb``: the notebook at ``notebook`` already loaded (else it is loaded here)."""
    start = time.perf_counter()
    layout = read_layout(package_dir)
    support = Path(package_dir, "tests", "golden.py").resolve() if package_dir else None
    from nb2prod.convert.scratch import notebook_scratch

    if nb is None:
        nb = load_or_none(notebook)
    with tempfile.TemporaryDirectory(prefix="nb2prod-verify-") as tmp:
        # In a copy of its folder: relative paths resolve as in Jupyter, writes stay here.
        scratch = notebook_scratch(notebook, Path(tmp, "run"), _climb(nb))
        result = Path(tmp, "result.json")
        values = Path(tmp, "values.jsonl")
        probes = "-"
        if layout is not None and support is not None and support.is_file():
            spec = {
                "support": str(support),
                "values": str(values),
                "probes": [[s["cells"][-1], s["name"], s["outputs"]] for s in layout["steps"]],
            }
            probes = str(Path(tmp, "probes.json"))
            Path(probes).write_text(json.dumps(spec), encoding="utf-8")
        path = str(Path(notebook).resolve())
        framed, special = _framed(nb)
        sources = "-"
        if framed:
            sources = str(Path(tmp, "sources.json"))
            Path(sources).write_text(json.dumps(framed), encoding="utf-8")
        cmd = [python, "-c", _RUNNER, path, str(int(timeout)), str(result), probes, sources]
        proc = _run(cmd, scratch, _env(), timeout)
        seconds = time.perf_counter() - start
        if proc is None:
            return NotebookRun([], f"notebook timed out after {timeout:g} s", seconds=seconds)
        if not result.is_file():
            tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            return NotebookRun([], f"could not execute the notebook: {tail}", seconds=seconds)
        data = json.loads(result.read_text(encoding="utf-8"))
        recorded = _read_values(values)
    cells = [(int(i), cleaned(text, special.get(int(i)))) for i, text in data["cells"]]
    return NotebookRun(cells, data["error"], data["failed_cell"], seconds, recorded)


def _climb(nb: Notebook | None) -> int:
    """How many folders above its own the notebook reads or writes (``..``); 0 when it
    could not be read (as :func:`nb2prod.convert.local_paths.notebook_climb`)."""
    if nb is None:
        return 0
    from nb2prod.convert.local_paths import route_local_paths
    from nb2prod.notebook.parse import parse_notebook

    return route_local_paths(nb, parse_notebook(nb))[1].climb


def _framed(nb: Notebook | None) -> tuple[dict[int, str], dict[int, str]]:
    """The notebook's cells with their magic and shell lines framed by markers (see
    :mod:`nb2prod.convert.magic_output`); nothing when it could not be read."""
    from nb2prod.convert.magic_output import framed_sources

    if nb is None:
        return {}, {}
    return framed_sources([(c.index, c.source) for c in nb.cells if c.cell_type == "code"])


def package_name(package_dir: str | Path) -> str | None:
    """The package under ``src/`` that has a ``__main__.py``."""
    found = sorted(p.parent.name for p in Path(package_dir, "src").glob("*/__main__.py"))
    return found[0] if len(found) == 1 else None


def run_package(
    package_dir: str | Path,
    python: str,
    timeout: float = 120,
    expected: dict[str, dict[str, Any]] | None = None,
) -> PackageRun | None:
    """The pipeline (``main([])``) in a scratch folder, each step's returned values
    fingerprinted when the package has ``tests/golden.py``; None on timeout. ``expected``:
    the notebook's values, whose recorded rows the package's models predict on."""
    pkg = package_name(package_dir)
    if pkg is None:
        raise ValueError(f"{package_dir}: no single src/<package>/__main__.py")
    env = _env({"PYTHONPATH": str(Path(package_dir, "src").resolve()), "MPLBACKEND": "Agg"})
    support = Path(package_dir, "tests", "golden.py").resolve()
    layout = Path(package_dir, "tests", "golden.json").resolve()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nb2prod-verify-pkg-") as tmp:
        scratch = Path(tmp, "run")
        scratch.mkdir()
        values = Path(tmp, "values.json")
        if support.is_file() and layout.is_file():
            cmd = [python, "-c", _PACKAGE_RUNNER, pkg, str(support), str(layout), str(values)]
            if expected:
                rows = Path(tmp, "notebook-values.json")
                rows.write_text(json.dumps(expected), encoding="utf-8")
                cmd.append(str(rows))
        else:
            cmd = [python, "-m", pkg]
        proc = _run(cmd, scratch, env, timeout)
        if proc is None:
            return None
        recorded = json.loads(values.read_text(encoding="utf-8")) if values.is_file() else {}
    seconds = time.perf_counter() - start
    return PackageRun(proc.returncode, proc.stdout, proc.stderr, recorded, seconds)
