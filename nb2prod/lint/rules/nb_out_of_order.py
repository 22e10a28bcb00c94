"""NB004: code cells whose execution counts do not increase in file order."""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule


class OutOfOrderExecution(Rule):
    """## What it does
    Flags a notebook whose code cells were run out of file order: it reports the first cell
    whose execution count is lower than the count of a cell above it (cells with no count
    are ignored). One finding per notebook, at that cell.

    ## Why is this bad?
    The stored outputs came from a run order nobody can see: a cell may have used a
    variable defined further down, or a value redefined later. Run top to bottom, as a
    job would, the notebook may fail or give other results.

    ## Example
    ```python
    # In [2]:
    df = load()
    # In [1]:
    df = df.dropna()
    ```

    ## Use instead
    ```python
    # Restart the kernel and run all cells, then save:
    # In [1]:
    df = load()
    # In [2]:
    df = df.dropna()
    ```
    """

    code = "NB004"
    name = "out-of-order-execution"
    message = "Cells were executed out of order; restart the kernel and run all cells"
    severity = "warning"

    def check(self, an: Analysis) -> Iterator[Finding]:
        highest: int | None = None
        highest_cell = 0
        for cell in an.nb.code_cells:
            count = cell.execution_count
            if count is None:
                continue
            if highest is not None and count < highest:
                yield self.at(
                    an,
                    cell,
                    1,
                    0,
                    f"Cell executed out of order: execution count {count} after {highest} "
                    f"(cell {highest_cell}); restart the kernel and run all cells",
                    previous_count=highest,
                    count=count,
                )
                return
            highest, highest_cell = count, cell.index
