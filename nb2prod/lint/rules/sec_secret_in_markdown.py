"""SEC004: a secret written in a markdown (or raw) cell."""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.analysis.secrets import MARKDOWN, RAW
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule
from nb2prod.lint.rules.sec_common import secret_finding


class SecretInMarkdown(Rule):
    """## What it does
    Flags markdown and raw cells holding a secret in a known provider format (see SEC001)
    or a URL with a password or credential parameter (see SEC003), e.g. set-up notes
    with a pasted token. Placeholders and providers' example keys are not reported.

    ## Why is this bad?
    Notes travel with the notebook: rendered on GitHub, exported to HTML, shared. A key
    written there is as public as the notebook.

    ## Example
    ```markdown
    Run with `export GITHUB_TOKEN=ghp_4Kd8...` (my token, do not share)
    ```

    ## Use instead
    ```markdown
    Run with `GITHUB_TOKEN` set in the environment (ask #data-eng for access).
    ```
    """

    code = "SEC004"
    name = "secret-in-markdown"
    fixable = True
    message = "Secret in a markdown cell; remove it and rotate it"

    def check(self, an: Analysis) -> Iterator[Finding]:
        for hit in an.secrets:
            if hit.where in (MARKDOWN, RAW):
                message = (
                    f"{hit.label[:1].upper()}{hit.label[1:]} ({hit.masked}) in a {hit.where} "
                    "cell; remove it and rotate it"
                )
                yield secret_finding(self, an, hit, message)
