"""--fix on a copy of every messy corpus notebook: no crash, the result loads, cells that
parsed still parse, and a second fix changes nothing (about 10 s)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nb2prod.errors import InputError
from nb2prod.fix.engine import fix_notebook
from nb2prod.notebook.load import load_notebook
from nb2prod.notebook.parse import parse_notebook
from tests.fix.conftest import settings
from tests.helpers import CORPUS

FILES = sorted((CORPUS / "messy").glob("*.ipynb"))


def _parses(path: Path) -> dict[int, bool]:
    return {p.cell.index: p.tree is not None for p in parse_notebook(load_notebook(path))}


@pytest.mark.skipif(not FILES, reason="corpus not available")
def test_fix_messy_corpus(tmp_path: Path) -> None:
    s = settings()
    changed = rewrites = 0
    for src in FILES:
        dst = tmp_path / src.name
        shutil.copy(src, dst)
        before = _parses(dst)
        try:
            result = fix_notebook(dst, s)
        except InputError:
            continue
        after = _parses(dst)
        assert len(after) == len(before), src.name
        broken = [i for i, ok in before.items() if ok and not after[i]]
        assert not broken, (src.name, broken)
        if not result.changed:
            assert dst.read_bytes() == src.read_bytes(), src.name
        changed += result.changed
        rewrites += len(result.rewrites)
        again = fix_notebook(dst, s, write=False)
        assert not again.changed, src.name
    assert changed > 20 and rewrites > 100  # the corpus has many local reads and writes
