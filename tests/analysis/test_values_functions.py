"""Calls of the notebook's own functions evaluate to what they return; calls of imported
names remember what made them (``origin``); fastai's ``untar_data`` is a local folder."""

from __future__ import annotations

import ast
import textwrap

from nb2prod.analysis.names import collect_imports
from nb2prod.analysis.values import ENV, LOCAL, OTHER, UNKNOWN, Evaluator, Value
from nb2prod.config import defaults

SCHEMES = frozenset(defaults()["remote-schemes"])
HEADER = "import os\nfrom pathlib import Path\n"


def module(*cells: str) -> dict[str, Value]:
    trees = [(None, ast.parse(HEADER + textwrap.dedent(c))) for c in cells]
    ev = Evaluator(collect_imports(t for _, t in trees), SCHEMES)
    list(ev.walk(trees))  # type: ignore[arg-type]
    return ev.module.names


def test_a_returned_path_is_known_where_it_is_used() -> None:
    names = module(
        """
        def data_dir():
            return Path("data")
        x = data_dir() / "x.csv"
        """
    )
    assert (names["x"].kind, names["x"].text, names["x"].pathlike) == (LOCAL, "data/x.csv", True)
    assert names["data_dir"].func is not None and names["data_dir"].kind == OTHER


def test_parameters_take_the_arguments_then_the_defaults() -> None:
    names = module(
        """
        DATA = "data/"
        def path_of(name, ext=".csv", *, folder=DATA):
            return folder + name + ext
        a = path_of("train")
        b = path_of("labels", ext=".parquet")
        c = path_of(name="test", folder="raw/")
        d = path_of(*parts)
        e = path_of(os.environ["NAME"])
        """
    )
    assert names["a"].text == "data/train.csv"
    assert names["b"].text == "data/labels.parquet"
    assert names["c"].text == "raw/test.csv"
    assert names["d"].kind == UNKNOWN  # unknown after *args
    assert names["e"].kind == LOCAL and names["e"].prefix == "data/"


def test_every_return_is_joined_and_no_return_is_none() -> None:
    names = module(
        """
        def pick(train):
            if train:
                return "data/train.csv"
            return "data/test.csv"
        def nothing():
            print("hi")
        a = pick(True)
        b = nothing()
        """
    )
    assert names["a"].kind == LOCAL and names["a"].prefix == "data/t"
    assert names["b"].kind == OTHER


def test_free_names_are_looked_up_when_the_function_is_called() -> None:
    names = module(
        "def out():\n    return ROOT + '/x.csv'\n",
        "ROOT = 'models'\ny = out()\n",
        "ROOT = os.environ['ROOT']\nz = out()\n",
    )
    assert names["y"].text == "models/x.csv"
    assert names["z"].kind == ENV


def test_recursion_generators_and_nested_calls() -> None:
    names = module(
        """
        def forever(p):
            return forever(p)
        def gen():
            yield "data/x.csv"
        def inner():
            return "data/inner.csv"
        def outer():
            return inner()
        a = forever("x")
        b = gen()
        c = outer()
        """
    )
    assert names["a"].kind == UNKNOWN
    assert names["b"].kind == UNKNOWN  # a generator, not its yields
    assert names["c"].text == "data/inner.csv"


def test_calls_of_imported_names_keep_their_origin() -> None:
    names = module(
        """
        import xgboost as xgb
        from transformers import Trainer
        t = Trainer(model=m)
        b = xgb.train(params, d)
        h = b.predict(d)
        u = undefined_function()
        e = os.environ.copy()
        """
    )
    assert names["t"].origin == "transformers.Trainer" and names["t"].kind == UNKNOWN
    assert names["b"].origin == "xgboost.train"
    assert names["h"].origin is None and names["u"].origin is None
    assert names["e"].kind == ENV  # methods of configuration objects stay configuration


def test_untar_data_is_a_local_folder() -> None:
    names = module(
        """
        from fastai.vision.all import *
        path = untar_data(URLs.PETS)
        images = path / "images"
        here = untar_data(URLs.MNIST, dest="data")
        there = untar_data(URLs.MNIST, dest=os.environ["DATA"])
        """
    )
    assert names["path"].kind == LOCAL and names["path"].prefix == "~/.fastai/data/"
    assert names["images"].pathlike and names["images"].text.endswith("/images")
    assert names["here"].prefix == "data/"
    assert names["there"].kind == UNKNOWN
