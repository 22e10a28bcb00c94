"""Check a converted package against its notebook: run both, compare what they print and
the values each step returns.

The notebook is executed with nbclient (in a subprocess of the chosen interpreter, in a
scratch folder), with a probe after the last cell of each step that records fingerprints of
the step's names (the package's ``tests/golden.py`` defines them: one implementation for
both sides). The package runs its pipeline (``src`` on ``PYTHONPATH``) twice with each step
function wrapped to record the same fingerprints of what it returns. Printed lines are
aligned on their shape (numbers and memory addresses masked) and numbers compared with a
tolerance; what differs between the package's two runs (clock times, unseeded randomness)
is not held against it. Every mismatch names the notebook cell it comes from.
:func:`record_golden` writes the notebook's values into the package's ``tests/golden.json``.
"""

from __future__ import annotations

import difflib
import functools
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

__all__ = [
    "Mismatch",
    "NotebookRun",
    "PackageRun",
    "VerifyResult",
    "compare",
    "record_golden",
    "run_notebook",
    "verify",
]


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
class Mismatch:
    kind: str  # printed: "value", "changed", "missing", "extra"; a step's value: "returned"
    cell: int | None  # notebook cell (Cell.index) that printed the line / ends the step
    expected: str | None
    actual: str | None
    line: int | None = None  # 1-based line of the package's stdout


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


@dataclass(slots=True)
class VerifyResult:
    notebook: str
    package: str | None
    faithful: bool
    mismatches: list[Mismatch] = field(default_factory=list)
    error: str | None = None  # verification could not be completed (notebook failed ...)
    returncode: int | None = None  # of the package's pipeline run
    stderr_tail: str = ""
    notebook_seconds: float = 0.0
    package_seconds: float = 0.0
    expected_lines: int = 0
    compared_values: int = 0  # step return values compared with the notebook's
    unstable_values: dict[str, list[str]] = field(default_factory=dict)  # step -> names
    unstable_lines: list[int] = field(default_factory=list)  # 0-based, notebook's lines
    notebook_run: NotebookRun | None = None

    @property
    def values_only(self) -> bool:
        """Every line printed where expected; only numbers differ (e.g. timings)."""
        return self.error is None and all(m.kind == "value" for m in self.mismatches)


@functools.cache
def golden_support() -> Any:
    """The golden-value module (fingerprints, comparisons): nb2prod's template of the
    generated ``tests/golden.py``, loaded as Python."""
    import importlib.machinery
    import importlib.util

    from nb2prod.resources import data_dir

    path = data_dir("templates") / "package" / "tests" / "golden.py.j2"
    loader = importlib.machinery.SourceFileLoader("nb2prod_golden_support", str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def same_line(expected: str, actual: str, rel_tol: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    """Equal text, numbers within tolerance, memory addresses ignored."""
    return golden_support().same_line(expected, actual, rel_tol, abs_tol)


def _shape(line: str) -> str:
    """The line with numbers and memory addresses masked (how lines are aligned)."""
    return golden_support()._shape(line)


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def compare(
    expected: list[tuple[int, str]],
    actual: str,
    rel_tol: float = 1e-6,
    abs_tol: float = 1e-9,
) -> list[Mismatch]:
    """Mismatches between the cells' stdout ``[(cell, text)]`` and the package's stdout."""
    return compare_printed(expected, actual, rel_tol, abs_tol)[0]


def compare_printed(
    expected: list[tuple[int, str]],
    actual: str,
    rel_tol: float = 1e-6,
    abs_tol: float = 1e-9,
    unstable: frozenset[int] = frozenset(),
    unstable_expected: frozenset[int] = frozenset(),
) -> tuple[list[Mismatch], list[int]]:
    """(mismatches, excused). ``unstable``: 0-based lines of the package's stdout that change
    from run to run; ``unstable_expected``: the same for the notebook's lines (when it was
    run twice). A difference on such a line is not a mismatch: the notebook line's 0-based
    index goes to ``excused``. Where a changing line wraps differently (an array of random
    numbers), the lines it gains or loses beside changing lines are excused too."""
    exp = [(cell, line) for cell, text in expected for line in _lines(text)]
    act = _lines(actual)
    matcher = difflib.SequenceMatcher(
        None, [_shape(x) for _, x in exp], [_shape(y) for y in act], autojunk=False
    )
    out: list[Mismatch] = []
    excused: list[int] = []
    last_cell: int | None = exp[0][0] if exp else None
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                cell, x = exp[i]
                if j in unstable or i in unstable_expected:
                    excused.append(i)
                elif not same_line(x, act[j], rel_tol, abs_tol):
                    out.append(Mismatch("value", cell, x, act[j], j + 1))
            last_cell = exp[i2 - 1][0]
            continue
        if i2 > i1:
            last_cell = exp[i2 - 1][0]
        # A block beside or inside lines that change between runs changes with them: its
        # steady lines at either end are compared, the middle may differ in length.
        near_exp = range(i1 - 1, i2 + 1) if i2 > i1 else range(i1 - 1, i1 + 1)
        if any(i in unstable_expected for i in near_exp) or any(
            j in unstable for j in range(j1 - 1, j2 + 1)
        ):

            def steady(i: int, j: int) -> bool:
                return i not in unstable_expected and j not in unstable

            head = 0
            while i1 + head < i2 and j1 + head < j2 and steady(i1 + head, j1 + head):
                head += 1
            tail = 0
            while (
                i2 - tail - 1 >= i1 + head
                and j2 - tail - 1 >= j1 + head
                and steady(i2 - tail - 1, j2 - tail - 1)
            ):
                tail += 1
            ends = [(i1 + k, j1 + k) for k in range(head)]
            ends += [(i2 - k, j2 - k) for k in range(1, tail + 1)]
            for i, j in ends:
                if not same_line(exp[i][1], act[j], rel_tol, abs_tol):
                    out.append(Mismatch("changed", exp[i][0], exp[i][1], act[j], j + 1))
            excused += range(i1 + head, i2 - tail)
            continue
        pairs = min(i2 - i1, j2 - j1)
        for k in range(pairs):
            cell, x = exp[i1 + k]
            out.append(Mismatch("changed", cell, x, act[j1 + k], j1 + k + 1))
        for cell, x in exp[i1 + pairs : i2]:
            out.append(Mismatch("missing", cell, x, None))
        for j in range(j1 + pairs, j2):
            out.append(Mismatch("extra", last_cell, None, act[j], j + 1))
    return out, sorted(set(excused))


def unstable_lines(first: str, second: str) -> frozenset[int]:
    """0-based lines of ``first`` that are not the same in ``second`` (another run)."""
    a, b = _lines(first), _lines(second)
    matcher = difflib.SequenceMatcher(None, [_shape(x) for x in a], [_shape(y) for y in b])
    out: set[int] = set()
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.update(i for i, j in zip(range(i1, i2), range(j1, j2), strict=True) if a[i] != b[j])
        else:
            out.update(range(i1, i2))
    return frozenset(out)


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


def _layout(package_dir: str | Path | None) -> dict[str, Any] | None:
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


def run_notebook(
    notebook: str | Path,
    python: str,
    timeout: float = 120,
    package_dir: str | Path | None = None,
) -> NotebookRun:
    """Execute the notebook with nbclient in a scratch copy of its folder (see
    :mod:`nb2prod.convert.scratch`); collect each cell's stdout,
    and with ``package_dir`` the fingerprints of each step's names after its last cell."""
    start = time.perf_counter()
    layout = _layout(package_dir)
    support = Path(package_dir, "tests", "golden.py").resolve() if package_dir else None
    from nb2prod.convert.local_paths import notebook_climb
    from nb2prod.convert.scratch import notebook_scratch

    with tempfile.TemporaryDirectory(prefix="nb2prod-verify-") as tmp:
        # In a copy of its folder: relative paths resolve as in Jupyter, writes stay here.
        scratch = notebook_scratch(notebook, Path(tmp, "run"), notebook_climb(notebook))
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
        nb = str(Path(notebook).resolve())
        framed, special = _framed(notebook)
        sources = "-"
        if framed:
            sources = str(Path(tmp, "sources.json"))
            Path(sources).write_text(json.dumps(framed), encoding="utf-8")
        cmd = [python, "-c", _RUNNER, nb, str(int(timeout)), str(result), probes, sources]
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


def _framed(notebook: str | Path) -> tuple[dict[int, str], dict[int, str]]:
    """The notebook's cells with their magic and shell lines framed by markers (see
    :mod:`nb2prod.convert.magic_output`); nothing when it cannot be read here."""
    from nb2prod.convert.magic_output import framed_sources
    from nb2prod.errors import InputError
    from nb2prod.notebook.load import load_notebook

    try:
        nb = load_notebook(notebook)
    except InputError:
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


def _value_mismatches(
    layout: dict[str, Any],
    notebook: dict[str, dict[str, Any]],
    package: dict[str, dict[str, Any]],
    unstable: dict[str, list[str]],
    rel_tol: float,
    abs_tol: float,
) -> tuple[list[Mismatch], int]:
    """Mismatches between the step values of notebook and package, and how many compared."""
    support = golden_support()
    out: list[Mismatch] = []
    compared = 0
    for step in layout["steps"]:
        name, cell = step["name"], step["cells"][-1]
        expected, actual = notebook.get(name, {}), package.get(name, {})
        for var, fp in expected.items():
            got = actual.get(var)
            if (isinstance(fp, dict) and "predictions" in fp) and not (
                isinstance(got, dict) and "predictions" in got
            ):  # the package ran without the notebook's rows: the rest is compared
                fp = {k: v for k, v in fp.items() if k != "predictions"}
            if var in unstable.get(name, ()) or not support.comparable(fp):
                continue
            compared += 1
            for problem in support.differences(fp, got, "", rel_tol, abs_tol):
                out.append(Mismatch("returned", cell, f"{name}: {var}", f"{var}{problem}"))
    return out, compared


def _unstable_values(
    first: dict[str, dict[str, Any]], second: dict[str, dict[str, Any]]
) -> dict[str, list[str]]:
    support = golden_support()
    out: dict[str, list[str]] = {}
    for step, fps in first.items():
        changed = [
            n for n, fp in fps.items() if support.differences(fp, second.get(step, {}).get(n))
        ]
        if changed:
            out[step] = changed
    return out


def verify(
    notebook_path: str | Path,
    package_dir: str | Path,
    python: str,
    timeout: float = 120,
    rel_tol: float = 1e-6,
    abs_tol: float = 1e-9,
) -> VerifyResult:
    """Run notebook and package; ``faithful`` when both finish, print the same lines and
    the steps return the values the notebook had. The package runs twice to find what
    changes from run to run; when it changes and differs, the notebook runs twice too."""
    pkg = package_name(package_dir)
    result = VerifyResult(str(notebook_path), pkg, faithful=False)
    if pkg is None:
        result.error = f"{package_dir}: no single src/<package>/__main__.py"
        return result
    nb = run_notebook(notebook_path, python, timeout, package_dir)
    result.notebook_run = nb
    result.notebook_seconds = nb.seconds
    result.expected_lines = sum(len(_lines(text)) for _, text in nb.cells)
    if nb.error is not None:
        where = f" (cell {nb.failed_cell})" if nb.failed_cell else ""
        result.error = f"notebook failed{where}: {nb.error}"
        return result
    first = run_package(package_dir, python, timeout, nb.values)
    if first is None:
        result.error = f"package timed out after {timeout:g} s"
        return result
    result.package_seconds = first.seconds
    result.returncode = first.returncode
    result.stderr_tail = "\n".join(first.stderr.strip().splitlines()[-5:])
    if first.returncode != 0:
        result.mismatches = compare(nb.cells, first.stdout, rel_tol, abs_tol)
        return result
    time.sleep(max(0.0, 1.1 - first.seconds))  # a clock printed in seconds moves on
    second = run_package(package_dir, python, timeout, nb.values)
    lines: frozenset[int] = frozenset()
    if second is not None and second.returncode == 0:
        lines = unstable_lines(first.stdout, second.stdout)
        result.unstable_values = _unstable_values(first.values, second.values)
    layout = _layout(package_dir)

    def compare_all(nb_lines: frozenset[int] = frozenset()) -> None:
        printed, result.unstable_lines = compare_printed(
            nb.cells, first.stdout, rel_tol, abs_tol, lines, nb_lines
        )
        values: list[Mismatch] = []
        if layout is not None:
            values, result.compared_values = _value_mismatches(
                layout, nb.values, first.values, result.unstable_values, rel_tol, abs_tol
            )
        result.mismatches = printed + values

    compare_all()
    if result.mismatches and (lines or result.unstable_values):
        # The package changes from run to run and differs: does the notebook change too?
        again = run_notebook(notebook_path, python, timeout, package_dir)
        result.notebook_seconds += again.seconds
        if again.error is None:
            for step, names in _unstable_values(nb.values, again.values).items():
                known = result.unstable_values.setdefault(step, [])
                known += [n for n in names if n not in known]
            compare_all(
                unstable_lines("".join(t for _, t in nb.cells), "".join(t for _, t in again.cells))
            )
    result.faithful = not result.mismatches
    return result


def record_golden(package_dir: str | Path, result: VerifyResult) -> Path | None:
    """Write the notebook's values and printed lines from ``result`` into the package's
    ``tests/golden.json`` (atomically); what changes from run to run is left out."""
    path = Path(package_dir, "tests", "golden.json")
    layout = _layout(package_dir)
    nb = result.notebook_run
    if layout is None or nb is None or nb.error is not None:
        return None
    support = golden_support()
    values = {}
    for step, fps in nb.values.items():
        kept = {
            n: fp
            for n, fp in fps.items()
            if n not in result.unstable_values.get(step, ()) and support.comparable(fp)
        }
        if kept:
            values[step] = kept
    layout["recorded"] = True
    layout["values"] = values
    layout["unstable"] = result.unstable_values
    layout["printed"] = {
        "lines": [line for _, text in nb.cells for line in _lines(text)],
        "unstable": sorted(result.unstable_lines),
    }
    from nb2prod.notebook.write import write_atomic

    write_atomic(path, json.dumps(layout, indent=1, allow_nan=False) + "\n")
    return path
