"""What a path expression evaluates to, without running anything.

An abstract evaluator over the notebook's statements in cell order: module-level names bound
from literals, ``os.path.join``, f-strings, ``+``, ``str.format``, ``%``, ``Path(...) / "x"``
keep their (partly) known text, so a path built in an earlier cell is still known later.

A :class:`Value` has a kind:

- ``LOCAL``: a local path (``"data/x.csv"``, ``Path("models") / name``, ``"~/x"``);
- ``REMOTE``: an fsspec or web URI whose scheme is in settings ``remote-schemes``;
- ``ENV``: from the environment or configuration (``os.environ``, ``os.getenv``, ``sys.argv``,
  config/settings objects, function parameters);
- ``MEMORY``: an in-memory buffer or stream (``io.StringIO``, ``sys.stdout``, ``":memory:"``);
- ``TEMP``: from :mod:`tempfile`;
- ``OTHER``: something known not to be a path (numbers, other URIs, functions);
- ``UNKNOWN``: anything else (results of calls, parameters of lambdas and comprehensions,
  loop variables over unknown collections, undefined names).

Lists and dicts of literals keep their items, and ``glob`` results stand for paths under
their pattern, so a loop over either still knows its variable. Text partly unknown is kept with ``{...}`` holes; ``prefix`` is the known text before the first
hole. A value whose known prefix could still begin a remote URI (``f"{x}/a"``, ``"s" + x``) is
``UNKNOWN``: only values known to be local are ``LOCAL``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from nb2prod.analysis.names import qualified

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
_SENTINEL = "\x00"
_MAX_ITEMS = 64  # larger list/dict literals are not tracked
_MAX_DEPTH = 40

# Conventional aliases, used when a notebook relies on a star import (fastai) for them.
ALIASES = {
    "pd": "pandas",
    "np": "numpy",
    "plt": "matplotlib.pyplot",
    "Path": "pathlib.Path",
    "Image": "PIL.Image",
    "tf": "tensorflow",
    "sns": "seaborn",
}
_PATH_TYPES = frozenset(
    f"pathlib.{n}" for n in ("Path", "PurePath", "PosixPath", "WindowsPath", "PurePosixPath")
)
_JOIN = frozenset({"os.path.join", "posixpath.join", "ntpath.join"})
_SAME = frozenset(
    {
        "str",
        "os.fspath",
        "os.fsencode",
        "os.fsdecode",
        "os.path.abspath",
        "os.path.realpath",
        "os.path.normpath",
        "os.path.expanduser",
        "os.path.expandvars",
    }
)
_SAME_METHODS = frozenset(
    {"resolve", "absolute", "expanduser", "as_posix", "__fspath__", "strip", "rstrip", "lower"}
)
_JOIN_METHODS = frozenset({"joinpath"})
_CWD = frozenset({"os.getcwd", "os.getcwdb", "pathlib.Path.cwd"})
_HOME = frozenset({"pathlib.Path.home"})
_ENV_CALLS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault", "os.getenvb"})
_ENV_OBJECTS = frozenset({"os.environ", "sys.argv", "os.environb"})
_MEMORY = frozenset(
    {"io.StringIO", "io.BytesIO", "sys.stdout", "sys.stderr", "sys.stdin", "io.TextIOWrapper"}
)
_CONFIG_LOADERS = frozenset(
    {
        "yaml.safe_load",
        "yaml.load",
        "yaml.full_load",
        "json.load",
        "toml.load",
        "tomllib.load",
        "configparser.ConfigParser",
        "dotenv.dotenv_values",
        "omegaconf.OmegaConf.load",
        "hydra.compose",
        "argparse.ArgumentParser",
    }
)
_CONFIG_NAME = re.compile(
    r"^_*(?:config|conf|cfg|settings|setting|params|param|args|argv|opts|options|hparams|hp|env|"
    r"flags|environ|secrets|creds|credentials)(?:_\w*)?$|(?:config|settings)$",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"^([A-Za-z][\w+.\-]*(?:::[A-Za-z][\w+.\-]*)*)://")
_WINDOWS = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)")
_GLOB_ITER = frozenset({"glob.glob", "glob.iglob"})
_PASS_ITER = frozenset({"sorted", "list", "tuple", "reversed", "set", "iter"})
_CURDIR = frozenset({"os.curdir", "os.path.curdir"})
_GLOB_METHODS = frozenset({"glob", "rglob", "iterdir"})
_EDIT_METHODS = frozenset({"join", "format", "with_suffix", "with_name", "with_stem", "replace"})
_VALUE_METHODS = _SAME_METHODS | _JOIN_METHODS | _GLOB_METHODS | _EDIT_METHODS


@dataclass(frozen=True, slots=True)
class Value:
    """An abstract value. ``text``/``prefix`` are set for path-like strings (see module doc)."""

    kind: str
    text: str | None = None
    prefix: str = ""
    exact: bool = False
    items: tuple[Value, ...] | None = None  # list/tuple literal elements
    keys: tuple[tuple[str, Value], ...] | None = None  # dict literal with string keys
    pathlike: bool = False  # a pathlib object (its methods read, write, list)
    each: Value | None = None  # a collection whose every element is this (glob results)

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


def _is_tqdm(qual: str) -> bool:
    return qual.startswith("tqdm") and qual.rsplit(".", 1)[-1] in {"tqdm", "tqdm_notebook"}


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
    lookups fall back to the enclosing scope."""

    names: dict[str, Value] = field(default_factory=dict)
    parent: Scope | None = None

    def lookup(self, name: str) -> Value | None:
        scope: Scope | None = self
        while scope is not None:
            value = scope.names.get(name)
            if value is not None:
                return value
            scope = scope.parent
        return None


_PLAIN = frozenset({ast.Raise, ast.Assert})  # statements that only hold expressions
_NOTHING = frozenset({ast.Global, ast.Nonlocal, ast.Pass, ast.Break, ast.Continue})
_TRY_STAR = getattr(ast, "TryStar", ast.Try)


@dataclass(slots=True)
class Step:
    """An expression to inspect, with the scope in force when it runs."""

    cell: ParsedCell
    root: ast.AST  # a simple statement, or the header expression of a compound one
    scope: Scope
    stmt: ast.stmt


class Evaluator:
    """Evaluates expressions against a :class:`Scope`; :meth:`walk` runs the cells in order."""

    def __init__(self, imports: dict[str, str], schemes: Iterable[str]) -> None:
        self.imports = imports
        self.schemes = frozenset(s.lower() for s in schemes)
        self.module = Scope()

    # -- names ------------------------------------------------------------------------------
    def qualname(self, node: ast.AST) -> str | None:
        """Dotted origin of a name chain; conventional aliases fill in missing imports."""
        name = qualified(node, self.imports)
        if name is None:
            return None
        head, dot, rest = name.partition(".")
        if head in ALIASES and head not in self.imports:
            return ALIASES[head] + dot + rest
        return name

    # -- expressions ------------------------------------------------------------------------
    def eval(
        self, node: ast.AST, scope: Scope, shadow: frozenset[str] = frozenset(), depth: int = 0
    ) -> Value:
        """The abstract value of ``node``; names in ``shadow`` (comprehension targets,
        lambda parameters) are unknown."""
        if depth > _MAX_DEPTH:
            return UNKNOWN_VALUE
        d = depth + 1
        cls = type(node)  # an if-chain on the type, most frequent first: this runs a lot
        if cls is ast.Name:
            name = node.id  # type: ignore[attr-defined]
            if name in shadow:
                return UNKNOWN_VALUE
            value = scope.lookup(name)
            if value is not None:
                return value
            return ENV_VALUE if _CONFIG_NAME.search(name) else UNKNOWN_VALUE
        if cls is ast.Constant:
            return self._constant(node.value)  # type: ignore[attr-defined]
        if cls is ast.Call:
            return self._call(node, scope, shadow, d)  # type: ignore[arg-type]
        if cls is ast.Attribute:
            return self._attribute(node, scope, shadow, d)  # type: ignore[arg-type]
        if cls is ast.Subscript:
            return self._subscript(node.value, node.slice, scope, shadow, d)  # type: ignore[attr-defined]
        if cls is ast.BinOp:
            return self._binop(node, scope, shadow, d)  # type: ignore[arg-type]
        if cls is ast.JoinedStr:
            parts = node.values  # type: ignore[attr-defined]
            return self._concat([self._fpart(p, scope, shadow, d) for p in parts])
        if cls is ast.List or cls is ast.Tuple or cls is ast.Set:
            elts = node.elts  # type: ignore[attr-defined]
            if len(elts) > _MAX_ITEMS or any(isinstance(e, ast.Starred) for e in elts):
                return OTHER_VALUE
            return Value(OTHER, items=tuple(self.eval(e, scope, shadow, d) for e in elts))
        if cls is ast.Dict:
            return self._dict(node.keys, node.values, scope, shadow, d)  # type: ignore[attr-defined]
        if cls is ast.IfExp:
            return join_values(
                self.eval(node.body, scope, shadow, d),  # type: ignore[attr-defined]
                self.eval(node.orelse, scope, shadow, d),  # type: ignore[attr-defined]
            )
        if cls is ast.BoolOp and type(node.op) is ast.Or:  # type: ignore[attr-defined]
            return self._or([self.eval(v, scope, shadow, d) for v in node.values])  # type: ignore[attr-defined]
        if cls is ast.NamedExpr:
            return self.eval(node.value, scope, shadow, d)  # type: ignore[attr-defined]
        return UNKNOWN_VALUE

    def _constant(self, value: object) -> Value:
        if type(value) is str:
            return string_value(value, self.schemes)
        if value is None or type(value) is bool:
            return OTHER_VALUE
        if type(value) is int or type(value) is float:
            return Value(OTHER, str(value), str(value), True)
        return UNKNOWN_VALUE

    def _binop(self, node: ast.BinOp, scope: Scope, shadow: frozenset[str], d: int) -> Value:
        op = type(node.op)
        if op is ast.Add:
            left = self.eval(node.left, scope, shadow, d)
            return self._concat([left, self.eval(node.right, scope, shadow, d)])
        if op is ast.Div:
            lhs = self.eval(node.left, scope, shadow, d)
            if lhs.kind in (OTHER, UNKNOWN) or lhs.items is not None:
                return UNKNOWN_VALUE if lhs.kind != OTHER else OTHER_VALUE
            joined = self._join([lhs, self.eval(node.right, scope, shadow, d)])
            return as_path(joined) if lhs.pathlike else joined
        if op is ast.Mod:
            return self._percent(node.left, node.right, scope, shadow, d)
        return UNKNOWN_VALUE

    def _fpart(self, part: ast.AST, scope: Scope, shadow: frozenset[str], depth: int) -> Value:
        if isinstance(part, ast.FormattedValue):
            if part.format_spec is not None:
                return UNKNOWN_VALUE
            return self.eval(part.value, scope, shadow, depth)
        return self.eval(part, scope, shadow, depth)

    def _concat(self, parts: list[Value]) -> Value:
        """String concatenation: the first part decides the kind; later holes stay holes."""
        if not parts:
            return string_value("", self.schemes)
        first = parts[0]
        if first.text is None or first.items is not None:
            if first.kind in (ENV, TEMP, MEMORY):
                return Value(first.kind)
            return UNKNOWN_VALUE
        text, prefix, exact = first.text, first.prefix, first.exact
        for part in parts[1:]:
            if part.text is not None and part.items is None:
                text += part.text
                if exact:
                    prefix += part.prefix
                exact = exact and part.exact
            else:
                text += HOLE
                exact = False
        if not first.exact and first.kind in (LOCAL, REMOTE):
            return Value(first.kind, text, prefix, False)  # its head was settled already
        return string_value(text, self.schemes, None if exact else prefix)

    def _join(self, parts: list[Value]) -> Value:
        """``os.path.join`` / ``Path(a, b)`` / ``a / b``: a literal absolute part restarts."""
        start = 0
        for i, part in enumerate(parts):
            if i and part.exact and part.text is not None and part.text.startswith("/"):
                start = i
        parts = parts[start:]
        if not parts:
            return UNKNOWN_VALUE
        pieces: list[Value] = [parts[0]]
        for part in parts[1:]:
            pieces.append(Value(OTHER, "/", "/", True))
            pieces.append(part)
        joined = self._concat(pieces)
        if joined.text is not None:
            text = re.sub(r"(?<!:)/{2,}", "/", joined.text)
            prefix = re.sub(r"(?<!:)/{2,}", "/", joined.prefix)
            return Value(joined.kind, text, prefix, joined.exact)
        return joined

    def _or(self, values: list[Value]) -> Value:
        if any(v.kind == ENV for v in values):
            return ENV_VALUE
        result = values[0]
        for v in values[1:]:
            result = join_values(result, v)
        return result

    def _dict(
        self,
        keys: list[ast.expr | None],
        values: list[ast.expr],
        scope: Scope,
        shadow: frozenset[str],
        depth: int,
    ) -> Value:
        if len(keys) > _MAX_ITEMS:
            return OTHER_VALUE
        pairs = []
        for k, v in zip(keys, values, strict=True):
            if isinstance(k, ast.Constant) and isinstance(k.value, str):
                pairs.append((k.value, self.eval(v, scope, shadow, depth)))
        return Value(OTHER, keys=tuple(pairs))

    def _subscript(
        self, base: ast.expr, index: ast.expr, scope: Scope, shadow: frozenset[str], depth: int
    ) -> Value:
        if self.qualname(base) in _ENV_OBJECTS:
            return ENV_VALUE
        container = self.eval(base, scope, shadow, depth)
        if container.kind == ENV:
            return ENV_VALUE
        if container.each is not None and not isinstance(index, ast.Slice):
            return container.each
        if isinstance(index, ast.Slice) and container.kind == LOCAL and container.exact:
            return self._slice(container, index)
        if isinstance(index, ast.Constant):
            if container.keys is not None and isinstance(index.value, str):
                for key, value in container.keys:
                    if key == index.value:
                        return value
            if container.items is not None and isinstance(index.value, int):
                try:
                    return container.items[index.value]
                except IndexError:
                    return UNKNOWN_VALUE
        return UNKNOWN_VALUE

    def _slice(self, value: Value, index: ast.Slice) -> Value:
        bounds: list[int | None] = []
        for part in (index.lower, index.upper, index.step):
            if part is None:
                bounds.append(None)
            elif isinstance(part, ast.Constant) and isinstance(part.value, int):
                bounds.append(part.value)
            elif (
                isinstance(part, ast.UnaryOp)
                and isinstance(part.op, ast.USub)
                and isinstance(part.operand, ast.Constant)
                and isinstance(part.operand.value, int)
            ):
                bounds.append(-part.operand.value)
            else:
                return UNKNOWN_VALUE
        text = (value.text or "")[slice(*bounds)]
        return replace(string_value(text, self.schemes), pathlike=value.pathlike)

    def _attribute(
        self, node: ast.Attribute, scope: Scope, shadow: frozenset[str], depth: int
    ) -> Value:
        qual = self.qualname(node)
        if qual in _ENV_OBJECTS:
            return ENV_VALUE
        if qual in _MEMORY:
            return MEMORY_VALUE
        if qual in _CURDIR:
            return string_value(".", self.schemes)
        base = self.eval(node.value, scope, shadow, depth)
        if base.kind in (ENV, TEMP):
            return Value(base.kind)
        if base.kind in (LOCAL, REMOTE) and base.text is not None:
            if node.attr == "parent":
                return as_path(self._dirname(base))
            if node.attr in {"name", "stem", "suffix", "suffixes", "parts"}:
                return OTHER_VALUE
            return UNKNOWN_VALUE
        return UNKNOWN_VALUE

    def _dirname(self, value: Value) -> Value:
        if not value.exact or value.text is None:
            return Value(value.kind, (value.text or "") + "/..", value.prefix, False)
        head = value.text.rstrip("/").rpartition("/")[0]
        return string_value(head or ".", self.schemes)

    def _call(self, node: ast.Call, scope: Scope, shadow: frozenset[str], depth: int) -> Value:
        func = node.func
        qual = self.qualname(func)
        args = node.args

        def arg(i: int) -> Value:
            return self.eval(args[i], scope, shadow, depth) if len(args) > i else UNKNOWN_VALUE

        if qual is not None:
            if qual in _JOIN:
                if not args or any(isinstance(a, ast.Starred) for a in args):
                    return UNKNOWN_VALUE
                return self._join([arg(i) for i in range(len(args))])
            if qual in _PATH_TYPES:
                if not args:
                    return as_path(string_value(".", self.schemes))
                if any(isinstance(a, ast.Starred) for a in args):
                    return UNKNOWN_VALUE
                return as_path(self._join([arg(i) for i in range(len(args))]))
            if qual in _SAME:  # these return a str, not a pathlib object
                value = arg(0)
                return replace(value, pathlike=False) if value.pathlike else value
            if qual in _GLOB_ITER:
                return self._listing(arg(0), False)
            if qual in _PASS_ITER or _is_tqdm(qual):
                value = arg(0)
                return value if value.each is not None or value.items is not None else UNKNOWN_VALUE
            if qual in ("os.path.dirname", "posixpath.dirname"):
                value = arg(0)
                return self._dirname(value) if value.text is not None else value
            if qual in ("os.path.basename", "posixpath.basename"):
                value = arg(0)
                if value.exact and value.text is not None:
                    return string_value(value.text.rstrip("/").rpartition("/")[2], self.schemes)
                return value if value.kind in (ENV, TEMP) else UNKNOWN_VALUE
            if qual in _CWD:
                value = string_value(".", self.schemes)
                return as_path(value) if qual.startswith("pathlib") else value
            if qual in _HOME:
                return as_path(string_value("~", self.schemes))
            if qual in _ENV_CALLS or qual in _CONFIG_LOADERS:
                return ENV_VALUE
            if qual.startswith("tempfile."):
                return TEMP_VALUE
            if qual in _MEMORY:
                return MEMORY_VALUE
        if isinstance(func, ast.Attribute):
            return self._method(node, func, scope, shadow, depth)
        return UNKNOWN_VALUE

    def _method(
        self,
        node: ast.Call,
        func: ast.Attribute,
        scope: Scope,
        shadow: frozenset[str],
        depth: int,
    ) -> Value:
        name = func.attr
        if name not in _VALUE_METHODS:
            base = self.eval(func.value, scope, shadow, depth).kind
            return Value(base) if base in (ENV, TEMP) else UNKNOWN_VALUE
        receiver = self.eval(func.value, scope, shadow, depth)
        if receiver.kind in (ENV, TEMP):
            return Value(receiver.kind)
        if receiver.text is None or receiver.items is not None:
            return UNKNOWN_VALUE
        args = [self.eval(a, scope, shadow, depth) for a in node.args[:8]]
        if name in _SAME_METHODS:
            return receiver
        if name in _GLOB_METHODS and receiver.pathlike:
            return self._listing(receiver, True)
        if name in _JOIN_METHODS:
            return as_path(self._join([receiver, *args]))
        if name == "join" and receiver.exact and len(args) == 1 and args[0].items:
            pieces: list[Value] = []
            for item in args[0].items:
                pieces.extend([receiver, item] if pieces else [item])
            return self._concat(pieces)
        if name == "format":
            kwargs = {
                k.arg: self.eval(k.value, scope, shadow, depth) for k in node.keywords if k.arg
            }
            return self._format(receiver, args, kwargs)
        if name in {"with_suffix", "with_name", "with_stem", "replace"}:
            if (
                name == "replace"
                and receiver.exact
                and len(args) == 2
                and all(a.exact for a in args)
            ):
                text = receiver.text.replace(args[0].text or "", args[1].text or "")
                return string_value(text, self.schemes)
            return replace(receiver, exact=False)
        return UNKNOWN_VALUE

    def _format(self, fmt: Value, args: list[Value], kwargs: dict[str, Value]) -> Value:
        if not fmt.exact or fmt.text is None or fmt.kind not in (LOCAL, REMOTE, OTHER):
            return UNKNOWN_VALUE

        def sub(v: Value) -> str:
            return v.text if v.exact and v.text is not None else _SENTINEL

        try:
            text = fmt.text.format(*map(sub, args), **{k: sub(v) for k, v in kwargs.items()})
        except (IndexError, KeyError, ValueError, AttributeError, TypeError):
            head = fmt.text.split("{", 1)[0]
            return string_value(fmt.text, self.schemes, head)
        return self._from_sentinel(text)

    def _percent(
        self, left: ast.expr, right: ast.expr, scope: Scope, shadow: frozenset[str], depth: int
    ) -> Value:
        fmt = self.eval(left, scope, shadow, depth)
        if not fmt.exact or fmt.text is None or fmt.kind not in (LOCAL, REMOTE):
            return UNKNOWN_VALUE if fmt.kind != OTHER else OTHER_VALUE
        rhs = self.eval(right, scope, shadow, depth)
        values = rhs.items if rhs.items is not None else (rhs,)
        subs = tuple(v.text if v.exact and v.text is not None else _SENTINEL for v in values)
        try:
            text = fmt.text % subs
        except (TypeError, ValueError, KeyError):
            head = fmt.text.split("%", 1)[0]
            return string_value(fmt.text, self.schemes, head)
        return self._from_sentinel(text)

    def _from_sentinel(self, text: str) -> Value:
        if _SENTINEL not in text:
            return string_value(text, self.schemes)
        head = text.split(_SENTINEL, 1)[0]
        return string_value(text.replace(_SENTINEL, HOLE), self.schemes, head)

    def iterate(self, value: Value) -> Value:
        """The value of a loop variable over ``value``: known for literal sequences whose
        items all agree, and for listings (``glob``) of a known folder."""
        if value.each is not None:
            return value.each
        if value.items:
            result = value.items[0]
            for item in value.items[1:]:
                result = join_values(result, item)
            return result
        return UNKNOWN_VALUE

    def _listing(self, pattern: Value, pathlike: bool) -> Value:
        """``glob.glob(p)`` / ``Path(p).glob(...)``: a collection of paths under ``p``."""
        if pattern.kind != LOCAL or pattern.text is None:
            return UNKNOWN_VALUE
        head = pattern.prefix.split("*", 1)[0].split("?", 1)[0]
        text = pattern.text + "/" + HOLE if pathlike else pattern.text
        return Value(OTHER, each=Value(LOCAL, text, head, False, pathlike=pathlike))

    # -- statements -------------------------------------------------------------------------
    def walk(self, cells: Iterable[tuple[ParsedCell, ast.Module]]) -> Iterator[Step]:
        """Run the cells' statements in order, yielding each expression root *before* the
        statement's bindings take effect. Function bodies run at their definition, with
        parameters bound to ``ENV``; both branches of an ``if`` run and their bindings join."""
        for cell, tree in cells:
            yield from self._block(cell, tree.body, self.module)

    def _block(self, cell: ParsedCell, body: list[ast.stmt], scope: Scope) -> Iterator[Step]:
        for stmt in body:
            yield from self._stmt(cell, stmt, scope)

    def _stmt(self, cell: ParsedCell, stmt: Any, scope: Scope) -> Iterator[Step]:
        cls = type(stmt)
        if cls is ast.Expr or cls is ast.Return or cls in _PLAIN:
            yield Step(cell, stmt, scope, stmt)
        elif cls is ast.Assign:
            yield Step(cell, stmt, scope, stmt)
            value = self.eval(stmt.value, scope)
            for target in stmt.targets:
                self._bind(target, value, scope)
        elif cls is ast.AnnAssign:
            if stmt.value is not None:
                yield Step(cell, stmt, scope, stmt)
                self._bind(stmt.target, self.eval(stmt.value, scope), scope)
        elif cls is ast.AugAssign:
            yield Step(cell, stmt, scope, stmt)
            target = stmt.target
            if type(target) is ast.Name and type(stmt.op) is ast.Add:
                current = scope.lookup(target.id) or UNKNOWN_VALUE
                self._bind(target, self._concat([current, self.eval(stmt.value, scope)]), scope)
            else:
                self._bind(target, UNKNOWN_VALUE, scope)
        elif cls is ast.FunctionDef or cls is ast.AsyncFunctionDef:
            yield from self._function(cell, stmt, scope)
        elif cls is ast.ClassDef:
            for expr in [*stmt.decorator_list, *stmt.bases, *stmt.keywords]:
                yield Step(cell, expr, scope, stmt)
            yield from self._block(cell, stmt.body, Scope(parent=scope))
            scope.names[stmt.name] = OTHER_VALUE
        elif cls is ast.If:
            yield Step(cell, stmt.test, scope, stmt)
            yield from self._branches(cell, [stmt.body, stmt.orelse], scope)
        elif cls is ast.For or cls is ast.AsyncFor:
            yield Step(cell, stmt.iter, scope, stmt)
            self._bind(stmt.target, self.iterate(self.eval(stmt.iter, scope)), scope)
            yield from self._block(cell, stmt.body, scope)
            yield from self._block(cell, stmt.orelse, scope)
        elif cls is ast.While:
            yield Step(cell, stmt.test, scope, stmt)
            yield from self._block(cell, stmt.body, scope)
            yield from self._block(cell, stmt.orelse, scope)
        elif cls is ast.With or cls is ast.AsyncWith:
            for item in stmt.items:
                yield Step(cell, item.context_expr, scope, stmt)
                if item.optional_vars is not None:
                    ctx = self.eval(item.context_expr, scope)
                    bound = ctx if ctx.kind in (TEMP, MEMORY) else UNKNOWN_VALUE
                    self._bind(item.optional_vars, bound, scope)
            yield from self._block(cell, stmt.body, scope)
        elif cls is ast.Try or cls is _TRY_STAR:
            yield from self._block(cell, stmt.body, scope)
            for handler in stmt.handlers:
                if handler.type is not None:
                    yield Step(cell, handler.type, scope, stmt)
                if handler.name:
                    scope.names[handler.name] = OTHER_VALUE
                yield from self._block(cell, handler.body, scope)
            yield from self._block(cell, stmt.orelse, scope)
            yield from self._block(cell, stmt.finalbody, scope)
        elif cls is ast.Match:
            yield Step(cell, stmt.subject, scope, stmt)
            yield from self._branches(cell, [c.body for c in stmt.cases], scope)
        elif cls is ast.Import or cls is ast.ImportFrom:
            for alias in stmt.names:
                name = alias.asname or alias.name.split(".", 1)[0]
                if name != "*":
                    scope.names[name] = OTHER_VALUE
        elif cls is ast.Delete:
            for target in stmt.targets:
                if type(target) is ast.Name:
                    scope.names.pop(target.id, None)
                else:
                    yield Step(cell, target, scope, stmt)
        elif cls not in _NOTHING:
            yield Step(cell, stmt, scope, stmt)

    def _function(
        self, cell: ParsedCell, stmt: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope
    ) -> Iterator[Step]:
        a = stmt.args
        for expr in [*stmt.decorator_list, *a.defaults, *(d for d in a.kw_defaults if d)]:
            yield Step(cell, expr, scope, stmt)
        if stmt.returns is not None:
            yield Step(cell, stmt.returns, scope, stmt)
        inner = Scope(parent=scope)
        params = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
        for p in params:
            if p is not None:
                inner.names[p.arg] = ENV_VALUE
        scope.names[stmt.name] = OTHER_VALUE
        yield from self._block(cell, stmt.body, inner)

    def _branches(
        self, cell: ParsedCell, bodies: list[list[ast.stmt]], scope: Scope
    ) -> Iterator[Step]:
        before = dict(scope.names)
        outcomes: list[dict[str, Value]] = []
        for body in bodies:
            scope.names = dict(before)
            yield from self._block(cell, body, scope)
            outcomes.append(scope.names)
        merged = dict(before)
        changed = {k for names in outcomes for k, v in names.items() if before.get(k) is not v}
        for key in changed:
            values = [names[key] for names in outcomes if key in names]
            if key in before and len(values) < len(outcomes):
                values.append(before[key])
            result = values[0]
            for v in values[1:]:
                result = join_values(result, v)
            merged[key] = result
        scope.names = merged

    def _bind(self, target: ast.expr, value: Value, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.names[target.id] = value
        elif isinstance(target, ast.Tuple | ast.List):
            items = value.items
            for i, elt in enumerate(target.elts):
                if items is not None and len(items) == len(target.elts):
                    self._bind(elt, items[i], scope)
                elif isinstance(elt, ast.Starred):
                    self._bind(elt.value, UNKNOWN_VALUE, scope)
                else:
                    self._bind(elt, UNKNOWN_VALUE, scope)
        elif isinstance(target, ast.Starred):
            self._bind(target.value, UNKNOWN_VALUE, scope)
