"""Python code cells, read through ``ast``: provider formats and URLs in string
constants, credential names bound to literals, secrets in line and shell magics and in
comments."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from nb2prod.analysis.secrets.bindings import BINDERS, Binding, may_name_credentials, str_constant
from nb2prod.analysis.secrets.credentials import (
    credential_name,
    env_magic,
    literal_secret,
    scan_string_assignments,
    scan_text_assignments,
)
from nb2prod.analysis.secrets.formats import Catalogue, SecretPattern, scan_provider_formats
from nb2prod.analysis.secrets.model import (
    ASSIGNMENT,
    CODE,
    COMMENT,
    MAGIC,
    PROVIDER,
    SecretHit,
    TextMatch,
    covered,
    make_hit,
    shifted,
)
from nb2prod.analysis.secrets.predicates import not_a_secret
from nb2prod.analysis.secrets.redaction import hit_at_offset, line_of, redact
from nb2prod.analysis.secrets.urls import scan_urls
from nb2prod.notebook.model import char_col

if TYPE_CHECKING:
    from nb2prod.notebook.model import Cell
    from nb2prod.notebook.parse import ParsedCell


def scan_python(p: ParsedCell, cat: Catalogue) -> list[SecretHit]:
    """One walk over the cell's tree: provider formats and URLs in string constants, then
    credential names bound to constants (a provider token bound to ``api_key`` is both).
    Cells whose text holds no keyword of any format or credential name are not walked."""
    cell, tree = p.cell, p.tree
    assert tree is not None
    patterns = cat.candidates(cell.source)
    names = may_name_credentials(cell.source)
    if not patterns and not names and "://" not in cell.source:
        return []
    lines = cell.source.split("\n")
    hits: list[SecretHit] = []
    formats: set[int] = set()  # ids of constants holding a format (or URL) secret
    bound: set[int] = set()  # ids of constants reported as bound to a credential name
    bindings: list[Binding] = []
    for node in ast.walk(tree):
        if type(node) is not ast.Constant:
            if names and (binder := BINDERS.get(type(node))) is not None:
                bindings.extend(binder(node))
            continue
        value = str_constant(node)
        if value is None or len(value) < 8:
            continue
        matches = scan_provider_formats(value, cat, patterns) if patterns else []
        matches += [m for m in scan_urls(value) if not covered(m, matches)]
        if names and "=" in value:
            matches += [m for m in scan_string_assignments(value) if not covered(m, matches)]
        for m in matches:
            hits.append(_constant_hit(cell, lines, node, m))
        if matches:
            formats.add(id(node))
    for b in bindings:
        value = str_constant(b.value)
        if value is None:
            continue
        if id(b.value) not in formats:
            hit = _bound_format_hit(cell, lines, b, value, cat)
            if hit is not None:
                formats.add(id(b.value))
                hits.append(hit)
        if id(b.value) not in bound:
            hit = _binding_hit(cell, lines, b, value)
            if hit is not None:
                bound.add(id(b.value))
                hits.append(hit)
    hits.extend(_scan_magics(p, cat, patterns))
    if patterns:
        hits.extend(_scan_comments(cell, cat, hits, patterns))
    hits.sort(key=lambda h: (h.line, h.col))
    return hits


def _bound_format_hit(
    cell: Cell, lines: list[str], b: Binding, value: str, cat: Catalogue
) -> SecretHit | None:
    """A format that is a secret only under its name (an AWS secret key)."""
    for p in cat.patterns:
        bound = p.bound_to is not None and p.bound_to.search(b.name)
        if bound and p.value.fullmatch(value) and not not_a_secret(value):
            m = TextMatch(p.name, p.env, value, 0, len(value), PROVIDER, p.id)
            return _constant_hit(cell, lines, b.value, m, detail=b.shown)
    return None


def _binding_hit(cell: Cell, lines: list[str], b: Binding, value: str) -> SecretHit | None:
    """A credential name bound to a literal that looks like a secret."""
    cred = credential_name(b.name)
    secret = literal_secret(value, cred) if cred is not None else None
    if secret is None:
        return None
    m = TextMatch(f"credential {b.shown}", b.env, secret, 0, len(secret), ASSIGNMENT)
    return _constant_hit(cell, lines, b.value, m, detail=b.shown)


def _constant_hit(
    cell: Cell, lines: list[str], node: ast.AST, m: TextMatch, detail: str = ""
) -> SecretHit:
    """A hit for a match inside a string constant, on the source line holding the secret
    (or, when escapes hide it, the constant's first line)."""
    first = getattr(node, "lineno", 1)
    last = getattr(node, "end_lineno", None) or first
    needles = [m.needle or m.anchor or m.secret]
    needles += [s for s in m.secret.split("\n") if len(s) >= 8 and s != needles[0]]
    for number in range(first, min(last, len(lines)) + 1):
        text = lines[number - 1]
        for needle in needles:
            col = text.find(needle)
            if col < 0:
                continue
            if needle == m.needle:
                col += m.needle.find(m.secret)
            end = col + len(needle) if needle != m.needle else col + len(m.secret)
            source = redact(text, [m], span=(col, end))
            return make_hit(
                CODE, cell, number, col, m, source, detail=detail, end_col=end, node=node
            )
    text = lines[first - 1] if first <= len(lines) else ""
    col = char_col(text, getattr(node, "col_offset", 0))  # ast counts UTF-8 bytes
    end_col = getattr(node, "end_col_offset", None) if first == last else None
    end_col = char_col(text, end_col) if end_col is not None else None
    source = redact(text, [m], span=(col, end_col), literal=True)
    return make_hit(CODE, cell, first, col, m, source, detail=detail, end_col=end_col, node=node)


def _scan_magics(
    p: ParsedCell, cat: Catalogue, patterns: Sequence[SecretPattern]
) -> Iterator[SecretHit]:
    """Shell and line magics (``!curl -H 'Authorization: token ...'``, ``%env KEY=...``)."""
    text = p.cell.source
    starts = _line_starts(text)
    for magic in p.magics:
        if magic.kind == "cell_magic" or magic.line > len(starts):
            continue
        begin = starts[magic.line - 1]
        stop = starts[magic.end_line] - 1 if magic.end_line < len(starts) else len(text)
        block = text[begin:stop]
        matches = scan_provider_formats(block, cat, patterns)
        matches += [m for m in scan_urls(block) if not covered(m, matches)]
        matches += env_magic(block) if magic.name == "env" else scan_text_assignments(block)
        for m in matches:
            yield hit_at_offset(MAGIC, p.cell, text, shifted(m, begin))


def _line_starts(text: str) -> list[int]:
    """Offset of the start of each line of ``text`` (split on newlines only)."""
    starts = [0]
    newline = text.find("\n")
    while newline >= 0:
        starts.append(newline + 1)
        newline = text.find("\n", newline + 1)
    return starts


def _scan_comments(
    cell: Cell, cat: Catalogue, known: list[SecretHit], patterns: Sequence[SecretPattern]
) -> Iterator[SecretHit]:
    """Provider formats the ``ast`` cannot see: in comments."""
    text = cell.source
    if "#" not in text:
        return
    seen = {(h.line, h.pattern_id) for h in known}
    for m in scan_provider_formats(text, cat, patterns):
        hit = hit_at_offset(COMMENT, cell, text, m)
        if (hit.line, hit.pattern_id) not in seen and "#" in line_of(text, hit.line)[: hit.col]:
            yield hit
