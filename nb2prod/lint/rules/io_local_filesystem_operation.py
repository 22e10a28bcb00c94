"""IO003: listing, globbing, walking, copying, moving, removing or creating local files."""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.analysis.io import FS, LIST, described
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule


class LocalFilesystemOperation(Rule):
    """## What it does
    Flags operations on the local file system: `glob.glob`, `os.listdir` / `os.scandir` /
    `os.walk`, `Path(...).glob` / `iterdir`, `os.makedirs` / `os.mkdir` /
    `Path(...).mkdir`, `os.remove`, `os.rename`, `shutil.copy` / `move` / `rmtree` ... on
    a path known to be local (`os.listdir()` lists the working directory).

    ## Why is this bad?
    The job's container has an empty, throw-away disk: the folders the notebook lists or
    prepares exist only on the author's machine. In production, data sets are listed and
    managed in the object store.

    ## Example
    ```python
    os.makedirs("output", exist_ok=True)
    files = glob.glob("data/raw/*.csv")
    ```

    ## Use instead
    ```python
    fs = fsspec.filesystem("s3")
    files = fs.glob("s3://acme-data/raw/*.csv")  # no folders to create on S3
    ```
    """

    code = "IO003"
    name = "local-filesystem-operation"
    message = "Local filesystem operation; work on S3 keys through fsspec instead"

    def check(self, an: Analysis) -> Iterator[Finding]:
        for event in an.io_events:
            if event.kind in (LIST, FS) and event.is_local:
                what = "listing" if event.kind == LIST else "operation"
                yield self.at_node(
                    an,
                    event.cell.cell,
                    event.node,
                    f"Local filesystem {what} {described(event)}; "
                    "list and manage the data on S3 through fsspec (fs.glob, fs.ls, fs.rm) "
                    "or let the pipeline prepare folders",
                )
