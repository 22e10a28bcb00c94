"""File access found in a notebook: ``IOEvent`` records for the IO rules and ``--fix``.

One pass over the cells in order (see :mod:`nb2prod.analysis.values`): each call is matched
against the catalogue in ``rules/io_calls.toml`` and its path argument evaluated, so
``pd.read_csv(DATA_DIR + "x.csv")`` is known to read a local file when ``DATA_DIR`` was set
from a literal in an earlier cell. The same pass collects string literals that are
absolute, home-directory or Windows paths (for IO005).

The modules:

- :mod:`.model`: :class:`IOEvent` and its kinds, :class:`PathLiteral`, :class:`IOFacts`,
  :func:`snippet`, :func:`described`;
- :mod:`.calls`: the catalogue of IO calls (:func:`catalogue`, :func:`build_catalogue`);
- :mod:`.shapes`: which text looks like a path (:func:`path_style`, :func:`fits_shape`,
  :func:`local_model_path` for calls that also take hub ids);
- :mod:`.scan`: one walk of a statement for its calls and path literals;
- :mod:`.through`: file access through the notebook's own functions, at their calls;
- :mod:`.finder`: the pass itself (:func:`analyse`).
"""

from nb2prod.analysis.io.calls import CallSpec, Catalogue, build_catalogue, catalogue
from nb2prod.analysis.io.finder import analyse
from nb2prod.analysis.io.model import (
    CHDIR,
    FS,
    LIST,
    READ,
    WRITE,
    IOEvent,
    IOFacts,
    PathLiteral,
    described,
    snippet,
)
from nb2prod.analysis.io.shapes import fits_shape, local_model_path, path_style

__all__ = [
    "CHDIR",
    "FS",
    "LIST",
    "READ",
    "WRITE",
    "CallSpec",
    "Catalogue",
    "IOEvent",
    "IOFacts",
    "PathLiteral",
    "analyse",
    "build_catalogue",
    "catalogue",
    "described",
    "fits_shape",
    "local_model_path",
    "path_style",
    "snippet",
]
