"""NB rules that the percent-format case files cannot express: execution counts, outputs,
cell magics on a cell's first line, kernels and settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from nb2prod.config import load_settings
from nb2prod.lint.engine import lint_file
from nb2prod.lint.findings import Finding
from tests.helpers import code, markdown, notebook, write


def lint(tmp_path: Path, cells: list[dict], select: str, **options) -> list[Finding]:
    nb = write(tmp_path / "nb.ipynb", notebook(cells, options.pop("metadata", None)))
    settings = load_settings(start=tmp_path, overrides={"select": [select], **options})
    result = lint_file(str(nb), settings)
    assert result.error is None, result.error
    return result.findings


def where(findings: list[Finding]) -> list[tuple[int | None, int, str]]:
    return sorted((f.cell, f.line, f.code) for f in findings)


def error(ename: str, evalue: str) -> dict:
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": []}


def stream(name: str, text: str | list[str]) -> dict:
    return {"output_type": "stream", "name": name, "text": text}


R_KERNEL = {"kernelspec": {"name": "ir", "display_name": "R", "language": "R"}}


# -- NB002 / NB003: cell magics (only recognised on a cell's first line) ---------------------
@pytest.mark.parametrize("magic", ["%%bash", "%%sh", "%%script bash", "%%perl"])
def test_nb002_script_cell_magics(tmp_path: Path, magic: str) -> None:
    cells = [markdown("# Setup"), code(f"{magic}\nls -la data/\nrm -rf tmp/")]
    found = lint(tmp_path, cells, "NB002")
    assert where(found) == [(2, 1, "NB002")]
    assert magic.split()[0] in found[0].message


def test_nb002_cell_magic_after_blank_lines(tmp_path: Path) -> None:
    found = lint(tmp_path, [code("\n\n%%bash\necho hi")], "NB002")
    assert where(found) == [(1, 3, "NB002")]


def test_nb002_capture_names_the_variable(tmp_path: Path) -> None:
    found = lint(tmp_path, [code("import os\nfiles = !ls data/")], "NB002")
    assert where(found) == [(1, 2, "NB002")]
    assert "`files`" in found[0].message


def test_nb002_inside_time_cell_body(tmp_path: Path) -> None:
    found = lint(tmp_path, [code("%%time\nx = 1\n!echo {x}")], "NB002")
    assert where(found) == [(1, 3, "NB002")]


def test_nb001_and_nb002_do_not_both_report_an_install(tmp_path: Path) -> None:
    cells = [code("!pip install pandas\n!sudo apt-get install -y graphviz\n!ls")]
    found = lint(tmp_path, cells, "NB")
    assert where(found) == [(1, 1, "NB001"), (1, 2, "NB001"), (1, 3, "NB002")]


def test_nb001_installs_in_bash_cell(tmp_path: Path) -> None:
    source = (
        "%%bash\n"
        "# set up\n"
        "pip install -q pandas\n"
        "  sudo apt-get update && sudo apt-get install -y \\\n"
        "    graphviz\n"
        "conda install -y faiss"
    )
    found = lint(tmp_path, [code(source)], "NB")
    assert where(found) == [(1, 3, "NB001"), (1, 4, "NB001"), (1, 6, "NB001")]
    assert found[1].col == 3
    assert "apt-get update" in found[1].message


def test_nb002_bash_cell_with_installs_and_other_commands(tmp_path: Path) -> None:
    found = lint(tmp_path, [code("%%sh\npip install x\nwget https://x/y.csv")], "NB")
    assert where(found) == [(1, 1, "NB002"), (1, 2, "NB001")]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("%%writefile train.py\nimport sys", "writes the cell to a local file"),
        ("%%time\nx = 1", "%%time"),
        ("%%capture out\nprint(1)", "%%capture"),
        ("%%html\n<b>hi</b>", "%%html"),
        ("%run ../prepare.ipynb", "`../prepare.ipynb`"),
        ("%store -r df", "hidden state"),
        ("df?", "Help lookup `df?`"),
    ],
)
def test_nb003_cell_and_line_magics(tmp_path: Path, source: str, expected: str) -> None:
    found = lint(tmp_path, [markdown("intro"), code(source)], "NB003")
    assert where(found) == [(2, 1, "NB003")]
    assert expected in found[0].message


def test_nb003_leaves_installs_shell_and_cd_to_other_rules(tmp_path: Path) -> None:
    source = "%cd /data\ncd /data\n%pushd /x\n%popd\n%pip install x\n!ls\n%sx ls\n%%time\n%matplotlib inline"
    found = lint(tmp_path, [code(source)], "NB003")
    # line 8 is not a cell's first line, so it is the line magic "%time" spelled with %%
    assert where(found) == [(1, 8, "NB003")]


def test_nb003_allowed_magics_setting(tmp_path: Path) -> None:
    cells = [code("%%time\nx = 1\n%time y = 2\n%matplotlib inline\n%who")]
    default = lint(tmp_path, cells, "NB003")
    assert where(default) == [(1, 1, "NB003"), (1, 3, "NB003"), (1, 5, "NB003")]
    custom = lint(tmp_path, cells, "NB003", **{"allowed-magics": ["%time", "who"]})
    assert where(custom) == [(1, 4, "NB003")]


def test_nb003_not_for_non_python_kernels(tmp_path: Path) -> None:
    found = lint(tmp_path, [code("%time x <- 1")], "NB003", metadata=R_KERNEL)
    assert found == []


# -- NB004 out-of-order-execution ------------------------------------------------------------
def test_nb004_reports_first_lower_count_once(tmp_path: Path) -> None:
    counts = [1, 2, 5, 3, 4, 1]
    cells = [markdown("title"), *(code(f"x{i} = {i}", count=c) for i, c in enumerate(counts))]
    found = lint(tmp_path, cells, "NB004")
    assert where(found) == [(5, 1, "NB004")]
    assert "execution count 3 after 5" in found[0].message
    assert "(cell 4)" in found[0].message


def test_nb004_ignores_cells_without_count(tmp_path: Path) -> None:
    cells = [code("a = 1", count=1), code("b = 2"), code("c = 3", count=4), code("d", count=9)]
    assert lint(tmp_path, cells, "NB004") == []


def test_nb004_not_run_notebook(tmp_path: Path) -> None:
    assert lint(tmp_path, [code("a = 1"), code("b = 2")], "NB004") == []


def test_nb004_any_kernel(tmp_path: Path) -> None:
    cells = [code("a <- 1", count=2), code("b <- 2", count=1)]
    assert where(lint(tmp_path, cells, "NB004", metadata=R_KERNEL)) == [(2, 1, "NB004")]


# -- NB005 unexecuted-cell ---------------------------------------------------------------------
def test_nb005_unrun_cells_between_and_after_executed(tmp_path: Path) -> None:
    cells = [
        code("import pandas as pd"),  # before the first run cell: not reported
        code("df = pd.DataFrame()", count=1),
        code("df = df.dropna()"),  # never run
        markdown("text"),
        code("   \n"),  # empty
        code("# just a comment\n"),  # no code
        code("df.describe()", count=2),
        code("df.to_parquet(path)"),  # never run, after the last run cell
    ]
    found = lint(tmp_path, cells, "NB005")
    assert where(found) == [(3, 1, "NB005"), (8, 1, "NB005")]


def test_nb005_not_for_notebook_never_run(tmp_path: Path) -> None:
    assert lint(tmp_path, [code("a = 1"), code("b = 2")], "NB005") == []


def test_nb005_skip_tag_and_outputs_without_count(tmp_path: Path) -> None:
    cells = [
        code("a = 1", count=1),
        code("slow()", metadata={"tags": ["skip-execution"]}),
        code("b", outputs=[{"output_type": "execute_result", "data": {}, "metadata": {}}]),
        code("c = 3"),
    ]
    assert where(lint(tmp_path, cells, "NB005")) == [(4, 1, "NB005")]


# -- NB006 error-output ------------------------------------------------------------------------
def test_nb006_error_output_with_ename_and_evalue(tmp_path: Path) -> None:
    cells = [
        code("a = 1", count=1),
        code("df['amount']", count=2, outputs=[error("KeyError", "\x1b[0;31m'amount'\x1b[0m")]),
    ]
    found = lint(tmp_path, cells, "NB006")
    assert where(found) == [(2, 1, "NB006")]
    assert "KeyError: 'amount'" in found[0].message
    assert "\x1b" not in found[0].message


def test_nb006_traceback_on_stderr(tmp_path: Path) -> None:
    tb = [
        "Traceback (most recent call last):\n",
        '  File "x.py", line 1, in <module>\n',
        "ValueError: bad input\n",
    ]
    cells = [
        code("run()", outputs=[stream("stdout", "ok\n"), stream("stderr", tb)]),
        code("warn()", outputs=[stream("stderr", "UserWarning: deprecated\n")]),
        code("tb()", outputs=[stream("stdout", "Traceback (most recent call last):\n")]),
    ]
    found = lint(tmp_path, cells, "NB006")
    assert where(found) == [(1, 1, "NB006")]
    assert "ValueError: bad input" in found[0].message


def test_nb006_one_finding_per_cell_and_expected_errors(tmp_path: Path) -> None:
    cells = [
        code("boom()", outputs=[error("NameError", "x"), error("NameError", "y")]),
        code(
            "1 / 0",
            outputs=[error("ZeroDivisionError", "")],
            metadata={"tags": ["raises-exception"]},
        ),
    ]
    found = lint(tmp_path, cells, "NB006")
    assert where(found) == [(1, 1, "NB006")]
    assert "NameError: x" in found[0].message


# -- NB007 cell-syntax-error -------------------------------------------------------------------
def test_nb007_location_and_severity(tmp_path: Path) -> None:
    cells = [markdown("m"), code("x = 1\nprint 'hello'\n")]
    found = lint(tmp_path, cells, "NB007")
    assert where(found) == [(2, 2, "NB007")]
    assert found[0].severity == "error"
    assert found[0].col == 1
    assert "print" in found[0].message


@pytest.mark.parametrize("source", ["%%bash\nif [ -f x ]; then echo; fi", "%%html\n<b {{ </b>"])
def test_nb007_not_for_other_language_cells(tmp_path: Path, source: str) -> None:
    assert lint(tmp_path, [code(source)], "NB007") == []


@pytest.mark.parametrize(
    ("metadata", "python2"),
    [
        ({"kernelspec": {"name": "python2", "language": "python"}}, True),
        ({"language_info": {"name": "python", "version": "2.7.15"}}, True),
        ({"kernelspec": {"name": "python3", "language": "python"}}, False),
        ({"language_info": {"name": "python", "version": "3.11.4"}}, False),
    ],
)
def test_nb007_says_when_the_kernel_is_python_2(
    tmp_path: Path, metadata: dict, python2: bool
) -> None:
    found = lint(tmp_path, [code("print 'hello'\n")], "NB007", metadata=metadata)
    assert len(found) == 1
    said = "not valid Python 3 (the notebook's kernel is Python 2)" in found[0].message
    assert said is python2


def test_nb007_not_for_non_python_kernels(tmp_path: Path) -> None:
    assert lint(tmp_path, [code("x <- c(1, 2)")], "NB007", metadata=R_KERNEL) == []


def test_nb_hygiene_severities(tmp_path: Path) -> None:
    cells = [
        code("!pip install x\n!ls\n%who", count=2),
        code("y = 1", count=1, outputs=[error("E", "v")]),
        code("z = 2"),
        code("print 'x'", count=3),
    ]
    found = lint(tmp_path, cells, "NB")
    assert {f.code: f.severity for f in found} == {
        "NB001": "warning",
        "NB002": "warning",
        "NB003": "warning",
        "NB004": "warning",
        "NB005": "warning",
        "NB006": "warning",
        "NB007": "error",
    }
