"""IO005: absolute, home-directory and Windows paths written into the code."""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule

_STYLE = {"absolute": "absolute", "home": "home-directory", "windows": "Windows"}


class HardcodedAbsolutePath(Rule):
    """## What it does
    Flags string literals that are absolute paths (`"/home/ana/data"`, `"/content/drive/..."`,
    `"/data/raw/x.csv"`), home-directory paths (`"~/data/x.csv"`) and Windows paths
    (`"C:\\\\Users\\\\ana\\\\x.csv"`, `"\\\\\\\\server\\\\share"`), including f-strings that
    start with one. A literal that is itself the path of an IO001-IO004 finding is reported
    there only; a default in `os.environ.get("X", "/path")` is accepted. To avoid URL routes
    and the like, a POSIX path needs two parts or more and must start at a well-known root
    (`/home`, `/Users`, `/mnt`, `/data`, `/content`, `/kaggle`, `/tmp` ...) or end in a file
    name with an extension; a string added to the end of another (`base + "/data"`) is a
    suffix, not a path of its own.

    ## Why is this bad?
    The path names a folder on one machine. On a colleague's laptop, in CI or in the
    production container it does not exist, and the job fails far from where it was written.

    ## Example
    ```python
    BASE = "/Users/ana/projects/churn/data"
    sys.path.append("/home/ana/libs")
    ```

    ## Use instead
    ```python
    BASE = os.environ["DATA_URI"]  # s3://acme-data/churn
    # and install shared code as a package instead of extending sys.path
    ```
    """

    code = "IO005"
    name = "hard-coded-absolute-path"
    message = "Hard-coded absolute path; take it from configuration or the environment"

    def check(self, an: Analysis) -> Iterator[Finding]:
        for lit in an.io_events.literals:
            text = lit.text if len(lit.text) <= 60 else lit.text[:57] + "..."
            yield self.at_node(
                an,
                lit.cell.cell,
                lit.node,
                f"Hard-coded {_STYLE[lit.style]} path `{text}`; take it from configuration "
                "or the environment (os.environ) so it works on other machines",
            )
