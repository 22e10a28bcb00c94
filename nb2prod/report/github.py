"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` per finding.

GitHub annotates files by line, so the line and column are those of the ``.ipynb`` file on
disk (same mapping as SARIF, :mod:`nb2prod.report.filepos`), and the message says where
in the notebook: ``(cell 3 (id ab12), line 2, column 5)``. Data is escaped as the runner
requires (``%``, CR, LF), property values also ``:`` and ``,``.
"""

from __future__ import annotations

from nb2prod.lint.engine import FileResult
from nb2prod.report.filepos import FileIndex, display_path
from nb2prod.report.sarif import where

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, props: dict[str, object], message: str) -> str:
    fields = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items())
    return f"::{kind} {fields}::{escape_data(message)}"


def render(results: list[FileResult]) -> str:
    lines = []
    for r in results:
        path = display_path(r.path)
        if r.error:
            message = r.error.removeprefix(f"{r.path}: ")  # the annotation names the file
            lines.append(_command("error", {"file": path, "title": "nb2prod"}, message))
        lines.extend(_command("notice", {"file": path, "title": "nb2prod"}, n) for n in r.notes)
        if not r.findings:
            continue
        positions = FileIndex.for_findings(r.path, r.findings)
        for f in r.findings:
            line, col = positions.locate(f.cell, f.line, f.col)
            props: dict[str, object] = {"file": path, "line": line, "col": col}
            if f.end_line and f.end_col:
                end = positions.locate(f.cell, f.end_line, f.end_col)
                if end > (line, col):
                    props["endLine"], props["endColumn"] = end
                    if end[0] != line:
                        del props["endColumn"]  # columns only on one-line annotations
                        del props["col"]
            props["title"] = f"nb2prod {f.code}"
            kind = COMMANDS.get(f.severity, "warning")
            lines.append(_command(kind, props, f"{f.message} ({where(f)})"))
    return "".join(f"{line}\n" for line in lines)
