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

A call of a function the notebook defines evaluates to what its body returns for those
arguments (``def data_dir(): return Path("data")``); a call of an imported name keeps that
name as its ``origin`` (``Trainer(...)``), so methods can be told by what made their receiver.
Lists and dicts of literals keep their items, and ``glob`` results stand for paths under
their pattern, so a loop over either still knows its variable. Text partly unknown is kept
with ``{...}`` holes; ``prefix`` is the known text before the first hole. A value whose known
prefix could still begin a remote URI (``f"{x}/a"``, ``"s" + x``) is ``UNKNOWN``: only values
known to be local are ``LOCAL``.

The modules, in the order they build on each other:

- :mod:`.model`: :class:`Value`, its kinds, :func:`string_value`, :func:`join_values`,
  :class:`Scope`, :class:`Function`;
- :mod:`.paths`: path text arithmetic (concatenation, joins, formatting, listings);
- :mod:`.walk`: following names through the cells' statements (:class:`Step`);
- :mod:`.functions`: calls of the notebook's own functions, followed through their bodies;
- :mod:`.calls`: known library names and what calls of them evaluate to;
- :mod:`.evaluator`: the :class:`Evaluator` of expressions, which ties them together.
"""

from nb2prod.analysis.values.calls import ALIASES
from nb2prod.analysis.values.evaluator import Evaluator
from nb2prod.analysis.values.functions import bind_arguments, run_body
from nb2prod.analysis.values.model import (
    ENV,
    ENV_VALUE,
    HOLE,
    LOCAL,
    MEMORY,
    MEMORY_VALUE,
    OTHER,
    OTHER_VALUE,
    REMOTE,
    TEMP,
    TEMP_VALUE,
    UNKNOWN,
    UNKNOWN_VALUE,
    Function,
    Scope,
    Value,
    as_path,
    join_values,
    string_value,
)
from nb2prod.analysis.values.walk import Step

__all__ = [
    "ALIASES",
    "ENV",
    "ENV_VALUE",
    "HOLE",
    "LOCAL",
    "MEMORY",
    "MEMORY_VALUE",
    "OTHER",
    "OTHER_VALUE",
    "REMOTE",
    "TEMP",
    "TEMP_VALUE",
    "UNKNOWN",
    "UNKNOWN_VALUE",
    "Evaluator",
    "Function",
    "Scope",
    "Step",
    "Value",
    "as_path",
    "bind_arguments",
    "join_values",
    "run_body",
    "string_value",
]
