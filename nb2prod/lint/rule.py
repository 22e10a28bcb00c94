"""The base class every rule module subclasses.

A rule's docstring is its only documentation. It has the sections ``What it does``,
``Why is this bad?``, ``Example`` and ``Use instead``; ``nb2prod rule CODE`` and
``docs/rules.md`` are generated from it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from nb2prod.lint.findings import Finding
from nb2prod.notebook.model import char_col

if TYPE_CHECKING:
    from nb2prod.analysis.context import Analysis
    from nb2prod.notebook.model import Cell


class Rule:
    """Subclass, set the class attributes, implement :meth:`check`."""

    code: ClassVar[str]  # stable: "IO001"
    name: ClassVar[str]  # kebab-case: "local-file-read"
    message: ClassVar[str]  # default message; findings may give a more precise one
    severity: ClassVar[str] = "error"
    fixable: ClassVar[bool] = False  # can ``lint --fix`` rewrite it

    def check(self, an: Analysis) -> Iterable[Finding]:
        raise NotImplementedError

    # -- helpers for subclasses ------------------------------------------------------------
    def at(
        self,
        an: Analysis,
        cell: Cell | None,
        line: int,
        col: int,
        message: str | None = None,
        *,
        end_line: int | None = None,
        end_col: int | None = None,
        **extra: object,
    ) -> Finding:
        """A finding at (1-based) ``line`` and (0-based) ``col`` of ``cell``."""
        return Finding(
            code=self.code,
            message=message or self.message,
            path=an.nb.path,
            cell=cell.index if cell is not None else None,
            line=line,
            col=col + 1,
            severity=self.severity,
            cell_id=cell.id if cell is not None else None,
            end_line=end_line,
            end_col=end_col + 1 if end_col is not None else None,
            source_line=cell.line(line) if cell is not None else "",
            fixable=self.fixable,
            extra=dict(extra),
        )

    def at_node(
        self, an: Analysis, cell: Cell, node: ast.AST, message: str | None = None, **extra: object
    ) -> Finding:
        """A finding spanning an ``ast`` node of ``cell`` (columns in characters)."""
        line, end_line = getattr(node, "lineno", 1), getattr(node, "end_lineno", None)
        col, end_col = getattr(node, "col_offset", 0), getattr(node, "end_col_offset", None)
        if not cell.source.isascii():  # ast counts UTF-8 bytes
            col = char_col(cell.line(line), col)
            if end_line is not None and end_col is not None:
                end_col = char_col(cell.line(end_line), end_col)
        return self.at(
            an,
            cell,
            line,
            col,
            message,
            end_line=end_line,
            end_col=end_col,
            **extra,
        )

    @classmethod
    def doc(cls) -> str:
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")
