"""File access found in a notebook: ``IOEvent`` records for the IO rules and ``--fix``.

One pass over the cells in order (see :mod:`nb2prod.analysis.values`): each call is matched
against the catalogue in ``rules/io_calls.toml`` and its path argument evaluated, so
``pd.read_csv(DATA_DIR + "x.csv")`` is known to read a local file when ``DATA_DIR`` was set
from a literal in an earlier cell. The same pass collects string literals that are
absolute, home-directory or Windows paths (for IO005).

The modules:

- :mod:`.model`: :class:`IOEvent` and its kinds, :class:`PathLiteral`, :class:`IOFacts`,
  :func:`snippet`;
- :mod:`.calls`: the catalogue of IO calls (:func:`catalogue`, :func:`build_catalogue`);
- :mod:`.shapes`: which text looks like a path (:func:`path_style`, :func:`fits_shape`);
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
    snippet,
)
from nb2prod.analysis.io.shapes import fits_shape, path_style

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
    "fits_shape",
    "path_style",
    "snippet",
]
