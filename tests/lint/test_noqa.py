"""``# nb2prod: noqa`` directives: line-level, whole cell, code lists, markdown cells."""

from __future__ import annotations

from pathlib import Path

import pytest

from nb2prod.config import load_settings
from nb2prod.lint.engine import apply_noqa, lint_file, lint_paths, noqa_directives
from nb2prod.lint.findings import Finding
from nb2prod.lint.noqa import directives
from nb2prod.notebook.load import load_notebook
from nb2prod.notebook.model import Cell
from tests.helpers import code, markdown, notebook, write


def found(tmp_path: Path, cells: list[dict], select: list[str]) -> list[tuple[int, int, str]]:
    nb = write(tmp_path / "nb.ipynb", notebook(cells))
    settings = load_settings(start=tmp_path, overrides={"select": select, "cache": False})
    result = lint_file(str(nb), settings)
    return sorted((f.cell, f.line, f.code) for f in result.findings)


def test_directive_after_code_covers_that_line_only(tmp_path: Path) -> None:
    cells = [code("!ls data/  # nb2prod: noqa\n!ls models/\n%who  # nb2prod: noqa")]
    assert found(tmp_path, cells, ["NB"]) == [(1, 2, "NB002")]


def test_directive_on_its_own_line_covers_the_cell(tmp_path: Path) -> None:
    cells = [
        code("# nb2prod: noqa\n!ls a\n%who"),
        code("!ls b\n%who"),
    ]
    assert found(tmp_path, cells, ["NB"]) == [(2, 1, "NB002"), (2, 2, "NB003")]


def test_code_list_with_prefixes(tmp_path: Path) -> None:
    source = (
        "# nb2prod: noqa: NB002\n"  # whole cell, NB002 only
        "!ls a\n"
        "%who\n"
        "%whos  # nb2prod: noqa: NB00, PYF401\n"  # prefix NB00 covers NB003 on this line
        "!pip install x  # nb2prod: noqa: NB003 NB002\n"  # NB001 is not listed
    )
    assert found(tmp_path, [code(source)], ["NB"]) == [(1, 3, "NB003"), (1, 5, "NB001")]


def test_invalid_code_list_suppresses_nothing(tmp_path: Path) -> None:
    cells = [code("!ls  # nb2prod: noqa: nb002")]
    assert found(tmp_path, cells, ["NB"]) == [(1, 1, "NB002")]


def test_cell_level_findings_are_covered_by_a_cell_directive(tmp_path: Path) -> None:
    cells = [
        code("a = 1", count=2),
        code("# nb2prod: noqa: NB004\nb = 2", count=1),
        code("c = 3"),
        code("d = 4  # nb2prod: noqa: NB005", count=None),
    ]
    assert found(tmp_path, cells, ["NB004", "NB005"]) == [(3, 1, "NB005")]


def test_directive_does_not_leak_into_other_cells(tmp_path: Path) -> None:
    cells = [markdown("<!-- nb2prod: noqa -->"), code("# nb2prod: noqa\n!ls"), code("!ls")]
    assert found(tmp_path, cells, ["NB002"]) == [(3, 1, "NB002")]


def test_py_findings_honour_noqa(tmp_path: Path) -> None:
    cells = [code("import os  # nb2prod: noqa: PYF401\nimport sys\nimport json  # nb2prod: noqa")]
    nb = write(tmp_path / "nb.ipynb", notebook(cells))
    settings = load_settings(start=tmp_path, overrides={"select": ["PYF401"], "cache": False})
    (result,) = lint_paths([str(nb)], settings)
    assert [(f.cell, f.line, f.code) for f in result.findings] == [(1, 2, "PYF401")]


@pytest.mark.parametrize(
    ("source", "cell_type", "line", "codes"),
    [
        ("x = 1  # nb2prod: noqa", "code", 1, ()),
        ("# nb2prod: noqa: IO001, SEC", "code", None, ("IO001", "SEC")),
        ("x  #nb2prod:noqa:NB002", "code", 1, ("NB002",)),
        ("Token below.\n<!-- nb2prod: noqa: SEC -->", "markdown", None, ("SEC",)),
        ("<!-- nb2prod: noqa -->", "raw", None, ()),
    ],
)
def test_directive_parsing(source: str, cell_type: str, line, codes) -> None:
    (d,) = directives(Cell(index=4, cell_type=cell_type, source=source))
    assert (d.cell, d.line, d.codes) == (4, line, codes)


def test_markdown_directive_filters_findings_in_that_cell(tmp_path: Path) -> None:
    doc = notebook(
        [
            markdown("Key: AKIAIOSFODNN7EXAMPLE\n<!-- nb2prod: noqa: SEC -->"),
            markdown("Key: AKIAIOSFODNN7EXAMPLE"),
        ]
    )
    nb = load_notebook(write(tmp_path / "nb.ipynb", doc))

    def finding(code: str, cell: int) -> Finding:
        return Finding(code=code, message="m", path=nb.path, cell=cell, line=1, col=1)

    kept = apply_noqa(
        noqa_directives(nb), [finding("SEC001", 1), finding("IO001", 1), finding("SEC001", 2)]
    )
    assert [(f.code, f.cell) for f in kept] == [("IO001", 1), ("SEC001", 2)]
