"""SEC005: a secret in a cell's saved outputs."""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.analysis.secrets import OUTPUT
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule
from nb2prod.lint.rules.sec_common import secret_finding


class SecretInOutput(Rule):
    """## What it does
    Flags secrets in the saved text outputs of code cells: streams (stdout, stderr),
    error tracebacks, `text/plain` and `text/markdown` results (`text/html` when there is
    no plain-text form, and not plotting scripts). It reports
    provider token formats (see SEC001) and URLs with a password or credential parameter
    (see SEC003), once per secret and cell, on the cell's first line. Images and other
    binary outputs are never scanned, so base64 data raises no alarms.

    ## Why is this bad?
    Printing `os.environ`, a config or a connection string saves the secret into the
    notebook file even when the code reads it from the environment. Anyone with the file
    has the key.

    ## Example
    ```python
    print(os.environ["GITHUB_TOKEN"])
    # ghp_4Kd8...   (saved output)
    ```

    ## Use instead
    ```python
    print("GITHUB_TOKEN set:", "GITHUB_TOKEN" in os.environ)
    ```
    and clear the outputs (`jupyter nbconvert --clear-output`) before committing.
    `lint --fix` removes the outputs that hold the secret; the cell's other outputs stay.
    """

    code = "SEC005"
    name = "secret-in-output"
    fixable = True
    message = "Secret in a saved output; clear the outputs and rotate it"

    def check(self, an: Analysis) -> Iterator[Finding]:
        for hit in an.secrets:
            if hit.where == OUTPUT:
                message = (
                    f"{hit.label[:1].upper()}{hit.label[1:]} ({hit.masked}) in {hit.detail} "
                    "of this cell; clear the outputs and rotate it"
                )
                yield secret_finding(self, an, hit, message)
