"""NB007: code cells that are not valid Python."""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule


class CellSyntaxError(Rule):
    """## What it does
    Flags a code cell of a Python notebook that does not parse as Python once its IPython
    syntax (magics, `!` lines, `obj?`) is set aside. Cells handed to another program
    (`%%bash`, `%%html` ...) and notebooks of other kernels are not checked. In a notebook
    whose kernel is Python 2 the message says so: the code ran there, but not in Python 3.

    ## Why is this bad?
    The cell cannot have run as saved (often Python 2 code, a half-edited line or a merge
    left-over), and no other rule can see inside it: it will fail in any job.

    ## Example
    ```python
    print "rows:", len(df)
    ```

    ## Use instead
    ```python
    print("rows:", len(df))
    ```
    """

    code = "NB007"
    name = "cell-syntax-error"
    message = "Cell is not valid Python"
    severity = "error"

    def check(self, an: Analysis) -> Iterator[Finding]:
        # In a Python 2 notebook the cell may well have run as saved: say why it fails now.
        what = "valid Python 3 (the notebook's kernel is Python 2)" if an.nb.is_python2 else ""
        for parsed in an.parsed:
            error = parsed.error
            if error is None or parsed.not_python is not None:
                continue
            yield self.at(
                an,
                parsed.cell,
                error.line,
                error.col,
                f"Cell is not {what or 'valid Python'}: {error.message}",
            )
