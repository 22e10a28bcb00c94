"""Strings built from constants: ``"sk-" + "abc..."``, ``f"sk-{BODY}"`` where ``BODY`` is
a string constant of the notebook. A secret split into pieces (often to get it past a
secret scanner) is found in the joined text, and only when it spans two pieces or more (a
secret inside one piece is found in that piece)."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

from nb2prod.analysis.secrets.model import TextMatch

_MAX_PIECES = 64


@dataclass(frozen=True, slots=True)
class Joined:
    """The text of a string expression built from constants, and its pieces' spans."""

    text: str
    pieces: tuple[tuple[int, int], ...]
    names: tuple[str, ...] = ()  # per piece, the constant it is read from ("" for a literal)

    def spans_pieces(self, m: TextMatch) -> bool:
        """Whether the match is not inside a single piece."""
        return not any(start <= m.start and m.end <= end for start, end in self.pieces)

    def constant_holding(self, start: int, end: int) -> tuple[str, str] | None:
        """(name, text) of the constant whose piece holds ``text[start:end]`` whole."""
        for (first, last), name in zip(self.pieces, self.names, strict=True):
            if name and first <= start and end <= last:
                return name, self.text[first:last]
        return None


def module_constants(trees: Iterable[ast.Module]) -> dict[str, str]:
    """Names bound at the top level of a cell to a string constant, once (a name bound to
    two different strings is left out)."""
    out: dict[str, str | None] = {}
    for tree in trees:
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target, value = stmt.targets[0], stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                target, value = stmt.target, stmt.value
            else:
                continue
            if not isinstance(target, ast.Name):
                continue
            text = value.value if isinstance(value, ast.Constant) else None
            if not isinstance(text, str) or out.get(target.id, text) != text:
                out[target.id] = None
            else:
                out[target.id] = text
    return {k: v for k, v in out.items() if v is not None}


def joined_text(node: ast.AST, constants: dict[str, str]) -> Joined | None:
    """The text of ``node`` when it is a ``+`` or an f-string of two pieces or more, every
    piece a string constant or a name in ``constants``; else ``None``."""
    pieces: list[tuple[str, str]] = []  # (text, constant name or "")
    if not _collect(node, constants, pieces) or len(pieces) < 2:
        return None
    spans = []
    start = 0
    for piece, _ in pieces:
        spans.append((start, start + len(piece)))
        start += len(piece)
    text = "".join(piece for piece, _ in pieces)
    return Joined(text, tuple(spans), tuple(name for _, name in pieces))


def _collect(
    node: ast.AST, constants: dict[str, str], pieces: list[tuple[str, str]], depth: int = 0
) -> bool:
    if len(pieces) > _MAX_PIECES or depth > _MAX_PIECES:
        return False
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            pieces.append((node.value, ""))
            return True
        return False
    if isinstance(node, ast.Name):
        text = constants.get(node.id)
        if text is None:
            return False
        pieces.append((text, node.id))
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _collect(node.left, constants, pieces, depth + 1) and _collect(
            node.right, constants, pieces, depth + 1
        )
    if isinstance(node, ast.JoinedStr):
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                if part.format_spec is not None or part.conversion not in (-1, ord("s")):
                    return False
                part = part.value
            if not _collect(part, constants, pieces, depth + 1):
                return False
        return True
    return False


def is_joined(node: ast.AST) -> bool:
    """A ``+`` or an f-string: what :func:`joined_text` may join."""
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)
    )
