"""Errors that end a command with exit code 2 and a one-line message."""

from __future__ import annotations

import re

# C0 and C1 controls (ANSI escapes, bell, line breaks), line separators and bidi overrides.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with its control characters written as escapes (``\\x1b``): a message
    that quotes a notebook must not drive the terminal it is printed on, nor span lines."""
    if text.isprintable():
        return text
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class InputError(Exception):
    """Bad input: a notebook that cannot be read, an unknown rule, a bad setting.

    ``str(err)`` is the one line shown to the user: it names the file (and cell).
    """

    def __init__(self, message: str, path: str | None = None, cell: int | None = None) -> None:
        self.path = path
        self.cell = cell
        self.reason = message
        where = path or ""
        if cell is not None:
            where += f" cell {cell}"
        super().__init__(printable(f"{where}: {message}" if where else message))
