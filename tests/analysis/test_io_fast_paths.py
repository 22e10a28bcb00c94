"""The shortcuts the IO pass's speed rests on find what the long way finds: the statement
scan (which skips names, attribute chains and comparison operators) returns what a plain
walk of every field returns; a call whose last name no catalogue entry has is no catalogue
entry; every name the evaluator has a rule for is routed to its rule."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nb2prod.analysis.io import catalogue
from nb2prod.analysis.io.scan import _ENV_DEFAULTS, scan
from nb2prod.analysis.io.shapes import path_style
from nb2prod.analysis.names import collect_imports
from nb2prod.analysis.nodes import walk as walk_nodes
from nb2prod.analysis.values import HOLE, Evaluator, calls
from nb2prod.analysis.values.calls import call_value
from nb2prod.config import defaults

PACKAGE = Path(__file__).resolve().parents[2] / "nb2prod"
SCHEMES = frozenset(defaults()["remote-schemes"])
# The fields the scan never looked into, before its shortcuts (scalars, contexts, operators).
_NOT_WALKED = frozenset(
    {"ctx", "op", "id", "attr", "arg", "name", "names", "module", "level", "kind", "conversion"}
    | {"type_comment", "is_async", "simple", "kwd_attrs", "format_spec"}
)


def reference_scan(root: ast.AST, ev: Evaluator) -> tuple[Any, ...]:
    """:func:`scan` the long way: every node, parents first, a node's fields last to first
    (the items of a list in order), as the scan's stack visits them."""
    calls: list[ast.Call] = []
    literals: list[tuple[ast.expr, str, str]] = []
    shadow: set[str] = set()
    defaults: set[int] = set()
    suffixes: set[int] = set()
    docstring = root.value if isinstance(root, ast.Expr) else None

    def visit(node: Any) -> None:
        if node is None:
            return
        if isinstance(node, ast.Constant):
            text = node.value
            if (
                isinstance(text, str)
                and text
                and (text[0] in "/~\\" or text[1:2] == ":" or text[:5] == "file:")
                and node is not docstring
                and id(node) not in suffixes
                and path_style(text)
            ):
                literals.append((node, text, path_style(text) or ""))
            return
        if isinstance(node, ast.Call):
            calls.append(node)
            if len(node.args) > 1 and ev.qualname(node.func) in _ENV_DEFAULTS:
                defaults.update(id(n) for a in node.args[1:] for n in walk_nodes(a))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            suffixes.add(id(node.right))
        elif isinstance(node, ast.JoinedStr):
            suffixes.update(id(p) for p in node.values)
            head = node.values[0] if node.values else None
            if isinstance(head, ast.Constant) and isinstance(head.value, str):
                parts = node.values
                text = "".join(p.value if isinstance(p, ast.Constant) else "x" for p in parts)
                if path_style(text) and id(node) not in suffixes:
                    shown = "".join(p.value if isinstance(p, ast.Constant) else HOLE for p in parts)
                    literals.append((node, shown, path_style(text) or ""))
        elif isinstance(node, ast.comprehension):
            shadow.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Lambda):
            a = node.args
            params = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
            shadow.update(p.arg for p in params if p is not None)
        for field in reversed(node._fields):
            if field in _NOT_WALKED:
                continue
            child = getattr(node, field, None)
            for item in child if isinstance(child, list) else [child]:
                visit(item)

    visit(root)
    return calls, literals, frozenset(shadow), defaults


def _roots(source: str) -> tuple[Evaluator, list[ast.AST]]:
    trees = [(None, ast.parse(source))]
    ev = Evaluator(collect_imports(t for _, t in trees), SCHEMES)
    return ev, [step.root for step in ev.walk(trees)]  # type: ignore[arg-type]


def _same_scan(source: str) -> int:
    ev, roots = _roots(source)
    for root in roots:
        calls, literals, shadow, defaults = scan(root, ev)
        want_calls, want_literals, want_shadow, want_defaults = reference_scan(root, ev)
        assert [id(c) for c in calls] == [id(c) for c in want_calls]
        assert [(id(n), t, s) for n, t, s in literals] == [
            (id(n), t, s) for n, t, s in want_literals
        ]
        assert shadow == want_shadow
        assert set(defaults) == want_defaults
    return len(roots)


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_scan_finds_what_the_long_walk_finds_in_the_package(path: Path) -> None:
    assert _same_scan(path.read_text(encoding="utf-8")) > 0


def test_scan_on_every_shape_it_shortcuts() -> None:
    source = '''
"""/home/ana/docstring.csv"""
import os, pandas as pd
base = os.getenv("DATA", "/data/raw/x.csv")
df = pd.read_csv(f"/home/{user}/x.csv", sep=",", names=["/mnt/a.csv", b], **kw)
a.b.c.d("/data/one.csv")(x)["/data/two.csv"].e
x = y = z.w[1:-2, ::3] = "~/notes/a.txt"
p = "/data/" + name + "/tmp/x.csv"
if a < b <= "/data/c.csv" != d and not e or -f:
    q = [g(i) for i in "C:\\\\Users\\\\ana\\\\x.csv" if i is not None]
r = lambda u, *v, w="/data/def.csv", **k: u(v, "/srv/app/y.json")
s = {"k": "/var/log/z.log", **t, None: {1, 2}}
del h["/data/del.csv"], j
'''
    assert _same_scan(source) > 5


_NAMES = st.sampled_from(["a", "b", "os", "pd", "df", "x", "Path", "open", "np"])
_TEXTS = st.sampled_from(
    ["/home/ana/x.csv", "/data/a/b.json", "~/notes/n.txt", "C:\\Users\\x.csv", "file:///a/b.csv"]
    + ["data/x.csv", "/", "relu", "", ":memory:", "s3://b/k", "\\\\srv\\share\\f.txt", "/x"]
)


# Expression shapes: ``{0}`` and ``{1}`` are expressions, ``{n}`` a name.
_TEMPLATES = [
    "({0}).{n}",
    "{n}.{n}.{n}",
    "{0}()",
    "{0}({1})",
    "{0}({1}, {0}, k={1}, *{n}, **{n})",
    "({0} + {1})",
    "({0} / {1})",
    "({0} % {1})",
    "[{0}, *{1}]",
    "({0}, {1})",
    "{{{0}, {1}}}",
    "{{{0}: {1}, **{n}}}",
    "{0}[{1}]",
    "{0}[1:{1}, ::2]",
    "({0} < {1} == {0})",
    "(not {0} and {1} or {n})",
    "[i for i in {0} if {1}]",
    "{{k: v for k, v in {0}}}",
    "(lambda q, *r, s={0}, **t: {1})",
    "({0} if {1} else {0})",
    "(-{0})",
    "({n} := {0})",
    'f"/home/{{{n}}}/x.csv"',
    'f"/data/{{{n}!r:>{{{n}}}}}/{{{n}}}"',
    "os.getenv('K', {0})",
    "os.environ.get('K', {0}, {1})",
]


def _fill(shape: tuple[str, str, str, str]) -> str:
    template, first, second, name = shape
    return template.format(first, second, n=name)


EXPRESSIONS = st.recursive(
    st.one_of(_NAMES, _TEXTS.map(repr), st.integers(-3, 3).map(str)),
    lambda parts: st.tuples(st.sampled_from(_TEMPLATES), parts, parts, _NAMES).map(_fill),
    max_leaves=12,
)
STATEMENTS = st.one_of(
    EXPRESSIONS,
    EXPRESSIONS.map(lambda e: f"v = {e}"),
    EXPRESSIONS.map(lambda e: f"v.w, v[0] = u = {e}"),
    EXPRESSIONS.map(lambda e: f"v += {e}"),
    EXPRESSIONS.map(lambda e: f"for i in {e}:\n    pass"),
    EXPRESSIONS.map(lambda e: f"def f(p={e}):\n    return {e}"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(STATEMENTS, min_size=1, max_size=4))
def test_scan_finds_what_the_long_walk_finds_in_any_code(statements: list[str]) -> None:
    assert _same_scan("\n".join(statements)) >= 1


# -- the catalogue's last names -----------------------------------------------------------
def _entry_names() -> list[str]:
    cat = catalogue()
    names = list(cat.functions)
    names += [suffix[1:] for entries in cat.suffixes.values() for suffix, _ in entries]
    return names


def test_every_catalogued_name_ends_in_a_last_name() -> None:
    cat = catalogue()
    for name in _entry_names():
        assert cat.function(name) is not None
        assert name.rpartition(".")[2] in cat.last_names


@given(
    st.lists(
        st.sampled_from([n.rpartition(".")[2] for n in _entry_names()] + ["x", "load", "io"]),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from([n.rpartition(".")[0] for n in _entry_names()] + ["", "a.b"]),
)
def test_a_name_whose_last_part_no_entry_has_is_no_entry(parts: list[str], head: str) -> None:
    """What the IO pass skips calls by, before resolving them (``_Finder.event``)."""
    cat = catalogue()
    qual = ".".join([head, *parts] if head else parts)
    if qual.rpartition(".")[2] not in cat.last_names:
        assert cat.function(qual) is None


# -- calls with a rule ----------------------------------------------------------------------
_TABLES = [calls._JOIN, calls._PATH_TYPES, calls._SAME, calls._GLOB_ITER, calls._PASS_ITER]
_TABLES += [calls._DIRNAME, calls._BASENAME, calls._CWD, calls._HOME, calls._ENV_CALLS]
_TABLES += [calls._CONFIG_LOADERS, calls.MEMORY_NAMES]
_PATTERNED = ["tqdm.tqdm", "tqdm.notebook.tqdm", "tempfile.mkdtemp", "fastai.data.untar_data"]


@pytest.mark.parametrize("qual", sorted(set().union(*_TABLES)) + _PATTERNED)
def test_every_name_with_a_rule_is_evaluated_by_it(qual: str) -> None:
    """:func:`call_value` sends only the names of :data:`_KNOWN_CALLS` (and a few patterns)
    to their rules: a name left out would get the value of an unknown call instead."""
    header = f"import {qual.split('.', 1)[0]}\n" if "." in qual else ""
    ev, roots = _roots(f"{header}v = {qual}('data/x.csv')\nw = {qual}(['data/x.csv'])")
    for root in roots[-2:]:
        node = root.value  # type: ignore[attr-defined]
        got = call_value(ev, node, ev.module, frozenset(), 1)
        assert got == calls._known_call(ev, node, qual, ev.module, frozenset(), 1)
