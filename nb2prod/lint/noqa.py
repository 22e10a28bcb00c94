"""``# nb2prod: noqa`` directives.

In a code cell, a directive after code on a line covers that line; a directive on a line of
its own covers the whole cell. In a markdown or raw cell (``<!-- nb2prod: noqa -->``) it
covers the cell. ``noqa: IO001,SEC`` (or ``IO001 SEC``) limits it to those codes or prefixes;
a list that is not upper-case codes makes the directive void rather than cover everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nb2prod.notebook.model import Cell

_DIRECTIVE = re.compile(
    r"nb2prod:\s*noqa(?P<colon>:\s*"
    r"(?P<codes>[A-Z][A-Z0-9]*(?:(?:\s*,\s*|\s+)[A-Z][A-Z0-9]*)*)?(?P<rest>.*))?"
)


@dataclass(frozen=True, slots=True)
class Noqa:
    cell: int
    line: int | None  # None: the whole cell
    codes: tuple[str, ...]  # empty: every code

    def covers(self, code: str, line: int) -> bool:
        if self.line is not None and self.line != line:
            return False
        return not self.codes or any(code.startswith(c) for c in self.codes)


def directives(cell: Cell) -> list[Noqa]:
    if "nb2prod" not in cell.source:
        return []
    found: list[Noqa] = []
    for number, text in enumerate(cell.lines, start=1):
        match = _DIRECTIVE.search(text)
        if not match:
            continue
        colon, listed = match.group("colon"), match.group("codes")
        if colon and not listed and match.group("rest").strip(" -*/>"):
            continue  # "noqa: io001" is not a code list; covering every code would hide that
        codes = tuple((listed or "").replace(",", " ").split())
        whole = cell.cell_type != "code" or text.lstrip().startswith("#")
        found.append(Noqa(cell.index, None if whole else number, codes))
    return found
