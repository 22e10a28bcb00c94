"""The PY family runs ruff on output-free copies of the notebooks: the copies hold the same
code cells at the same positions, and ruff finds on them exactly what it finds on the
notebooks themselves (checked on real notebooks with large outputs)."""

from __future__ import annotations

import json
import subprocess

import pytest

from nb2prod.lint import ruff
from nb2prod.lint.engine import ruff_document
from nb2prod.notebook.load import load_notebook
from tests.helpers import CORPUS, code, markdown, notebook, write

SELECT = ["E4", "E7", "E9", "F"]


def _key(findings):
    return sorted((f.code, f.cell, f.line, f.col, f.end_line, f.end_col) for f in findings)


def test_the_copy_keeps_every_cell_and_only_the_code(tmp_path):
    cell = code(
        "import os\nprint(x)",
        outputs=[{"output_type": "stream", "name": "stdout", "text": "y" * 10_000}],
    )
    doc = notebook([markdown("# Title\n" + "text " * 2000), cell, code("y = 1")])
    doc["cells"][0]["attachments"] = {"a.png": {"image/png": "iVBOR" * 1000}}
    path = write(tmp_path / "n.ipynb", doc)
    copy = json.loads(ruff_document(load_notebook(path)))
    assert [c["cell_type"] for c in copy["cells"]] == ["markdown", "code", "code"]
    assert copy["cells"][0]["source"] == "" and "attachments" not in copy["cells"][0]
    assert copy["cells"][1]["outputs"] == []
    assert "".join(copy["cells"][1]["source"]) == "import os\nprint(x)"
    assert copy["nbformat"] == 4 and copy["metadata"] == {"language_info": {"name": "python"}}
    assert len(json.dumps(copy)) < len(path.read_text()) / 10


MESSY = (
    sorted((CORPUS / "messy").glob("*.ipynb"), key=lambda p: -p.stat().st_size)[:12]
    if (CORPUS / "messy").is_dir()
    else []
)


@pytest.mark.skipif(not MESSY, reason=f"corpus not found at {CORPUS}")
def test_ruff_finds_the_same_on_the_copies_as_on_the_notebooks():
    notebooks = [p for p in MESSY if load_notebook(p).is_python]
    direct = subprocess.run(
        [*ruff._command(SELECT, []), "--", *map(str, notebooks)],
        capture_output=True,
        check=False,
    )
    expected = ruff.parse_output(direct.stdout, [str(p) for p in notebooks])
    documents = {str(p): ruff_document(load_notebook(p)) for p in notebooks}
    got = ruff.start_documents(documents, SELECT, []).results()
    assert sum(len(v) for v in expected.values()) > 20  # the check has something to compare
    for p in notebooks:
        assert _key(got.get(str(p), [])) == _key(expected.get(str(p), [])), p.name


def test_notebooks_with_the_same_name_keep_their_own_findings(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write(tmp_path / "a" / "nb.ipynb", notebook([code("import os")]))
    second = write(tmp_path / "b" / "nb.ipynb", notebook([code("x = 1"), code("print(y)")]))
    documents = {str(p): ruff_document(load_notebook(p)) for p in (first, second)}
    got = ruff.start_documents(documents, SELECT, []).results()
    assert [(f.code, f.cell) for f in got[str(first)]] == [("PYF401", 1)]
    assert [(f.code, f.cell) for f in got[str(second)]] == [("PYF821", 2)]
    assert {f.path for f in got[str(second)]} == {str(second)}


def test_a_full_tmpfs_falls_back_to_the_temporary_folder(tmp_path, monkeypatch):
    """/dev/shm is often small in containers: when writing there fails, the copies go to
    the usual temporary folder and the findings are the same."""
    path = write(tmp_path / "nb.ipynb", notebook([code("import os")]))
    documents = {str(path): ruff_document(load_notebook(path))}
    real_open = open
    used: list[str] = []

    def picky_open(file, *args, **kwargs):
        used.append(str(file))
        if str(file).startswith("/dev/shm/"):
            raise OSError(28, "No space left on device")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", picky_open)
    got = ruff.start_documents(documents, SELECT, []).results()
    assert [(f.code, f.cell) for f in got[str(path)]] == [("PYF401", 1)]
    assert any(not u.startswith("/dev/shm/") for u in used)


def test_no_room_anywhere_is_a_one_line_error(tmp_path, monkeypatch):
    from nb2prod.errors import InputError

    path = write(tmp_path / "nb.ipynb", notebook([code("import os")]))
    documents = {str(path): ruff_document(load_notebook(path))}

    def no_room(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("builtins.open", no_room)
    with pytest.raises(InputError, match="No space left on device"):
        ruff.start_documents(documents, SELECT, [])
