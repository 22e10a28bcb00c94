"""Convert over the shared corpus: never an exception; every package file parses.

runnable/: every notebook converts cleanly. messy/: every notebook either converts or is
refused with findings located at cells (exit 1), or is unreadable/not Python (exit 2).
"""

from __future__ import annotations

import ast
import warnings

import pytest

from nb2prod.convert import render_package
from nb2prod.convert.findings import blocking
from nb2prod.errors import InputError
from tests.helpers import CORPUS

RUNNABLE = sorted((CORPUS / "runnable").glob("*.ipynb"))
MESSY = sorted((CORPUS / "messy").glob("*.ipynb"))


def _check(path):
    try:
        plan, files = render_package(path)
    except InputError as exc:
        assert "\n" not in str(exc)
        return None
    for rel, text in files.items():
        if rel.endswith(".py"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SyntaxWarning)  # the notebooks' own "\d"
                warnings.simplefilter("ignore", DeprecationWarning)
                ast.parse(text, filename=rel)
    for f in plan.findings:
        if f.severity == "error":
            assert f.cell is not None and f.line >= 1, f
    return plan


@pytest.mark.skipif(not RUNNABLE, reason="corpus not available")
def test_runnable_corpus_converts_cleanly():
    refused = []
    for path in RUNNABLE:
        plan = _check(path)
        assert plan is not None, path
        if blocking(plan.findings):
            refused.append((path.name, [f.message for f in plan.findings if f.severity == "error"]))
    # One statsmodels notebook has a %%-cell that is not Python; everything else converts.
    assert len(refused) <= 1, refused


@pytest.mark.skipif(not MESSY, reason="corpus not available")
@pytest.mark.parametrize("part", range(4))
def test_messy_corpus_never_raises(part):
    for path in MESSY[part::4]:
        _check(path)
