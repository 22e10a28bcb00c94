"""Local file reads and writes become reads and writes of the configured remote location.

DESCRIPTION: Rewrite local IO (pandas, open, numpy, joblib, torch, savefig) to fsspec URIs
under ``DATA_URI``.

Planning reads the analysis' ``IOEvent`` records (call, path node, evaluated value); the
replacements are libcst node builders keyed by the ``ast`` spans, applied by
:class:`IoToS3`. Three shapes, chosen per call:

- the library takes a URI: the path argument becomes ``f"{DATA_URI}/data/x.csv"``
  (pandas readers and writers, dask);
- ``open(p, mode)`` becomes ``fsspec.open(uri, mode)`` in a ``with``, else
  ``fsspec.open(uri, mode).open()``;
- numpy, joblib, torch and savefig take a file object: the statement is wrapped in
  ``with fsspec.open(uri, "rb") as fh:`` and the path argument becomes ``fh``.
"""

from __future__ import annotations

import ast
import posixpath
import re
from dataclasses import dataclass

import libcst as cst

from nb2prod.fix.codemods.positions import EXPR, LINE, PositionTransformer, Replace, Span, span

DESCRIPTION = "Rewrite local IO to fsspec URIs under the configured data location."

# Calls that take an fsspec URI where they took a path.
DIRECT = frozenset(
    {f"pandas.read_{n}" for n in ("csv", "table", "fwf", "excel", "json", "parquet")}
    | {f"pandas.read_{n}" for n in ("feather", "orc", "pickle", "xml", "stata", "sas")}
    | {f"dask.dataframe.read_{n}" for n in ("csv", "parquet", "json", "table")}
    | {f".to_{n}" for n in ("csv", "json", "parquet", "pickle", "excel", "feather", "stata")}
    | {"pandas.to_pickle", ".to_xml"}
)
OPEN = frozenset({"open", "io.open"})
# Calls that take a file object, with the mode to open it in.
STREAM = {
    "numpy.load": "rb",
    "numpy.save": "wb",
    "numpy.savez": "wb",
    "numpy.savez_compressed": "wb",
    "numpy.loadtxt": "r",
    "numpy.genfromtxt": "r",
    "numpy.savetxt": "w",
    "joblib.load": "rb",
    "joblib.dump": "wb",
    "torch.load": "rb",
    "torch.save": "wb",
    "matplotlib.pyplot.savefig": "wb",
    ".savefig": "wb",
}
_NUMPY_SUFFIX = {"numpy.save": ".npy", "numpy.savez": ".npz", "numpy.savez_compressed": ".npz"}
_COMPRESSED = (".gz", ".bz2", ".xz", ".lzma", ".z", ".zip")
_FIGURE_FORMATS = frozenset({"png", "pdf", "svg", "jpg", "jpeg", "eps", "ps", "tif", "tiff"})
_OPEN_KEYWORDS = frozenset({"file", "mode", "encoding", "errors", "newline"})
_SAFE_PATH = re.compile(r"^[\w.\-/ +=,@%~]+$")
_IDENT = re.compile(r"[^A-Z0-9]+")


class IoToS3(PositionTransformer):
    """Applies the IO replacements planned by :func:`plan_call` (see module doc)."""

    DESCRIPTION = DESCRIPTION


@dataclass(frozen=True, slots=True)
class Location:
    """Where a local path goes: ``{constant}/{rest}``, ``constant`` read from ``env``."""

    constant: str
    env: str
    default: str
    rest: str


@dataclass(frozen=True, slots=True)
class Targets:
    """Settings ``data-uri``, ``data-uri-env`` and ``data-uri-map``, resolved."""

    data_uri: str
    env: str
    folders: tuple[tuple[str, str], ...]  # (normalised folder prefix, uri), longest first

    @classmethod
    def from_settings(cls, settings) -> Targets:  # type: ignore[no-untyped-def]
        folders = sorted(
            (
                (_normal(k).rstrip("/") + "/", v.rstrip("/"))
                for k, v in settings["data-uri-map"].items()
            ),
            key=lambda kv: -len(kv[0]),
        )
        return cls(settings["data-uri"].rstrip("/"), settings["data-uri-env"], tuple(folders))

    @property
    def configured(self) -> bool:
        return bool(self.data_uri or self.folders)

    def locate(self, text: str) -> Location | str:
        """The location of local path ``text``, or why there is none."""
        path = _normal(text)
        for folder, uri in self.folders:
            if path.startswith(folder) or path + "/" == folder:
                suffix = _IDENT.sub("_", folder.strip("/").rsplit("/", 1)[-1].upper()).strip("_")
                rest = path[len(folder) :]
                return Location(f"DATA_URI_{suffix}", f"{self.env}_{suffix}", uri, rest)
        if path.startswith(("/", "~")) or re.match(r"^[A-Za-z]:/", path):
            return "an absolute path: map its folder in settings data-uri-map, or move it by hand"
        if path == ".." or path.startswith("../"):
            return "a path outside the project: map it in settings data-uri-map"
        if not self.data_uri:
            return "settings data-uri is not set"
        return Location("DATA_URI", self.env, self.data_uri, "" if path == "." else path)


def _normal(text: str) -> str:
    path = text.replace("\\", "/")
    if path.startswith("file://"):
        path = path[len("file://") :]
    if path.startswith(("/", "~")):
        return posixpath.normpath(path)
    return posixpath.normpath(path) if path not in ("", ".") else "."


def uri_code(loc: Location) -> str | None:
    """``f"{DATA_URI}/data/x.csv"`` for a location (``None`` if the path needs escaping)."""
    if not loc.rest:
        return loc.constant
    if not _SAFE_PATH.match(loc.rest):
        return None
    return f'f"{{{loc.constant}}}/{loc.rest}"'


def segment(lines: list[str], node: ast.AST) -> str:
    """The source text of ``node``."""
    s = span(lines, node)
    if s[0] == s[2]:
        return lines[s[0] - 1][s[1] : s[3]]
    return "\n".join([lines[s[0] - 1][s[1] :], *lines[s[0] : s[2] - 1], lines[s[2] - 1][: s[3]]])


def _expr(code: str) -> Replace:
    new = cst.parse_expression(code)
    return lambda _node: new


@dataclass(slots=True)
class Planned:
    replace: dict[tuple[str, Span], Replace]
    after: str
    needs: frozenset[str]


def plan_call(
    call_name: str,
    node: ast.Call,
    arg: ast.expr,
    uri: str,
    lines: list[str],
    statement: ast.stmt | None,
    in_with: bool,
    handle: str,
) -> Planned | str:
    """The replacements for one IO call whose path ``arg`` goes to ``uri`` (code text), or
    why it cannot be rewritten."""
    if call_name in DIRECT:
        return Planned({(EXPR, span(lines, arg)): _expr(uri)}, uri, frozenset())
    if call_name in OPEN:
        return _plan_open(node, arg, uri, lines, in_with)
    mode = STREAM.get(call_name)
    if mode is None:
        return f"`{call_name}` does not read fsspec URIs: open the file with fsspec.open(...)"
    if statement is None:
        return "the call is inside an expression: wrap it in `with fsspec.open(uri) as f:`"
    text = uri
    suffix = _NUMPY_SUFFIX.get(call_name)
    if suffix and not uri.endswith(suffix + '"'):
        if not uri.endswith('"'):
            return "numpy adds a suffix to this path: write the URI by hand"
        text = uri[:-1] + suffix + '"'
    if uri.lower().rstrip('"').endswith(_COMPRESSED) and call_name.startswith(("joblib", "numpy")):
        return "a compressed file (the suffix picks the codec): open it with fsspec by hand"
    extra = ""
    if call_name.endswith("savefig") and not any(k.arg == "format" for k in node.keywords):
        ext = uri.rstrip('"').rsplit(".", 1)[-1].lower() if "." in uri else ""
        if ext not in _FIGURE_FORMATS:
            return "the figure format is not known from the path: pass format= and use fsspec"
        extra = ext
    header = cst.parse_expression(f'fsspec.open({text}, "{mode}")')

    def add_format(call: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(call, cst.Call)
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        args = list(call.args)
        args[-1] = args[-1].with_changes(comma=comma)
        fmt = cst.Arg(
            cst.SimpleString(f'"{extra}"'),
            keyword=cst.Name("format"),
            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
        )
        return call.with_changes(args=[*args, fmt])

    def wrap(line: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(line, cst.SimpleStatementLine)
        inner = line.with_changes(leading_lines=())
        return cst.With(
            items=[cst.WithItem(header, asname=cst.AsName(cst.Name(handle)))],
            body=cst.IndentedBlock([inner]),
            leading_lines=line.leading_lines,
        )

    replace: dict[tuple[str, Span], Replace] = {
        (EXPR, span(lines, arg)): _expr(handle),
        (LINE, span(lines, statement)): wrap,
    }
    if extra:
        replace[(EXPR, span(lines, node))] = add_format
    after = f'with fsspec.open({text}, "{mode}") as {handle}: ...'
    return Planned(replace, after, frozenset({"fsspec"}))


def _plan_open(
    node: ast.Call, arg: ast.expr, uri: str, lines: list[str], in_with: bool
) -> Planned | str:
    if len(node.args) > 2 or any(k.arg not in _OPEN_KEYWORDS for k in node.keywords):
        return "open() with buffering/closefd/opener: use fsspec.open(...) by hand"
    if node.args and node.args[0] is not arg:
        return "unexpected path argument"
    mode = next((k.value for k in node.keywords if k.arg == "mode"), None)
    if mode is None and len(node.args) > 1:
        mode = node.args[1]
    parts = [uri, segment(lines, mode) if mode is not None else '"r"']
    parts += [
        f"{k.arg}={segment(lines, k.value)}"
        for k in node.keywords
        if k.arg in ("encoding", "errors", "newline")
    ]
    code = f"fsspec.open({', '.join(parts)})" + ("" if in_with else ".open()")
    try:
        replace = _expr(code)
    except cst.ParserSyntaxError:
        return "cannot rebuild the open() call"
    return Planned({(EXPR, span(lines, node)): replace}, code, frozenset({"fsspec"}))
