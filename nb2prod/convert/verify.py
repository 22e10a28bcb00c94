"""Check a converted package against its notebook: run both, compare what they print and
the values each step returns (:func:`verify`), and record the notebook's values as the
package's golden values (:func:`record_golden`).

The notebook runs once and the package twice (:mod:`nb2prod.convert.verify_run`): what
differs between the package's two runs (clock times, unseeded randomness) is not held
against it, and when it changes and differs the notebook runs a second time too. Printed
lines and step values are compared by :mod:`nb2prod.convert.verify_compare`; every mismatch
names the notebook cell it comes from. The names of both modules are re-exported here.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nb2prod.convert.verify_compare import (
    Mismatch,
    compare,
    compare_printed,
    golden_support,
    same_line,
    split_lines,
    unstable_lines,
    unstable_values,
    value_mismatches,
)
from nb2prod.convert.verify_run import (
    NotebookRun,
    PackageRun,
    has_nbclient,
    load_or_none,
    package_name,
    read_layout,
    run_notebook,
    run_package,
)
from nb2prod.notebook.model import Notebook

if TYPE_CHECKING:
    from nb2prod.analysis.secrets.masker import Masker

__all__ = [
    "Mismatch",
    "NotebookRun",
    "PackageRun",
    "VerifyResult",
    "compare",
    "compare_printed",
    "golden_support",
    "has_nbclient",
    "package_name",
    "record_golden",
    "run_notebook",
    "run_package",
    "same_line",
    "unstable_lines",
    "verify",
]


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


def verify(
    notebook_path: str | Path,
    package_dir: str | Path,
    python: str,
    timeout: float = 120,
    rel_tol: float = 1e-6,
    abs_tol: float = 1e-9,
    nb: Notebook | None = None,
) -> VerifyResult:
    """Run notebook and package; ``faithful`` when both finish, print the same lines and
    the steps return the values the notebook had. The package runs twice to find what
    changes from run to run; when it changes and differs, the notebook runs twice too.
    ``nb``: the notebook at ``notebook_path`` already loaded (else it is loaded here, once)."""
    pkg = package_name(package_dir)
    result = VerifyResult(str(notebook_path), pkg, faithful=False)
    if pkg is None:
        result.error = f"{package_dir}: no single src/<package>/__main__.py"
        return result
    if nb is None:
        nb = load_or_none(notebook_path)
    ran = run_notebook(notebook_path, python, timeout, package_dir, nb)
    result.notebook_run = ran
    result.notebook_seconds = ran.seconds
    result.expected_lines = sum(len(split_lines(text)) for _, text in ran.cells)
    if ran.error is not None:
        where = f" (cell {ran.failed_cell})" if ran.failed_cell else ""
        result.error = f"notebook failed{where}: {ran.error}"
        return result
    first = run_package(package_dir, python, timeout, ran.values)
    if first is None:
        result.error = f"package timed out after {timeout:g} s"
        return result
    result.package_seconds = first.seconds
    result.returncode = first.returncode
    result.stderr_tail = "\n".join(first.stderr.strip().splitlines()[-5:])
    if first.returncode != 0:
        result.mismatches = compare(ran.cells, first.stdout, rel_tol, abs_tol)
        return result
    time.sleep(max(0.0, 1.1 - first.seconds))  # a clock printed in seconds moves on
    second = run_package(package_dir, python, timeout, ran.values)
    lines: frozenset[int] = frozenset()
    if second is not None and second.returncode == 0:
        lines = unstable_lines(first.stdout, second.stdout)
        result.unstable_values = unstable_values(first.values, second.values)
    layout = read_layout(package_dir)

    def compare_all(nb_lines: frozenset[int] = frozenset()) -> None:
        printed, result.unstable_lines = compare_printed(
            ran.cells, first.stdout, rel_tol, abs_tol, lines, nb_lines
        )
        values: list[Mismatch] = []
        if layout is not None:
            values, result.compared_values = value_mismatches(
                layout, ran.values, first.values, result.unstable_values, rel_tol, abs_tol
            )
        result.mismatches = printed + values

    compare_all()
    if result.mismatches and (lines or result.unstable_values):
        # The package changes from run to run and differs: does the notebook change too?
        again = run_notebook(notebook_path, python, timeout, package_dir, nb)
        result.notebook_seconds += again.seconds
        if again.error is None:
            for step, names in unstable_values(ran.values, again.values).items():
                known = result.unstable_values.setdefault(step, [])
                known += [n for n in names if n not in known]
            compare_all(
                unstable_lines("".join(t for _, t in ran.cells), "".join(t for _, t in again.cells))
            )
    result.faithful = not result.mismatches
    return result


def record_golden(
    package_dir: str | Path, result: VerifyResult, masker: Masker | None = None
) -> Path | None:
    """Write the notebook's values and printed lines from ``result`` into the package's
    ``tests/golden.json`` (atomically); what changes from run to run is left out. Every
    text is masked (:mod:`nb2prod.convert.golden_secrets`; ``masker``: the notebook's, by
    default read from ``result.notebook``): a value whose secret the generated tests could
    not mask alike is left out, such a printed line is recorded masked, not compared."""
    from nb2prod.convert.golden_secrets import GoldenMasker, notebook_masker

    path = Path(package_dir, "tests", "golden.json")
    layout = read_layout(package_dir)
    nb = result.notebook_run
    if layout is None or nb is None or nb.error is not None:
        return None
    support = golden_support()
    hider = GoldenMasker(masker if masker is not None else notebook_masker(result.notebook))
    values = {}
    for step, fps in nb.values.items():
        kept = {}
        for n, fp in fps.items():
            if n in result.unstable_values.get(step, ()) or not support.comparable(fp):
                continue
            masked, alike = hider.value(fp)
            if alike:
                kept[n] = masked
        if kept:
            values[step] = kept
    lines, unstable = [], set(result.unstable_lines)
    for i, line in enumerate(line for _, text in nb.cells for line in split_lines(text)):
        masked, alike = hider.text(line)
        lines.append(masked)
        if not alike:
            unstable.add(i)
    layout["recorded"] = True
    layout["values"] = values
    layout["unstable"] = result.unstable_values
    layout["printed"] = {"lines": lines, "unstable": sorted(unstable)}
    layout["secrets"] = hider.entries
    from nb2prod.notebook.write import write_atomic

    write_atomic(path, json.dumps(layout, indent=1, allow_nan=False) + "\n")
    return path
