"""Human output through rich, shaped like ruff's: ``path:cell N:line:col: CODE message``,
the offending source line with a caret under the span, then a summary line.

Colour only on a terminal (or with ``color=True``); piped output is plain text. ``NO_COLOR``
(any non-empty value) turns colour off, ``FORCE_COLOR`` turns it on when piped; NO_COLOR
wins when both are set (https://no-color.org, https://force-color.org). Every piece
of notebook text goes into rich ``Text`` objects, never through markup, and control
characters are shown as ``\\xNN`` so that a notebook cannot drive the terminal.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from typing import TextIO

from nb2prod.lint.engine import FileResult
from nb2prod.lint.findings import Finding

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_STYLES = {"error": "bold red", "warning": "yellow"}
TAB = 4


def render(
    results: list[FileResult],
    stream: TextIO,
    *,
    color: bool | None = None,
    show_source: bool = True,
) -> None:
    terminal = color if color is not None else wants_color(stream)
    if not terminal:  # piped or to a file: plain text, without rich's per-line cost
        lines = [
            "".join(text for text, _ in segments)
            for r in results
            for f in r.findings
            for segments in _segments(f, show_source)
        ]
        lines.append(summary(results, plain=True))
        stream.write("\n".join(lines) + "\n")
        return
    from rich.console import Console

    console = Console(
        file=stream,
        highlight=False,
        soft_wrap=True,
        emoji=False,
        force_terminal=True,  # decided above (a terminal, FORCE_COLOR or color=True)
        no_color=color is False,
    )
    from rich.text import Text

    for r in results:
        for f in r.findings:
            for segments in _segments(f, show_source):
                console.print(Text.assemble(*segments))
    console.print(summary(results))


def wants_color(stream: TextIO) -> bool:
    """Colour for ``stream``: off with NO_COLOR, on with FORCE_COLOR, else on a terminal."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return _isatty(stream)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


Segments = list[tuple[str, str]]  # (text, rich style; "" for none)


def _segments(f: Finding, show_source: bool) -> list[Segments]:
    """The finding's lines, each as styled pieces of plain text: rich assembles them on a
    terminal (notebook text is never parsed as markup); piped output just joins them."""
    style = _STYLES.get(f.severity, "cyan")
    head = [(clean(f.location), "bold"), (": ", ""), (f.code, style), (" ", "")]
    head.append((clean(f.message), ""))
    if f.fixable:
        head.append((" [fixable]", "dim"))
    out = [head]
    if show_source and f.source_line.strip():
        source, start, width = caret(f)
        gutter = f"{f.line:>4} | "
        pad = " " * (len(gutter) - 2)
        out.append([(gutter, "blue"), (source, "")])
        out.append([(f"{pad}| ", "blue"), (" " * start, ""), ("^" * width, style)])
    if f.help:
        out.append([("  ", ""), ("help:", "cyan"), (" ", ""), (clean(f.help), "")])
    return out


def clean(text: str) -> str:
    """``text`` on one line, control characters (and newlines) shown as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


def caret(f: Finding) -> tuple[str, int, int]:
    """(source line as displayed, caret offset, caret width), in terminal cells: tabs are
    expanded and wide characters (CJK, emoji) count twice, so the caret stays aligned."""
    raw = f.source_line.rstrip()
    start = min(max(f.col - 1, 0), len(raw))
    if f.end_line == f.line and f.end_col and f.end_col > f.col:
        end = min(f.end_col - 1, len(raw))
    else:
        end = len(raw)
    shifted = f.extra.get("caret") if isinstance(f.extra, dict) else None
    if isinstance(shifted, list) and len(shifted) == 2:  # columns in the masked line
        start = min(max(int(shifted[0]), 0), len(raw))
        end = min(int(shifted[1]), len(raw)) if shifted[1] is not None else len(raw)
        end = max(end, start)
    before = clean(raw[:start].expandtabs(TAB))
    span = clean((raw[:end].expandtabs(TAB))[len(raw[:start].expandtabs(TAB)) :])
    shown = clean(raw.expandtabs(TAB))
    return shown, _width(before), max(1, _width(span))


def _width(text: str) -> int:
    """Terminal cells of ``text`` (already cleaned: no control characters, no tabs): its
    length when ASCII, else rich's count (wide characters count twice)."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def summary(results: list[FileResult], plain: bool = False) -> str:
    """The closing line, as rich markup (or plain text)."""
    findings = [f for r in results for f in r.findings]
    files = len(results)
    unreadable = sum(1 for r in results if r.error)
    touched = sum(1 for r in results if r.findings)
    text = f"{_n(len(findings), 'finding')} in {touched} of {_n(files, 'notebook')}"
    if findings:
        by = Counter(f.severity for f in findings)
        parts = [_n(by[s], s) for s in ("error", "warning") if by[s]]
        parts += [f"{by['info']} info"] if by["info"] else []
        fixable = sum(1 for f in findings if f.fixable)
        if fixable:
            parts.append(f"{fixable} fixable")
        text += f" ({', '.join(parts)})"
    if unreadable:
        text += f"; {unreadable} could not be read"
    if not findings and not unreadable:
        text, style = f"{_n(files, 'notebook')} checked: all clean", "green"
    else:
        style = "bold"
    return text if plain else f"[{style}]{text}[/{style}]"


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
