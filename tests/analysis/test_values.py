"""The abstract path evaluator: what a name or expression is known to hold."""

from __future__ import annotations

import ast
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nb2prod.analysis.names import collect_imports
from nb2prod.analysis.values import (
    ENV,
    LOCAL,
    MEMORY,
    OTHER,
    REMOTE,
    TEMP,
    UNKNOWN,
    Evaluator,
    Step,
    Value,
    join_values,
    string_value,
)
from nb2prod.config import defaults

SCHEMES = frozenset(defaults()["remote-schemes"])
HEADER = "import os, sys, io, glob, tempfile\nfrom pathlib import Path\n"


def run(*cells: str) -> tuple[Evaluator, list[Step]]:
    trees = [(None, ast.parse(HEADER + textwrap.dedent(c))) for c in cells]
    ev = Evaluator(collect_imports(t for _, t in trees), SCHEMES)
    steps = list(ev.walk(trees))  # type: ignore[arg-type]
    return ev, steps


def value(name: str, *cells: str) -> Value:
    ev, _ = run(*cells)
    return ev.module.names[name]


def kind(name: str, *cells: str) -> str:
    return value(name, *cells).kind


# -- literals ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("data/train.csv", LOCAL),
        ("/home/ana/x.csv", LOCAL),
        ("~/x.csv", LOCAL),
        ("C:\\Users\\ana\\x.csv", LOCAL),
        ("file:///tmp/x.csv", LOCAL),
        ("s3://bucket/key.csv", REMOTE),
        ("S3://bucket/key.csv", REMOTE),
        ("gs://bucket/key.csv", REMOTE),
        ("https://example.com/x.csv", REMOTE),
        ("simplecache::s3://bucket/x", REMOTE),
        (":memory:", MEMORY),
        ("postgresql://user@host/db", OTHER),
    ],
)
def test_string_literals(text: str, expected: str) -> None:
    assert kind("x", f"x = {text!r}") == expected


def test_file_uri_keeps_the_path() -> None:
    assert value("x", "x = 'file:///tmp/x.csv'").text == "/tmp/x.csv"


# -- following the value -------------------------------------------------------------------
def test_constant_from_an_earlier_cell_with_plus() -> None:
    v = value("p", "DATA_DIR = 'data/'", "p = DATA_DIR + 'churn.csv'")
    assert (v.kind, v.text, v.exact) == (LOCAL, "data/churn.csv", True)


def test_os_path_join_and_absolute_restart() -> None:
    assert value("p", "B = 'data'\np = os.path.join(B, 'raw', 'x.csv')").text == "data/raw/x.csv"
    assert value("p", "p = os.path.join('data', '/abs/x.csv')").text == "/abs/x.csv"


def test_pathlib_division_and_methods() -> None:
    v = value("p", "M = Path('models')", "p = (M / 'v1' / 'm.pkl').resolve()")
    assert (v.kind, v.text, v.pathlike) == (LOCAL, "models/v1/m.pkl", True)
    assert value("h", "h = Path.home() / '.kaggle'").text == "~/.kaggle"
    assert value("q", "q = Path('data/x.csv').parent").text == "data"
    assert value("s", "s = str(Path('a') / 'b')").pathlike is False


def test_formatting() -> None:
    assert value("p", "n = 'x'\np = f'data/{n}.csv'").text == "data/x.csv"
    assert value("p", "n = 'x'\np = 'data/{}.csv'.format(n)").text == "data/x.csv"
    assert value("p", "n = 'x'\np = 'data/{name}.csv'.format(name=n)").text == "data/x.csv"
    assert value("p", "n = 'x'\np = 'data/%s.csv' % n").text == "data/x.csv"
    assert value("p", "p = '/'.join(['data', 'x.csv'])").text == "data/x.csv"
    assert value("p", "p = 'data/x.csv'.replace('x', 'y')").text == "data/y.csv"
    assert value("p", "a = 'data/x.csv.zip'\np = a[:-4]").text == "data/x.csv"


def test_unknown_parts_keep_the_known_prefix() -> None:
    v = value("p", "p = f'data/{unknown_name}.csv'")
    assert (v.kind, v.exact, v.prefix) == (LOCAL, False, "data/")
    assert "{...}" in (v.text or "")


@pytest.mark.parametrize(
    "expr",
    ["f'{prefix}/data.csv'", "'s' + rest", "'s3:/' + rest", "'' + rest", "'{}/x'.format(a)"],
)
def test_unknown_head_could_be_remote(expr: str) -> None:
    assert kind("p", f"p = {expr}") == UNKNOWN


def test_plain_word_prefix_cannot_become_a_uri() -> None:
    assert kind("p", "p = 'data' + rest") == LOCAL
    assert kind("p", "p = f's3://acme/{key}'") == REMOTE


# -- environment, configuration, temp and memory -------------------------------------------
@pytest.mark.parametrize(
    "expr",
    [
        "os.environ['DATA']",
        "os.environ.get('DATA')",
        "os.getenv('DATA', 'data/x.csv')",
        "sys.argv[1]",
        "config['train_path']",
        "cfg.data.path",
        "settings.DATA_FILE",
        "os.path.join(os.environ['DATA'], 'x.csv')",
        "os.getenv('D', 'data') + '/x.csv'",
        "Path(os.environ['D']) / 'x.csv'",
        "os.environ.get('D') or 'data/x.csv'",
    ],
)
def test_environment_and_configuration(expr: str) -> None:
    assert kind("p", f"p = {expr}") == ENV


def test_local_prefix_with_env_suffix_is_still_local() -> None:
    v = value("p", "p = os.path.join('data', os.environ['NAME'])")
    assert (v.kind, v.exact) == (LOCAL, False)


def test_temp_and_memory() -> None:
    assert kind("d", "d = tempfile.mkdtemp()") == TEMP
    assert kind("p", "d = tempfile.mkdtemp()\np = os.path.join(d, 'x.csv')") == TEMP
    assert kind("d", "with tempfile.TemporaryDirectory() as d:\n    pass") == TEMP
    assert kind("b", "b = io.StringIO('a,b')") == MEMORY
    assert kind("o", "o = sys.stdout") == MEMORY


def test_names_bound_from_arbitrary_calls_are_unknown() -> None:
    assert kind("p", "p = get_path()") == UNKNOWN
    assert kind("f", "with open('x') as f:\n    pass") == UNKNOWN
    assert kind("p", "p = undefined_name") == UNKNOWN


def test_reassignment_later_wins() -> None:
    assert kind("D", "D = 'data'", "D = os.environ['D']") == ENV
    assert kind("D", "D = os.environ['D']", "D = 'data'") == LOCAL


# -- control flow --------------------------------------------------------------------------
def test_branches_join() -> None:
    both = "if c:\n    p = '/content/data'\nelse:\n    p = 'data'"
    assert kind("p", both) == LOCAL
    assert kind("p", "if c:\n    p = 'data'\nelse:\n    p = os.environ['D']") == ENV
    assert kind("p", "if c:\n    p = 'data'\nelse:\n    p = get()") == UNKNOWN
    assert kind("p", "p = 'data'\nif c:\n    p = get()") == UNKNOWN
    assert kind("p", "if c:\n    p = 'data'") == LOCAL


def test_loops() -> None:
    assert kind("f", "for f in ['a.csv', 'b.csv']:\n    pass") == LOCAL
    assert kind("f", "for f in files:\n    pass") == UNKNOWN
    assert kind("f", "for f in ['a.csv', os.environ['X']]:\n    pass") == ENV
    v = value("f", "for f in sorted(glob.glob('data/*.csv')):\n    pass")
    assert (v.kind, v.prefix) == (LOCAL, "data/")
    assert kind("f", "for f in Path('data').glob('*.csv'):\n    pass") == LOCAL
    assert kind("f", "fs = glob.glob('data/*.csv')\nf = fs[0]") == LOCAL


def test_unpacking_and_containers() -> None:
    assert kind("b", "a, b = 'x.csv', os.environ['Y']") == ENV
    assert kind("a", "a, b = get()") == UNKNOWN
    assert value("t", "c = {'train': 'data/t.csv'}\nt = c['train']").text == "data/t.csv"
    assert value("t", "c = ['data/a.csv', 'data/b.csv']\nt = c[1]").text == "data/b.csv"


def test_function_parameters_are_configuration() -> None:
    ev, steps = run("D = 'data'\ndef load(path, name='x.csv'):\n    return path + D")
    ret = next(s for s in steps if isinstance(s.root, ast.Return))
    assert ev.eval(ret.root.value, ret.scope).kind == ENV  # type: ignore[union-attr]
    assert ev.module.lookup("path") is None  # parameters do not leak to the module


def test_function_bodies_see_module_constants() -> None:
    ev, steps = run("D = 'data/'\ndef load():\n    return D + 'x.csv'")
    ret = next(s for s in steps if isinstance(s.root, ast.Return))
    assert ev.eval(ret.root.value, ret.scope).text == "data/x.csv"  # type: ignore[union-attr]


def test_comprehension_targets_are_shadowed() -> None:
    ev, _ = run("f = 'data/x.csv'")
    node = ast.parse("f", mode="eval").body
    assert ev.eval(node, ev.module).kind == LOCAL
    assert ev.eval(node, ev.module, frozenset({"f"})).kind == UNKNOWN


def test_steps_come_before_their_bindings() -> None:
    ev, steps = run("p = 'a.csv'\np = p + '.bak'")
    assert ev.module.names["p"].text == "a.csv.bak"
    assert len([s for s in steps if isinstance(s.root, ast.Assign)]) == 2


def test_deep_expressions_do_not_recurse_forever() -> None:
    source = "p = " + " + ".join(["'a'"] * 500)
    assert kind("p", source) in (LOCAL, UNKNOWN)


# -- properties ----------------------------------------------------------------------------
_SAFE = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-./", max_size=20)


@given(st.sampled_from(sorted(SCHEMES)), _SAFE)
def test_scheme_uris_are_never_local(scheme: str, rest: str) -> None:
    assert string_value(f"{scheme}://{rest}", SCHEMES).kind == REMOTE


@given(_SAFE, _SAFE)
def test_concatenating_literals_is_the_literal_of_the_concatenation(a: str, b: str) -> None:
    got = value("p", f"p = {a!r} + {b!r}")
    want = string_value(a + b, SCHEMES)
    assert (got.kind, got.text, got.exact) == (want.kind, want.text, want.exact)


@given(st.sampled_from(sorted(SCHEMES)), st.data())
def test_a_possible_uri_start_with_unknown_rest_is_not_local(scheme: str, data) -> None:
    uri = f"{scheme}://"
    head = data.draw(st.integers(min_value=0, max_value=len(uri)).map(lambda n: uri[:n]))
    assert kind("p", f"p = {head!r} + unknown") != LOCAL


@given(_SAFE, _SAFE)
def test_join_is_symmetric_in_kind(a: str, b: str) -> None:
    va, vb = string_value(a, SCHEMES), string_value(b, SCHEMES)
    assert join_values(va, vb).kind == join_values(vb, va).kind


def test_a_settled_local_value_stays_local_when_extended() -> None:
    assert kind("q", "p = 'data/a' if c else 'models/b'\nq = p + '.csv'") == LOCAL
    assert kind("q", "for p in ['a', 'b']:\n    q = p + '.csv'") == LOCAL
    assert kind("q", "p = f'data/{x}'\nq = p + '.csv'") == LOCAL
