"""Comparing what a converted package did with what its notebook did: printed lines aligned
on their shape (numbers and memory addresses masked) with numbers compared within a
tolerance, the values each step returned compared by fingerprint, and what changes from run
to run found by comparing two runs of the same side. The fingerprints and comparisons are
the package's own ``tests/golden.py`` (:func:`golden_support` loads nb2prod's template of it
here): one implementation for both sides."""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class Mismatch:
    kind: str  # printed: "value", "changed", "missing", "extra"; a step's value: "returned"
    cell: int | None  # notebook cell (Cell.index) that printed the line / ends the step
    expected: str | None
    actual: str | None
    line: int | None = None  # 1-based line of the package's stdout


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


def split_lines(text: str) -> list[str]:
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
    exp = [(cell, line) for cell, text in expected for line in split_lines(text)]
    act = split_lines(actual)
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
    a, b = split_lines(first), split_lines(second)
    matcher = difflib.SequenceMatcher(None, [_shape(x) for x in a], [_shape(y) for y in b])
    out: set[int] = set()
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.update(i for i, j in zip(range(i1, i2), range(j1, j2), strict=True) if a[i] != b[j])
        else:
            out.update(range(i1, i2))
    return frozenset(out)


def value_mismatches(
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


def unstable_values(
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
