"""A long source line in a finding is an excerpt around the finding, not the whole line.

A notebook line can be 100,000 characters (a generated list, a pasted blob), and ruff may
report thousands of findings on it (one per undefined name): each finding carrying the
whole line made reports of gigabytes and runs of minutes. Over :data:`LONG` characters,
``source_line`` is the span with :data:`AROUND` characters either side, cut with ``…``,
and ``extra["caret"]`` gives the span's place in it (as for a masked line; see
:func:`nb2prod.report.text.caret`). ``col`` and ``end_col`` stay the columns in the cell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from nb2prod.lint.findings import Finding

LONG = 300  # characters: a longer source line is cut
AROUND = 100  # characters kept either side of the span (and of a long span's start)
_CUT = "…"


def excerpt(line: str, start: int, end: int | None) -> tuple[str, int, int]:
    """(the part of ``line`` around ``[start, end)`` (0-based; ``end`` None: to the end of
    the line), and the span's start and end in it)."""
    start = min(max(start, 0), len(line))
    end = len(line) if end is None else min(max(end, start), len(line))
    first = max(0, start - AROUND)
    last = min(len(line), min(end, start + AROUND) + AROUND)
    head = _CUT if first > 0 else ""
    tail = _CUT if last < len(line) else ""
    shown = head + line[first:last] + tail
    return shown, len(head) + start - first, len(head) + min(end, last) - first


def _span(f: Finding) -> tuple[int, int | None]:
    """The finding's span in its source line, 0-based (the caret's, once masked)."""
    caret = f.extra.get("caret") if isinstance(f.extra, dict) else None
    if isinstance(caret, list) and len(caret) == 2 and isinstance(caret[0], int):
        return caret[0], caret[1] if isinstance(caret[1], int) else None
    end = f.end_col - 1 if f.end_line == f.line and f.end_col else None
    return f.col - 1, end


def cut(f: Finding, line: str, mask: Callable[[str], str]) -> None:
    """Set ``f.source_line`` to ``line`` (unmasked), as an excerpt when it is long; the
    caret is placed for the excerpt as ``mask`` will show it."""
    if len(line) <= LONG:
        f.source_line = line
        return
    shown, start, end = excerpt(line, *_span(f))
    f.source_line = shown
    f.extra = {**f.extra, "caret": [len(mask(shown[:start])), len(mask(shown[:end]))]}


def shorten(findings: Iterable[Finding]) -> None:
    """Cut the long source lines of findings already masked (their caret, if any, is in
    the masked line)."""
    for f in findings:
        if len(f.source_line) > LONG:
            shown, start, end = excerpt(f.source_line, *_span(f))
            f.source_line = shown
            f.extra = {**f.extra, "caret": [start, end]}
