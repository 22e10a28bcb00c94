"""Errors that end a command with exit code 2 and a one-line message."""

from __future__ import annotations


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
        super().__init__(f"{where}: {message}" if where else message)
