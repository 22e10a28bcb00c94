"""Columns are characters, as editors and ruff count them: ``ast`` gives UTF-8 byte offsets,
which differ from characters on lines with non-ASCII text before the finding."""

from __future__ import annotations

from pathlib import Path

from nb2prod.config import load_settings
from nb2prod.lint.engine import lint_file
from tests.helpers import code, notebook, write


def _findings(tmp_path: Path, source: str, select: str):
    nb = write(tmp_path / "nb.ipynb", notebook([code(source)]))
    settings = load_settings(start=tmp_path, overrides={"select": [select], "cache": False})
    return lint_file(str(nb), settings).findings


def test_a_node_after_non_ascii_text_is_located_in_characters(tmp_path):
    line = "nom = 'é→日本'; df = pd.read_csv('data/x.csv')"
    [f] = _findings(tmp_path, "import pandas as pd\n" + line, "IO001")
    start = line.index("pd.read_csv") + 1
    assert (f.line, f.col, f.end_col) == (2, start, len(line) + 1)


def test_a_secret_literal_after_non_ascii_text_is_located_in_characters(tmp_path):
    line = 'note = "café"; password = "Tr0ub4dor&3xq"'
    [f] = _findings(tmp_path, line, "SEC002")
    assert f.col == line.index("Tr0ub") + 1


def test_line_numbers_follow_python_not_unicode_line_separators(tmp_path):
    """A form feed or U+2028 inside a string is not a line break for ast or ruff: the
    finding's source line is the line ast points at."""
    source = 'import pandas as pd\nnote = "a\u2028b\x0cc"\ndf = pd.read_csv("data/x.csv")'
    [f] = _findings(tmp_path, source, "IO001")
    assert f.line == 3 and f.source_line == 'df = pd.read_csv("data/x.csv")'
