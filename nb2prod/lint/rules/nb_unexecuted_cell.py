"""NB005: code cells left unexecuted in a notebook that was run."""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule
from nb2prod.notebook.model import Cell

# Cell tags that mark a cell as deliberately not run (Jupyter Book, nbval, papermill users).
SKIP_TAGS = frozenset({"skip-execution", "nbval-skip", "skip"})


def is_blank(cell: Cell, comment: str = "#") -> bool:
    """No code: only blank lines and comments."""
    return all(not s or s.startswith(comment) for s in (ln.strip() for ln in cell.lines))


class UnexecutedCell(Rule):
    """## What it does
    In a notebook that was run (some code cells have execution counts), flags the code
    cells below the first executed one that were never run: no execution count and no
    outputs. Cells with only comments or blank lines, and cells tagged `skip-execution`,
    `nbval-skip` or `skip`, are not reported.

    ## Why is this bad?
    The saved results were produced without that code, so either it is dead code or the
    outputs do not show what the notebook computes. A job runs every cell.

    ## Example
    ```python
    # In [1]:
    df = load()
    # In [ ]:
    df = df[df.amount > 0]
    # In [2]:
    df.amount.mean()
    ```

    ## Use instead
    ```python
    # Delete the cell, or restart the kernel and run all cells, then save.
    ```
    """

    code = "NB005"
    name = "unexecuted-cell"
    message = "Code cell never executed in a notebook that was run; run all cells or delete it"
    severity = "warning"

    def check(self, an: Analysis) -> Iterator[Finding]:
        comment = "#" if an.nb.is_python or an.nb.language in {"r", "julia"} else "//"
        seen_run = False
        for cell in an.nb.code_cells:
            if cell.execution_count is not None:
                seen_run = True
            elif (
                seen_run
                and not cell.outputs  # ran, with its count cleared by some tool
                and not is_blank(cell, comment)
                and not SKIP_TAGS & set(cell.tags)
            ):
                yield self.at(an, cell, 1, 0)
