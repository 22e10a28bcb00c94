"""The real-notebook corpus in ``../shared/corpus``: messy notebooks lint without a crash and
with well-formed findings; malformed files fail with one line each, through the CLI."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from nb2prod.config import load_settings
from nb2prod.lint.engine import FileResult, lint_file, lint_paths
from nb2prod.notebook.load import load_notebook
from tests.conftest import console_script, finding_problems
from tests.helpers import CORPUS

MESSY = CORPUS / "messy"
MALFORMED = CORPUS / "malformed"

pytestmark = pytest.mark.skipif(
    not MESSY.is_dir() or not MALFORMED.is_dir(),
    reason=f"notebook corpus not found at {CORPUS} (a checkout of shared/ beside the repo)",
)


def _family(code: str) -> str:
    return code.rstrip("0123456789") if not code.startswith("PY") else "PY"


@pytest.fixture(scope="module")
def messy_results() -> list[FileResult]:
    settings = load_settings(start=MESSY, overrides={"cache": False})
    return lint_paths([str(MESSY)], settings, jobs=2, use_cache=False)


def test_every_messy_notebook_is_linted_without_error(messy_results: list[FileResult]) -> None:
    files = sorted(str(p) for p in MESSY.glob("*.ipynb"))
    assert len(files) >= 200
    assert sorted(r.path for r in messy_results) == files
    errors = [f"{r.path}: {r.error}" for r in messy_results if r.error is not None]
    assert not errors, "\n".join(errors[:20])


def test_messy_findings_are_well_formed(messy_results: list[FileResult]) -> None:
    problems = []
    for r in messy_results:
        problems.extend(
            f"{Path(r.path).name}: {p}" for p in finding_problems(r, load_notebook(r.path))
        )
    assert not problems, f"{len(problems)} bad findings, e.g.:\n" + "\n".join(problems[:20])


def test_messy_corpus_gets_findings_of_each_code_family(messy_results: list[FileResult]) -> None:
    # The corpus was chosen for local reads, magics, !pip and out-of-order counts (README).
    families = Counter(_family(f.code) for r in messy_results for f in r.findings)
    for family in ("IO", "NB", "PY"):
        assert families[family] > 0, f"no {family} finding on the messy corpus: {families}"


def test_other_kernels_get_a_note_and_no_python_findings(messy_results: list[FileResult]) -> None:
    others = [r for r in messy_results if not load_notebook(r.path).is_python]
    assert others, "the corpus has Swift-kernel notebooks"
    for r in others:
        assert any("kernel language" in n for n in r.notes), r.path
        assert not [f for f in r.findings if f.code.startswith(("PY", "IO"))], r.path


def _is_v3(path: Path) -> bool:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("nbformat") == 3
    except (ValueError, UnicodeDecodeError, AttributeError):
        return False


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [console_script(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_malformed_files_fail_with_one_line_each(tmp_path: Path) -> None:
    files = sorted(MALFORMED.glob("*.ipynb"))
    broken = [p for p in files if not _is_v3(p)]
    v3 = [p for p in files if _is_v3(p)]
    assert len(broken) >= 9 and len(v3) == 1

    proc = _run(["lint", "--no-cache", *map(str, files)], tmp_path)

    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.splitlines()
    for path in broken:
        mine = [ln for ln in lines if str(path) in ln]
        assert len(mine) == 1, f"{path.name}: expected one stderr line, got {mine}"
        assert mine[0].startswith("nb2prod: error: "), mine[0]
        assert len(mine[0]) < 300, mine[0]
    notes = [ln for ln in lines if str(v3[0]) in ln]
    assert notes and all(ln.startswith("nb2prod: note: ") for ln in notes), notes
    assert len(lines) == len(broken) + len(notes), proc.stderr


def test_nbformat3_file_is_accepted_with_a_note(tmp_path: Path) -> None:
    (v3,) = [p for p in sorted(MALFORMED.glob("*.ipynb")) if _is_v3(p)]
    proc = _run(["lint", "--no-cache", "--format", "json", str(v3)], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert "nbformat 3" in proc.stderr and str(v3) in proc.stderr
    report = json.loads(proc.stdout)
    assert report["errors"] == []
    assert any("nbformat 3" in n["message"] for n in report["notes"])
    for f in report["findings"]:
        assert f["cell"] is None or f["cell"] >= 1


@pytest.mark.parametrize("path", sorted(MALFORMED.glob("*.ipynb")), ids=lambda p: p.name)
def test_lint_file_reports_malformed_input_as_data(path: Path) -> None:
    settings = load_settings(start=MALFORMED, overrides={"cache": False})
    result = lint_file(str(path), settings)
    if _is_v3(path):
        assert result.error is None
        assert finding_problems(result, load_notebook(path)) == []
    else:
        assert result.error and "\n" not in result.error and str(path) in result.error
        assert result.findings == []
