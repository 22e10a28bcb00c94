"""File access found in a notebook: ``IOEvent`` records for the IO rules and ``--fix``.

One pass over the cells in order (see :mod:`nb2prod.analysis.values`): each call is matched
against the catalogue in ``rules/io_calls.toml`` and its path argument evaluated, so
``pd.read_csv(DATA_DIR + "x.csv")`` is known to read a local file when ``DATA_DIR`` was set
from a literal in an earlier cell. The same pass collects string literals that are
absolute, home-directory or Windows paths (for IO005).
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from nb2prod.analysis.values import (
    HOLE,
    LOCAL,
    Evaluator,
    Scope,
    Value,
    string_value,
)
from nb2prod.resources import data_dir

if TYPE_CHECKING:
    from nb2prod.analysis.context import Analysis
    from nb2prod.notebook.parse import ParsedCell

READ, WRITE, LIST, FS, CHDIR = "read", "write", "list", "fs", "chdir"
_WRITE_MODE = frozenset("wax+")
_ENV_DEFAULTS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})
_ENV_DEFAULT_NAMES = frozenset(q.rpartition(".")[2] for q in _ENV_DEFAULTS)
_REGEXISH = re.compile(r"[()\[\]^$|\\+?{}]")
_EXTENSION = re.compile(r"\.(?=[A-Za-z0-9_]*[A-Za-z])[A-Za-z0-9_]{1,10}$")
_EXPLICIT = re.compile(r"^(?:\.{1,2}[/\\]|/|~[/\\]|[A-Za-z]:[\\/])")

# Literal path shapes for IO005.
_COMPONENT = r"[\w.\-~@+%,=*!#& ]+"
_POSIX = re.compile(rf"^/(?:{_COMPONENT}/)*{_COMPONENT}/?$")
_HOME = re.compile(rf"^~[/\\](?:{_COMPONENT}[/\\])*(?:{_COMPONENT})?$")
_WINDOWS = re.compile(r"^[A-Za-z]:[\\/](?:[^\\/:*?\"<>|\r\n]+[\\/]?)+$")
_UNC = re.compile(r"^\\\\[\w.$\-]+\\[\w.$\- ]+(?:\\[^\\/:*?\"<>|\r\n]*)*$")
_ROOTS = frozenset(
    {
        "home",
        "Users",
        "mnt",
        "media",
        "data",
        "datasets",
        "var",
        "tmp",
        "content",
        "kaggle",
        "root",
        "srv",
        "Volumes",
        "dbfs",
        "workspace",
        "scratch",
        "gpfs",
        "nfs",
        "efs",
        "lustre",
        "shared",
        "projects",
        "storage",
        "private",
        "notebooks",
        "work",
        "Shared",
        "Library",
    }
)


@dataclass(frozen=True, slots=True)
class CallSpec:
    """One catalogue entry: how a call takes its path and whether it reads or writes."""

    kind: str
    paths: tuple[int, ...] = (0,)
    keywords: frozenset[str] = frozenset()
    receiver: bool = False
    default: str | None = None
    mode: int | None = None
    mode_keyword: str | None = None
    default_mode: str | None = None
    shape: str = "any"


@dataclass(slots=True)
class Catalogue:
    """``rules/io_calls.toml`` compiled for lookups by qualified name and method name."""

    functions: dict[str, CallSpec] = field(default_factory=dict)
    # "*a.b.name" entries, by their last part: {"name": [(".a.b.name", spec)]}
    suffixes: dict[str, list[tuple[str, CallSpec]]] = field(default_factory=dict)
    methods: dict[str, CallSpec] = field(default_factory=dict)
    receiver_methods: dict[str, CallSpec] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    # The last part of every entry: a method call ``x.name(...)`` with another name matches
    # none, which settles most calls without resolving their qualified name.
    last_names: frozenset[str] = frozenset()

    def function(self, qual: str) -> CallSpec | None:
        spec = self.functions.get(qual)
        if spec is None:
            for suffix, candidate in self.suffixes.get(qual.rpartition(".")[2], ()):
                if qual.endswith(suffix) or qual == suffix[1:]:
                    return candidate
        return spec

    def ignored(self, qual: str) -> bool:
        """True when ``qual`` is, or is inside, an ignored module (``seaborn.*``)."""
        parts = qual.split(".")
        return any(".".join(parts[:i]) in self.ignore for i in range(1, len(parts) + 1))


def build_catalogue(doc: dict[str, Any]) -> Catalogue:
    """Compile the TOML document (see the comments in ``rules/io_calls.toml``); a name
    listed twice is an error, so an edit cannot silently override another entry."""
    cat = Catalogue()
    seen: set[str] = set()
    for entry in doc.get("call", []):
        paths = entry.get("path", 0)
        spec = CallSpec(
            kind=entry["kind"],
            paths=tuple(paths) if isinstance(paths, list) else (paths,),
            keywords=frozenset(entry.get("keywords", ())),
            receiver=bool(entry.get("receiver", False)),
            default=entry.get("default"),
            mode=entry.get("mode"),
            mode_keyword=entry.get("mode-keyword"),
            default_mode=entry.get("default-mode"),
            shape=entry.get("shape", "any"),
        )
        for name in entry.get("functions", ()):
            if name in seen:
                raise ValueError(f"io_calls.toml: {name} is listed twice")
            seen.add(name)
            if name.startswith("*"):
                suffix = "." + name[1:].lstrip(".")
                cat.suffixes.setdefault(suffix.rpartition(".")[2], []).append((suffix, spec))
            else:
                cat.functions[name] = spec
        target = cat.receiver_methods if spec.receiver else cat.methods
        for name in entry.get("methods", ()):
            if name in target:
                raise ValueError(f"io_calls.toml: method {name} is listed twice")
            target[name] = spec
    cat.ignore = tuple(
        p.rstrip("*").rstrip(".") for p in doc.get("ignore", {}).get("functions", ())
    )
    cat.last_names = frozenset(
        {name.rpartition(".")[2] for name in cat.functions}
        | cat.suffixes.keys()
        | cat.methods.keys()
        | cat.receiver_methods.keys()
    )
    return cat


@cache
def catalogue() -> Catalogue:
    """The shipped catalogue, read once."""
    with open(data_dir("rules") / "io_calls.toml", "rb") as fh:
        return build_catalogue(tomllib.load(fh))


@dataclass(slots=True)
class IOEvent:
    """A call that reads, writes, lists or changes files (kind ``read``/``write``/``list``/
    ``fs``/``chdir``). ``arg`` is the node holding the path (an argument, a keyword's value,
    or the receiver of a pathlib method; ``None`` for a default such as ``os.listdir()``)
    and ``value`` what it evaluates to: ``--fix`` rewrites ``arg`` when ``value`` is local."""

    cell: ParsedCell
    node: ast.Call
    kind: str
    call: str  # "pandas.read_csv", or ".to_csv" for a method matched by name
    value: Value
    arg: ast.expr | None = None

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
    """Everything the IO family needs, from one pass: events in program order, and path
    literals that are not already part of a local event's path argument."""

    events: list[IOEvent] = field(default_factory=list)
    literals: list[PathLiteral] = field(default_factory=list)

    def __iter__(self) -> Iterator[IOEvent]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)


def path_style(text: str) -> str | None:
    """``absolute``/``home``/``windows`` when ``text`` looks like such a path, else ``None``.

    Requires a path-like shape: ``/`` alone, URL routes such as ``/api/v1`` and regexes are
    not paths; a POSIX path must start at a well-known root (``/home``, ``/data``,
    ``/content`` ...) or end in a file name with an extension, and have two parts or more.
    """
    if len(text) > 300 or "\n" in text or text != text.strip():
        return None
    if text.startswith("file://"):
        text = text[len("file://") :]
    if text.startswith("/"):
        if text.startswith("//") or not _POSIX.match(text):
            return None
        parts = [p for p in text.split("/") if p]
        if not parts or "  " in text:
            return None
        if len(parts) >= 2 and (parts[0] in _ROOTS or _EXTENSION.search(parts[-1])):
            return "absolute"
        return None
    if text.startswith("~"):
        return "home" if len(text) > 2 and _HOME.match(text) else None
    if _WINDOWS.match(text) or _UNC.match(text):
        return "windows"
    return None


def fits_shape(value: Value, shape: str) -> bool:
    """For generic method names: does the local path text look like a file path?"""
    if shape == "any" or value.kind != LOCAL or value.text is None:
        return True
    text = value.text.replace(HOLE, "x")
    if _REGEXISH.search(text) or not text.strip():
        return False
    if shape == "path":
        return True
    last = text.replace("\\", "/").rstrip("/").rpartition("/")[2]
    return bool(_EXPLICIT.match(text) or _EXTENSION.search(last))


class _Finder:
    """Matches calls against the catalogue, evaluating their paths with an Evaluator."""

    def __init__(self, an: Analysis) -> None:
        self.ev = Evaluator(an.imports, an.settings["remote-schemes"])
        self.cat = catalogue()

    def run(self, an: Analysis) -> IOFacts:
        facts = IOFacts()
        candidates: list[PathLiteral] = []
        covered: set[int] = set()
        for step in self.ev.walk(an.trees):
            calls, literals, shadow, skip = _scan(step.root, self.ev)
            covered |= skip
            for call in calls:
                event = self.event(step.cell, call, step.scope, shadow)
                if event is None:
                    continue
                facts.events.append(event)
                if event.arg is not None and (event.is_local or event.kind == CHDIR):
                    covered.update(id(n) for n in ast.walk(event.arg))
            if literals:
                candidates.extend(
                    PathLiteral(step.cell, node, text, style) for node, text, style in literals
                )
        facts.literals = [lit for lit in candidates if id(lit.node) not in covered]
        return facts

    def event(
        self, cell: ParsedCell, call: ast.Call, scope: Scope, shadow: frozenset[str]
    ) -> IOEvent | None:
        func = call.func
        if type(func) is ast.Attribute and func.attr not in self.cat.last_names:
            return None  # ``df.head()``: its qualified name ends in a name no entry has
        qual = self.ev.qualname(func)
        spec = self.cat.function(qual) if qual else None
        name = qual or ""
        if spec is None:
            if not isinstance(func, ast.Attribute):
                return None
            rspec = self.cat.receiver_methods.get(func.attr)
            spec = self.cat.methods.get(func.attr)
            if (rspec is None and spec is None) or (qual and self.cat.ignored(qual)):
                return None
            if rspec is not None:
                value = self.ev.eval(func.value, scope, shadow)
                if value.pathlike:
                    kind = self._mode(call, rspec, scope, shadow)
                    return IOEvent(cell, call, kind, "." + func.attr, value, func.value)
            if spec is None:
                return None
            name = "." + func.attr
        found = self._path_arg(call, spec, scope, shadow)
        if found is None:
            return None
        arg, value = found
        if not fits_shape(value, spec.shape):
            return None
        return IOEvent(cell, call, self._mode(call, spec, scope, shadow), name, value, arg)

    def _path_arg(
        self, call: ast.Call, spec: CallSpec, scope: Scope, shadow: frozenset[str]
    ) -> tuple[ast.expr | None, Value] | None:
        for kw in call.keywords:
            if kw.arg in spec.keywords:
                return kw.value, self._collapse(self.ev.eval(kw.value, scope, shadow))
        args = call.args
        starred = next((i for i, a in enumerate(args) if isinstance(a, ast.Starred)), len(args))
        first: tuple[ast.expr | None, Value] | None = None
        for index in spec.paths:
            if index < 0:
                index = len(args) + index if starred == len(args) else -1
            if 0 <= index < starred:
                value = self._collapse(self.ev.eval(args[index], scope, shadow))
                if value.kind == LOCAL:
                    return args[index], value
                first = first or (args[index], value)
        if first is not None:
            return first
        if spec.default is not None and not args:
            return None, string_value(spec.default, self.ev.schemes)
        return None

    def _collapse(self, value: Value) -> Value:
        """A list of paths (``TFRecordDataset(["a.tfrecord"])``, glob results) stands for
        its items when they agree."""
        if value.each is not None or value.items:
            return self.ev.iterate(value)
        return value

    def _mode(self, call: ast.Call, spec: CallSpec, scope: Scope, shadow: frozenset[str]) -> str:
        if spec.mode is None:
            return spec.kind
        node: ast.expr | None = None
        for kw in call.keywords:
            if kw.arg == spec.mode_keyword:
                node = kw.value
        if node is None and spec.mode < len(call.args):
            node = call.args[spec.mode]
        value = self.ev.eval(node, scope, shadow) if node is not None else None
        if value is None:
            mode = spec.default_mode or ""
        elif value.exact and value.text is not None:
            mode = value.text
        else:
            return spec.kind
        return WRITE if _WRITE_MODE & set(mode.split(":", 1)[0]) else READ


_SCALAR_FIELDS = frozenset(
    {"ctx", "op", "id", "attr", "arg", "name", "names", "module", "level", "kind", "conversion"}
    | {"type_comment", "is_async", "simple", "kwd_attrs", "format_spec"}
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {ast.Constant: (), ast.Name: ()}


def _children(node: ast.AST) -> tuple[str, ...]:
    """The fields of ``node``'s class that may hold child nodes (cached per class)."""
    fields = _CHILD_FIELDS.get(type(node))
    if fields is None:
        fields = tuple(f for f in node._fields if f not in _SCALAR_FIELDS)
        _CHILD_FIELDS[type(node)] = fields
    return fields


def _scan(
    root: ast.AST, ev: Evaluator
) -> tuple[list[ast.Call], list[tuple[ast.expr, str, str]], frozenset[str], set[int]]:
    """One walk of an expression root: its calls, path-like literals, the names bound by
    comprehensions and lambdas inside it, and the literals that are env-lookup defaults.

    Parents are visited before their children, so an f-string or a ``+`` marks its parts
    (``suffixes``) before they are seen: only a string that starts an expression counts.
    """
    calls: list[ast.Call] = []
    literals: list[tuple[ast.expr, str, str]] = []
    shadow: set[str] = set()
    defaults: set[int] = set()
    suffixes: set[int] = set()
    docstring = root.value if isinstance(root, ast.Expr) else None
    stack: list[Any] = [root]
    pop, push, extend = stack.pop, stack.append, stack.extend
    child_fields = _CHILD_FIELDS
    while stack:
        node = pop()
        if node is None:  # in Dict.keys and kw_defaults
            continue
        cls = type(node)
        if cls is ast.Constant:
            text = node.value
            if (
                type(text) is str
                and text
                and (text[0] in "/~\\" or text[1:2] == ":" or text[:5] == "file:")
                and node is not docstring
                and id(node) not in suffixes
            ):
                style = path_style(text)
                if style:
                    literals.append((node, text, style))
            continue
        if cls is ast.Name:
            continue
        # The most frequent nodes push their children here, as the generic loop below does
        # (fields in order, the items of a list reversed), without looking their fields up.
        if cls is ast.Attribute or cls is ast.keyword or cls is ast.Expr:
            push(node.value)
            continue
        if cls is ast.Call:
            calls.append(node)
            func = node.func
            if (
                len(node.args) > 1
                and (type(func) is not ast.Attribute or func.attr in _ENV_DEFAULT_NAMES)
                and ev.qualname(func) in _ENV_DEFAULTS
            ):
                defaults.update(id(n) for a in node.args[1:] for n in ast.walk(a))
            push(func)
            extend(reversed(node.args))
            extend(reversed(node.keywords))
            continue
        if cls is ast.Assign:
            extend(reversed(node.targets))
            push(node.value)
            continue
        if cls is ast.Subscript:
            push(node.value)
            push(node.slice)
            continue
        if cls is ast.Tuple or cls is ast.List:
            extend(reversed(node.elts))
            continue
        if cls is ast.BinOp:
            if type(node.op) is ast.Add:
                suffixes.add(id(node.right))
            push(node.left)
            push(node.right)
            continue
        if cls is ast.JoinedStr:
            values = node.values
            suffixes.update(id(p) for p in values)
            head = values[0] if values else None
            if (
                id(node) not in suffixes
                and isinstance(head, ast.Constant)
                and isinstance(head.value, str)
            ):
                text = "".join(p.value if isinstance(p, ast.Constant) else "x" for p in values)
                style = path_style(text)
                if style:
                    shown = "".join(
                        p.value if isinstance(p, ast.Constant) else HOLE for p in values
                    )
                    literals.append((node, shown, style))
        elif cls is ast.comprehension:
            shadow.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
        elif cls is ast.Lambda:
            a = node.args
            params = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
            shadow.update(p.arg for p in params if p is not None)
        for name in child_fields.get(cls) or _children(node):
            child = getattr(node, name, None)
            if type(child) is list:
                extend(reversed(child))
            elif child is not None:
                push(child)
    return calls, literals, frozenset(shadow), defaults


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


def analyse(an: Analysis) -> IOFacts:
    """The notebook's file accesses and path literals (cached as ``Analysis.io_events``)."""
    return _Finder(an).run(an)
