"""Notebook model: load a file, mask IPython syntax, parse each code cell."""

from nb2prod.notebook.load import load_notebook, load_notebook_text
from nb2prod.notebook.model import Cell, Notebook
from nb2prod.notebook.parse import ParsedCell, parse_cell, parse_notebook

__all__ = [
    "Cell",
    "Notebook",
    "ParsedCell",
    "load_notebook",
    "load_notebook_text",
    "parse_cell",
    "parse_notebook",
]
