"""IPython masking: magics become ``pass`` on the same line; strings are never touched."""

from __future__ import annotations

import ast
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nb2prod.notebook.magics import _code_line_starts, _may_hold_ipython, mask_ipython
from nb2prod.notebook.model import Cell
from nb2prod.notebook.parse import parse_cell


def parsed(source: str):
    return parse_cell(Cell(index=1, cell_type="code", source=source))


def kinds(source: str) -> list[tuple[str, str, int]]:
    return [(m.kind, m.name, m.line) for m in parsed(source).magics]


def test_masking_keeps_line_numbers() -> None:
    source = "import os\n%matplotlib inline\n!ls -la\nx = 1\n  \ny = os.getcwd()"
    p = parsed(source)
    assert p.error is None
    lines = p.python.split("\n")
    assert len(lines) == len(source.split("\n"))
    assert lines[1] == "pass" and lines[2] == "pass"
    assert lines[3] == "x = 1" and lines[5] == "y = os.getcwd()"
    assigns = [n for n in ast.walk(p.tree) if isinstance(n, ast.Assign)]
    assert [n.lineno for n in assigns] == [4, 6]


def test_indented_magic_keeps_indentation() -> None:
    p = parsed("for f in files:\n    !gzip {f}\n    print(f)")
    assert p.error is None
    assert p.python.split("\n")[1] == "    pass"
    assert kinds("for f in files:\n    !gzip {f}") == [("shell", "gzip", 2)]


@pytest.mark.parametrize(
    "source",
    [
        'text = """\n!rm -rf /\n%run x\n"""',
        "text = '''\n  !ls\n'''",
        'call(\n    "a",\n    % 2,\n)',
        "value = (10\n         % 3)",
        "value = 10 \\\n    % 3",
        "s = 'a \\\n!b'",
    ],
)
def test_lines_inside_strings_brackets_or_continuations_are_not_masked(source: str) -> None:
    assert mask_ipython(source).python == source
    assert mask_ipython(source).magics == []


def test_bash_cell_is_not_python() -> None:
    p = parsed("%%bash\nfor f in *.csv; do\n  wc -l $f\ndone")
    assert p.not_python is not None and p.not_python.name == "bash"
    assert p.tree is None and p.error is None
    assert [(m.kind, m.name, m.line) for m in p.magics] == [("cell_magic", "bash", 1)]


def test_python_body_cell_magic_is_parsed() -> None:
    p = parsed("%%time\nx = 1\n!echo {x}\ny = x")
    assert p.not_python is None and p.error is None
    assert p.python.split("\n") == ["pass", "x = 1", "pass", "y = x"]
    assert [(m.kind, m.name, m.line) for m in p.magics] == [
        ("cell_magic", "time", 1),
        ("shell", "echo", 3),
    ]


def test_cell_magic_only_on_first_code_line() -> None:
    # a comment before it makes IPython see a (failing) line magic, not a cell magic
    assert kinds("# note\n%%bash\necho hi")[0] == ("line_magic", "bash", 2)


def test_shell_capture_keeps_the_assignment() -> None:
    p = parsed("files = !ls data/\nn = len(files)")
    assert p.error is None
    assert p.python.split("\n")[0] == "files = None"
    (magic,) = p.magics
    assert (magic.kind, magic.name, magic.assigned_to, magic.text) == (
        "shell",
        "ls",
        "files",
        "ls data/",
    )


def test_line_magic_capture() -> None:
    p = parsed("out = %sx git status")
    assert p.python == "out = None"
    assert (p.magics[0].kind, p.magics[0].name, p.magics[0].assigned_to) == (
        "line_magic",
        "sx",
        "out",
    )


@pytest.mark.parametrize(
    ("line", "name"),
    [("df?", "df"), ("pd.read_csv??", "pd.read_csv"), ("?np.mean", "np.mean")],
)
def test_help_lines(line: str, name: str) -> None:
    p = parsed(f"import pandas as pd\n{line}")
    assert p.error is None
    assert [(m.kind, m.name, m.line) for m in p.magics] == [("help", name, 2)]


def test_question_mark_in_comment_or_string_is_not_help() -> None:
    source = "x = 1  # why?\ny = 'what?'"
    assert parsed(source).magics == []


def test_continuation_lines_join_into_one_magic() -> None:
    source = "!pip install \\\n    pandas \\\n    numpy\nimport pandas"
    p = parsed(source)
    assert p.error is None
    (magic,) = p.magics
    assert (magic.line, magic.end_line) == (1, 3)
    assert magic.text.split() == ["pip", "install", "pandas", "numpy"]
    assert p.python.split("\n")[3] == "import pandas"
    assert len(p.python.split("\n")) == 4


def test_automagic_pip_install() -> None:
    p = parsed("import os\npip install seaborn\nx = 1")
    assert p.error is None
    assert [(m.kind, m.name, m.line) for m in p.magics] == [("line_magic", "pip", 2)]
    assert p.python.split("\n")[1] == "pass"


def test_automagic_needs_a_syntax_error() -> None:
    # "ls" and "pip" as plain Python names stay Python
    p = parsed("ls = [1]\npip = ls\nls")
    assert p.error is None and p.magics == []


def test_autocall_escapes() -> None:
    p = parsed("plt.plot(x)\n;\n/print 1\n,print a b")
    assert p.error is None
    assert [(m.kind, m.name, m.line) for m in p.magics] == [
        ("autocall", "", 2),
        ("autocall", "print", 3),
        ("autocall", "print", 4),
    ]


def test_real_syntax_error_is_reported_with_position() -> None:
    p = parsed("x = 1\ny = (2 +\n")
    assert p.tree is None
    assert p.error is not None and p.error.line == 2


# -- the scans that decide which lines can be IPython ----------------------------------------
@pytest.mark.parametrize(
    ("source", "starts"),
    [
        ("x = 1\ny = 2", {0, 1}),
        ('s = """\n%not magic\n"""\n%time x', {0, 3}),
        ("f(1,\n  2)\n!ls", {0, 2}),
        ("x = 1 + \\\n  2\ny", {0, 2}),
        ("s = 'a\\\\'\n%x", {0, 1}),  # an escaped backslash ends nothing: the quote closes
        ("s = 'it\\'s'  # ( \n%y", {0, 1}),  # an escaped quote; a bracket in a comment
        ("t = '''a\\'''\nb'''\nc", {0, 2}),  # an escaped quote does not close '''
        ('a = "open\nb = 2', {0, 1}),  # a one-quote string ends with its line
    ],
)
def test_code_line_starts(source: str, starts: set[int]) -> None:
    assert _code_line_starts(source.split("\n")) == starts


def _reference_line_starts(lines: list[str]) -> set[int]:
    """The same scan, one character at a time."""
    starts: set[int] = set()
    depth, quote, continued = 0, None, False
    for idx, line in enumerate(lines):
        if quote is None and depth == 0 and not continued:
            starts.add(idx)
        continued, j = False, 0
        while j < len(line):
            ch = line[j]
            if quote is not None:
                if ch == "\\":
                    j += 2
                elif line.startswith(quote, j):
                    j, quote = j + len(quote), None
                else:
                    j += 1
                continue
            if ch == "#":
                break
            continued = continued or (ch == "\\" and j == len(line) - 1)
            if ch in "\"'":
                quote = line[j : j + 3] if line[j : j + 3] in ('"""', "'''") else ch
                j += len(quote)
                continue
            depth = depth + 1 if ch in "([{" else max(0, depth - 1) if ch in ")]}" else depth
            j += 1
        if quote in ("'", '"') and not line.endswith("\\"):
            quote = None
    return starts


CODE_CHARS = st.sampled_from(["'", '"', "'''", '"""', "\\", "#", "(", ")", "[", "]", "x", " "])


@given(st.lists(st.lists(CODE_CHARS, max_size=12).map("".join), max_size=6))
def test_code_line_starts_agrees_with_a_character_scan(lines: list[str]) -> None:
    assert _code_line_starts(lines) == _reference_line_starts(lines)


@given(st.text(alphabet=" \t\n%!,;/?=xa", max_size=30))
def test_may_hold_ipython_is_the_line_start_magic_help_or_assign_test(source: str) -> None:
    expected = re.search(r"^[ \t]*[%!,;/]|\?|=\s*[!%]", source, re.MULTILINE) is not None
    assert _may_hold_ipython(source) == expected
