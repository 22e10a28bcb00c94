"""Fuzzing the command line with generated notebooks (strategies.py): ``nb2prod lint`` in
text and JSON, ``lint --fix`` and ``convert`` must, for any file,

* exit with 0, 1 or 2, and never print a traceback (nor nb2prod's "internal error", the
  line its safety nets print for a bug);
* print valid JSON with ``--format json``, the notebook listed as a file;
* answer a notebook the loader accepts (UTF-8 JSON in nbformat 4) with findings, never
  exit code 2 or an error entry: what it cannot check it must say it could not;
* leave a notebook ``--fix`` rewrote readable, and write only valid UTF-8 files (convert);
* never print or write a secret planted in the notebook, not even ten characters of it.

Profiles: the fast one runs with the suite (40 examples per test, the same ones every run,
so that CI is reproducible). ``NB2PROD_FUZZ=deep`` selects the deep one, which explores
(``NB2PROD_FUZZ_EXAMPLES`` new examples per test, 500 by default; a failure stops and is
shrunk): ``benchmarks/fuzz_bench.py`` runs it with ``NB2PROD_FUZZ_LOG`` set, so that every
case is recorded and a failure does not stop the campaign.
"""

from __future__ import annotations

import ast
import atexit
import json
import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, note, settings
from typer.testing import CliRunner

from nb2prod.cli import app
from nb2prod.notebook.load import load_notebook
from tests.hardening.strategies import SECRET_FORMATS, Case, notebook_files

DEEP = os.environ.get("NB2PROD_FUZZ") == "deep"
LOG = os.environ.get("NB2PROD_FUZZ_LOG")  # a JSON-lines file: record cases, never stop
settings.register_profile(
    "fuzz-fast",
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same examples every run: CI stays reproducible; exploring is deep's
    suppress_health_check=list(HealthCheck),
)
settings.register_profile(
    "fuzz-deep",
    max_examples=int(os.environ.get("NB2PROD_FUZZ_EXAMPLES", "500")),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
FUZZ = settings.get_profile("fuzz-deep" if DEEP else "fuzz-fast")

_BASE = Path(tempfile.mkdtemp(prefix="nb2prod-fuzz-"))
atexit.register(shutil.rmtree, _BASE, ignore_errors=True)
PYPROJECT = '[tool.nb2prod]\ncache = false\ndata-uri = "s3://acme-data/fuzz"\n'
EXIT_CODES = {0, 1, 2}
_started = [0.0]  # when the running case started (for the log)
SLOW = 20  # seconds: the log keeps the notebook of a case this slow too


@contextmanager
def example(case: Case) -> Iterator[tuple[Path, Path]]:
    """A fresh folder (with a pyproject.toml) holding the case as ``nb.ipynb``."""
    folder = Path(tempfile.mkdtemp(dir=_BASE))
    try:
        (folder / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
        path = folder / "nb.ipynb"
        path.write_bytes(case.data)
        note(f"{case.description}; {len(case.secrets)} secret(s) planted")
        _started[0] = time.perf_counter()
        yield folder, path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def _pieces(secret: str) -> list[str]:
    """The planted secret's random part, in windows of ten characters: a leak of any of
    them is a leak (the masked form keeps only the provider's prefix)."""
    prefix = next(p for p, _, _ in SECRET_FORMATS.values() if secret.startswith(p))
    body = secret[len(prefix) :]
    return [body[i : i + 10] for i in range(len(body) - 9)]


def leaks(text: str, case: Case, where: str) -> list[str]:
    return [
        f"{where}: planted secret #{n} ({s[:4]}…) appears"
        for n, s in enumerate(case.secrets, 1)
        if any(piece in text for piece in _pieces(s))
    ]


def problems_of(result, case: Case, what: str) -> list[str]:
    """Everything wrong with one command's run, in words (no secret in them)."""
    out = result.stdout + result.stderr
    problems = []
    if result.exit_code not in EXIT_CODES:
        problems.append(f"{what}: exit code {result.exit_code}")
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        frames = traceback.extract_tb(exc.__traceback__)[-3:]
        where = "; ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in frames)
        problems.append(f"{what}: raised {type(exc).__name__} ({where})")
    if "Traceback (most recent call last)" in out:
        problems.append(f"{what}: printed a traceback")
    if "internal error" in out:
        line = next(ln for ln in out.splitlines() if "internal error" in ln)
        problems.append(f"{what}: {line.split(': ', 1)[-1][:160]}")
    problems += leaks(out, case, what)
    return problems


def verdict(problems: list[str], case: Case, path: Path, test: str, *exits: int) -> None:
    """Fail (shrinking the case), or with NB2PROD_FUZZ_LOG record it and go on."""
    if LOG:
        entry = {"test": test, "problems": problems, "case": case.description, "exits": exits}
        entry["seconds"] = round(time.perf_counter() - _started[0], 3)
        if problems or entry["seconds"] > SLOW:
            kept = Path(LOG).with_suffix("") / f"{test}-{abs(hash(case.data))}.ipynb"
            kept.parent.mkdir(parents=True, exist_ok=True)
            kept.write_bytes(case.data)
            entry["file"] = str(kept)
        with open(LOG, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")
        return
    assert not problems, "\n".join(problems)


@FUZZ
@given(case=notebook_files())
def test_lint_answers_any_notebook(case: Case) -> None:
    with example(case) as (_, path):
        text = invoke("lint", str(path))
        problems = problems_of(text, case, "lint")
        js = invoke("lint", "--format", "json", str(path))
        problems += problems_of(js, case, "lint --format json")
        try:
            report = json.loads(js.stdout)
        except ValueError:
            problems.append("lint --format json: the output is not JSON")
        else:
            if report.get("summary", {}).get("files") != 1:
                problems.append("lint --format json: the notebook is not in the report")
            if case.readable and report.get("errors"):
                problems.append(f"readable notebook reported as an error: {report['errors']}")
        if case.readable and 2 in (text.exit_code, js.exit_code):
            problems.append("lint: exit code 2 for a notebook the loader accepts")
        verdict(problems, case, path, "lint", text.exit_code, js.exit_code)


@FUZZ
@given(case=notebook_files())
def test_fix_answers_any_notebook(case: Case) -> None:
    with example(case) as (_, path):
        fixed = invoke("lint", "--fix", str(path))
        problems = problems_of(fixed, case, "lint --fix")
        if case.readable:
            if fixed.exit_code == 2:
                problems.append("lint --fix: exit code 2 for a notebook the loader accepts")
            try:
                load_notebook(path)
            except Exception as exc:  # any reason: the rewrite broke the notebook
                problems.append(f"lint --fix left an unreadable notebook ({exc})")
        verdict(problems, case, path, "fix", fixed.exit_code)


@FUZZ
@given(case=notebook_files())
def test_convert_answers_any_notebook(case: Case) -> None:
    with example(case) as (folder, path):
        out = folder / "pkg"
        result = invoke("convert", str(path), "-o", str(out), "--allow-partial")
        problems = problems_of(result, case, "convert")
        for file in sorted(out.rglob("*")) if out.is_dir() else []:
            if not file.is_file():
                continue
            rel = file.relative_to(out).as_posix()
            try:
                text = file.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                problems.append(f"convert wrote {rel}, not UTF-8")
                continue
            problems += leaks(text, case, f"convert's {rel}")
            if file.suffix == ".py":
                try:
                    ast.parse(text)
                except SyntaxError as exc:
                    problems.append(f"convert wrote {rel}, not Python ({exc.msg})")
        written = out.is_dir() and any(out.iterdir())
        verdict(problems, case, path, "convert", result.exit_code, 10 if written else 0)
