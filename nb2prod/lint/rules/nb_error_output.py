"""NB006: errors saved in the cells' outputs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from nb2prod.analysis.context import Analysis
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule
from nb2prod.notebook.model import join_source

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_TRACEBACK = re.compile(r"^Traceback \(most recent call last\)", re.MULTILINE)
# The exception line that ends a traceback: "ValueError: bad value" or "KeyError".
_EXC_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit|Warning))\b:?(.*)$")
# Tag for cells expected to fail (Jupyter Book, nbval, nbsphinx).
EXPECTED_ERROR_TAGS = frozenset({"raises-exception", "nbval-raises-exception"})


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(_ANSI.sub("", text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def error_summary(output: dict[str, Any]) -> str | None:
    """``"ename: evalue"`` for an error output or a stderr stream holding a traceback."""
    kind = output.get("output_type")
    if kind == "error":
        ename = _short(str(output.get("ename") or "error"), 60)
        evalue = _short(str(output.get("evalue") or ""))
        return f"{ename}: {evalue}" if evalue else ename
    if kind == "stream" and output.get("name") == "stderr":
        text = _ANSI.sub("", join_source(output.get("text", "")))
        match = _TRACEBACK.search(text)
        if match is None:
            return None
        for line in reversed(text[match.end() :].splitlines()):
            exc = _EXC_LINE.match(line.strip())
            if exc:
                return _short(f"{exc.group(1)}:{exc.group(2)}".rstrip(":"))
        return "traceback on stderr"
    return None


class ErrorOutput(Rule):
    """## What it does
    Flags code cells whose saved outputs hold an error: an `error` output (the exception
    Jupyter shows in red) or a Python traceback printed to stderr. Cells tagged
    `raises-exception` are expected to fail and are not reported.

    ## Why is this bad?
    The notebook was saved from a run that failed, so the code below that cell ran on a
    state nobody can reproduce, or the cell does not work at all. A job would stop there.

    ## Example
    ```python
    df = pd.read_csv(path)
    # KeyError: 'amount'   (saved output)
    df["amount"].sum()
    ```

    ## Use instead
    ```python
    df = pd.read_csv(path)
    df["total_amount"].sum()  # fixed, re-run, saved without errors
    ```
    """

    code = "NB006"
    name = "error-output"
    message = "Cell output holds an error; fix the cell and re-run the notebook"
    severity = "warning"

    def check(self, an: Analysis) -> Iterator[Finding]:
        for cell in an.nb.code_cells:
            if not cell.outputs or EXPECTED_ERROR_TAGS & set(cell.tags):
                continue
            for output in cell.outputs:
                summary = error_summary(output)
                if summary is not None:
                    yield self.at(
                        an,
                        cell,
                        1,
                        0,
                        f"Cell output holds an error ({summary}); fix the cell and re-run",
                    )
                    break
