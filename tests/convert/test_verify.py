"""nb2prod.convert.verify: the comparison alone (runs everywhere), then notebook against
package for real (needs nbclient and ipykernel in the interpreter; skipped otherwise).

The interpreter is ``sys.executable`` unless ``NB2PROD_VERIFY_PYTHON`` names another one."""

from __future__ import annotations

import os
import sys

import pytest

from nb2prod.convert import run
from nb2prod.convert.verify import Mismatch, compare, has_nbclient, same_line, verify

PYTHON = os.environ.get("NB2PROD_VERIFY_PYTHON", sys.executable)


def test_numbers_within_tolerance_are_the_same_line():
    assert same_line("loss 0.30000000000000004 after 3 epochs", "loss 0.3 after 3 epochs")
    assert not same_line("loss 0.31 after 3 epochs", "loss 0.3 after 3 epochs")
    assert not same_line("3 epochs", "4 epochs")
    assert not same_line("loss 0.3", "gain 0.3")
    assert same_line("<Model at 0x7f3a2b1c9d00>", "<Model at 0x7f00deadbeef>")


def test_identical_output_has_no_mismatch():
    cells = [(2, "a\nb 1.5\n"), (3, ""), (5, "c\n")]
    assert compare(cells, "a\nb 1.5000000001\nc\n") == []


def test_mismatches_name_the_cell_that_printed_the_line():
    cells = [(2, "header\n"), (4, "mean 1.25\nrows 10\n"), (7, "done\n")]
    got = compare(cells, "header\nmean 1.5\nrows 10\nextra line\n")
    assert got == [
        Mismatch("value", 4, "mean 1.25", "mean 1.5", 2),
        Mismatch("changed", 7, "done", "extra line", 4),
    ]


def test_missing_and_extra_lines():
    cells = [(1, "one\ntwo\n"), (3, "three\n")]
    assert compare(cells, "one\nthree\n") == [Mismatch("missing", 1, "two", None)]
    assert compare(cells, "one\ntwo\nthree\nfour\n") == [Mismatch("extra", 3, None, "four", 4)]
    assert compare([], "surprise\n") == [Mismatch("extra", None, None, "surprise", 1)]


def test_lines_that_change_between_runs_are_excused_even_when_they_wrap():
    from nb2prod.convert.verify import compare_printed

    cells = [(2, "n 3\n[0.1 0.2\n 0.3]\n"), (4, "done\n")]
    # the package printed the random array on one line; the notebook's two runs differed there
    got, excused = compare_printed(
        cells, "n 3\n[0.7 0.9 0.4]\ndone\n", unstable_expected=frozenset({1, 2})
    )
    assert got == [] and excused == [1, 2]
    # without knowing that, it is a mismatch
    assert compare_printed(cells, "n 3\n[0.7 0.9 0.4]\ndone\n")[0] != []
    # and lines away from the changing ones still count
    got, _ = compare_printed(cells, "n 4\n[0.7 0.9 0.4]\nend\n", unstable_expected=frozenset({1}))
    assert {m.kind for m in got} == {"value", "changed"} and {m.cell for m in got} == {2, 4}


NOTEBOOK = """
# %%
import statistics
values = [3, 1, 4, 1, 5]
# %% [markdown]
# Summary
# %%
print("mean", statistics.mean(values))
# %%
print("max", max(values))
"""


@pytest.mark.skipif(
    not has_nbclient(PYTHON),
    reason=f"nbclient/ipykernel not importable in {PYTHON} (set NB2PROD_VERIFY_PYTHON)",
)
def test_verify_runs_notebook_and_package(make_notebook, tmp_path):
    nb = make_notebook(NOTEBOOK)
    out = tmp_path / "pkg"
    assert run(nb, out).exit_code == 0
    result = verify(nb, out, PYTHON, timeout=60)
    assert (result.error, result.returncode, result.mismatches) == (None, 0, [])
    assert result.faithful and result.expected_lines == 2

    steps = out / "src" / result.package / "steps.py"
    steps.write_text(steps.read_text().replace('"max"', '"maximum"'))
    broken = verify(nb, out, PYTHON, timeout=60)
    assert not broken.faithful
    assert broken.mismatches == [Mismatch("changed", 4, "max 5", "maximum 5", 2)]
