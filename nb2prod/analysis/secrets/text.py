"""Everything scanned as text: code cells that are not Python, markdown and raw cells,
textual outputs (never images or other binary data) and metadata."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from nb2prod.analysis.secrets.bindings import may_name_credentials
from nb2prod.analysis.secrets.credentials import (
    credential_name,
    env_name,
    literal_secret,
    may_name_words,
    scan_text_assignments,
)
from nb2prod.analysis.secrets.formats import Catalogue, scan_provider_formats
from nb2prod.analysis.secrets.model import (
    ASSIGNMENT,
    CODE,
    MARKDOWN,
    METADATA,
    OUTPUT,
    RAW,
    URL,
    SecretHit,
    TextMatch,
    covered,
    make_hit,
    shifted,
)
from nb2prod.analysis.secrets.redaction import hit_at_offset, mask_all, text_line
from nb2prod.analysis.secrets.shell import scan_shell
from nb2prod.analysis.secrets.urls import scan_urls
from nb2prod.notebook.model import join_source

if TYPE_CHECKING:
    from nb2prod.notebook.model import Cell


# Output data worth reading: text, and the strings of data that is text too (JSON, scripts,
# SVG, vendor types such as widget or plotly JSON); images and other binary data are not.
TEXT_MIME_TYPES = ("text/plain", "text/markdown", "text/latex")
DATA_MIME_TYPES = ("application/json", "application/javascript", "text/javascript", "image/svg+xml")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def scan_code_text(cell: Cell, cat: Catalogue) -> Iterator[SecretHit]:
    """A code cell that is not Python (other kernels, %%bash, syntax errors): text only."""
    text = cell.source
    matches = scan_provider_formats(text, cat)
    matches += [m for m in scan_urls(text) if not covered(m, matches)]
    urls = [m for m in matches if m.kind == URL]  # a URL's ;password=... is its credential
    # a provider token bound to a credential name is both
    matches += [m for m in scan_text_assignments(text) if not covered(m, urls)]
    matches += [m for m in scan_shell(text) if not covered(m, matches)]
    hits = [hit_at_offset(CODE, cell, text, m) for m in sorted(matches, key=lambda m: m.start)]
    mask_all(hits, [m.secret for m in matches])
    yield from hits


def scan_prose(cell: Cell, cat: Catalogue) -> Iterator[SecretHit]:
    where = MARKDOWN if cell.cell_type == "markdown" else RAW
    text = cell.source
    matches = scan_provider_formats(text, cat)
    matches += [m for m in scan_urls(text) if not covered(m, matches)]
    for m in sorted(matches, key=lambda m: m.start):
        yield hit_at_offset(where, cell, text, m)


def output_texts(output: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(description, text) of an output's textual parts; images and other binary or
    script data are never read, nor HTML when the output has a plain-text form."""
    kind = output.get("output_type")
    if kind == "stream":
        yield str(output.get("name") or "stream"), _joined(output.get("text", ""))
    elif kind == "error":
        traceback = output.get("traceback")
        lines = traceback if isinstance(traceback, list) else [traceback or ""]
        parts = [str(output.get("evalue") or ""), *map(str, lines)]
        yield "error", "\n".join(parts)
    elif kind in ("execute_result", "display_data", "update_display_data", "pyout"):
        data = output.get("data")
        if not isinstance(data, dict):
            return
        for mime in TEXT_MIME_TYPES:
            if mime in data:
                yield mime, _joined(data[mime])
        html = _joined(data.get("text/html", "")) if "text/plain" not in data else ""
        if html and "<script" not in html:  # plotting libraries' scripts are not read
            yield "text/html", html
        for mime, value in data.items():
            textual = mime in DATA_MIME_TYPES or str(mime).startswith("application/vnd.")
            if textual and (text := _data_text(value)):
                yield str(mime), text
    meta = output.get("metadata")
    if meta and isinstance(meta, dict) and (text := _data_text(meta)):  # any may carry it
        yield "metadata", text


def _joined(source: Any) -> str:
    """:func:`join_source`, at C speed for the usual list of strings (``str.join``
    refuses a list holding anything else, which ``join_source`` then sorts out)."""
    if isinstance(source, list):
        try:
            return "".join(source)
        except TypeError:
            pass
    return join_source(source)


def _data_text(value: Any) -> str:
    """A mime bundle's value as text: a string or list of lines joined, else every string
    inside the JSON value, one per line (walked without recursion)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        try:
            return "".join(value)  # a list of lines (str.join refuses anything else)
        except TypeError:
            pass
    strings: list[str] = []
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            strings.append(item)
        elif isinstance(item, dict):
            todo.extend([v for v in reversed(item.values()) if not isinstance(v, _SCALARS)])
        elif isinstance(item, list):
            todo.extend([v for v in reversed(item) if not isinstance(v, _SCALARS)])
    return "\n".join(strings)


# JSON's numbers, booleans and null hold no string: not pushed on the walk's stack.
_SCALARS = (int, float, type(None))


def cell_output_texts(cell: Cell) -> list[tuple[int, str, str]]:
    """(output number, description, text) of every textual part of a cell's outputs."""
    texts = []
    for number, output in enumerate(cell.outputs, start=1):
        for desc, text in output_texts(output):
            if text:
                texts.append((number, desc, _ANSI.sub("", text) if "\x1b" in text else text))
    return texts


def scan_outputs(
    cell: Cell, texts: list[tuple[int, str, str]], cat: Catalogue
) -> Iterator[SecretHit]:
    seen: set[tuple[str, str]] = set()
    for number, desc, text in texts:
        matches = scan_provider_formats(text, cat)
        matches += [m for m in scan_urls(text) if not covered(m, matches)]
        for m in matches:
            if (m.pattern_id, m.secret) not in seen:
                seen.add((m.pattern_id, m.secret))
                source = text_line(text, m)
                yield make_hit(OUTPUT, cell, 1, 0, m, source, detail=f"output {number} ({desc})")


def scan_metadata(
    meta: dict[str, Any], dumped: str, cell: Cell | None, cat: Catalogue
) -> Iterator[SecretHit]:
    """Every string of ``meta`` (``dumped``: its JSON, to skip the walk when nothing in it
    can be a secret)."""
    if not may_hold_metadata_secrets(dumped, cat):
        return
    names = may_name_credentials(dumped)
    if not cat.candidates(dumped) and not names and "://" not in dumped:
        return
    seen: set[str] = set()
    for path, key, value in _metadata_strings(meta, "metadata"):
        matches = scan_provider_formats(value, cat)
        matches += [m for m in scan_urls(value) if not covered(m, matches)]
        cred = credential_name(key) if names and key and not matches else None
        secret = literal_secret(value, cred) if cred else None
        if secret is not None:
            label = f"credential {key!r}"
            matches.append(TextMatch(label, env_name(key), secret, 0, len(value), ASSIGNMENT))
        for m in matches:
            if m.secret in seen:
                continue
            seen.add(m.secret)
            line = f"{key}: {value}" if key else value
            source = text_line(line, shifted(m, len(line) - len(value)))
            yield make_hit(METADATA, cell, 1, 0, m, source, detail=path)


def may_hold_metadata_secrets(dumped: str, cat: Catalogue) -> bool:
    """Whether :func:`scan_metadata` may find anything in metadata dumped as ``dumped``,
    or in any metadata whose dump is a part of it: a format keyword of ``cat``, a word
    that may name a credential (see may_name_words) or a URL."""
    return "://" in dumped or may_name_words(dumped) or bool(cat.candidates(dumped))


def _metadata_strings(
    obj: Any, path: str, key: str = "", depth: int = 0
) -> Iterator[tuple[str, str, str]]:
    """(path, key, string) for every string in a JSON value, to a reasonable depth."""
    if depth > 30:
        return
    if isinstance(obj, str):
        yield path, key, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _metadata_strings(v, f"{path}.{k}", str(k), depth + 1)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _metadata_strings(v, f"{path}[{i}]", key, depth + 1)
