"""Where a lint report goes: the chosen format (or ``--statistics``) to a stream or a file,
and the one-line problems (unreadable files, notes, nothing found) on standard error."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import TextIO

from nb2prod.lint.findings import FileResult


def emit(
    results: list[FileResult],
    fmt: str,
    output: Path | None = None,
    *,
    quiet: bool = False,
    statistics: bool = False,
    stream: TextIO | None = None,
) -> None:
    """Write the report in ``fmt`` (text, json, sarif, github) to ``output``, or to
    ``stream`` (standard output). ``statistics``: counts per code instead (text or json)."""
    stream = stream if stream is not None else sys.stdout
    for r in results:
        r.mask_problems()
    if statistics:
        from nb2prod.report import statistics as stats

        rendered = stats.render_json(results) if fmt == "json" else stats.render_text(results)
    elif fmt == "text":
        from nb2prod.report import text

        if output is None:
            text.render(results, stream, show_source=not quiet)
            return
        buf = io.StringIO()
        text.render(results, buf, color=False, show_source=not quiet)
        rendered = buf.getvalue()
    elif fmt == "json":
        from nb2prod.report import json_report

        rendered = json_report.render(results)
    elif fmt == "sarif":
        from nb2prod.report import sarif

        rendered = sarif.render(results)
    else:
        from nb2prod.report import github

        rendered = github.render(results)
    if output is None:
        stream.write(rendered)
    else:
        output.write_text(rendered, encoding="utf-8", errors="backslashreplace")


def print_problems(results: list[FileResult]) -> None:
    """One line per unreadable file (error) or per thing worth knowing (note), on stderr."""
    for r in results:
        r.mask_problems()
        if r.error:
            print(f"nb2prod: error: {r.error}", file=sys.stderr)
        for note in r.notes:
            print(f"nb2prod: note: {r.path}: {note}", file=sys.stderr)


def warn(message: str) -> None:
    print(f"nb2prod: warning: {message}", file=sys.stderr)
