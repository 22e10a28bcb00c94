"""Finding file access: one pass over the cells in order (:meth:`Evaluator.walk
<nb2prod.analysis.values.Evaluator.walk>`) matches each call against the catalogue
(:mod:`.calls`) and evaluates its path argument, and collects the string literals that look
like absolute paths (:mod:`.shapes`)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from nb2prod.analysis.io.calls import CallSpec, catalogue
from nb2prod.analysis.io.model import CHDIR, READ, WRITE, IOEvent, IOFacts, PathLiteral
from nb2prod.analysis.io.shapes import fits_shape, path_style
from nb2prod.analysis.values import HOLE, LOCAL, Evaluator, Scope, Value, string_value

if TYPE_CHECKING:
    from nb2prod.analysis.context import Analysis
    from nb2prod.notebook.parse import ParsedCell

_WRITE_MODE = frozenset("wax+")
_ENV_DEFAULTS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})
_ENV_DEFAULT_NAMES = frozenset(q.rpartition(".")[2] for q in _ENV_DEFAULTS)


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


def analyse(an: Analysis) -> IOFacts:
    """The notebook's file accesses and path literals (cached as ``Analysis.io_events``)."""
    return _Finder(an).run(an)
