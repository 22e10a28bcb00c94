"""One runner for every rule's annotated cases (``tests/rules/cases/<CODE-or-family>*.py``).

A case file is percent-format notebook text. A line holding ``ruleid: CODE`` marks the next
line that is not an annotation as one that must get a CODE finding; ``ok: CODE`` marks one
that must not. Every finding of the file's codes (its header ``# codes: IO001, IO002``)
must sit on a ``ruleid`` line: anything else is an unexpected finding. An optional header
``# settings: {"allowed-remote-prefixes": ["s3://acme/"]}`` (JSON) sets team options.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nb2prod.config import load_settings
from nb2prod.lint.engine import lint_file
from tests.helpers import from_percent, write

CASES = sorted((Path(__file__).parent / "cases").glob("*.py"))
_ANNOTATION = re.compile(r"\b(ruleid|ok):\s*([A-Z0-9, ]+)")


def expectations(doc: dict) -> tuple[set, set]:
    """(cell, line, code) triples that must and must not be flagged."""
    must, must_not = set(), set()
    for index, cell in enumerate(doc["cells"], start=1):
        pending: list[tuple[str, str]] = []
        for number, line in enumerate(cell["source"].split("\n"), start=1):
            found = _ANNOTATION.findall(line)
            if found:
                pending.extend(found)
                continue
            for kind, codes in pending:
                for code in (c.strip() for c in codes.split(",") if c.strip()):
                    (must if kind == "ruleid" else must_not).add((index, number, code))
            pending = []
    return must, must_not


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_rule_case(case: Path, tmp_path: Path) -> None:
    check_case(case, tmp_path)


def check_case(case: Path, tmp_path: Path) -> None:
    """Lint the case file as a notebook; its findings must match its annotations."""
    text = case.read_text(encoding="utf-8")
    header = re.search(r"^# codes:\s*(.+)$", text, re.MULTILINE)
    assert header, f"{case.name} needs a '# codes: ...' header"
    codes = [c.strip() for c in header.group(1).split(",")]
    doc = from_percent(text)
    nb = write(tmp_path / f"{case.stem}.ipynb", doc)
    options = re.search(r"^# settings:\s*(.+)$", text, re.MULTILINE)
    overrides = json.loads(options.group(1)) if options else {}
    overrides |= {"select": codes, "cache": False}
    settings = load_settings(start=tmp_path, overrides=overrides)
    result = lint_file(str(nb), settings)
    assert result.error is None, result.error
    got = {(f.cell, f.line, f.code) for f in result.findings}
    must, must_not = expectations(doc)
    assert must, f"{case.name} has no ruleid annotations"
    missing = must - got
    wrong = got & must_not
    unexpected = {g for g in got - must if any(g[2].startswith(c) for c in codes)}
    assert not missing, f"not flagged: {sorted(missing)}"
    assert not wrong, f"flagged but marked ok: {sorted(wrong)}"
    assert not unexpected, f"flagged without a ruleid annotation: {sorted(unexpected)}"
