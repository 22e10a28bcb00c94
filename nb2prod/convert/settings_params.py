"""Settings of the generated package: the notebook's parameters and its constants.

**Where they are found.**

* *Parameters* (the explicit way, papermill's): in a cell tagged ``parameters``, every
  top-level ``NAME = <literal>`` / ``NAME: T = <literal>`` whose name that cell assigns once,
  whatever the name looks like and however long the literal.
* *Constants*, in any code cell (including the ``parameters`` cell): a top-level
  ``NAME = <literal>`` / ``NAME: T = <literal>`` such that

  - it is the only binding of ``NAME`` in the whole notebook: no other assignment,
    augmented assignment, ``for``/``with``/``except`` target, import, ``def``/``class``,
    function parameter, ``global``/``nonlocal``, ``del``, at any depth;
  - nothing changes it in place: no mutation in def/use's sense (``NAMES.append(x)``,
    ``NAMES[0] = x``, ``NAMES.sort()``, a function that does so), and no mutating method
    called on it even when its result is used (``x = NAMES.pop()``);
  - it is read, and never before it is bound (a cell above it, or its own cell before the
    statement, that reads it keeps it as ordinary code); it comes after every
    ``from m import *``;
  - it looks like configuration, not data. Name: ``UPPER_CASE`` (PEP 8's constants), or
    another name that is not a word for data (``data``, ``df``, ``values``, ``rows``,
    ``x``, ``y`` ...). Value: a number (finite), a string of one line and at most 300
    characters, a bool, ``None``, or a non-empty tuple/list/set/dict of those, nested at
    most three deep, with at most 32 values, or at most 100 when they are all strings (a
    list of columns). An empty container accumulates; a longer one is data, and so is a
    container under a name of one or two letters (``X = [[1, 2], [3, 4]]``), while a
    number under one (``n = 1000``, ``C = 1.0``) is a knob.

* Never a credential, tagged or not: a name that says key/token/password/secret (lint's
  vocabulary), or a value holding a provider token or a password in a URL, stays where it
  was (lint reports it), so that no secret lands in settings.py, the README or ``--help``.

The "first code cell" rule of earlier versions is gone: the constants rule covers that cell
like any other, and a ``parameters`` tag does not turn it off.

**One spelling per option.** A setting's field is the snake_case of the notebook name
(``SEED`` -> ``seed``, ``testSize`` -> ``test_size``); its command-line option is that with
dashes (``--test-size``) and its environment variable ``<PKG>_`` + the field in upper case
(``<PKG>_TEST_SIZE``). Fields are given out deterministically: names already in
snake_case first, then the others, each in notebook order; a field that is taken, a
keyword, or reserved (``help``, ``dataclasses``, ``data_root``, ``output_dir``) gets
``_2``, ``_3`` ...

**The name in step code** (:attr:`Param.code_name`). A constant is renamed to its field in
the generated code (step parameters, the bodies that read it, the keyword-only parameters
of functions that receive it) when that cannot change what the code does: the field is no
identifier of the notebook (a variable, parameter, function, import), no builtin, not
numbered for a collision (``SEED`` beside a ``seed`` keeps its name in the code), and the
notebook neither looks names up by text (``locals()``, ``globals()``, ``vars()``,
``eval``/``exec``, a star import, ``df.query("x > @NAME")``) nor shows the name itself
(``f"{NAME=}"``). Otherwise, and for a parameter that the notebook binds again later, the
step keeps the notebook's name; the pipeline passes ``NAME=_cfg.field`` either way.
"""

from __future__ import annotations

import ast
import dataclasses
import keyword
import math
import re
from collections import Counter
from dataclasses import dataclass

from nb2prod.analysis.defuse import BUILTINS, analyze
from nb2prod.notebook.parse import ParsedCell

_SCALARS = (bool, int, float, str, type(None))
_CONTAINERS = (list, tuple, dict, set)
RESERVED_FIELDS = frozenset({"help", "dataclasses", "data_root", "output_dir"})
# Names the generated modules use next to the step code (plan.RESERVED, the paths alias).
_CODE_RESERVED = frozenset(
    {"run", "main", "functools", "_steps", "_cfg", "_Settings", "settings", "_paths"}
)
_UPPER = re.compile(r"^_*[A-Z][A-Z0-9_]*$")
_DATA_WORDS = re.compile(
    r"^_*(?:data|dataset|df|dfs|frame|values|vals|value|rows|records|items|array|arr|matrix|"
    r"mat|table|sample|samples|result|results|res|points|text|texts|corpus|obs|output|out|"
    r"tmp|temp|xs|ys|lst|list|dict|x|y|z|xx|yy|i|j)\d*$",
    re.IGNORECASE,
)
MAX_STRING = 300
MAX_VALUES = 32
MAX_STRINGS = 100
MAX_DEPTH = 3
_MUTATORS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "remove",
        "pop",
        "clear",
        "sort",
        "reverse",
        "update",
        "setdefault",
        "popitem",
        "add",
        "discard",
        "difference_update",
        "intersection_update",
        "symmetric_difference_update",
        "__setitem__",
        "__delitem__",
    }
)
_SHUFFLES = frozenset({"shuffle"})
_DYNAMIC = frozenset({"locals", "globals", "vars", "eval", "exec"})
_TEXT_EVAL = frozenset({"query", "eval", "evaluate"})


@dataclass(frozen=True, slots=True)
class Param:
    name: str  # the notebook's name
    value: object
    cell: int  # Cell.index
    line: int
    node: ast.stmt
    field: str = ""  # the Settings field (snake_case, unique)
    constant: bool = False  # bound once in the notebook and never changed
    code_name: str = ""  # the name the generated step code uses for it
    tagged: bool = False  # from a cell tagged ``parameters``

    @property
    def annotation(self) -> str:
        """The field's type, from its value (``Any`` for ``None``)."""
        if self.value is None:
            return "Any"
        return _type_of(self.value) or type(self.value).__name__

    @property
    def hint(self) -> str | None:
        """The annotation of a step parameter that receives this setting (none for Any)."""
        return None if self.value is None else self.annotation

    @property
    def default_source(self) -> str:
        """The default as Python source for a dataclass field."""
        if isinstance(self.value, _CONTAINERS):
            source = _container_source(self.node, self.value)
            if isinstance(self.value, list | dict | set):
                return f"dataclasses.field(default_factory=lambda: {source})"
            return source
        return repr(self.value)


def _container_source(node: ast.stmt, value: object) -> str:
    """The literal as the notebook wrote it (deterministic, unlike a set's repr)."""
    expr = getattr(node, "value", None)
    if isinstance(expr, ast.expr):
        return ast.unparse(expr)
    return repr(value)


def _type_of(value: object) -> str | None:
    """``int``, ``list[str]``, ``dict[str, float]``, ``tuple[int, ...]``; None when the
    items are of mixed types (the bare container type is used then)."""
    if isinstance(value, bool | str | int | float):
        return type(value).__name__
    if value is None:
        return "None"
    if isinstance(value, dict):
        keys = _common([_type_of(k) for k in value])
        values = _common([_type_of(v) for v in value.values()])
        return f"dict[{keys}, {values}]" if keys and values else None
    if isinstance(value, list | tuple | set):
        item = _common([_type_of(v) for v in value])
        if not item:
            return None
        name = type(value).__name__
        return f"tuple[{item}, ...]" if name == "tuple" else f"{name}[{item}]"
    return None


def _common(types: list[str | None]) -> str | None:
    found = set(types)
    if not found or None in found:
        return None
    if found == {"int", "float"}:
        return "float"
    if len(found) == 2 and "None" in found:
        other = next(t for t in found if t != "None")
        return f"{other} | None"
    return found.pop() if len(found) == 1 else None


def _literal(node: ast.expr) -> tuple[bool, object]:
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None
    return _allowed(value), value


def _allowed(value: object) -> bool:
    if type(value) is int and value.bit_length() > 10_000:  # str() refuses 4,300+ digits
        return False
    if isinstance(value, _SCALARS):
        return not (isinstance(value, float) and not math.isfinite(value))  # no NaN, inf
    if isinstance(value, dict):
        return all(_allowed(k) and _allowed(v) for k, v in value.items())
    if isinstance(value, _CONTAINERS):
        return all(_allowed(v) for v in value)
    return False


def _leaves(value: object, depth: int = 0) -> tuple[list[object], int]:
    """(scalar values inside ``value``, nesting depth)."""
    if isinstance(value, dict):
        items: list[object] = [*value.keys(), *value.values()]
    elif isinstance(value, _CONTAINERS):
        items = list(value)  # type: ignore[call-overload]
    else:
        return [value], depth
    out: list[object] = []
    deepest = depth + 1
    for item in items:
        found, d = _leaves(item, depth + 1)
        out += found
        deepest = max(deepest, d)
    return out, deepest


def is_configuration(name: str, value: object) -> bool:
    """Does ``NAME = value`` look like a knob rather than data? (see the module docstring)"""
    if not _UPPER.match(name) and _DATA_WORDS.match(name):
        return False
    if isinstance(value, str):
        return _short_text(value)
    if not isinstance(value, _CONTAINERS):
        return True
    if not value or len(name.strip("_")) < 3:
        return False  # results = [] collects values; X = [[1, 2], [3, 4]] is data
    leaves, depth = _leaves(value)
    if depth > MAX_DEPTH or any(isinstance(v, str) and not _short_text(v) for v in leaves):
        return False
    limit = MAX_STRINGS if all(isinstance(v, str) for v in leaves) else MAX_VALUES
    return len(leaves) <= limit


def _short_text(text: str) -> bool:
    return "\n" not in text and "\r" not in text and len(text) <= MAX_STRING


# -- snake_case fields -----------------------------------------------------------------------


def snake_case(name: str) -> str:
    """``TEST_SIZE`` -> ``test_size``, ``nEstimators`` -> ``n_estimators``,
    ``HTTPPort`` -> ``http_port``, ``_SEED`` -> ``seed``."""
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"_+", "_", s.lower()).strip("_")
    if s and s[0].isdigit():
        s = f"n{s}"  # cannot happen for an identifier, kept for safety
    return s


def assign_fields(names: list[str], taken: frozenset[str] = RESERVED_FIELDS) -> dict[str, str]:
    """Notebook name -> unique field name, deterministic: names already in snake_case pick
    first, then the others; in the order given."""
    used: set[str] = set()
    out: dict[str, str] = {}
    ordered = [n for n in names if snake_case(n) == n] + [n for n in names if snake_case(n) != n]
    for n in ordered:
        base = snake_case(n) or "setting"
        field, k = base, 2
        while (
            field in used or field in taken or keyword.iskeyword(field) or not field.isidentifier()
        ):
            field, k = f"{base}_{k}", k + 1
        used.add(field)
        out[n] = field
    return out


# -- notebook-wide facts -----------------------------------------------------------------


@dataclass(slots=True)
class _Facts:
    bindings: Counter[str]  # binding occurrences of each name, any depth, every cell
    identifiers: set[str]  # every variable-like name the code mentions
    changed: set[str]  # mutated in place, or written by a function (``global``)
    read_before: dict[str, int]  # name -> position of the first cell that reads it unbound
    reads: set[str]  # names loaded anywhere
    star_after: int  # position of the last cell with ``from m import *`` (-1: none)
    dynamic: bool  # names looked up by text: locals(), eval ...
    shown: set[str]  # names an f-string shows by name (f"{NAME=}") or evaluated from text


def _facts(parsed: list[ParsedCell]) -> tuple[_Facts, list[tuple[int, ParsedCell]]]:
    cells = [(i, p) for i, p in enumerate(parsed) if p.tree is not None]
    facts = _Facts(Counter(), set(), set(), {}, set(), -1, False, set())
    du = analyze((p.cell.index, p.tree) for _, p in cells)  # type: ignore[misc]
    for (pos, _), c in zip(cells, du.cells, strict=True):
        facts.changed |= set(c.mutates)
        for info in c.functions.values():
            facts.changed |= set(info.mutates) | set(info.writes)
        for n in c.reads:
            facts.read_before.setdefault(n, pos)
        if c.star_import:
            facts.star_after = pos
    for _, p in cells:
        assert p.tree is not None
        _walk_bindings(p.tree, facts)
    return facts, cells


def _walk_bindings(tree: ast.Module, facts: _Facts) -> None:
    bound: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            facts.identifiers.add(node.id)
            if isinstance(node.ctx, ast.Load):
                facts.reads.add(node.id)
                if node.id in _DYNAMIC:
                    facts.dynamic = True
            else:
                bound.append(node.id)
        elif isinstance(node, ast.arg):
            bound.append(node.arg)
        elif isinstance(node, ast.alias):
            if node.name == "*":
                facts.dynamic = True
            else:
                bound.append(node.asname or node.name.split(".", 1)[0])
        elif isinstance(
            node,
            ast.FunctionDef
            | ast.AsyncFunctionDef
            | ast.ClassDef
            | ast.ExceptHandler
            | ast.MatchAs
            | ast.MatchStar,
        ):
            if node.name:
                bound.append(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.append(node.rest)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            bound.extend(node.names)
        elif isinstance(node, ast.Call):
            _call_facts(node, facts)
        elif isinstance(node, ast.JoinedStr):
            _shown_names(node, facts)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "@" in node.value:
            facts.shown.update(re.findall(r"@\s*([A-Za-z_]\w*)", node.value))  # df.query
    facts.bindings.update(bound)
    facts.identifiers.update(bound)


def _call_facts(call: ast.Call, facts: _Facts) -> None:
    func = call.func
    attr = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and attr in _MUTATORS:
        facts.changed.add(func.value.id)
    if attr in _SHUFFLES and call.args and isinstance(call.args[0], ast.Name):
        facts.changed.add(call.args[0].id)
    if attr in _TEXT_EVAL:  # df.query("a > @LIMIT"), pd.eval("x + y"): names as text
        for arg in [*call.args, *(k.value for k in call.keywords)]:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                facts.shown.update(re.findall(r"[A-Za-z_]\w*", arg.value))
    if attr == "dir" and not call.args:
        facts.dynamic = True


def _shown_names(node: ast.JoinedStr, facts: _Facts) -> None:
    """``f"{NAME=}"`` prints "NAME=..": the name itself is output."""
    for before, part in zip(node.values, node.values[1:], strict=False):
        if (
            isinstance(before, ast.Constant)
            and isinstance(before.value, str)
            and isinstance(part, ast.FormattedValue)
            and isinstance(part.value, ast.Name)
            and re.search(rf"{re.escape(part.value.id)}\s*=\s*$", before.value)
        ):
            facts.shown.add(part.value.id)


# -- finding them --------------------------------------------------------------------------


def parameter_cells(parsed: list[ParsedCell]) -> list[ParsedCell]:
    """Cells tagged ``parameters`` (that parse)."""
    return [p for p in parsed if "parameters" in p.cell.tags and p.tree is not None]


def find_params(parsed: list[ParsedCell]) -> list[Param]:
    """The settings of the notebook, in source order, one per name (see the module doc)."""
    facts, cells = _facts(parsed)
    found: dict[str, tuple[int, Param]] = {}
    for p in parameter_cells(parsed):
        assert p.tree is not None
        counts = Counter(_assigned_names(p.tree))
        pos = parsed.index(p)
        for stmt in p.tree.body:
            target, value = _simple_assignment(stmt)
            if target is None or value is None or counts[target] != 1 or target in found:
                continue
            ok, literal = _literal(value)
            if not ok or _is_secret(target, literal):
                continue
            if not (isinstance(literal, _CONTAINERS) and not literal):  # [] accumulates
                param = Param(target, literal, p.cell.index, stmt.lineno, stmt, tagged=True)
                found[target] = (pos, param)
    for pos, p in cells:
        assert p.tree is not None
        for stmt in p.tree.body:
            target, value = _simple_assignment(stmt)
            if target is None or value is None or target in found:
                continue
            if not _is_constant(target, pos, stmt, facts, p):
                continue
            ok, literal = _literal(value)
            if ok and is_configuration(target, literal) and not _is_secret(target, literal):
                found[target] = (pos, Param(target, literal, p.cell.index, stmt.lineno, stmt))
    ordered = [param for _, param in sorted(found.values(), key=lambda f: (f[0], f[1].line))]
    fields = assign_fields([p.name for p in ordered])
    out = []
    for param in ordered:
        constant = _is_constant(param.name, None, param.node, facts, None)
        field = fields[param.name]
        renamable = (
            constant
            and field != param.name
            and field == snake_case(param.name)  # SEED stays SEED when seed is another's
            and not facts.dynamic
            and param.name not in facts.shown
            and field not in facts.identifiers
            and field not in BUILTINS
            and field not in _CODE_RESERVED
            and not keyword.issoftkeyword(field)
        )
        out.append(
            dataclasses.replace(
                param,
                field=field,
                constant=constant,
                code_name=field if renamable else param.name,
            )
        )
    return out


def _is_secret(name: str, value: object) -> bool:
    """A credential (``API_KEY = ...``, an AWS key, a password in a URL) is never a setting:
    its default would be written into settings.py, the README and ``--help``."""
    from nb2prod.analysis.secrets import (
        catalogue,
        credential_name,
        scan_provider_formats,
        scan_urls,
    )

    if credential_name(name) is not None:
        return True
    texts = [v for v in _leaves(value)[0] if isinstance(v, str)]
    return any(scan_provider_formats(t, catalogue()) or scan_urls(t) for t in texts)


def _is_constant(
    name: str, pos: int | None, stmt: ast.stmt, facts: _Facts, cell: ParsedCell | None
) -> bool:
    """Bound by ``stmt`` only, never changed, read, and not before ``stmt`` runs."""
    if facts.bindings[name] != 1 or name in facts.changed or name not in facts.reads:
        return False
    if pos is None:
        return True
    if pos <= facts.star_after:
        return False
    first_read = facts.read_before.get(name)
    return first_read is None or first_read > pos


def _simple_assignment(stmt: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if isinstance(target, ast.Name):
            return target.id, stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.simple:
        return stmt.target.id, stmt.value
    return None, None


def _assigned_names(tree: ast.Module) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.append(node.id)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)  # counted twice with its Store: never a parameter
    return names
