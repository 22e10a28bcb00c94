"""Run the rules over notebooks: load, analyse once, check, then noqa, help and baseline.

``lint_paths`` is the entry point for many files: it lints uncached notebooks in parallel
processes, reads the content-hash cache for unchanged ones, then runs ruff (PY family) once
over copies of the linted notebooks without their outputs (ruff would spend most of its
time reading outputs it never checks).
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nb2prod.config import Settings
from nb2prod.errors import InputError, printable
from nb2prod.lint import noqa
from nb2prod.lint.findings import FileResult, Finding, mask_findings
from nb2prod.lint.registry import all_rules, matches
from nb2prod.notebook.load import load_notebook
from nb2prod.notebook.model import Notebook, source_lines

if TYPE_CHECKING:
    from nb2prod.analysis.context import Analysis


class RuleCrash(InputError):
    """A rule raised on a notebook: reported for that file, the others are still linted."""


def check_notebook(
    nb: Notebook,
    settings: Settings,
    directives: list[noqa.Noqa] | None = None,
    analysis: Analysis | None = None,
) -> list[Finding]:
    """Every enabled nb2prod rule (not PY) over one loaded notebook, noqa applied
    (``directives``: the notebook's noqa comments, when already collected; ``analysis``:
    the notebook's analysis with these settings, when already made)."""
    from nb2prod.analysis.context import Analysis

    an = analysis if analysis is not None else Analysis(nb, settings)
    ignored = settings.ignored_for(nb.path)
    findings: list[Finding] = []
    for code, rule_cls in all_rules().items():
        if settings.is_enabled(code) and not matches(code, ignored):
            try:
                findings.extend(rule_cls().check(an))
            except InputError:
                raise  # a bad setting (e.g. an extra secret pattern): the whole run stops
            except Exception as exc:  # a rule bug must not end the run with a traceback
                raise RuleCrash(
                    f"internal error in rule {code} ({type(exc).__name__}: {exc}); "
                    "please report it with this notebook",
                    nb.path,
                ) from exc
    kept = apply_noqa(noqa_directives(nb) if directives is None else directives, findings)
    try:
        masker = an.masker  # the notebook's secrets (scanned even when SEC is off)
    except InputError:
        raise
    except Exception as exc:  # a bug of the scan: no finding leaves unmasked, none is lost
        raise RuleCrash(
            f"internal error in the secret scan ({type(exc).__name__}); please report it",
            nb.path,
        ) from exc
    return mask_findings(kept, masker)  # the one place rule findings are masked


def noqa_directives(nb: Notebook) -> list[noqa.Noqa]:
    return [d for c in nb.cells if "nb2prod" in c.source for d in noqa.directives(c)]


def apply_noqa(directives: list[noqa.Noqa], findings: Iterable[Finding]) -> list[Finding]:
    if not directives:
        return list(findings)
    return [
        f
        for f in findings
        if not any(d.cell == f.cell and d.covers(f.code, f.line) for d in directives)
    ]


def lint_file(path: str, settings: Settings) -> FileResult:
    """Load and check one file. Never raises for bad input: the error is in the result;
    so one notebook nb2prod cannot handle never takes the report of the others with it."""
    try:
        nb = load_notebook(path)
    except InputError as exc:
        return FileResult(path, error=str(exc))
    except Exception as exc:  # a bug of the loader
        return FileResult(path, error=internal_error(path, exc, "reading"))
    try:
        return check_loaded(nb, path, settings)
    except InputError:
        raise  # a bad setting: the whole run stops (exit 2)
    except Exception as exc:  # a bug (RecursionError too): an error, not a traceback
        return FileResult(path, error=internal_error(path, exc))


def internal_error(path: str, exc: BaseException, doing: str = "linting") -> str:
    """The one line for an unexpected exception on ``path``: its type, not its message
    (which may quote the notebook)."""
    return printable(
        f"{path}: internal error ({type(exc).__name__}) while {doing}; "
        "please report it with this notebook"
    )


def check_loaded(nb: Notebook, path: str, settings: Settings) -> FileResult:
    """The nb2prod rules over a loaded notebook, and what the PY step needs (``ruff_input``,
    cells, noqa) when ruff runs on it. Never raises for a rule crash: the error is in the
    result."""
    from nb2prod.analysis.context import Analysis
    from nb2prod.analysis.secrets.masker import mask_formats

    directives = noqa_directives(nb)
    an = Analysis(nb, settings)
    try:
        findings = check_notebook(nb, settings, directives, an)
    except RuleCrash as exc:
        return FileResult(path, error=mask_formats(str(exc)))
    result = FileResult(path, findings, notes=list(nb.notes))
    if _ruff_enabled(settings, path) and nb.is_python:
        result.masker = an.masker
        result.cells = {c.index: (c.id, c.source) for c in nb.cells if c.cell_type == "code"}
        result.noqa = directives
        result.ruff_input = ruff_document(nb)
    if not nb.is_python:
        language = printable(nb.language[:80])  # from the file: no terminal control
        result.notes.append(f"kernel language '{language}': Python rules skipped")
    return result


def ruff_document(nb: Notebook) -> bytes:
    """The notebook as ruff needs it, rebuilt from the model so that ruff can always read
    it (a real file may lack ``nbformat_minor``, have a float execution count, an integer
    cell id, a cell without metadata ...): nbformat 4, every cell in place (ruff numbers
    them) but only code cells with their source, lines ending in ``\\n`` (as nb2prod counts
    them), no outputs, ids or metadata. The code ruff checks is the same; the file is a
    fraction of the size (UTF-8 JSON)."""
    import orjson

    cells: list[dict[str, object]] = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            source = _LINE_END.sub("\n", cell.source) if "\r" in cell.source else cell.source
            cells.append(
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "metadata": {},
                    "outputs": [],
                    "source": source,
                }
            )
        else:
            cells.append({"cell_type": cell.cell_type, "metadata": {}, "source": ""})
    doc = {
        "cells": cells,
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 4,
    }
    try:
        return orjson.dumps(doc)
    except orjson.JSONEncodeError:  # a surrogate orjson will not encode: json escapes it
        import json

        return json.dumps(doc).encode("ascii")


_LINE_END = re.compile(r"\r\n?")


def discover(paths: Sequence[str], settings: Settings) -> tuple[list[str], list[FileResult]]:
    """Expand folders to the notebooks below them; report paths that do not exist.

    ``exclude`` and ``extend-exclude`` skip folders and files found in a folder; with
    ``force-exclude`` they also skip the files and folders named in ``paths``."""
    excluded = Exclusion(settings)
    force = settings["force-exclude"]
    files: list[str] = []
    missing: list[FileResult] = []
    for raw in paths:
        p = Path(raw)
        if force and p.exists() and excluded.named(raw):
            continue
        if p.is_dir():
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not excluded.found(root, d))
                shown = root[2:] if root.startswith("./") else "" if root == "." else root
                files.extend(
                    os.path.join(shown, n)
                    for n in sorted(names)
                    if n.endswith(".ipynb") and not excluded.found(root, n)
                )
        elif p.exists() or p.is_symlink():  # a symlink loop: the loader says so
            files.append(str(p))
        else:
            missing.append(FileResult(str(p), error=f"{p}: no such file or folder"))
    unique: dict[str, str] = {}
    for f in files:  # the same file reached by two spellings is linted once
        unique.setdefault(os.path.realpath(f), f)
    return list(unique.values()), missing


class Exclusion:
    """The ``exclude`` + ``extend-exclude`` patterns, as ruff reads them: a pattern without
    ``/`` is a file or folder name (a glob: ``*-checkpoint.ipynb``) anywhere in the tree; one
    with ``/`` is a glob over the path relative to the folder of pyproject.toml."""

    def __init__(self, settings: Settings) -> None:
        patterns = [*settings["exclude"], *settings["extend-exclude"]]
        names = [p.rstrip("/") for p in patterns if "/" not in p.rstrip("/")]
        self.names = {n for n in names if not _GLOB.search(n)}
        self.name_globs = [n for n in names if _GLOB.search(n)]
        self.path_globs = [p.strip("/") for p in patterns if "/" in p.rstrip("/")]
        root = settings.root
        self.roots = list(dict.fromkeys([root.absolute(), root.resolve()]))

    def _name(self, name: str) -> bool:
        return name in self.names or any(fnmatch.fnmatch(name, g) for g in self.name_globs)

    def _path(self, rel: str) -> bool:
        return any(fnmatch.fnmatch(rel, g) for g in self.path_globs)

    def _relative(self, path: str) -> str | None:
        """``path`` relative to the project root (None: outside it)."""
        absolute = Path(os.path.abspath(path))
        for root in self.roots:
            if absolute.is_relative_to(root):
                return absolute.relative_to(root).as_posix()
        return None

    def found(self, folder: str, name: str) -> bool:
        """Skip ``name`` (a folder or file met in ``folder`` while walking)?"""
        if self._name(name):
            return True
        if not self.path_globs:
            return False
        rel = self._relative(os.path.join(folder, name))
        return rel is not None and self._path(rel)

    def named(self, path: str) -> bool:
        """Skip ``path``, named on the command line? Its own name and the folders it is in
        are checked: below the project root those of the path relative to it, else those
        of the path as written."""
        rel = self._relative(path)
        parts = Path(rel if rel is not None else os.path.normpath(path)).parts
        if any(self._name(part) for part in parts if part not in (".", "..", os.sep)):
            return True
        if rel is None or not self.path_globs:
            return False
        return any(self._path("/".join(parts[: i + 1])) for i in range(len(parts)))


_GLOB = re.compile(r"[*?\[]")


def lint_paths(
    paths: Sequence[str],
    settings: Settings,
    *,
    jobs: int | None = None,
    use_cache: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[FileResult]:
    """Lint files and folders; results in path order, findings sorted within each file.
    ``progress(done, total)`` is called as each notebook not in the cache is linted."""
    from nb2prod.lint import cache, ruff
    from nb2prod.lint.excerpt import shorten

    files, results = discover(paths, settings)
    use_cache = settings["cache"] if use_cache is None else use_cache
    store = cache.Cache(settings) if use_cache else None
    done: dict[str, FileResult] = {}
    keys: dict[str, str | None] = {}  # content key read before linting, for the cache
    todo: list[str] = []
    for path in files:
        key = keys[path] = store.key(path) if store else None
        hit = store.get(path, key) if key else None
        if hit is not None:
            done[path] = hit
        else:
            todo.append(path)

    # ruff runs over the notebooks without their outputs, which the workers prepare: once
    # three quarters of them are in (the largest come first), on those, in the background
    # while the workers finish; then on the rest.
    select, ignore = settings["ruff-select"], settings["ruff-ignore"]
    timeout = float(settings["subprocess-timeout"])
    wanted: dict[str, bytes] = {}
    batch: dict[str, bytes] = {}
    runs = []
    early = (3 * len(todo)) // 4 if len(todo) >= 16 else -1
    for n, result in enumerate(_run_many(todo, settings, jobs), 1):
        done[result.path] = result
        if progress is not None:
            progress(n, len(todo))
        if result.ruff_input is not None:
            wanted[result.path] = batch[result.path] = result.ruff_input
        if n == early:
            runs.append(ruff.start_documents(batch, select, ignore, timeout))
            batch = {}
    runs.append(ruff.start_documents(batch, select, ignore, timeout))
    ruff_found = {path: found for run in runs for path, found in run.results().items()}
    ruff_failed = {path: why for run in runs for path, why in run.errors.items()}

    for path in todo:
        result = done[path]
        if path in wanted:
            py = ruff_found.get(path, [])
            result.findings.extend(_with_locations(py, result, settings))
            result.error = ruff_failed.get(path)  # never "clean" when ruff could not check
        result.ruff_input, result.cells, result.noqa = None, {}, []
        shorten(result.findings)  # the rules' findings on long lines
        result.findings.sort(key=Finding.sort_key)
        if store and path not in ruff_failed:  # a timeout may pass next time
            store.put(path, result, keys[path])
    results.extend(done[p] for p in files)
    _attach_help(results, settings)
    results.sort(key=lambda r: r.path)
    return results


def _ruff_enabled(settings: Settings, path: str) -> bool:
    """Run ruff when any PY code is selected and PY is not wholly ignored for ``path``."""
    wanted = any(s == "ALL" or s.startswith("PY") for s in settings["select"])
    ignored = [*settings["ignore"], *settings.ignored_for(path)]
    return wanted and not matches("PY", ignored)


def _with_locations(
    findings: list[Finding], result: FileResult, settings: Settings
) -> list[Finding]:
    """Fill cell ids and source lines into ruff's findings; apply select/ignore and noqa.
    A long line is cut around each finding before it is masked (see excerpt.py): ruff may
    report thousands of findings on one line of 100,000 characters."""
    from nb2prod.analysis.secrets.masker import EMPTY
    from nb2prod.lint.excerpt import cut

    masker = result.masker or EMPTY
    ignored = settings.ignored_for(result.path)
    kept = []
    lines: dict[int, list[str]] = {}  # split a cell's source only when ruff reports on it
    for f in findings:
        if not settings.is_enabled(f.code) or matches(f.code, ignored):
            continue
        f.path = result.path
        key = f.cell or 0
        cell_id, source = result.cells.get(key, (None, ""))
        if key not in lines:
            lines[key] = source_lines(source)  # as Cell.lines
        cell_lines = lines[key]
        f.cell_id = cell_id
        cut(f, cell_lines[f.line - 1] if 1 <= f.line <= len(cell_lines) else "", masker)
        kept.append(f)
    return mask_findings(apply_noqa(result.noqa, kept), masker)


def _attach_help(results: list[FileResult], settings: Settings) -> None:
    team_help: dict[str, str] = settings["help"]
    if not team_help:
        return
    for result in results:
        for f in result.findings:
            for prefix in sorted(team_help, key=len, reverse=True):
                if f.code.startswith(prefix):
                    f.help = team_help[prefix]
                    break


def _run_many(files: list[str], settings: Settings, jobs: int | None) -> Iterator[FileResult]:
    """Lint ``files``, in parallel processes when there are enough; results as they come
    (largest notebooks first)."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(files) < 8:
        yield from (lint_file(p, settings) for p in files)
        return
    from concurrent.futures import ProcessPoolExecutor

    _prepare()
    # Largest first in small chunks: the big notebooks do not end up on one worker at the end.
    order = sorted(files, key=_size, reverse=True)
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker) as pool:
        yield from pool.map(lint_file, order, [settings] * len(order), chunksize=2)


def _prepare() -> None:
    """Import the rules and read the shipped catalogues once, before the workers start:
    workers forked from this process find them done instead of each repeating the work."""
    from nb2prod.analysis import io, secrets

    all_rules()
    io.catalogue()
    secrets.vocabulary()
    secrets.catalogue()  # the shipped formats; extra ones from settings compile where used


def _start_worker() -> None:
    """Tune the garbage collector of a worker process, which only lints. The objects it
    inherits from the parent live as long as it does: frozen, collections skip them (and
    leave their shared memory pages alone). Syntax trees, most of what it allocates, hold
    no reference cycles: collecting less often spends less time scanning them."""
    import gc

    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def apply_baseline(results: list[FileResult], baseline_path: str) -> int:
    """Drop findings recorded in the baseline; return how many were dropped."""
    from nb2prod.lint.baseline import fingerprint, load_baseline

    remaining = load_baseline(baseline_path)
    dropped = 0
    for result in results:
        kept = []
        for f in result.findings:
            fp = fingerprint(f, baseline_path)
            if remaining.get(fp, 0) > 0:
                remaining[fp] -= 1
                dropped += 1
            else:
                kept.append(f)
        result.findings = kept
    return dropped
