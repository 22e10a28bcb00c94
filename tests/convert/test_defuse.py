"""Def/use per cell: reads from earlier cells, definitions, mutations, scopes."""

from __future__ import annotations

import ast

import pytest

from nb2prod.analysis.defuse import analyze


def facts(*cells: str):
    return analyze((i, ast.parse(src)) for i, src in enumerate(cells, start=1)).cells


@pytest.mark.parametrize(
    "src",
    [
        "df.dropna(inplace=True)",
        "df['x'] = 1",
        "df.loc[0, 'x'] = 1",
        "df.attr = 1",
        "df.items.append(3)",
        "lst.append(1)",
        "model.fit(X, y)",
        "del df['x']",
        "x = df.fillna(0, inplace=True)",
    ],
)
def test_mutation_counts_as_definition(src):
    (cell,) = facts(src)
    name = "lst" if "lst" in src else "model" if "model" in src else "df"
    assert name in cell.mutates
    assert name in cell.reads  # the object must exist before it is changed
    assert name in cell.changes


@pytest.mark.parametrize("src", ["df.head()", "print(df)", "y = df.copy()", "df.describe()"])
def test_looking_is_not_mutating(src):
    (cell,) = facts(src)
    assert "df" not in cell.mutates


def test_augmented_assignment_reads_and_defines():
    (cell,) = facts("n += 1")
    assert "n" in cell.reads and "n" in cell.defines


def test_del_defines_and_unbinds():
    (cell,) = facts("x = 1\ndel x")
    assert "x" in cell.deleted
    assert "x" not in cell.maybe


def test_reads_before_definition_in_the_cell_only():
    (cell,) = facts("a = b + 1\nb = 2\nc = a + b")
    assert set(cell.reads) == {"b"}
    assert cell.reads["b"] == 1


def test_conditional_definition_still_reads_earlier_value():
    (cell,) = facts("if flag:\n    k = 1\nprint(k)")
    assert "k" in cell.reads
    assert "k" in cell.maybe


def test_both_branches_define():
    (cell,) = facts("if flag:\n    k = 1\nelse:\n    k = 2\nprint(k)")
    assert "k" not in cell.reads
    assert "k" not in cell.maybe


def test_try_except_both_paths_define():
    (cell,) = facts("try:\n    v = f()\nexcept ValueError:\n    v = None\nprint(v)")
    assert "v" not in cell.reads


def test_loop_body_definitions_are_maybe():
    (cell,) = facts("for i in range(3):\n    last = i\nprint(last, i)")
    assert {"last", "i"} <= set(cell.reads)
    assert {"last", "i"} <= cell.maybe


@pytest.mark.parametrize(
    "src",
    [
        "ys = [x for x in range(3)]",
        "ys = {x: x for x in range(3)}",
        "g = (x for x in range(3))",
        "f = lambda x: x + 1",
        "def f(x):\n    y = x\n    return y",
        "class C:\n    x = 1",
    ],
)
def test_scopes_do_not_leak(src):
    (cell,) = facts(src)
    assert "x" not in cell.defines and "y" not in cell.defines
    assert "x" not in cell.reads


def test_comprehension_reads_outer_names():
    (cell,) = facts("ys = [x * k for x in items if x > lo]")
    assert set(cell.reads) == {"k", "items", "lo"}


def test_walrus_in_comprehension_binds_outside():
    (cell,) = facts("ys = [y for x in xs if (y := x)]\nprint(y)")
    assert "y" in cell.defines


def test_function_globals_are_read_by_the_calling_cell():
    define, call, other = facts(
        "def f(x):\n    return x + offset + helper(x)\ndef helper(v):\n    return v * scale",
        "r = f(1)",
        "print('no call')",
    )
    assert "offset" not in define.reads and "scale" not in define.reads
    assert {"offset", "scale", "f"} <= set(call.reads)
    assert "offset" not in other.reads


def test_function_passed_as_callback_is_a_reference():
    _, use = facts("def f(x):\n    return x + offset", "r = list(map(f, xs))")
    assert "offset" in use.reads


def test_function_defaults_and_decorators_are_read_at_definition():
    (cell,) = facts("@deco(level)\ndef f(x, n=N):\n    return x")
    assert {"deco", "level", "N"} <= set(cell.reads)


def test_global_write_defines_in_calling_cell():
    _, call = facts("def bump():\n    global counter\n    counter += 1", "bump()")
    assert "counter" in call.defines


def test_local_of_function_is_not_a_global_read():
    _, call = facts("def f():\n    total = 0\n    return total", "f()")
    assert "total" not in call.reads


def test_class_methods_read_globals_when_class_is_used():
    define, use = facts("class M:\n    def go(self):\n        return rate", "m = M()")
    assert "rate" not in define.reads
    assert "rate" in use.reads


def test_rebinding_a_function_name_forgets_its_globals():
    _, _, use = facts("def f():\n    return offset", "f = print", "f()")
    assert "offset" not in use.reads


def test_inputs_and_outputs_between_cells():
    nd = analyze(
        (i, ast.parse(s))
        for i, s in enumerate(["df = load()", "df.dropna(inplace=True)", "print(len(df))"], 1)
    )
    assert nd.inputs(1) == {"df": 1}
    assert nd.outputs(0) == {"df": 1}
    assert nd.outputs(1) == {"df": 1}  # the mutation is handed on
    assert nd.outputs(2) == {}


def test_function_that_changes_a_global_in_place_mutates_it_where_called():
    define, call = facts(
        "def add(x):\n    log.append(x)\n    table['k'] = x\n    local = []\n    local.append(x)",
        "add(1)",
    )
    assert "log" not in define.mutates
    assert {"log", "table"} <= set(call.mutates)
    assert "local" not in call.mutates
