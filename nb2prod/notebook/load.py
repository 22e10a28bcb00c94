"""Read a notebook file into the model, or fail with one line that says what is wrong.

The loader uses orjson (the standard ``json`` module for what orjson refuses) and a light
structural check, which is what lint needs and costs a few milliseconds; ``nbformat`` (slow to import) is used only to
up-convert nbformat 3 files.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

from nb2prod.errors import InputError
from nb2prod.notebook.model import Cell, Notebook

_CONFLICT = re.compile(r"^(<{7}|>{7})(\s|$)|^={7}\s*$", re.MULTILINE)
_CELL_TYPES = {"code", "markdown", "raw"}
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def load_notebook(path: str | Path) -> Notebook:
    """Load ``path``. Raises :class:`InputError` naming the file for anything unreadable."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a notebook", str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", str(path)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", str(path)) from None
    nb = load_notebook_text(text, str(path))
    nb.bom = data.startswith(b"\xef\xbb\xbf")
    return nb


def load_notebook_text(text: str, path: str) -> Notebook:
    """Build a :class:`Notebook` from the file's text (``path`` is only used in messages)."""
    if not text.strip():
        raise InputError("empty file, not a notebook", path)
    try:
        doc = decode_json(text)
    except json.JSONDecodeError as exc:
        raise InputError(_explain_bad_json(text, exc), path) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply", path) from None
    if not isinstance(doc, dict):
        raise InputError(f"not a notebook: top-level JSON is {_kind(doc)}, not an object", path)
    version = doc.get("nbformat")
    if version == 4:
        return _from_v4(doc, path, text)
    if version == 3 or (version is None and "worksheets" in doc):
        return _from_v3(doc, path, text)
    if version is None:
        raise InputError("not a notebook: no 'nbformat' version and no 'cells'", path)
    raise InputError(f"unsupported nbformat version {version!r} (expected 4, or 3)", path)


def decode_json(text: str) -> Any:
    """``json.loads`` for any JSON a notebook file can hold: an integer too long for
    ``int()`` (over 4,300 digits) becomes a float (no notebook field needs its value), and
    a lone surrogate (``"\\ud800"``, which no UTF-8 output can hold) becomes U+FFFD.

    orjson reads the common file two to three times faster (most of a notebook's bytes are
    outputs). It refuses what needs the slow path here: lone surrogates, NaN/Infinity,
    numbers beyond a double, control characters in strings; those files (and a file that
    is not JSON, for the error message) go through ``json``. It reads integers beyond 64
    bits as floats: no rule reads such a number, and nothing is ever written back from the
    decoded document (``--fix`` edits the file's text)."""
    import orjson

    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass  # the standard path decides (and explains a real error)
    doc = json.loads(text, parse_int=_int)
    return _without_lone_surrogates(doc) if _SURROGATE_ESCAPE.search(text) else doc


def _int(digits: str) -> int | float:
    try:
        return int(digits)
    except ValueError:  # over sys.get_int_max_str_digits()
        return float(digits)


def _without_lone_surrogates(doc: Any) -> Any:
    """``doc`` with every lone surrogate in its strings (keys too) replaced, walked without
    recursion (any nesting depth json accepts)."""

    def clean(value: Any) -> Any:
        return _LONE_SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value

    root = [doc]
    todo: list[Any] = [root]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            items = list(node.items())
            node.clear()
            for key, value in items:
                node[clean(key)] = clean(value)
                if isinstance(value, dict | list):
                    todo.append(value)
        else:
            for i, value in enumerate(node):
                if isinstance(value, str):
                    node[i] = clean(value)
                elif isinstance(value, dict | list):
                    todo.append(value)
    return root[0]


def _kind(value: Any) -> str:
    return {list: "an array", str: "a string", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _explain_bad_json(text: str, exc: json.JSONDecodeError) -> str:
    match = _CONFLICT.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        return f"git merge-conflict markers at line {line}; resolve the conflict first"
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        brace = text.find("{")
        first = stripped.splitlines()[0][:40] if stripped else ""
        if brace > 0 and _is_json(text[brace:]):
            line = text.count("\n", 0, brace) + 1
            return f"invalid JSON: text before the opening '{{' (line 1: {first!r}, '{{' at line {line})"
        if _looks_like_python(text):
            return "Python source saved with a .ipynb name, not a notebook (JSON expected)"
        return f"not JSON: {first!r} at line 1 (a notebook starts with '{{')"
    return f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"


def _is_json(text: str) -> bool:
    try:
        json.loads(text, parse_int=_int)
    except (ValueError, RecursionError):
        return False
    return True


def _looks_like_python(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _from_v4(doc: dict[str, Any], path: str, text: str) -> Notebook:
    raw_cells = doc.get("cells")
    if not isinstance(raw_cells, list):
        raise InputError("not a valid nbformat 4 notebook: 'cells' is missing or not a list", path)
    cells = []
    for i, raw in enumerate(raw_cells, start=1):
        cells.append(_cell(raw, i, path))
    metadata = doc.get("metadata")
    return Notebook(
        path=path,
        nbformat=4,
        nbformat_minor=doc.get("nbformat_minor")
        if isinstance(doc.get("nbformat_minor"), int)
        else 0,
        metadata=metadata if isinstance(metadata, dict) else {},
        cells=cells,
        raw=doc,
        text=text,
    )


def _cell(raw: Any, index: int, path: str) -> Cell:
    if not isinstance(raw, dict):
        raise InputError(f"invalid cell: expected an object, found {_kind(raw)}", path, index)
    cell_type = raw.get("cell_type")
    if cell_type not in _CELL_TYPES:
        raise InputError(f"invalid cell: unknown cell_type {cell_type!r}", path, index)
    source = raw.get("source", "")
    try:  # a list of lines is joined here; join raises for an item that is not a string
        source = "".join(source) if isinstance(source, list) else source
    except TypeError:
        source = None
    if not isinstance(source, str):
        raise InputError(
            "invalid cell: 'source' must be a string or a list of strings", path, index
        )
    outputs = raw.get("outputs", []) if cell_type == "code" else []
    if not isinstance(outputs, list):
        raise InputError("invalid cell: 'outputs' must be a list", path, index)
    count = raw.get("execution_count")
    metadata = raw.get("metadata")
    cell_id = raw.get("id")
    return Cell(
        index=index,
        cell_type=cell_type,
        source=source,
        id=cell_id if isinstance(cell_id, str) else None,
        execution_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
        outputs=[o for o in outputs if isinstance(o, dict)],
        metadata=metadata if isinstance(metadata, dict) else {},
    )


def _from_v3(doc: dict[str, Any], path: str, text: str) -> Notebook:
    import nbformat  # slow import, needed only for this rare case

    try:
        converted = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises many kinds for broken v3 files
        raise InputError(f"nbformat 3 notebook that cannot be up-converted: {exc}", path) from None
    doc4 = decode_json(nbformat.writes(converted))
    for raw in doc4.get("cells", []):
        raw.pop("id", None)  # random uuids from the up-conversion: the file's cells have none
    doc4["nbformat_minor"] = min(doc4.get("nbformat_minor", 4), 4)  # 4.5 would require ids
    nb = _from_v4(doc4, path, text)
    nb.nbformat = 3  # the file's own format; cells are read through the v4 up-conversion
    nb.notes.append("nbformat 3 notebook, up-converted to nbformat 4 for analysis")
    return nb
