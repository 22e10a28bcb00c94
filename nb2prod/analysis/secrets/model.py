"""What the secret scan reports: where a secret was found and what kind of evidence it is,
``TextMatch`` (a secret in a text), ``SecretHit`` (one in a notebook) and ``mask``."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nb2prod.notebook.model import Cell


# Where a secret was found (SecretHit.where) and what kind of evidence it is (.kind).
CODE, COMMENT, MAGIC = "code", "comment", "magic"
MARKDOWN, RAW, OUTPUT, METADATA = "markdown", "raw", "output", "metadata"
PROVIDER, ASSIGNMENT, URL = "provider", "assignment", "url"


@dataclass(frozen=True, slots=True)
class TextMatch:
    """A secret found in a text: what it is, the secret and where it starts and ends."""

    label: str
    env: str
    secret: str
    start: int
    end: int
    kind: str = PROVIDER
    pattern_id: str = ""
    needle: str = ""  # the text to mask in a source line ("" -> the secret itself)
    anchor: str = ""  # where the finding points: first line of the whole match (PEM header)


def covered(m: TextMatch, others: list[TextMatch]) -> bool:
    return any(o.start < m.end and m.start < o.end for o in others)


def shifted(m: TextMatch, by: int) -> TextMatch:
    return replace(m, start=m.start + by, end=m.end + by)


def mask(secret: str) -> str:
    """``AKIA…(20 chars)``: at most the first 4 characters (fewer for short secrets) and
    the length. Never contains the secret."""
    n = len(secret)
    shown = secret[: min(4, n // 3)]
    masked = f"{shown}…({n} chars)"
    if secret and secret in masked:
        masked = f"…({n} chars)"
    return masked if not secret or secret not in masked else "…"


@dataclass(slots=True)
class SecretHit:
    """One secret found. ``line``/``col`` (1-based / 0-based) are in the cell's source for
    code and markdown; outputs and metadata use line 1. ``source_line`` is masked."""

    where: str  # CODE, COMMENT, MAGIC, MARKDOWN, RAW, OUTPUT, METADATA
    kind: str  # PROVIDER, ASSIGNMENT, URL
    cell: Cell | None
    line: int
    col: int
    label: str  # "AWS access key id", "credential `api_key`", "password in a ... URL"
    masked: str
    env: str
    source_line: str
    pattern_id: str = ""
    detail: str = ""  # which output / metadata key; how a credential is bound
    end_col: int | None = None
    node: ast.AST | None = None  # the string constant, for rewrites
    fixable: bool = True  # --fix can rewrite it (a plain string literal in code, prose, output)
    # The secret itself, only to mask it wherever text leaves nb2prod (``Masker``): never
    # shown, never cached, not in repr.
    secret: str = field(default="", repr=False)


def _fixable(where: str, node: ast.AST | None) -> bool:
    if where == CODE:
        return isinstance(node, ast.Constant) and isinstance(node.value, str)
    return where in (COMMENT, MARKDOWN, RAW, OUTPUT)


def make_hit(
    where: str,
    cell: Cell | None,
    line: int,
    col: int,
    m: TextMatch,
    source: str,
    *,
    detail: str = "",
    end_col: int | None = None,
    node: ast.AST | None = None,
) -> SecretHit:
    return SecretHit(
        where=where,
        kind=m.kind,
        cell=cell,
        line=line,
        col=col,
        label=m.label,
        masked=mask(m.secret),
        env=m.env,
        source_line=source,
        pattern_id=m.pattern_id,
        detail=detail,
        end_col=end_col,
        node=node,
        fixable=_fixable(where, node),
        secret=m.secret,
    )
