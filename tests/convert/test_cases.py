"""Before/after pairs: tests/convert/cases/NAME.py (a percent-format notebook) converts to
NAME.after.py (the generated steps.py, then pipeline.py). Regenerate with
NB2PROD_UPDATE_CASES=1 and review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nb2prod.convert import run
from tests.helpers import from_percent, write

CASES = Path(__file__).parent / "cases"
SEPARATOR = "\n# ---- pipeline.py ----\n"


def _cases() -> list[str]:
    return sorted(p.stem for p in CASES.glob("*.py") if not p.stem.endswith(".after"))


@pytest.mark.parametrize("name", _cases())
def test_case(name, tmp_path):
    doc = from_percent((CASES / f"{name}.py").read_text())
    tags = doc["metadata"].pop("tags_by_cell", None)
    nb = write(tmp_path / f"{name}.ipynb", doc)
    result = run(nb, tmp_path / "out", name="case", allow_partial=True)
    assert result.exit_code == 0, result.error
    src = tmp_path / "out" / "src" / "case"
    got = (src / "steps.py").read_text() + SEPARATOR + (src / "pipeline.py").read_text()
    expected_file = CASES / f"{name}.after.py"
    if os.environ.get("NB2PROD_UPDATE_CASES"):
        expected_file.write_text(got)
    assert got == expected_file.read_text()
    assert tags is None
