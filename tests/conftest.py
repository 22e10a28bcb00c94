"""Shared test set-up: hypothesis profiles, the installed console script, finding invariants."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

from nb2prod.lint.engine import FileResult
from nb2prod.lint.findings import SEVERITIES
from nb2prod.lint.registry import all_rules
from nb2prod.notebook.model import Notebook

# CI runs are reproducible (same examples every run); local runs explore new ones.
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

SAMPLES = Path(__file__).resolve().parents[1] / "sample_notebooks"
_RUFF_CODE = re.compile(r"^PY[A-Z]+[0-9]+$")


def console_script() -> str:
    """The ``nb2prod`` executable installed beside the running interpreter (or on PATH)."""
    beside = Path(sys.executable).parent / ("nb2prod.exe" if os.name == "nt" else "nb2prod")
    if beside.exists():
        return str(beside)
    found = shutil.which("nb2prod")
    if found is None:
        raise RuntimeError("the nb2prod console script is not installed (pip install -e .)")
    return found


def finding_problems(result: FileResult, nb: Notebook) -> list[str]:
    """Everything wrong with the findings of ``result`` for notebook ``nb`` (empty: all fine).

    A finding must name the file, use a known code and severity, and point into the notebook:
    a cell that exists (or ``None`` for the notebook itself), a line within that cell's source,
    a column >= 1, and the cell's id when it has one.
    """
    known = set(all_rules())
    cells = {c.index: c for c in nb.cells}
    problems = []
    for f in result.findings:
        where = f"{f.code} at cell {f.cell} line {f.line} col {f.col}"
        if f.code not in known and not _RUFF_CODE.match(f.code):
            problems.append(f"{where}: unknown code")
        if f.severity not in SEVERITIES:
            problems.append(f"{where}: unknown severity {f.severity!r}")
        if not isinstance(f.message, str) or not f.message.strip() or "\n" in f.message.strip():
            problems.append(f"{where}: message must be one non-empty line: {f.message!r}")
        if f.path != result.path:
            problems.append(f"{where}: path {f.path!r} is not {result.path!r}")
        if f.cell is None:
            if f.line < 0 or f.col < 0:
                problems.append(f"{where}: negative notebook-level position")
            continue
        cell = cells.get(f.cell)
        if cell is None:
            problems.append(f"{where}: no such cell (notebook has {len(nb.cells)})")
            continue
        n_lines = max(1, len(cell.source.splitlines()))
        if not 1 <= f.line <= n_lines + 1:
            problems.append(f"{where}: line outside the cell's {n_lines} lines")
        if f.col < 1:
            problems.append(f"{where}: column must be >= 1")
        if f.end_line is not None and f.end_line < f.line:
            problems.append(f"{where}: ends (line {f.end_line}) before it starts")
        if f.cell_id != cell.id:
            problems.append(f"{where}: cell_id {f.cell_id!r} is not the cell's {cell.id!r}")
    return problems
