"""Shared by IO001 and IO002 (defines no rule): findings for local reads or writes."""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.analysis.io import described
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule


def data_target(an: Analysis) -> str:
    """Where data should come from, for messages: settings ``data-uri`` or an example."""
    uri = an.settings["data-uri"]
    return f"{uri} (settings data-uri)" if uri else "S3 (an fsspec URI such as s3://bucket/key)"


def local_file_findings(
    rule: Rule, an: Analysis, kind: str, what: str, advice: str
) -> Iterator[Finding]:
    """A finding per local ``kind`` (read or write) event: "<what> `call`; <advice>", where
    ``advice`` may use ``{target}``. Fixable only where the team configured where data lives,
    and not for calls ``--fix`` has no rewrite for (``event.fixable``)."""
    target = data_target(an)
    configured = bool(an.settings["data-uri"] or an.settings["data-uri-map"])
    for event in an.io_events:
        if event.kind == kind and event.is_local:
            finding = rule.at_node(
                an,
                event.cell.cell,
                event.node,
                f"{what} {described(event)}; {advice.format(target=target)}",
            )
            finding.fixable = configured and event.fixable
            yield finding
