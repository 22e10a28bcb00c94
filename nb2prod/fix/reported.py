"""What lint reports, as ``--fix`` needs it: a rewrite is made only for a finding lint
shows. So ``--fix`` honours ``noqa`` comments, ``select`` / ``ignore`` and
``per-file-ignores`` exactly as lint does (it asks lint), and changes only what it reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nb2prod.analysis.secrets import (
    ASSIGNMENT,
    MARKDOWN,
    METADATA,
    OUTPUT,
    PROVIDER,
    RAW,
    URL,
)

if TYPE_CHECKING:
    from nb2prod.analysis.context import Analysis
    from nb2prod.analysis.secrets import SecretHit


def secret_codes(hit: SecretHit) -> tuple[str, ...]:
    """The codes lint may report ``hit`` under (a provider token bound to a credential
    name is SEC001, or SEC002 when SEC001 is off)."""
    if hit.where == OUTPUT:
        return ("SEC005",)
    if hit.where in (MARKDOWN, RAW):
        return ("SEC004",)
    if hit.where == METADATA:
        return ("SEC006",)
    if hit.kind == PROVIDER:
        return ("SEC001",)
    if hit.kind == ASSIGNMENT:
        return ("SEC002", "SEC001")
    return ("SEC003",) if hit.kind == URL else ()


class Reported:
    """The findings lint reports for a notebook (nb2prod rules, noqa applied), by place."""

    def __init__(self, an: Analysis) -> None:
        from nb2prod.lint.engine import check_notebook

        self.places: set[tuple[str, int | None, int]] = set()
        self.secrets: set[tuple[str, int | None, int, str]] = set()
        for f in check_notebook(an.nb, an.settings, analysis=an):
            self.places.add((f.code, f.cell, f.line))
            masked = f.extra.get("masked")
            if isinstance(masked, str):
                self.secrets.add((f.code, f.cell, f.line, masked))

    def at(self, code: str, cell: int, line: int) -> bool:
        """Lint reports ``code`` at ``line`` of ``cell``."""
        return (code, cell, line) in self.places

    def secret(self, hit: SecretHit, line: int | None = None, masked: str | None = None) -> bool:
        """Lint reports the secret of ``hit`` (at ``line``, as ``masked``: one secret of a
        markdown cell)."""
        cell = hit.cell.index if hit.cell is not None else None
        where = hit.line if line is None else line
        shown = hit.masked if masked is None else masked
        return any((c, cell, where, shown) in self.secrets for c in secret_codes(hit))
