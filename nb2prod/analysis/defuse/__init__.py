"""Def/use per cell: which names a cell reads from earlier cells, which it defines or changes.

Read-only, so it runs on the standard-library ``ast`` trees that lint already has (the C
parser: a notebook in a few milliseconds; libcst is kept for rewriting in convert).

Rules, in the order a cell runs (module scope, statement by statement):

* A *read* is a name loaded before the cell has **definitely** bound it: a name bound only
  in an ``if`` branch, a loop body or a ``try`` body is still read from earlier cells after it.
* A *definition* binds a name: assignment targets, ``for``/``with``/``except`` targets,
  imports, ``def``/``class``, walrus, ``del``, augmented assignment (which also reads).
* MUTATION COUNTS AS DEFINITION: ``df["x"] = ..``, ``obj.attr = ..``, ``del df["x"]``, a call
  with ``inplace=True``, and a method call on a name whose result is discarded
  (``lst.append(1)``, ``model.fit(X, y)``) all *mutate* that name (and read it).
* Comprehension, lambda, ``def`` and ``class`` scopes do not leak names. The notebook globals a
  function body reads are read by the cell that *references* the function (calls it or passes
  it along), at that point, transitively through the functions it references; names it
  assigns under ``global`` are defined there.

The modules:

- :mod:`.model`: :class:`CellDefUse`, :class:`NotebookDefUse`, :class:`FunctionInfo`,
  :func:`function_closure`;
- :mod:`.mutation`: what counts as changing a name in place (:data:`PURE_METHODS`);
- :mod:`.scopes`: free names of functions, lambdas, classes and comprehensions;
- :mod:`.walker`: the cell walker that collects defs and uses (:func:`analyze`).
"""

from nb2prod.analysis.defuse.model import (
    BUILTINS,
    CellDefUse,
    FunctionInfo,
    NotebookDefUse,
    function_closure,
)
from nb2prod.analysis.defuse.mutation import PURE_METHODS, base_name, free_mutations
from nb2prod.analysis.defuse.scopes import scope_free
from nb2prod.analysis.defuse.walker import analyze

__all__ = [
    "BUILTINS",
    "PURE_METHODS",
    "CellDefUse",
    "FunctionInfo",
    "NotebookDefUse",
    "analyze",
    "base_name",
    "free_mutations",
    "function_closure",
    "scope_free",
]
