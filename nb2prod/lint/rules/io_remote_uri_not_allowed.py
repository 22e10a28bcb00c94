"""IO006: data read or written at a remote URI outside the team's allowed prefixes."""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.analysis.values import REMOTE, Value
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule


def outside(value: Value, allowed: list[str]) -> bool:
    """True when the URI cannot lie under any allowed prefix (partly known URIs count as
    inside while their known part agrees with one)."""
    text = value.text if value.exact else value.prefix
    if text is None:
        return False
    for prefix in allowed:
        if text.startswith(prefix) or (not value.exact and prefix.startswith(text)):
            return False
    return True


class RemoteUriNotAllowed(Rule):
    """## What it does
    When settings `allowed-remote-prefixes` is set (e.g. `["s3://acme-data/"]`), flags
    file reads and writes whose path is a remote URI outside those prefixes: another bucket,
    another cloud, a web URL. Without the setting, any remote URI is accepted and this rule
    reports nothing.

    ## Why is this bad?
    Production jobs get credentials for the team's buckets only; data elsewhere is either
    unreachable from the job or an unreviewed copy outside the governed store.

    ## Example
    ```python
    # pyproject.toml: [tool.nb2prod] allowed-remote-prefixes = ["s3://acme-data/"]
    df = pd.read_csv("s3://ana-scratch/churn.csv")
    ```

    ## Use instead
    ```python
    df = pd.read_csv("s3://acme-data/churn/churn.csv")
    ```
    """

    code = "IO006"
    name = "remote-uri-not-allowed"
    message = "Remote URI outside the allowed prefixes"

    def check(self, an: Analysis) -> Iterator[Finding]:
        allowed: list[str] = an.settings["allowed-remote-prefixes"]
        if not allowed:
            return
        shown = ", ".join(allowed)
        for event in an.io_events:
            if event.value.kind == REMOTE and outside(event.value, allowed):
                uri = (event.value.text or "")[:80]
                yield self.at_node(
                    an,
                    event.cell.cell,
                    event.node,
                    f"Remote URI `{uri}` is outside the allowed prefixes ({shown}); "
                    "move the data under one of them or add its prefix to "
                    "allowed-remote-prefixes",
                )
