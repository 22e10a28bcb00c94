"""The abstract value model: a :class:`Value`'s kinds, how path text is classified, and how
two possible values join; :class:`Scope` binds names to values, :class:`Function` is a
function the notebook defines."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nb2prod.notebook.parse import ParsedCell

LOCAL = "LOCAL"
REMOTE = "REMOTE"
ENV = "ENV"
MEMORY = "MEMORY"
TEMP = "TEMP"
OTHER = "OTHER"
UNKNOWN = "UNKNOWN"
HOLE = "{...}"

_SCHEME = re.compile(r"^([A-Za-z][\w+.\-]*(?:::[A-Za-z][\w+.\-]*)*)://")
_WINDOWS = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)")
# Archive protocols whose path is a file on the local disk, unless "::" chains them to where
# the archive is (zip://inner.shp::s3://b/x.zip).
_ARCHIVES = frozenset({"zip", "tar", "tgz", "gzip"})


@dataclass(unsafe_hash=True, slots=True)
class Value:
    """An abstract value. ``text``/``prefix`` are set for path-like strings (see the
    :mod:`nb2prod.analysis.values` doc).

    Immutable by convention: never assign a field, make a new value (``dataclasses.replace``);
    values are shared between names, scopes and cached results. (Not ``frozen=True``: its
    ``__init__`` sets each field through ``object.__setattr__``, which made building a value,
    thousands per notebook, four times slower.)"""

    kind: str
    text: str | None = None
    prefix: str = ""
    exact: bool = False
    items: tuple[Value, ...] | None = None  # list/tuple literal elements
    keys: tuple[tuple[str, Value], ...] | None = None  # dict literal with string keys
    pathlike: bool = False  # a pathlib object (its methods read, write, list)
    each: Value | None = None  # a collection whose every element is this (glob results)
    func: Function | None = None  # a function the notebook defines (its calls are followed)
    origin: str | None = None  # what made it: "transformers.Trainer" for Trainer(...)

    @property
    def is_local(self) -> bool:
        return self.kind == LOCAL


UNKNOWN_VALUE = Value(UNKNOWN)
ENV_VALUE = Value(ENV)
OTHER_VALUE = Value(OTHER)
TEMP_VALUE = Value(TEMP)
MEMORY_VALUE = Value(MEMORY)


def string_value(text: str, schemes: frozenset[str], prefix: str | None = None) -> Value:
    """Classify path text; ``prefix`` (the known head) is given when the text has holes."""
    exact = prefix is None
    head = text if exact else prefix
    if not exact and _could_be_remote(head, schemes):
        return UNKNOWN_VALUE
    if head == ":memory:" or head.startswith("file::memory:"):
        return MEMORY_VALUE
    match = _SCHEME.match(head)
    if match and not _WINDOWS.match(head):
        scheme = match.group(1).lower()
        if scheme == "file":
            rest = text[len("file://") :]
            return Value(LOCAL, rest, head[len("file://") :], exact)
        if scheme.split("+", 1)[0] == "sqlite":  # SQLAlchemy: sqlite:///rel.db, sqlite:////abs.db
            cut = len(match.group(0)) + 1  # the third slash ends the (empty) host
            if len(head) <= cut or head[cut:] == ":memory:":
                return MEMORY_VALUE  # sqlite:// alone: an in-memory database
            return Value(LOCAL, text[cut:], head[cut:], exact)
        if scheme in _ARCHIVES:  # zip://data/x.zip (GDAL/fiona): the archive is a local file
            if "::" in head:  # zip://inner.shp::s3://b/x.zip: where the archive is decides
                tail = head.rsplit("::", 1)[1]
                return string_value(text.rsplit("::", 1)[1], schemes, None if exact else tail)
            cut = len(match.group(0))
            return Value(LOCAL, text[cut:], head[cut:], exact)
        last = scheme.rsplit("::", 1)[-1]
        kind = REMOTE if scheme in schemes or last in schemes else OTHER
        return Value(kind, text, head, exact)
    return Value(LOCAL, text, head, exact)


def _could_be_remote(head: str, schemes: frozenset[str]) -> bool:
    """True when ``head`` followed by unknown text could still be a remote URI: ``""``,
    ``"s"``, ``"s3:/"``, ``"simplecache::"``; never ``"data/"`` or ``"models"``."""
    segment = head.rsplit("::", 1)[-1].lower()
    return any(f"{s}://".startswith(segment) for s in schemes)


def as_path(value: Value) -> Value:
    """``value`` as a pathlib object (only path text can be one)."""
    if value.text is not None and value.items is None and not value.pathlike:
        return replace(value, pathlike=True)
    return value


def join_values(a: Value, b: Value) -> Value:
    """The value of ``a if cond else b`` (or of a name bound differently in two branches)."""
    if a == b:
        return a
    if a.kind == b.kind and a.text is not None and b.text is not None:
        prefix = _common_prefix(a.prefix, b.prefix)
        return Value(a.kind, a.text, prefix, False, pathlike=a.pathlike and b.pathlike)
    if ENV in (a.kind, b.kind):
        return ENV_VALUE
    if a.kind == b.kind:
        return Value(a.kind)
    return UNKNOWN_VALUE


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


@dataclass(slots=True)
class Scope:
    """Names bound in a module, function or class body (parameters are bound to ``ENV``);
    lookups fall back to the enclosing scope. ``owner`` is the function whose body it is."""

    names: dict[str, Value] = field(default_factory=dict)
    parent: Scope | None = None
    owner: Function | None = None

    def lookup(self, name: str) -> Value | None:
        scope: Scope | None = self
        while scope is not None:
            value = scope.names.get(name)
            if value is not None:
                return value
            scope = scope.parent
        return None


@dataclass(eq=False, slots=True)
class Function:
    """A function the notebook defines (``def``): what its calls evaluate to is followed
    through its body (:mod:`.functions`). ``scope`` is where it was defined, ``defaults``
    the values of its parameters' defaults, ``followed`` whether its body is small and plain
    enough to run again per call (not a generator, not async; found out at the first call).
    ``sinks`` is set by the IO analysis: a file access inside takes its path from a
    parameter (or a local name)."""

    node: ast.FunctionDef | ast.AsyncFunctionDef
    cell: ParsedCell
    scope: Scope
    defaults: dict[str, Value]
    followed: bool | None = None  # None: not known yet
    returns: bool = False  # it has a ``return`` with a value (known with ``followed``)
    sinks: bool = False

    @property
    def name(self) -> str:
        return self.node.name
