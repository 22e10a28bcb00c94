"""Regression tests for the reproducers of issue 16 that were lost findings, tracebacks or
unbounded resources (the leaks are in test_no_leak.py, ``--fix`` and noqa in
test_fix_noqa.py, the service in tests/scaffold/test_service_hostile.py).

Each test runs the installed ``nb2prod`` (or the engine, where a stand-in for a slow ruff is
needed) on the notebook that broke it and checks the exit code (0, 1 or 2 only), that no
traceback is printed, and what is reported: never "clean" when a check could not run.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import string
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from nb2prod.config import load_settings
from nb2prod.lint.engine import lint_paths
from tests.conftest import console_script
from tests.helpers import code, markdown, notebook, write

PY_CODE = "import os\nx = undefined_name\n"  # ruff: F401 on line 1, F821 on line 2


def run(*args: str | Path, cwd: Path) -> tuple[int, str, str]:
    """``nb2prod *args`` in ``cwd``: (exit code, stdout, stderr), both valid UTF-8."""
    proc = subprocess.run(
        [console_script(), *map(str, args)], cwd=cwd, capture_output=True, check=False
    )
    out, err = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")  # strict: valid
    assert proc.returncode in (0, 1, 2), (proc.returncode, err)
    assert "Traceback" not in out + err and "internal error" not in out + err, err
    return proc.returncode, out, err


def lint_json(*args: str | Path, cwd: Path) -> tuple[int, dict]:
    code_, out, _ = run("lint", "--no-cache", "--format", "json", *args, cwd=cwd)
    return code_, json.loads(out)


def codes(report: dict, path: str | None = None) -> list[tuple[str, int | None, int]]:
    return sorted(
        (f["code"], f["cell"], f["line"])
        for f in report["findings"]
        if path is None or f["path"] == path
    )


def secret(prefix: str = "ghp_", size: int = 36, seed: int = 16) -> str:
    rng = random.Random(seed)
    return prefix + "".join(rng.choices(string.ascii_letters + string.digits, k=size))


# -- findings lost without a word -------------------------------------------------------------
def _no_minor(doc: dict) -> None:
    del doc["nbformat_minor"]


def _float_count(doc: dict) -> None:
    doc["cells"][0]["execution_count"] = 1.0


def _int_id(doc: dict) -> None:
    doc["cells"][0]["id"] = 5


def _no_metadata(doc: dict) -> None:
    del doc["cells"][0]["metadata"]


def _odd_kernel_metadata(doc: dict) -> None:
    doc["metadata"]["language_info"] = {"name": "python", "version": 3.11, "codemirror_mode": 7}


@pytest.mark.parametrize(
    "damage", [_no_minor, _float_count, _int_id, _no_metadata, _odd_kernel_metadata]
)
def test_ruff_checks_notebooks_it_cannot_read_as_they_are(tmp_path: Path, damage) -> None:
    """Real files lack nbformat_minor, have float execution counts, integer cell ids, cells
    without metadata: ruff rejects them, and its findings were dropped (reported clean)."""
    doc = notebook([code(PY_CODE, count=1), markdown("# notes")])
    damage(doc)
    write(tmp_path / "nb.ipynb", doc)
    exit_code, report = lint_json("nb.ipynb", cwd=tmp_path)
    assert exit_code == 1
    assert codes(report) == [("PYF401", 1, 1), ("PYF821", 1, 2)]
    assert report["errors"] == []


def test_a_ruff_failure_is_an_error_naming_the_file_never_clean(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.nb2prod]\nruff-select = ["XYZ9999"]\n')
    write(tmp_path / "nb.ipynb", notebook([code("import pandas as pd\npd.read_csv('a.csv')")]))
    exit_code, report = lint_json("nb.ipynb", cwd=tmp_path)
    assert exit_code == 2
    [error] = report["errors"]
    assert error["path"] == "nb.ipynb" and "ruff failed" in error["message"]
    assert "XYZ9999" in error["message"] and "PY rules not checked" in error["message"]
    assert [f["code"] for f in report["findings"]] == ["IO001"]  # nb2prod's own: still there


@pytest.fixture
def slow_ruff(tmp_path: Path) -> Path:
    """A ruff that hangs on notebooks named ``slow*`` and is the real ruff otherwise: the
    stand-in for ruff on a pathological line (ruff has no time limit of its own)."""
    from nb2prod.lint.ruff import ruff_binary

    if os.name != "posix":
        pytest.skip("a shell script stands in for ruff")
    fake = tmp_path / "bin" / "ruff"
    fake.parent.mkdir()
    fake.write_text(
        f'#!/bin/sh\ncase "$*" in *slow*) exec sleep 300;; esac\nexec "{ruff_binary()}" "$@"\n'
    )
    fake.chmod(0o755)
    return fake


def test_ruff_over_the_time_limit_is_an_error_for_that_notebook_only(
    tmp_path: Path, slow_ruff: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("nb2prod.lint.ruff.ruff_binary", lambda: str(slow_ruff))
    for name in ("a", "slow", "b"):
        write(tmp_path / f"{name}.ipynb", notebook([code(PY_CODE)]))
    settings = load_settings(start=tmp_path, overrides={"cache": False})
    settings.values["subprocess-timeout"] = 1
    results = {Path(r.path).stem: r for r in lint_paths([str(tmp_path)], settings, jobs=1)}
    slow = results["slow"]
    assert slow.error is not None
    assert "ruff did not finish within 1 s (setting subprocess-timeout)" in slow.error
    assert slow.error.startswith(str(tmp_path / "slow.ipynb"))
    for name in ("a", "b"):  # checked alone, the others keep their findings
        assert results[name].error is None
        assert [f.code for f in results[name].findings] == ["PYF401", "PYF821"]


def test_the_time_limit_is_a_setting_checked_for_its_type(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.nb2prod]\nsubprocess-timeout = -5\n")
    write(tmp_path / "nb.ipynb", notebook([code("x = 1")]))
    exit_code, out, err = run("lint", "nb.ipynb", cwd=tmp_path)
    assert exit_code == 2 and "subprocess-timeout" in err and len(err.splitlines()) == 1


# -- \r line endings ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (  # a lone \r after a magic: the read on line 3 was masked with the magic
            "%matplotlib inline\rimport pandas as pd\rdf = pd.read_csv('data.csv')\r",
            [("IO001", 1, 3)],
        ),
        (  # a shell line after \r: reported as a syntax error (NB007)
            "import pandas as pd\r!pip install foo\rdf = pd.read_csv('data.csv')\r",
            [("IO001", 1, 3), ("NB001", 1, 2)],
        ),
        (
            "%%time\rimport pandas as pd\rdf = pd.read_csv('data.csv')\r",
            [("IO001", 1, 3), ("NB003", 1, 1)],
        ),
        ("import os\r\nx = undefined_name\r", [("PYF401", 1, 1), ("PYF821", 1, 2)]),
    ],
)
def test_carriage_return_line_endings(tmp_path: Path, source: str, expected: list) -> None:
    write(tmp_path / "nb.ipynb", notebook([code(source)]))
    _, report = lint_json("nb.ipynb", cwd=tmp_path)
    assert codes(report) == expected


def test_fix_on_a_cell_starting_with_a_carriage_return(tmp_path: Path) -> None:
    """Was an IndexError: the rewrite's lines were split at \\n only, ast's at \\r too."""
    (tmp_path / "pyproject.toml").write_text('[tool.nb2prod]\ndata-uri = "s3://bucket/p"\n')
    path = write(tmp_path / "nb.ipynb", notebook([code("\rf=pd.read_csv('')")]))
    exit_code, _, err = run("lint", "--no-cache", "--fix", "nb.ipynb", cwd=tmp_path)
    assert exit_code in (0, 1)
    source = "".join(json.loads(path.read_text())["cells"][0]["source"])
    assert "DATA_URI" in source and "read_csv('')" not in source, err
    assert "\n" not in source  # the cell keeps its own line ending


# -- secrets in every textual output ------------------------------------------------------------
@pytest.mark.parametrize(
    "where",
    [
        "application/json",
        "application/javascript",
        "image/svg+xml",
        "application/vnd.plotly.v1+json",
        "application/vnd.jupyter.widget-view+json",
        "output metadata",
    ],
)
def test_secrets_in_data_outputs_and_output_metadata_are_found(tmp_path: Path, where) -> None:
    token = secret()
    if where == "output metadata":
        output = {
            "output_type": "display_data",
            "data": {"text/plain": "<Figure>"},
            "metadata": {"tool": {"auth": f"token {token}"}},
        }
    elif where == "image/svg+xml":
        output = {"output_type": "display_data", "data": {where: [f"<svg><!-- {token} -->\n"]}}
    elif where == "application/javascript":
        output = {"output_type": "display_data", "data": {where: f"fetch(u, '{token}')"}}
    else:
        output = {"output_type": "display_data", "data": {where: {"a": [{"t": token}]}}}
    write(tmp_path / "nb.ipynb", notebook([code("show()", outputs=[output], count=1)]))
    exit_code, out, err = run("lint", "--no-cache", "nb.ipynb", cwd=tmp_path)
    assert exit_code == 1 and "SEC005" in out
    assert token not in out + err and token[:4] in out  # found, and masked


def test_images_are_still_never_read(tmp_path: Path) -> None:
    token = secret()
    output = {"output_type": "display_data", "data": {"image/png": f"iVBORw0KGgo{token}"}}
    write(tmp_path / "nb.ipynb", notebook([code("show()", outputs=[output], count=1)]))
    _, report = lint_json("nb.ipynb", cwd=tmp_path)
    assert "SEC005" not in {f["code"] for f in report["findings"]}


# -- tracebacks ---------------------------------------------------------------------------------
def test_an_integer_of_5000_digits_in_the_json(tmp_path: Path) -> None:
    text = json.dumps(notebook([code("x = 1", count=7)], metadata={"n": 7}))
    big = "9" * 5000
    text = text.replace('"execution_count": 7', f'"execution_count": {big}')
    text = text.replace('"n": 7', f'"n": -{big}')
    assert big in text
    (tmp_path / "nb.ipynb").write_text(text)
    exit_code, report = lint_json("nb.ipynb", cwd=tmp_path)
    assert exit_code == 0 and report["errors"] == []


def test_an_integer_literal_too_long_for_str_in_code(tmp_path: Path) -> None:
    """A hex literal of 5000 digits is valid Python; IO001's value evaluation called str()
    on it (ValueError over 4,300 digits) and convert made it a setting."""
    source = f"import pandas as pd\nN = 0x{'f' * 5000}\npd.read_csv(f'{{N}}.csv')\nopen(str(N))\n"
    path = write(tmp_path / "nb.ipynb", notebook([code(source, count=1)]))
    exit_code, report = lint_json("nb.ipynb", cwd=tmp_path)
    assert report["errors"] == [] and exit_code in (0, 1)
    exit_code, _, err = run("convert", path, "-o", tmp_path / "pkg", cwd=tmp_path)
    assert exit_code == 0, err
    assert (tmp_path / "pkg" / "pyproject.toml").is_file()


def _with_lone_surrogates() -> str:
    doc = notebook(
        [
            code(
                "x = 'a\ud800b'\npassword = 'hunter2\udfff'\n",
                outputs=[{"output_type": "stream", "name": "stdout", "text": "\udc00 out\n"}],
                count=1,
                metadata={"tags": ["\ud83d"]},
            ),
            markdown("# \ud800 title"),
        ],
        metadata={"author": "\udbff"},
    )
    return json.dumps(doc)  # ensure_ascii: written as \ud800 escapes, as a tool would


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_lone_surrogates_in_sources_outputs_and_metadata(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "nb.ipynb").write_text(_with_lone_surrogates())
    exit_code, out, _ = run("lint", "--no-cache", "-f", fmt, "nb.ipynb", cwd=tmp_path)
    assert exit_code == 1 and "SEC002" in out
    if fmt in ("json", "sarif"):
        json.loads(out)
    exit_code, _, _ = run("lint", "--no-cache", "-f", fmt, "-o", "r.txt", "nb.ipynb", cwd=tmp_path)
    assert exit_code == 1
    (tmp_path / "r.txt").read_bytes().decode("utf-8")  # strict


def test_lone_surrogates_through_convert(tmp_path: Path) -> None:
    (tmp_path / "nb.ipynb").write_text(_with_lone_surrogates())
    out = tmp_path / "pkg"
    exit_code, _, err = run("convert", "nb.ipynb", "-o", out, "--allow-partial", cwd=tmp_path)
    assert exit_code in (0, 1), err
    files = [p for p in out.rglob("*") if p.is_file()]
    assert files
    for p in files:
        p.read_bytes().decode("utf-8")  # every generated file is valid UTF-8


def test_a_thousand_stacked_cell_magics(tmp_path: Path) -> None:
    source = "%%time\n" * 1000 + "import pandas as pd\ndf = pd.read_csv('data.csv')\n"
    path = write(tmp_path / "nb.ipynb", notebook([code(source, count=1)]))
    exit_code, report = lint_json("nb.ipynb", cwd=tmp_path)
    assert exit_code == 1 and report["errors"] == []
    assert ("IO001", 1, 1002) in codes(report)
    exit_code, _, err = run(
        "convert", path, "-o", tmp_path / "pkg", "--allow-partial", cwd=tmp_path
    )
    assert exit_code in (0, 1), err


def test_a_symlink_loop_given_as_the_argument(tmp_path: Path) -> None:
    (tmp_path / "loop.ipynb").symlink_to("loop.ipynb")
    exit_code, out, err = run("lint", "loop.ipynb", cwd=tmp_path)
    assert exit_code == 2
    [line] = [ln for ln in err.splitlines() if "error" in ln]
    assert "loop.ipynb" in line and "symbolic links" in line
    exit_code, _, err = run("lint", "--fix", "loop.ipynb", cwd=tmp_path)
    assert exit_code == 2


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_a_file_name_that_is_not_utf8(tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "nbs"
    folder.mkdir()
    try:
        odd = folder / os.fsdecode(b"caf\xe9.ipynb")
        write(odd, notebook([code("import os")]))
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses non-UTF-8 names")
    write(folder / "good.ipynb", notebook([code("import sys")]))
    exit_code, out, _ = run("lint", "--no-cache", "-f", fmt, "nbs", cwd=tmp_path)
    assert exit_code == 1
    if fmt == "json":
        report = json.loads(out)
        paths = sorted(f["path"] for f in report["findings"])
        assert paths == ["nbs/caf\udce9.ipynb", "nbs/good.ipynb"]  # neither one lost
        assert report["errors"] == []
    elif fmt == "sarif":
        uris = {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(out)["runs"][0]["results"]
        }
        assert uris == {"nbs/caf%E9.ipynb", "nbs/good.ipynb"}  # the file's own bytes
    else:
        assert "caf\\udce9.ipynb" in out and "good.ipynb" in out


def _can_be_refused_writing(folder: Path) -> list[str] | None:
    """A command prefix under which writing into the read-only ``folder`` fails: none for
    a user, ``setpriv`` without the capability to override file permissions for root."""
    if os.name != "posix":
        return None
    prefix = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            return None
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    probe = subprocess.run(
        [*prefix, sys.executable, "-c", f"open({str(folder / 'probe')!r}, 'w')"],
        capture_output=True,
        check=False,
    )
    return prefix if probe.returncode != 0 else None


def test_fix_in_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "pyproject.toml").write_text('[tool.nb2prod]\ndata-uri = "s3://b/p"\n')
    path = write(folder / "nb.ipynb", notebook([code("import pandas as pd\npd.read_csv('a.csv')")]))
    before = path.read_bytes()
    folder.chmod(0o555)
    try:
        prefix = _can_be_refused_writing(folder)
        if prefix is None:
            pytest.skip("cannot make a folder this process cannot write to")
        proc = subprocess.run(
            [*prefix, console_script(), "lint", "--no-cache", "--fix", "nb.ipynb"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        folder.chmod(0o755)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "nb.ipynb: cannot write the notebook (Permission denied)" in proc.stderr
    assert path.read_bytes() == before


def test_control_characters_from_metadata_are_escaped(tmp_path: Path) -> None:
    kernel = {
        "name": "x\x1b[2J",
        "language": "r\x1b]0;pwned\x07\x9b31m",
        "display_name": "\x1b[31m",
    }
    write(tmp_path / "nb.ipynb", notebook([code("x <- 1")], metadata={"kernelspec": kernel}))
    exit_code, out, err = run("lint", "--no-cache", "nb.ipynb", cwd=tmp_path)
    assert exit_code == 0
    assert not any(ch in out + err for ch in "\x1b\x07\x9b")
    assert "kernel language 'r\\x1b]0;pwned\\x07\\x9b31m'" in err


def test_one_bad_file_never_takes_the_json_report_of_the_others(tmp_path: Path) -> None:
    """Ten notebooks (linted in parallel processes): the unreadable and the hostile ones are
    error entries or their own findings; every good one is reported."""
    for i in range(6):
        write(tmp_path / f"good{i}.ipynb", notebook([code(f"import os\nx{i} = y\n")]))
    (tmp_path / "conflict.ipynb").write_text('{\n<<<<<<< HEAD\n"cells": []\n=======\n}\n')
    (tmp_path / "deep.ipynb").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "latin1.ipynb").write_bytes(b'{"cells": [], "x": "caf\xe9"}')
    (tmp_path / "surrogates.ipynb").write_text(_with_lone_surrogates())
    exit_code, report = lint_json("-j", "2", ".", cwd=tmp_path)
    assert exit_code == 2
    assert sorted(e["path"] for e in report["errors"]) == [
        "conflict.ipynb",
        "deep.ipynb",
        "latin1.ipynb",
    ]
    for i in range(6):
        assert codes(report, f"good{i}.ipynb") == [("PYF401", 1, 1), ("PYF821", 1, 2)]
    assert "SEC002" in {f["code"] for f in report["findings"] if f["path"] == "surrogates.ipynb"}


def test_a_crash_inside_nb2prod_is_that_files_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The safety net under every rule and the analysis: one line naming the file, the
    type of the exception (not its message, which may quote the notebook), the other
    notebooks reported."""
    import nb2prod.lint.engine as engine

    real = engine.check_loaded

    def check(nb, path, settings):
        if "bad" in path:
            raise RecursionError("maximum recursion depth exceeded near 'hunter2'")
        return real(nb, path, settings)

    monkeypatch.setattr(engine, "check_loaded", check)
    write(tmp_path / "bad.ipynb", notebook([code("import os")]))
    write(tmp_path / "good.ipynb", notebook([code("import os")]))
    settings = load_settings(start=tmp_path, overrides={"cache": False})
    bad, good = lint_paths([str(tmp_path)], settings, jobs=1)
    assert bad.error is not None and "internal error (RecursionError)" in bad.error
    assert "hunter2" not in bad.error and bad.error.startswith(str(tmp_path / "bad.ipynb"))
    assert [f.code for f in good.findings] == ["PYF401"]


# -- resources ---------------------------------------------------------------------------------
def test_a_line_of_20000_names_gives_excerpts_not_the_line_20000_times(tmp_path: Path) -> None:
    """ruff reports each undefined name of the line: every finding carried the 140,000
    characters of the line (a 2.8 GB JSON report, minutes of masking and rendering). Each
    now shows an excerpt around its name, with the caret under it."""
    names = [f"a{i}" for i in range(20_000)]
    token = secret()
    line = f'f("{token}", ' + ", ".join(names) + ")"
    write(tmp_path / "nb.ipynb", notebook([code(line)]))
    exit_code, report = lint_json("nb.ipynb", cwd=tmp_path)
    assert exit_code == 1
    undefined = [f for f in report["findings"] if f["code"] == "PYF821"]
    assert len(undefined) == 20_001  # f and every name
    assert max(len(f["source_line"]) for f in report["findings"]) <= 300
    for f in undefined[997::997]:  # names far into the line
        name = f["message"].split("`")[1]
        start = line.index(f" {name},") + 1 if f" {name}," in line else line.index(f" {name})") + 1
        assert f["col"] == start + 1  # the real column in the cell
        shown = f["source_line"]
        assert shown.startswith("…") and f" {name}" in shown
    exit_code, out, err = run("lint", "--no-cache", "nb.ipynb", cwd=tmp_path)
    assert token not in out + err
    rows = out.splitlines()
    for i, row in enumerate(rows[:-2]):  # the caret stands under the name in the excerpt
        if "PYF821 Undefined name `a12345`" in row:
            shown, marks = rows[i + 1], rows[i + 2]
            first = marks.index("^")
            assert shown[first : first + 6] == "a12345" and marks.count("^") == 6
            break
    else:
        raise AssertionError("no finding for a12345")


def test_an_excerpt_is_masked_and_its_caret_stays_on_the_span(tmp_path: Path) -> None:
    token = secret()
    line = "x = [" + "1, " * 200 + f'"{token}", missing_name]'
    write(tmp_path / "nb.ipynb", notebook([code(line)]))
    exit_code, out, err = run("lint", "--no-cache", "--select", "PY", "nb.ipynb", cwd=tmp_path)
    assert exit_code == 1 and token not in out + err
    rows = out.splitlines()
    [i] = [n for n, row in enumerate(rows) if "Undefined name `missing_name`" in row]
    shown, marks = rows[i + 1], rows[i + 2]
    assert "ghp_…" in shown and shown.startswith("   1 | …")
    first = marks.index("^")
    assert shown[first : first + len("missing_name")] == "missing_name"


def _many_cells(n: int) -> dict:
    cells = [code("import numpy as np\nx0 = 0\n", count=1)]
    for i in range(1, n):
        if i % 3 == 0:
            cells.append(markdown(f"## step {i}"))
        elif i % 3 == 1:
            cells.append(code(f"x{i} = x{i - 1} + np.int64({i})\nprint(x{i})\n", count=i + 1))
        else:
            cells.append(code(f"def f{i}(a):\n    return a * {i}\nx{i} = f{i}(x{i - 2})\n"))
    return notebook(cells)


def _peak_of_plan(path: Path) -> int:
    from nb2prod.project.package import render_package

    tracemalloc.start()
    try:
        render_package(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_convert_memory_grows_linearly_with_the_notebook(tmp_path: Path) -> None:
    """Planning a notebook kept a set of names per cell (names read or defined further
    down): memory grew with cells x names, 7 GB for 20,000 cells. Doubling the notebook
    now doubles the peak (x2.0; it was x3.4 from 1,000 to 2,000 cells). Four times the
    cells: x4 when linear, about x11.6 as it was; the bound leaves room for what other tests
    of the same worker left in shared caches."""
    small = write(tmp_path / "small.ipynb", _many_cells(1000))
    large = write(tmp_path / "large.ipynb", _many_cells(4000))
    _peak_of_plan(small)  # imports, caches
    ratio = _peak_of_plan(large) / _peak_of_plan(small)
    assert ratio < 6.0, ratio


def test_two_keys_sharing_a_provider_prefix_are_both_masked_when_cut() -> None:
    """A message cut inside one key must not be masked as a piece of another key with the
    same prefix (found by the deep fuzz: 30 characters of the cut key were printed)."""
    from nb2prod.analysis.secrets.masker import Masker

    a = "sk-ant-api03-" + "Qw3rTy7uIoP1aSdF9gHjKlZx2CvBnM5qWeRtYuIo"
    b = "sk-ant-api03-" + "Zm8NbV4cXz6LkJh2GfDs0ApOiUy7TrEw5QaSdFgH"
    for masker in (Masker([a, b]), Masker([b, a])):
        for text in (f'pd.read_csv("/home/ana/{a[:45]}...', f"...{a[-30:]} and {b[:20]}..."):
            masked = masker(text)
            assert a[13:23] not in masked and a[-12:] not in masked and b[13:23] not in masked
            assert "…(53 chars)" in masked
