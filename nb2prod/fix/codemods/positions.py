"""Find libcst nodes by the position of the ``ast`` nodes the analysis reported.

The analysis runs on standard-library ``ast`` trees (offsets in UTF-8 bytes); rewriting
runs on libcst trees of the same text (offsets in characters). :func:`span` converts, and
:class:`PositionTransformer` replaces expressions and statements found at given spans.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

import libcst as cst
from libcst.metadata import PositionProvider

from nb2prod.notebook.model import char_col as _char_col

Span = tuple[int, int, int, int]  # start line, start column, end line, end column (chars)


def span(lines: list[str], node: ast.AST) -> Span:
    """The character span of ``node`` in the source split into ``lines``."""
    start, end = node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]
    col, end_col = node.col_offset, node.end_col_offset or 0  # type: ignore[attr-defined]
    return (
        start,
        _char_col(lines[start - 1], col),
        end,
        _char_col(lines[end - 1], end_col),
    )


# A replacement gets the updated libcst node and returns the new one.
Replace = Callable[[cst.CSTNode], cst.CSTNode]
EXPR, LINE = "expr", "line"  # an expression; a statement line holding one statement


class PositionTransformer(cst.CSTTransformer):
    """Applies ``replace[(EXPR, span)]`` to the expression at ``span`` and
    ``replace[(LINE, span)]`` to the statement line whose only statement is at ``span``;
    ``applied`` collects the keys that were found."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, replace: dict[tuple[str, Span], Replace]) -> None:
        super().__init__()
        self.replace = replace
        self.applied: set[tuple[str, Span]] = set()

    def _key(self, kind: str, node: cst.CSTNode) -> tuple[str, Span] | None:
        pos = self.get_metadata(PositionProvider, node, None)
        if pos is None:
            return None
        key = (kind, (pos.start.line, pos.start.column, pos.end.line, pos.end.column))
        return key if key in self.replace and key not in self.applied else None

    def on_leave(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        key = None
        if isinstance(original_node, cst.BaseExpression):
            key = self._key(EXPR, original_node)
        elif isinstance(original_node, cst.SimpleStatementLine) and len(original_node.body) == 1:
            key = self._key(LINE, original_node.body[0])
        if key is not None:
            self.applied.add(key)
            return self.replace[key](updated_node)
        return super().on_leave(original_node, updated_node)


def transform(
    module: cst.Module, replace: dict[tuple[str, Span], Replace]
) -> tuple[cst.Module, set[tuple[str, Span]]]:
    """``module`` with the replacements applied, and the keys that were found."""
    from libcst.metadata import MetadataWrapper

    transformer = PositionTransformer(replace)
    new = MetadataWrapper(module, unsafe_skip_copy=True).visit(transformer)
    return new, transformer.applied
