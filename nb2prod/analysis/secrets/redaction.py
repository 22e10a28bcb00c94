"""Masked source lines: where a match sits in a cell's text, the line shown for it with
every secret masked, and the safety net that masks any provider format left."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from nb2prod.analysis.secrets.formats import catalogue, scan_provider_formats
from nb2prod.analysis.secrets.model import SecretHit, TextMatch, make_hit, mask

if TYPE_CHECKING:
    from nb2prod.notebook.model import Cell


_MAX_LINE = 200  # source lines shown for outputs and metadata are cut to this length


def line_starts(text: str) -> list[int]:
    """Offset of the start of each line of ``text`` (split on newlines only)."""
    starts = [0]
    newline = text.find("\n")
    while newline >= 0:
        starts.append(newline + 1)
        newline = text.find("\n", newline + 1)
    return starts


def line_of(text: str, number: int) -> str:
    """Line ``number`` (1-based) of ``text`` split on newlines only."""
    start = 0
    for _ in range(number - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    end = text.find("\n", start)
    return text[start : len(text) if end < 0 else end].rstrip("\r")


def hit_at_offset(where: str, cell: Cell, text: str, m: TextMatch) -> SecretHit:
    """A hit for a match at character offset ``m.start`` of a cell's source ``text``."""
    line = text.count("\n", 0, m.start) + 1
    col = m.start - (text.rfind("\n", 0, m.start) + 1)
    end_col = col + (m.end - m.start) if "\n" not in text[m.start : m.end] else None
    source = redact(line_of(text, line), [m], span=(col, end_col))
    return make_hit(where, cell, line, col, m, source, end_col=end_col)


def text_line(text: str, m: TextMatch) -> str:
    """The masked line of ``text`` around a match, cut to a readable length."""
    start = text.rfind("\n", 0, m.start) + 1
    end = text.find("\n", m.start)
    line = text[start : len(text) if end < 0 else end]
    line = redact(line, [m], span=(m.start - start, m.end - start))
    return line.strip()[:_MAX_LINE]


def redact(
    line: str,
    matches: Sequence[TextMatch],
    *,
    span: tuple[int, int | None] | None = None,
    literal: bool = False,
) -> str:
    """``line`` with every secret of ``matches`` masked. A secret not found verbatim (an
    escaped form in source, or one too short to replace safely) is masked through
    ``span``, the columns where it was found; with ``literal`` the span is a whole string
    literal, whose quotes are kept."""
    out = line
    for m in matches:
        hidden = mask(m.secret)
        if m.needle and m.needle in out:
            out = out.replace(m.needle, m.needle.replace(m.secret, hidden))
            continue
        for part in [m.secret, *m.secret.split("\n")[1:]]:
            if len(part) >= 6 and part in out:
                out = out.replace(part, hidden)
    anchored = any(m.anchor and m.anchor != m.secret and m.anchor in line for m in matches)
    if out == line and span is not None and matches and not anchored:
        start, end = span
        end = len(line) if end is None else min(end, len(line))
        quote = line[end - 1] if literal and end > start and line[end - 1] in "'\"" else ""
        out = line[:start] + quote + mask(matches[0].secret) + quote + line[end:]
    return _redact_formats(out)


def _redact_formats(line: str) -> str:
    """Safety net: mask any provider-format secret left in a line."""
    cat = catalogue()
    for m in scan_provider_formats(line, cat):
        line = line.replace(m.secret, mask(m.secret))
    return line


def mask_all(hits: list[SecretHit], secrets: list[str]) -> None:
    """Mask every secret of ``secrets`` in every hit's source line (a line may hold two:
    ``Minio(host, "key", "secret")``), where it stands as a word of its own (``postgres``
    inside ``postgresql://`` is not the password ``postgres``)."""
    unique = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)
    for hit in hits:
        line = hit.source_line
        for secret in unique:
            if secret in line:
                pattern = rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])"
                line = re.sub(pattern, lambda _m, s=secret: mask(s), line)
        hit.source_line = line
