"""What IPython magics and shell lines print is not the notebook's output.

``%%time``, ``%timeit``, ``%who``, ``!ls`` print timings, listings and machine details that
the package neither has nor should reproduce. Before ``convert --verify`` executes the
notebook, each magic or shell line is framed by two marker prints (at its indentation), and
whatever is printed between the markers is removed from the cell's output afterwards. A
``%%time`` cell loses its two timing lines; a ``%%timeit`` cell runs its body many times, so
none of its output is expected.
"""

from __future__ import annotations

import re

from nb2prod.notebook.magics import mask_ipython

BEGIN = "\x1enb2prod-magic-begin\x1e"
END = "\x1enb2prod-magic-end\x1e"
_FRAMED = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n?", re.S)
_TIMING = re.compile(r"^(?:CPU times: .*|Wall time: .*)\n?", re.M)
_QUIET_CELL_MAGICS = frozenset({"timeit", "prun", "capture"})  # output not expected at all
_TIMED_CELL_MAGICS = frozenset({"time"})


def framed_sources(cells: list[tuple[int, str]]) -> tuple[dict[int, str], dict[int, str]]:
    """(cell index -> source with markers around magic and shell lines, cell index ->
    ``"time"`` or ``"quiet"`` for cells under a timing cell magic), for ``(index, source)``
    of the code cells."""
    sources: dict[int, str] = {}
    special: dict[int, str] = {}
    for index, source in cells:
        masked = mask_ipython(source)
        whole = masked.whole_cell_magic
        if whole is not None or source.lstrip().startswith("%%"):
            name = whole.name if whole is not None else source.lstrip()[2:].split(None, 1)[0]
            if name in _QUIET_CELL_MAGICS:
                special[index] = "quiet"
            elif name in _TIMED_CELL_MAGICS:
                special[index] = "time"
        lines = [m for m in masked.magics if m.kind in ("shell", "line_magic")]
        if not lines or whole is not None:
            continue
        text = source.split("\n")
        for m in sorted(lines, key=lambda m: m.line, reverse=True):
            first = text[m.line - 1]
            indent = first[: len(first) - len(first.lstrip())]
            if not _can_frame(text, m.line, m.end_line, indent):
                continue
            text.insert(m.end_line, f"{indent}print({END!r})")
            text.insert(m.line - 1, f"{indent}print({BEGIN!r})")
        sources[index] = "\n".join(text)
    return sources, special


def _can_frame(text: list[str], line: int, end_line: int, indent: str) -> bool:
    """A print can stand before the line at its indentation: not a continuation of the
    line above, not the first line after a cell magic."""
    if line > 1 and text[line - 2].rstrip().endswith(("\\", ",", "(", "[", "{")):
        return False
    if line == 1 and text[0].lstrip().startswith("%%"):
        return False
    return end_line <= len(text)


def cleaned(text: str, special: str | None = None) -> str:
    """A cell's stdout without what its magics and shell lines printed."""
    if special == "quiet":
        return ""
    text = _FRAMED.sub("", text)
    text = text.replace(BEGIN + "\n", "").replace(END + "\n", "")  # an unclosed frame
    if special == "time":
        text = _TIMING.sub("", text)
    return text
