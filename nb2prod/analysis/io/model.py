"""What the IO analysis finds: :class:`IOEvent` (a call that touches files), its kinds,
:class:`PathLiteral` (a string that is an absolute path), :class:`IOFacts` (both, for one
notebook), and :func:`snippet` to show a node in a message."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nb2prod.analysis.values import LOCAL, Value

if TYPE_CHECKING:
    from nb2prod.notebook.parse import ParsedCell

READ, WRITE, LIST, FS, CHDIR = "read", "write", "list", "fs", "chdir"


@dataclass(slots=True)
class IOEvent:
    """A call that reads, writes, lists or changes files (kind ``read``/``write``/``list``/
        ``fs``/``chdir``). ``arg`` is the node holding the path (an argument, a keyword's value,
        or the receiver of a pathlib method; ``None`` for a default such as ``os.listdir()``)
        and ``value`` what it evaluates to: ``--fix`` rewrites ``arg`` when ``value`` is local.

        An event *through* a notebook function (``load("data/x.csv")`` where ``def load(p):
        return pd.read_csv(p)``) sits at the call of the function: ``call`` is the function's
        name, ``via`` the catalogued call inside that touches the file, ``arg`` the argument
        the path came from. ``fixable`` is false where ``--fix`` has no rewrite. A literal in
    ``arg`` or ``others`` is the finding's, not also a hard-coded path of its own (IO005)."""

    cell: ParsedCell
    node: ast.Call
    kind: str
    call: str  # "pandas.read_csv", or ".to_csv" for a method matched by name
    value: Value
    arg: ast.expr | None = None
    via: str | None = None
    fixable: bool = True
    others: tuple[ast.expr, ...] = ()  # the call's other path arguments (shutil.copy's dst)

    @property
    def is_local(self) -> bool:
        return self.value.kind == LOCAL


@dataclass(frozen=True, slots=True)
class PathLiteral:
    """A string literal that is an absolute, home-directory (``~/``) or Windows path."""

    cell: ParsedCell
    node: ast.expr  # the Constant, or the f-string it starts
    text: str
    style: str  # "absolute" | "home" | "windows"


@dataclass(slots=True)
class IOFacts:
    """Everything the IO family needs, from one pass: events of catalogued calls
    (``events``), events at calls of the notebook's functions that pass them a local path
    (``through``), both in program order when iterated, and path literals that are not
    already part of a local event's path argument."""

    events: list[IOEvent] = field(default_factory=list)
    literals: list[PathLiteral] = field(default_factory=list)
    through: list[IOEvent] = field(default_factory=list)
    ordered: list[IOEvent] = field(default_factory=list)

    def add(self, event: IOEvent) -> None:
        (self.through if event.via is not None else self.events).append(event)
        self.ordered.append(event)

    def __iter__(self) -> Iterator[IOEvent]:
        return iter(self.ordered if self.through else self.events)

    def __len__(self) -> int:
        return len(self.events) + len(self.through)


def described(event: IOEvent) -> str:
    """The call of an event for a message, in backquotes; for one through a notebook
    function, also the call inside that touches the file: ``load("x.csv")`` then
    ``(pandas.read_csv in load)``, each in backquotes."""
    shown = f"`{snippet(event.cell, event.node)}`"
    if event.via is None:
        return shown
    return f"{shown} (`{event.via}` in `{event.call}`)"


def snippet(cell: ParsedCell, node: ast.AST, limit: int = 70) -> str:
    """The source of ``node`` on one line, shortened to ``limit`` characters."""
    text = _segment(cell.python, node) or ast.unparse(node)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _segment(source: str, node: ast.AST) -> str | None:
    """``ast.get_source_segment`` without its slow pure-Python line splitting."""
    start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    col, end_col = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
    if None in (start, end, col, end_col):
        return None
    lines = source.split("\n")[start - 1 : end]
    if not lines:
        return None
    # ast offsets count UTF-8 bytes
    if len(lines) == 1:
        return lines[0].encode()[col:end_col].decode(errors="replace")
    first = lines[0].encode()[col:].decode(errors="replace")
    last = lines[-1].encode()[:end_col].decode(errors="replace")
    return "\n".join([first, *lines[1:-1], last])
