"""IO004: changing the working directory (os.chdir, %cd)."""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.analysis.io import CHDIR, snippet
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule

_CD_MAGICS = frozenset({"cd", "pushd", "popd"})
_ADVICE = "use paths from configuration instead of relying on the working directory"


class WorkingDirectoryChange(Rule):
    """## What it does
    Flags changes of the working directory: `os.chdir(...)` (whatever its argument) and the
    `%cd`, `%pushd`, `%popd` magics (also written `cd dir` as automagic). `!cd dir` runs in a
    sub-shell and changes nothing, so it is not flagged here.

    ## Why is this bad?
    Every relative path after it depends on the folder layout of the author's machine and on
    the order the cells ran in. A job has one working directory, chosen by whoever runs it.

    ## Example
    ```python
    %cd /home/ana/projects/churn
    os.chdir("data")
    df = pd.read_csv("train.csv")
    ```

    ## Use instead
    ```python
    DATA_URI = os.environ["DATA_URI"]
    df = pd.read_csv(f"{DATA_URI}/train.csv")
    ```
    """

    code = "IO004"
    name = "working-directory-change"
    message = "Working directory change; " + _ADVICE

    def check(self, an: Analysis) -> Iterator[Finding]:
        for event in an.io_events:
            if event.kind == CHDIR:
                yield self.at_node(
                    an,
                    event.cell.cell,
                    event.node,
                    f"Working directory change `{snippet(event.cell, event.node)}`; {_ADVICE}",
                )
        for parsed in an.parsed:
            for m in parsed.magics:
                if m.kind == "line_magic" and m.name in _CD_MAGICS:
                    text = m.text if len(m.text) <= 60 else m.text[:57] + "..."
                    yield self.at(
                        an,
                        parsed.cell,
                        m.line,
                        m.col,
                        f"Working directory change `%{text}`; {_ADVICE}",
                    )
