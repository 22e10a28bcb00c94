"""File access through the notebook's own functions, ML libraries' IO in the catalogue, and
what --fix makes of both (nothing: their findings say they are not fixable)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from nb2prod.analysis.context import Analysis
from nb2prod.analysis.io import READ, WRITE, build_catalogue, catalogue, local_model_path
from nb2prod.analysis.values import LOCAL, Value, string_value
from nb2prod.config import defaults, load_settings
from nb2prod.fix.engine import fix_notebook
from nb2prod.lint.engine import lint_file
from nb2prod.notebook.load import load_notebook
from tests.helpers import code, notebook, write

SCHEMES = frozenset(defaults()["remote-schemes"])
HELPERS = """import pandas as pd
def load(p, sep=","):
    return pd.read_csv(p, sep=sep)
def save(df, p):
    df.to_csv(p)
"""


def analysis(tmp_path: Path, *cells: str) -> Analysis:
    nb = write(tmp_path / "n.ipynb", notebook([code(c) for c in cells]))
    settings = load_settings(start=tmp_path, overrides={"cache": False})
    return Analysis(load_notebook(str(nb)), settings)


def test_an_event_through_a_function_sits_at_the_call(tmp_path: Path) -> None:
    an = analysis(tmp_path, HELPERS, "df = load('data/x.csv', sep=';')\nsave(df, 'out.csv')")
    facts = an.io_events
    assert not any(e.is_local for e in facts.events)  # the bodies use what they are given
    read, written = facts.through
    assert (read.kind, read.call, read.via, read.value.text) == (
        READ,
        "load",
        "pandas.read_csv",
        "data/x.csv",
    )
    assert ast.unparse(read.node) == "load('data/x.csv', sep=';')"
    assert ast.unparse(read.arg) == "'data/x.csv'"  # the argument the path came from
    assert (written.kind, written.via, ast.unparse(written.arg)) == (WRITE, ".to_csv", "'out.csv'")
    assert not read.fixable and read.cell.cell.index == 2
    assert [e for e in facts if e.is_local] == [read, written]


def test_events_keep_program_order_across_both_lists(tmp_path: Path) -> None:
    an = analysis(
        tmp_path, HELPERS, "a = pd.read_csv('a.csv')\nb = load('b.csv')\nc = pd.read_csv('c.csv')"
    )
    local = [e.value.text for e in an.io_events if e.is_local]
    assert local == ["a.csv", "b.csv", "c.csv"]
    assert [e.value.text for e in an.io_events.events if e.is_local] == ["a.csv", "c.csv"]


def test_a_local_path_inside_the_body_is_reported_there_once(tmp_path: Path) -> None:
    an = analysis(
        tmp_path,
        "import pandas as pd\nDATA = 'data/'\ndef load(name):\n    return pd.read_csv(DATA + name)",
        "a = load('a.csv')\nb = load('b.csv')",
    )
    local = [(e.call, e.cell.cell.index) for e in an.io_events if e.is_local]
    assert local == [("pandas.read_csv", 1)]


def test_an_absolute_path_passed_to_a_function_is_not_also_io005(tmp_path: Path) -> None:
    nb = write(
        tmp_path / "n.ipynb", notebook([code(HELPERS), code("df = load('/data/raw/x.csv')")])
    )
    settings = load_settings(start=tmp_path, overrides={"select": ["IO"], "cache": False})
    codes = sorted(f.code for f in lint_file(str(nb), settings).findings)
    assert codes == ["IO001"]


def test_functions_that_touch_no_file_are_not_run_again(tmp_path: Path) -> None:
    an = analysis(tmp_path, "def show(df, title):\n    print(title)\n", "show(df, 'data/x.csv')")
    assert list(an.io_events) == []


# -- the catalogue: hub ids, patterns, receivers ------------------------------------------------
def test_catalogue_patterns_and_model_ids() -> None:
    cat = catalogue()
    spec = cat.function("transformers.AutoModelForSequenceClassification.from_pretrained")
    assert spec is not None and spec.model_id and not spec.fixable
    assert cat.function("transformers.from_pretrained") is None  # a star is one part or more
    assert cat.function("tensorflow.keras.Sequential.save").kind == WRITE
    assert cat.function("xgboost.train.save_model").kind == WRITE
    assert "models" in cat.local_roots
    built = build_catalogue(
        {"call": [{"kind": "read", "functions": ["acme.*.open_model"], "model-id": True}]}
    )
    assert built.function("acme.zoo.Net.open_model").model_id
    assert "open_model" in built.last_names


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("bert-base-uncased", False),
        ("facebook/bart-large", False),
        ("EleutherAI/gpt-neo-1.3B", False),
        ("./bert", True),
        ("../models/bert", True),
        ("/opt/models/bert", True),
        ("~/models/bert", True),
        ("models/bert", True),
        ("checkpoints", True),
        ("runs/2024/bert", True),
        ("my-finetuned", True),  # written before
        ("my-finetuned/checkpoint-10", True),
    ],
)
def test_local_model_path(text: str, local: bool) -> None:
    roots = catalogue().local_roots
    assert local_model_path(string_value(text, SCHEMES), roots, {"my-finetuned"}) is local


def test_a_model_path_with_holes_uses_its_known_start() -> None:
    roots = catalogue().local_roots
    assert local_model_path(Value(LOCAL, "results/{...}", "results/", False), roots, set())
    assert not local_model_path(Value(LOCAL, "bert{...}", "bert", False), roots, set())


# -- fix: the new findings say they are not fixable, and --fix leaves them alone ----------------
ML = """import pandas as pd
from transformers import AutoModel
def load(p):
    return pd.read_csv(p)
df = load("data/train.csv")
model = AutoModel.from_pretrained("models/bert")
model.save_pretrained("models/bert-2")
plain = pd.read_csv("data/plain.csv")
"""


def test_new_findings_are_marked_not_fixable_and_fix_leaves_them(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.nb2prod]\ndata-uri = "s3://acme/x"\ncache = false\n', encoding="utf-8"
    )
    nb = write(tmp_path / "n.ipynb", notebook([code(ML)]))
    settings = load_settings(start=tmp_path, overrides={"select": ["IO"]})
    found = {f.line: f.fixable for f in lint_file(str(nb), settings).findings}
    assert found == {5: False, 6: False, 7: False, 8: True}
    result = fix_notebook(nb, settings)
    text = json.loads(nb.read_text(encoding="utf-8"))["cells"][0]["source"]
    source = "".join(text) if isinstance(text, list) else text
    assert 'load("data/train.csv")' in source and 'from_pretrained("models/bert")' in source
    assert 'pd.read_csv(f"{DATA_URI}/data/plain.csv")' in source
    assert {s.line for s in result.skipped} == {5, 6, 7}
    after = lint_file(str(nb), settings).findings  # the three are left, lines moved down
    assert len(after) == 3 and not any(f.fixable for f in after)
