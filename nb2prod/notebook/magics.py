"""Recognise IPython syntax in a code cell and mask it out of the Python source.

Masking keeps every line number: a magic or shell line becomes ``pass`` (or ``name = None``
for ``name = !cmd``) at the same indentation, so Python-level findings point at the line the
user sees. Lines inside (triple-quoted) strings and open brackets are never masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Cell magics whose body is Python; for any other cell magic the whole cell is not Python.
PYTHON_BODY_CELL_MAGICS = frozenset(
    {"time", "timeit", "capture", "prun", "debug", "memit", "mprun", "snakeviz", "px", "autopx"}
)
# Line magics IPython runs without the % prefix (automagic) that notebooks use in practice.
AUTOMAGICS = frozenset(
    {"pip", "conda", "cd", "ls", "pwd", "mkdir", "load_ext", "matplotlib", "env", "cat", "rm"}
)

_LINE_END = re.compile(r"\r\n?")
_AUTOCALL = ",;/"  # IPython's autocall escapes: ``/f x`` -> f(x); a lone ``;`` -> ("")
# Anything :func:`_is_ipython_line` could accept (a superset, see :func:`_may_hold_ipython`).
_FIRST_LINE_START = re.compile(r"[ \t]*[%!,;/]")
_LINE_START = re.compile(r"\n[ \t]*[%!,;/]")  # starts with a literal: a fast scan
_ASSIGNED = re.compile(r"=\s*[!%]")
_HELP = re.compile(r"^(\?{1,2}[\w.\[\]()]+|[\w.\[\]()]+\?{1,2})$")
_ASSIGN = re.compile(r"^([A-Za-z_][\w.,\s\[\]]*?)\s*=\s*([!%])(.*)$")


@dataclass(frozen=True, slots=True)
class Magic:
    """An IPython construct found in a cell (lines are 1-based, within the cell)."""

    kind: str  # "line_magic" | "cell_magic" | "shell" | "help" | "autocall" (``/f x``, ``;``)
    name: str  # magic name ("pip", "matplotlib") or the shell command's first word
    text: str  # the command after the prefix, continuation lines joined
    line: int
    col: int  # 0-based column of the prefix
    end_line: int
    assigned_to: str | None = None  # "x" for "x = !ls"

    @property
    def is_shell(self) -> bool:
        return self.kind == "shell" or self.name in {"system", "sx", "sh", "bash", "script"}


@dataclass(slots=True)
class MaskedSource:
    python: str
    magics: list[Magic]
    whole_cell_magic: Magic | None = None  # set when the cell body is not Python (%%bash ...)


def mask_ipython(source: str) -> MaskedSource:
    r"""Return the cell's Python source with IPython syntax masked, and what was masked.

    Lines end in ``\n`` in the result: ``\r\n`` and a lone ``\r`` end a line too (as for
    Python's tokenizer), so line numbers are those of :func:`~nb2prod.notebook.model.source_lines`.
    """
    if "\r" in source:
        source = _LINE_END.sub("\n", source)
    head: list[str] = []  # the lines of the cell magics above the body, masked
    magics: list[Magic] = []
    while "%%" in source:  # perhaps a cell magic, perhaps several stacked (%%time over %%capture)
        lines = source.split("\n")
        first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
        if first is None or not lines[first].lstrip().startswith("%%"):
            break
        magic = _shift(_cell_magic(lines, first), len(head))
        magics.append(magic)
        if magic.name not in PYTHON_BODY_CELL_MAGICS:
            blank = "\n".join([*head, *("" for _ in lines)])
            return MaskedSource(blank, magics, whole_cell_magic=None if head else magic)
        head += [*lines[:first], "pass"]
        source = "\n".join(lines[first + 1 :])
    if not head:
        return _mask_lines(source)
    body = _mask_lines(source)
    shifted = [_shift(m, len(head)) for m in body.magics]
    return MaskedSource("\n".join([*head, body.python]), [*magics, *shifted])


def _mask_lines(source: str) -> MaskedSource:
    """Mask the IPython lines of ``source`` (no cell magic at its top)."""
    if not _may_hold_ipython(source):
        return MaskedSource(source, [])  # most cells: nothing to mask, skip the scan
    lines = source.split("\n")
    magics: list[Magic] = []
    out: list[str] = []
    code_lines = _code_line_starts(lines)
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip()
        if i in code_lines and stripped and _is_ipython_line(stripped):
            end = i
            while lines[end].rstrip().endswith("\\") and end + 1 < len(lines):
                end += 1
            text = " ".join(ln.strip().rstrip("\\").strip() for ln in lines[i : end + 1])
            indent = line[: len(line) - len(stripped)]
            magic, replacement = _classify(text, i + 1, len(indent), end + 1)
            magics.append(magic)
            out.append(indent + replacement)
            out.extend(indent + "pass" if indent else "" for _ in range(end - i))
            i = end + 1
            continue
        out.append(line)
        i += 1
    return MaskedSource("\n".join(out), magics)


def _may_hold_ipython(source: str) -> bool:
    """Whether a line of ``source`` could be IPython syntax: one starting with ``%``, ``!``
    or an autocall character, a ``?``, or ``= !``/``= %``. Cheap tests, most cells fail all."""
    return (
        "?" in source
        or _FIRST_LINE_START.match(source) is not None
        or _LINE_START.search(source) is not None
        or _ASSIGNED.search(source) is not None
    )


def mask_line_as_automagic(masked: MaskedSource, line_no: int) -> bool:
    """Mask line ``line_no`` if it is an automagic call (``pip install x``); True if masked."""
    lines = masked.python.split("\n")
    if not 1 <= line_no <= len(lines):
        return False
    line = lines[line_no - 1]
    stripped = line.lstrip()
    word = stripped.split(" ", 1)[0]
    if word not in AUTOMAGICS or stripped == word and word not in {"pwd", "ls", "env"}:
        return False
    indent = line[: len(line) - len(stripped)]
    masked.magics.append(Magic("line_magic", word, stripped, line_no, len(indent), line_no))
    lines[line_no - 1] = indent + "pass"
    masked.python = "\n".join(lines)
    return True


def _shift(m: Magic, by: int) -> Magic:
    return Magic(m.kind, m.name, m.text, m.line + by, m.col, m.end_line + by, m.assigned_to)


def _cell_magic(lines: list[str], first: int) -> Magic:
    text = lines[first].lstrip()[2:].strip()
    name = text.split(" ", 1)[0] if text else ""
    return Magic("cell_magic", name, text, first + 1, 0, len(lines))


def _is_ipython_line(stripped: str) -> bool:
    if stripped[0] in "%!" or stripped[0] in _AUTOCALL:
        return True
    if "?" in stripped and "#" not in stripped and _HELP.match(stripped.rstrip()):
        return True
    if "!" not in stripped and "%" not in stripped:
        return False  # what follows can only match ``x = !cmd`` or ``x = %magic``
    match = _ASSIGN.match(stripped)
    return bool(match and not stripped.startswith(("!=", "%=")) and "==" not in stripped[:3])


def _classify(text: str, line: int, col: int, end: int) -> tuple[Magic, str]:
    assigned = None
    replacement = "pass"
    match = _ASSIGN.match(text)
    if match and text[0] not in "%!?":
        assigned = match.group(1).strip()
        replacement = f"{assigned} = None"
        text = match.group(2) + match.group(3).strip()
    if text.startswith("!"):
        cmd = text.lstrip("!").strip()
        name = cmd.split(" ", 1)[0] if cmd else ""
        return Magic("shell", name, cmd, line, col, end, assigned), replacement
    if text[0] in _AUTOCALL:
        body = text[1:].strip()
        name = body.split(" ", 1)[0] if body else ""
        return Magic("autocall", name, text, line, col, end), replacement
    if text.startswith("%"):
        body = text.lstrip("%").strip()
        name = body.split(" ", 1)[0] if body else ""
        return Magic("line_magic", name, body, line, col, end, assigned), replacement
    return Magic("help", text.strip("?"), text, line, col, end), replacement


def _code_line_starts(lines: list[str]) -> set[int]:
    """Indices of lines that begin a statement: outside any string literal, outside open
    brackets and not after a backslash continuation."""
    starts: set[int] = set()
    depth = 0
    quote: str | None = None  # the open string's delimiter: ', ", ''' or """
    continued = False
    for idx, line in enumerate(lines):
        if quote is None and depth == 0 and not continued:
            starts.add(idx)
        continued = False
        j = 0
        while True:  # from one character that matters to the next
            if quote is not None:
                m = _STRING_STOPS[quote].search(line, j)
                if m is None:
                    break
                if m.group() == "\\":
                    j = m.end() + 1  # an escape: skip the escaped character
                else:
                    j, quote = m.end(), None
                continue
            m = _CODE_STOPS.search(line, j)
            if m is None:
                break
            ch, j = m.group(), m.end()
            if ch == "#":
                break
            if ch == "\\":
                continued = j == len(line)
            elif ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth = max(0, depth - 1)
            else:
                quote = ch
        # A one-quote string does not span lines (unless the line ends in a backslash).
        if quote in ("'", '"') and not line.endswith("\\"):
            quote = None
    return starts


# What :func:`_code_line_starts` acts on: in code, a comment, a backslash, a bracket or a
# string's opening quote; in a string, an escape or its closing quote.
_CODE_STOPS = re.compile(r"#|\\|[()\[\]{}]|'''|\"\"\"|['\"]")
_STRING_STOPS = {q: re.compile(r"\\|" + q) for q in ("'''", '"""', "'", '"')}
