"""Finding file access: one pass over the cells in order (:meth:`Evaluator.walk
<nb2prod.analysis.values.Evaluator.walk>`) matches each call against the catalogue
(:mod:`.calls`) and evaluates its path argument, and collects the string literals that look
like absolute paths (:mod:`.shapes`)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from nb2prod.analysis.io.calls import CallSpec, catalogue
from nb2prod.analysis.io.comprehensions import bind_comprehensions
from nb2prod.analysis.io.model import CHDIR, READ, WRITE, IOEvent, IOFacts, PathLiteral
from nb2prod.analysis.io.scan import scan
from nb2prod.analysis.io.shapes import fits_shape, local_model_path, normal_path
from nb2prod.analysis.io.through import called_function, events_through, unbound_call
from nb2prod.analysis.nodes import walk as walk_nodes
from nb2prod.analysis.values import LOCAL, Evaluator, Function, Scope, Value, string_value

if TYPE_CHECKING:
    from nb2prod.analysis.context import Analysis
    from nb2prod.notebook.parse import ParsedCell

_WRITE_MODE = frozenset("wax+")


class _Finder:
    """Matches calls against the catalogue, evaluating their paths with an Evaluator."""

    def __init__(self, an: Analysis) -> None:
        self.ev = Evaluator(an.imports, an.settings["remote-schemes"])
        self.cat = catalogue()
        self.written: set[str] = set()  # local paths written so far (for model ids)
        self.local_nodes: set[int] = set()  # calls reported local by the walk itself

    def run(self, an: Analysis) -> IOFacts:
        facts = IOFacts()
        candidates: list[PathLiteral] = []
        covered: set[int] = set()
        last_names = self.cat.last_names
        for step in self.ev.walk(an.trees):
            calls, literals, shadow, skip = scan(step.root, self.ev)
            if skip:
                covered |= skip
            scope = step.scope
            if shadow and calls:  # comprehension variables over known sequences
                scope, shadow = bind_comprehensions(self.ev, step.root, scope, shadow)
            for call in calls:
                func = call.func
                if type(func) is ast.Attribute and func.attr not in last_names:
                    # ``df.head()``: no catalogue entry (see :meth:`event`), and not a call
                    # of a notebook function by its name: nothing to find.
                    continue
                callee = called_function(call, scope, shadow)
                if callee is None:
                    event = self.event(step.cell, call, scope, shadow)
                    if event is None:
                        if scope.owner is not None and unbound_call(call, scope):
                            scope.owner.sinks = True  # maybe a function defined later
                        continue
                    if not event.is_local and event.arg is not None:
                        self._sink(scope)  # the path may come from a parameter
                    events = [event]
                else:
                    if callee.sinks:
                        self._sink(scope)
                    events = events_through(self, step.cell, call, callee, scope, shadow)
                for event in events:
                    facts.add(event)
                    self._record(event)
                    if event.arg is not None and (event.is_local or event.kind == CHDIR):
                        for node in (event.arg, *event.others):
                            covered.update(id(n) for n in walk_nodes(node))
            if literals:
                candidates.extend(
                    PathLiteral(step.cell, node, text, style) for node, text, style in literals
                )
        facts.literals = [lit for lit in candidates if id(lit.node) not in covered]
        return facts

    def _sink(self, scope: Scope) -> None:
        """Mark the function whose body ``scope`` is in: a file access in it may take its
        path from a parameter, so its calls are followed (:mod:`.through`)."""
        if scope is not self.ev.module:
            owner = _owner(scope)
            if owner is not None:
                owner.sinks = True

    def _record(self, event: IOEvent) -> None:
        if event.is_local:
            self.local_nodes.add(id(event.node))
            if event.kind == WRITE and event.value.text:
                self.written.add(normal_path(event.value.prefix or event.value.text))

    def event(
        self, cell: ParsedCell, call: ast.Call, scope: Scope, shadow: frozenset[str]
    ) -> IOEvent | None:
        """The event of ``call`` when the catalogue has it (a read, write, listing ...).
        Not for calls of the notebook's own functions (:func:`called_function`)."""
        func = call.func
        last_names = self.cat.last_names
        if type(func) is ast.Attribute:
            if func.attr not in last_names:
                return None  # ``df.head()``: its qualified name ends in a name no entry has
            qual = self.ev.qualname(func)
        else:
            qual = self.ev.qualname(func)
            if qual is None or qual.rpartition(".")[2] not in last_names:
                return None  # ``print(x)``: the same, and only methods are matched by name
        spec = self.cat.function(qual) if qual else None
        name = qual or ""
        if spec is None and type(func) is ast.Attribute and func.attr in self.cat.patterns:
            origin = self.ev.eval(func.value, scope, shadow).origin  # Trainer(...).save_model
            if origin is not None:
                name = f"{origin}.{func.attr}"
                spec = self.cat.function(name)
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
        if spec.remote_keywords and any(k.arg in spec.remote_keywords for k in call.keywords):
            return None  # save_to_disk(path, fs=s3): the filesystem is given
        found = self._path_arg(call, spec, scope, shadow)
        if found is None:
            return None
        arg, value = found
        if not any(k.value is arg and k.arg in spec.local_keywords for k in call.keywords):
            if not fits_shape(value, spec.shape):
                return None
            if spec.model_id and not local_model_path(value, self.cat.local_roots, self.written):
                return None  # from_pretrained("bert-base-uncased"): a hub id
        kind = self._mode(call, spec, scope, shadow)
        others = tuple(a for a in _path_args(call, spec) if a is not arg)
        return IOEvent(cell, call, kind, name, value, arg, fixable=spec.fixable, others=others)

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
        """A list of paths (``TFRecordDataset(["a.tfrecord"])``, glob results) or a dict of
        them (``data_files={"train": "a.csv"}``) stands for its items when they agree."""
        if value.each is not None or value.items:
            return self.ev.iterate(value)
        if value.keys:
            return self.ev.iterate(Value(value.kind, items=tuple(v for _, v in value.keys)))
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


def _path_args(call: ast.Call, spec: CallSpec) -> list[ast.expr]:
    """Every argument of ``call`` that ``spec`` says holds a path (copy's src and dst)."""
    args = [kw.value for kw in call.keywords if kw.arg in spec.keywords]
    for index in spec.paths:
        if -len(call.args) <= index < len(call.args):
            node = call.args[index]
            if not isinstance(node, ast.Starred):
                args.append(node)
    return args


def _owner(scope: Scope) -> Function | None:
    """The function whose body ``scope`` is in (through class bodies), if any."""
    current: Scope | None = scope
    while current is not None:
        if current.owner is not None:
            return current.owner
        current = current.parent
    return None


def analyse(an: Analysis) -> IOFacts:
    """The notebook's file accesses and path literals (cached as ``Analysis.io_events``)."""
    return _Finder(an).run(an)
