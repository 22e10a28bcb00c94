"""Cell coordinates -> .ipynb file positions, over every JSON layout a notebook can have."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from nb2prod.notebook.load import load_notebook_text
from nb2prod.report.filepos import FileIndex, artifact_location, display_path

# characters that JSON escapes or that split lines, plus wide and astral ones
_ALPHABET = st.sampled_from(list('ab "\\/\t\r\x0c\x1bé日😀\u2028#[]{}:,') + ["\n"] * 3)
_SOURCE = st.text(_ALPHABET, max_size=40)


def _chunks(source: str, cuts: list[int]) -> list[str]:
    """``source`` split at arbitrary offsets (a list source need not split at newlines)."""
    points = sorted({c % (len(source) + 1) for c in cuts} | {0, len(source)})
    return [source[a:b] for a, b in zip(points, points[1:], strict=False) if b > a]


@st.composite
def notebooks(draw):
    sources = draw(st.lists(_SOURCE, min_size=1, max_size=4))
    cells = []
    for s in sources:
        layout = draw(st.sampled_from(["string", "lines", "chunks"]))
        if layout == "lines":
            value = s.splitlines(keepends=True)
        elif layout == "chunks":
            value = _chunks(s, draw(st.lists(st.integers(0, 50), max_size=4)))
        else:
            value = s
        kind = draw(st.sampled_from(["code", "markdown"]))
        cell = {"cell_type": kind, "metadata": {"k": '\\"[,'}, "source": value}
        if kind == "code":
            cell.update(outputs=[{"output_type": "stream", "name": "stdout", "text": "x\n"}])
            cell["execution_count"] = None
        cells.append(cell)
    doc = {"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": cells}
    dump = draw(
        st.sampled_from(
            [{"indent": 1}, {}, {"indent": 2, "ensure_ascii": False}, {"separators": (",", ":")}]
        )
    )
    text = json.dumps(doc, **dump)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text, dump.get("ensure_ascii", True)


@settings(max_examples=150, deadline=None)
@given(notebooks())
def test_every_character_is_located(case: tuple[str, bool]) -> None:
    text, ascii_only = case
    nb = load_notebook_text(text, "x.ipynb")
    index = FileIndex(text)
    assert len(index.cells) == len(nb.cells)
    rows = text.split("\n")
    for cell in nb.cells:
        for number, line in enumerate(cell.lines, start=1):
            for col, char in enumerate(line, start=1):
                row, column = index.locate(cell.index, number, col)
                want = json.dumps(char, ensure_ascii=ascii_only)[1:-1]
                got = rows[row - 1][column - 1 :]
                assert got.startswith(want), (cell.index, number, col, char, got[:12])


def test_fallbacks() -> None:
    text = json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {
                    "cell_type": "code",
                    "source": ["a = 1\n", "b = 2"],
                    "metadata": {},
                    "outputs": [],
                    "execution_count": 1,
                    "id": "x",
                },
            ],
        },
        indent=1,
    )
    index = FileIndex(text)
    cell_line = text.split("\n").index("  {") + 1
    assert index.locate(None, 1, 1) == (1, 1)  # the notebook itself
    assert index.locate(7, 1, 1) == (1, 1)  # no such cell
    assert index.locate(1, 0, 0) == (cell_line, 3)  # the cell as a whole: its brace
    assert index.locate(1, 9, 1) == (cell_line, 3)  # line past the end
    row, col = index.locate(1, 2, 99)  # column past the end: the end of the line
    assert text.split("\n")[row - 1] == '    "b = 2"'
    assert col == len('    "b = 2') + 1
    assert FileIndex("not json {").locate(1, 1, 1) == (1, 1)
    assert FileIndex("").cells == []


def test_stops_after_the_cells_asked_for() -> None:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": f"c{i}"} for i in range(5)]
    text = json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": cells})
    assert len(FileIndex(text, 2).cells) == 2
    assert len(FileIndex(text).cells) == 5


def test_nbformat3_input_and_worksheets() -> None:
    doc = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {},
        "worksheets": [
            {
                "cells": [
                    {"cell_type": "markdown", "metadata": {}, "source": ["# t"]},
                    {
                        "cell_type": "code",
                        "collapsed": False,
                        "input": ["x = 1\n", "!ls"],
                        "language": "python",
                        "metadata": {},
                        "outputs": [],
                    },
                ],
                "metadata": {},
            },
        ],
    }
    text = json.dumps(doc, indent=1)
    row, col = FileIndex(text).locate(2, 2, 1)
    assert text.split("\n")[row - 1][col - 1 :] == '!ls"'


def test_paths(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert display_path("./a/../b/c d.ipynb") == "b/c d.ipynb"
    assert display_path(str(tmp_path / "x" / "n.ipynb")) == "x/n.ipynb"
    assert (
        display_path("../elsewhere/n.ipynb") == (tmp_path.parent / "elsewhere/n.ipynb").as_posix()
    )
    assert artifact_location("../n.ipynb") == {"uri": (tmp_path.parent / "n.ipynb").as_uri()}
    (tmp_path / "link").symlink_to(tmp_path / "x", target_is_directory=True)
    assert display_path("link/n.ipynb") == "link/n.ipynb"  # the link is kept
    assert artifact_location("x/#n%.ipynb") == {"uri": "x/%23n%25.ipynb", "uriBaseId": "%SRCROOT%"}
