"""``nb2prod lint`` after its options are parsed: notebooks from paths (with ``--fix`` /
``--diff``, a progress bar on a terminal, the baseline) or one from standard input, the
report, and the exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from nb2prod.console import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS
from nb2prod.errors import InputError

if TYPE_CHECKING:
    from nb2prod.config import Settings
    from nb2prod.fix.model import FixResult
    from nb2prod.lint.findings import FileResult


class Request:
    """What to lint and how to report it (``paths == ["-"]``: standard input). A plain
    class, not a dataclass: this module is on the start-up path of every lint run."""

    __slots__ = (
        "paths", "fmt", "output", "baseline", "use_cache", "jobs", "exit_zero", "quiet",
        "statistics", "fix", "diff", "show_fixes", "stdin_name",
    )  # fmt: skip

    def __init__(
        self,
        paths: list[str],
        fmt: str = "text",
        output: Path | None = None,
        baseline: Path | None = None,
        *,
        use_cache: bool | None = None,
        jobs: int | None = None,
        exit_zero: bool = False,
        quiet: bool = False,
        statistics: bool = False,
        fix: bool = False,
        diff: bool = False,
        show_fixes: bool = False,
        stdin_name: str = "-",
    ) -> None:
        self.paths, self.fmt, self.output, self.baseline = paths, fmt, output, baseline
        self.use_cache, self.jobs, self.exit_zero, self.quiet = use_cache, jobs, exit_zero, quiet
        self.statistics, self.fix, self.diff = statistics, fix, diff
        self.show_fixes, self.stdin_name = show_fixes, stdin_name


def paths_to_lint(paths: list[str], stdin_filename: str | None) -> list[str]:
    """``["-"]`` for standard input (``-`` alone, or ``--stdin-filename``: as ruff, other
    paths are then ignored with a warning), ``["."]`` when no path is given."""
    if stdin_filename is not None:
        others = [p for p in paths if p != "-"]
        if others:
            warn(f"ignoring {', '.join(others)}: reading standard input (--stdin-filename)")
        return ["-"]
    if "-" in paths and len(paths) > 1:
        raise InputError("`-` (standard input) cannot be combined with other paths")
    return paths or ["."]


def run(req: Request, settings: Settings) -> int:
    """Lint, report, and return the exit code."""
    from nb2prod.lint.engine import apply_baseline, lint_paths
    from nb2prod.report.output import emit, print_problems

    if req.statistics and req.fmt not in ("text", "json"):
        raise InputError("--statistics goes with --format text or json")
    if req.paths == ["-"]:
        code = _stdin(req, settings)
        return EXIT_CLEAN if req.exit_zero and code == EXIT_FINDINGS else code
    fixes: list[FixResult] = []
    failed = False  # a notebook --fix could not read or write: exit 2
    if req.fix or req.diff:
        changed, failed, fixes = _fix(req.paths, settings, diff=req.diff)
        if req.diff:
            if req.show_fixes:
                _show_fixes(fixes, applied=False)
            return EXIT_ERROR if failed else EXIT_FINDINGS if changed else EXIT_CLEAN
    results = _with_bar(lint_paths, req, settings)
    baseline_file = str(req.baseline) if req.baseline else settings["baseline"]
    if baseline_file:
        if not req.baseline and not Path(baseline_file).is_absolute():
            baseline_file = str(settings.root / baseline_file)
        apply_baseline(results, baseline_file)
    if not results:
        return nothing_found(req.paths, settings)
    print_problems(results)
    emit(results, req.fmt, req.output, quiet=req.quiet, statistics=req.statistics)
    if req.show_fixes:
        _show_fixes(fixes if req.fix else _would_fix(results, settings), applied=req.fix)
    if failed or any(r.error for r in results):
        return EXIT_ERROR
    return EXIT_FINDINGS if any(r.findings for r in results) and not req.exit_zero else 0


def _with_bar(lint_paths, req: Request, settings: Settings) -> list[FileResult]:
    """``lint_paths`` with a progress bar on standard error when it is a terminal."""
    from nb2prod.report import progress

    kw = {"jobs": req.jobs, "use_cache": req.use_cache}
    if not progress.wanted():
        return lint_paths(req.paths, settings, **kw)
    with progress.Bar() as bar:
        return lint_paths(req.paths, settings, progress=bar, **kw)


def _stdin(req: Request, settings: Settings) -> int:
    """The notebook on standard input, as ``req.stdin_name``. With ``--fix`` the fixed
    notebook goes to standard output (as read when nothing is fixed, or on an error) and
    the report to standard error, as ruff does."""
    from nb2prod.lint.engine import Exclusion
    from nb2prod.lint.stdin import lint_text
    from nb2prod.report.output import emit, print_problems

    name = req.stdin_name
    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if settings["force-exclude"] and name != "-" and Exclusion(settings).named(name):
        if req.fix:
            sys.stdout.write(text)
        return EXIT_CLEAN
    if req.fix or req.diff:
        from nb2prod.fix.engine import fix_notebook
        from nb2prod.fix.report import render_text
        from nb2prod.notebook.load import load_notebook_text

        try:
            fixed = fix_notebook(load_notebook_text(text, name), settings, write=False)
        except InputError as exc:
            print(f"nb2prod: error: {exc}", file=sys.stderr)
            if req.fix:
                sys.stdout.write(text)
            return EXIT_ERROR
        print(render_text(fixed, diff=req.diff), file=sys.stdout if req.diff else sys.stderr)
        if req.show_fixes:
            _show_fixes([fixed], applied=req.fix)
        if req.diff:
            return EXIT_FINDINGS if fixed.changed else EXIT_CLEAN
        text = fixed.text or text
        sys.stdout.write(text)
    result = lint_text(text, name, settings)
    print_problems([result])
    report = sys.stderr if req.fix else sys.stdout
    emit([result], req.fmt, req.output, quiet=req.quiet, statistics=req.statistics, stream=report)
    return EXIT_ERROR if result.error else EXIT_FINDINGS if result.findings else EXIT_CLEAN


def _fix(paths: list[str], settings: Settings, *, diff: bool) -> tuple[bool, bool, list]:
    """Run ``--fix`` (or ``--diff``) on every notebook; the report goes to stderr (stdout
    stays the lint report), the diffs to stdout. Returns (anything changed, any failure,
    the fix results)."""
    from nb2prod.fix.engine import fix_notebook
    from nb2prod.fix.report import render_text
    from nb2prod.lint.engine import discover, internal_error

    files, missing = discover(paths, settings)
    changed = failed = bool(missing)
    for m in missing:
        print(f"nb2prod: error: {m.error}", file=sys.stderr)
    fixes = []
    for f in files:
        try:
            result = fix_notebook(f, settings, write=not diff)
        except InputError as exc:
            print(f"nb2prod: error: {exc}", file=sys.stderr)
            failed = True
            continue
        except Exception as exc:  # a bug: this notebook's error, the others are still fixed
            print(f"nb2prod: error: {internal_error(f, exc, 'fixing')}", file=sys.stderr)
            failed = True
            continue
        fixes.append(result)
        changed = changed or result.changed
        report = render_text(result, diff=diff)
        print(report, file=sys.stdout if diff else sys.stderr)
    return changed, failed, fixes


def _would_fix(results: list[FileResult], settings: Settings) -> list[FixResult]:
    """What ``--fix`` would rewrite in the notebooks that have fixable nb2prod findings."""
    from nb2prod.fix.engine import fix_notebook

    out = []
    for r in results:
        if any(f.fixable and not f.code.startswith("PY") for f in r.findings):
            try:
                out.append(fix_notebook(r.path, settings, write=False))
            except InputError:
                continue  # lint has reported it
    return out


def _show_fixes(fixes: list[FixResult], *, applied: bool) -> None:
    """``--show-fixes``: the enumeration on standard error (standard output is the report)."""
    from nb2prod.report.statistics import render_fixes

    sys.stderr.write(render_fixes(fixes, applied=applied))


def nothing_found(paths: list[str], settings: Settings) -> int:
    """No notebook to lint: exit 0 when every path named was skipped by force-exclude (as
    pre-commit names excluded files), else a warning and exit 2, so that a mistyped path
    in CI does not pass (ruff warns and exits 0)."""
    from nb2prod.lint.engine import Exclusion

    excluded = Exclusion(settings)
    if settings["force-exclude"] and all(excluded.named(p) for p in paths):
        return EXIT_CLEAN
    warn(f"no notebooks found in {', '.join(paths)}")
    return EXIT_ERROR


def warn(message: str) -> None:
    print(f"nb2prod: warning: {message}", file=sys.stderr)
