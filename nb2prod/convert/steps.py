"""Group code cells into pipeline steps and name them.

By markdown headings when they split the code into two sections or more; otherwise by
data flow: a cell starts a new step unless ``joins(step so far, cell)`` says it belongs to
the step before it (see ``plan._joins``).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from nb2prod.notebook.model import Cell

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)
_FENCE = re.compile(r"^\s*(```|~~~).*?^\s*\1", re.MULTILINE | re.DOTALL)
_HTML_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.IGNORECASE | re.DOTALL)
_MARKUP = re.compile(r"<[^>]+>|\[([^\]]*)\]\([^)]*\)|\\(.)|[*_`~]")
_NUMBERING = re.compile(r"^(?:step\s+)?(?:\d+(?:\.\d+)*[.):]?|[ivxIVX]+[.):])\s+", re.IGNORECASE)
_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")
MAX_NAME = 40


@dataclass(slots=True)
class Group:
    title: str | None
    cells: list[int] = field(default_factory=list)  # Cell.index of code cells in the step


def heading(cell: Cell) -> str | None:
    """The last heading of a markdown cell (the most specific one), without markup."""
    if cell.cell_type != "markdown":
        return None
    text = _FENCE.sub("", cell.source)
    found = [m.group(2) for m in _HEADING.finditer(text)]
    found += [m.group(1) for m in _HTML_HEADING.finditer(text)]
    for title in reversed(found):
        clean = _MARKUP.sub(lambda m: m.group(1) or m.group(2) or "", title).strip()
        if _NON_WORD.sub("", clean):
            return clean
    return None


def group_cells(
    cells: Sequence[Cell], step_cells: set[int], joins: Callable[[list[int], int], bool]
) -> list[Group]:
    """Groups of ``step_cells`` (Cell.index) in file order."""
    by_heading: list[Group] = [Group(None)]
    for cell in cells:
        title = heading(cell)
        if title is not None:
            if by_heading[-1].cells:
                by_heading.append(Group(title))
            else:
                by_heading[-1].title = title
        elif cell.index in step_cells:
            by_heading[-1].cells.append(cell.index)
    sections = [g for g in by_heading if g.cells]
    if len(sections) >= 2:
        return sections
    groups: list[Group] = []
    for cell in cells:
        if cell.index not in step_cells:
            continue
        if groups and joins(groups[-1].cells, cell.index):
            groups[-1].cells.append(cell.index)
        else:
            groups.append(Group(None, [cell.index]))
    if len(groups) == 1 and sections:
        groups[0].title = sections[0].title  # else the lone title names the notebook
    return groups


def slug(text: str) -> str:
    """A lower-case identifier from free text ('' when nothing usable is left)."""
    text = _NUMBERING.sub("", text.strip())
    words = [w for w in _NON_WORD.split(text.lower()) if w]
    name = ""
    for w in words:
        candidate = f"{name}_{w}" if name else w
        if len(candidate) > MAX_NAME and name:
            break
        name = candidate[:MAX_NAME]
    if name and name[0].isdigit():
        name = f"step_{name}"
    return name


def step_names(
    groups: Sequence[Group], produced: Sequence[tuple[str, Sequence[str]]], taken: Iterable[str]
) -> list[str]:
    """Unique, valid function names: from the heading, else from what the step produces,
    given as (verb, names): ("compute", ["df", "model"]) -> ``compute_df_model``."""
    used = set(taken)
    names = []
    for n, (group, (verb, what)) in enumerate(zip(groups, produced, strict=True), start=1):
        base = slug(group.title) if group.title else ""
        if not base and what:
            base = slug(f"{verb} " + " ".join(what[:2]))
        if not base:
            base = f"step_{n}"
        if keyword.iskeyword(base) or keyword.issoftkeyword(base):
            base += "_step"
        name, k = base, 2
        while name in used:
            name, k = f"{base}_{k}", k + 1
        used.add(name)
        names.append(name)
    return names
