"""SEC006: a secret in notebook or cell metadata."""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.analysis.secrets import METADATA
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule
from nb2prod.lint.rules.sec_common import secret_finding


class SecretInMetadata(Rule):
    """## What it does
    Flags secrets in the notebook's metadata or a cell's metadata: provider token formats
    (see SEC001), URLs with a password, and credential-named keys with secret-looking
    values (e.g. papermill `parameters` holding an `api_key`). Notebook-level findings
    have no cell.

    ## Why is this bad?
    Metadata is invisible in Jupyter's interface but saved in the file, so a key there
    is shared with every copy of the notebook without anyone noticing.

    ## Example
    ```json
    "metadata": {"papermill": {"parameters": {"api_token": "hf_Qk3..."}}}
    ```

    ## Use instead
    ```json
    "metadata": {"papermill": {"parameters": {}}}
    ```
    and pass the secret to the job through its environment.
    """

    code = "SEC006"
    name = "secret-in-metadata"
    message = "Secret in notebook metadata; remove it and rotate it"

    def check(self, an: Analysis) -> Iterator[Finding]:
        for hit in an.secrets:
            if hit.where == METADATA:
                owner = "notebook" if hit.cell is None else "cell"
                message = (
                    f"{hit.label[:1].upper()}{hit.label[1:]} ({hit.masked}) in {owner} "
                    f"metadata ({hit.detail}); remove it and rotate it"
                )
                yield secret_finding(self, an, hit, message)
