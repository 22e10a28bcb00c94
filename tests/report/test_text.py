"""Text output: ruff-like lines, plain when piped, safe with any notebook text."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from rich.cells import cell_len

from nb2prod.lint.engine import FileResult
from nb2prod.lint.findings import Finding
from nb2prod.report import text
from tests.helpers import code, notebook, write

ANSI = "\x1b["


def render(results: list[FileResult], **kw) -> str:
    buf = io.StringIO()
    text.render(results, buf, **kw)
    return buf.getvalue()


def test_ruff_like_layout_with_caret() -> None:
    f = Finding(
        "NB001",
        "Package install",
        "nb/a.ipynb",
        3,
        2,
        5,
        severity="warning",
        end_line=2,
        end_col=12,
        source_line="x = !pip install y",
        help="Ask #data-eng",
    )
    out = render([FileResult(f.path, [f])]).splitlines()
    assert out[0] == "nb/a.ipynb:cell 3:2:5: NB001 Package install"
    assert out[1] == "   2 | x = !pip install y"
    assert out[2] == "     |     ^^^^^^^"
    assert out[3] == "  help: Ask #data-eng"
    assert out[4] == "1 finding in 1 of 1 notebook (1 warning)"


def test_odd_characters_are_shown_not_interpreted() -> None:
    f = Finding(
        "NB001",
        "[red]boom[/red] [/] :smile: \x1b[31m end\\",
        "[b]/n.ipynb",
        1,
        1,
        1,
        source_line="print('[/bold]\\\\')\\",
        fixable=True,
    )
    for color in (None, False, True):
        out = render([FileResult(f.path, [f])], color=color)
        assert "[red]boom[/red] [/] :smile: \\x1b[31m end\\" in out.replace(ANSI + "0m", "")
    plain = render([FileResult(f.path, [f])])
    assert "[b]/n.ipynb:cell 1:1:1: NB001 " in plain
    assert "print('[/bold]\\\\')\\\n" in plain  # trailing backslash kept once
    assert "\x1b" not in plain  # the notebook's escape character is shown, not sent
    assert "[fixable]" in plain


def test_no_colour_unless_a_terminal() -> None:
    f = Finding("NB006", "m", "a.ipynb", 1, 1, 1, source_line="x = 1")
    assert ANSI not in render([FileResult(f.path, [f])])  # StringIO is not a TTY
    assert ANSI in render([FileResult(f.path, [f])], color=True)


def test_piped_cli_output_is_plain(tmp_path: Path) -> None:
    nb = write(tmp_path / "a.ipynb", notebook([code("!pip install xgboost")]))
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "TTY_COMPATIBLE"}}
    proc = subprocess.run(
        [sys.executable, "-m", "nb2prod", "lint", "--no-cache", "--select", "NB001", str(nb)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "NB001" in proc.stdout and ANSI not in proc.stdout
    assert proc.stdout.splitlines()[-1] == "1 finding in 1 of 1 notebook (1 warning)"


def test_caret_under_tabs_and_wide_characters() -> None:
    f = Finding(
        "X1", "m", "a.ipynb", 1, 1, 7, source_line="\tx = '日本' + y", end_line=1, end_col=10
    )
    shown, start, width = text.caret(f)
    assert shown == "    x = '日本' + y"
    assert start == cell_len("    x = '")  # under 日, after the expanded tab
    assert width == cell_len("日本'")
    out = render([FileResult(f.path, [f])]).splitlines()
    assert out[2] == "     | " + " " * start + "^" * width


def test_summary_and_quiet(corpus_results: list[FileResult]) -> None:
    out = render(corpus_results, show_source=False)
    findings = [f for r in corpus_results for f in r.findings]
    lines = out.splitlines()
    assert len(lines) == len(findings) + 1  # quiet: one line each, then the summary
    assert lines[-1].startswith(f"{len(findings)} findings in ")
    unreadable = sum(1 for r in corpus_results if r.error)
    assert lines[-1].endswith(f"; {unreadable} could not be read")
    full = render(corpus_results).splitlines()
    assert len(full) > len(lines)
    assert render([FileResult("a.ipynb")]) == "1 notebook checked: all clean\n"
