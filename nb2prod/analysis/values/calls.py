"""What names and calls of known libraries evaluate to: the tables of known names
(``os.environ``, ``sys.stdout``, ``pathlib.Path``, config loaders ...) and the rules for
calls (``os.path.join``, ``Path(...)``, ``glob.glob``, ``os.getenv`` ...) and for methods on
path values (``.joinpath``, ``.format``, ``.with_suffix`` ...)."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from nb2prod.analysis.values.functions import call_function
from nb2prod.analysis.values.model import (
    ENV,
    ENV_VALUE,
    LOCAL,
    MEMORY_VALUE,
    TEMP,
    TEMP_VALUE,
    UNKNOWN,
    UNKNOWN_VALUE,
    Scope,
    Value,
    as_path,
    string_value,
)
from nb2prod.analysis.values.paths import concat, dirname, format_path, join_paths, listing

if TYPE_CHECKING:
    from nb2prod.analysis.values.evaluator import Evaluator

# Conventional aliases, used when a notebook relies on a star import (fastai) for them.
ALIASES = {
    "pd": "pandas",
    "np": "numpy",
    "plt": "matplotlib.pyplot",
    "Path": "pathlib.Path",
    "Image": "PIL.Image",
    "tf": "tensorflow",
    "sns": "seaborn",
}
_PATH_TYPES = frozenset(
    f"pathlib.{n}" for n in ("Path", "PurePath", "PosixPath", "WindowsPath", "PurePosixPath")
)
_JOIN = frozenset({"os.path.join", "posixpath.join", "ntpath.join"})
_SAME = frozenset(
    {
        "str",
        "os.fspath",
        "os.fsencode",
        "os.fsdecode",
        "os.path.abspath",
        "os.path.realpath",
        "os.path.normpath",
        "os.path.expanduser",
        "os.path.expandvars",
    }
)
_SAME_METHODS = frozenset(
    {"resolve", "absolute", "expanduser", "as_posix", "__fspath__", "strip", "rstrip", "lower"}
)
_JOIN_METHODS = frozenset({"joinpath"})
_CWD = frozenset({"os.getcwd", "os.getcwdb", "pathlib.Path.cwd"})
_HOME = frozenset({"pathlib.Path.home"})
_ENV_CALLS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault", "os.getenvb"})
ENV_OBJECTS = frozenset({"os.environ", "sys.argv", "os.environb"})
MEMORY_NAMES = frozenset(
    {"io.StringIO", "io.BytesIO", "sys.stdout", "sys.stderr", "sys.stdin", "io.TextIOWrapper"}
)
_CONFIG_LOADERS = frozenset(
    {
        "yaml.safe_load",
        "yaml.load",
        "yaml.full_load",
        "json.load",
        "toml.load",
        "tomllib.load",
        "configparser.ConfigParser",
        "dotenv.dotenv_values",
        "omegaconf.OmegaConf.load",
        "hydra.compose",
        "argparse.ArgumentParser",
    }
)
CONFIG_NAME = re.compile(
    r"^_*(?:config|conf|cfg|settings|setting|params|param|args|argv|opts|options|hparams|hp|env|"
    r"flags|environ|secrets|creds|credentials)(?:_\w*)?$|(?:config|settings)$",
    re.IGNORECASE,
)
# Download helpers that return the local folder they unpacked into, by their last name
# (fastai's untar_data, often reached through a star import): the cache folder.
_DOWNLOADS = {"untar_data": "~/.fastai/data"}
_GLOB_ITER = frozenset({"glob.glob", "glob.iglob"})
_PASS_ITER = frozenset({"sorted", "list", "tuple", "reversed", "set", "iter"})
CURDIR = frozenset({"os.curdir", "os.path.curdir"})
_GLOB_METHODS = frozenset({"glob", "rglob", "iterdir"})
_EDIT_METHODS = frozenset({"join", "format", "with_suffix", "with_name", "with_stem", "replace"})
_VALUE_METHODS = _SAME_METHODS | _JOIN_METHODS | _GLOB_METHODS | _EDIT_METHODS
_DIRNAME = frozenset({"os.path.dirname", "posixpath.dirname"})
_BASENAME = frozenset({"os.path.basename", "posixpath.basename"})
# Every name :func:`_known_call` has a rule for (with those of :func:`_known_by_pattern`).
_KNOWN_CALLS = (
    _JOIN
    | _PATH_TYPES
    | _SAME
    | _GLOB_ITER
    | _PASS_ITER
    | _DIRNAME
    | _BASENAME
    | _CWD
    | _HOME
    | _ENV_CALLS
    | _CONFIG_LOADERS
    | MEMORY_NAMES
)


def _is_tqdm(qual: str) -> bool:
    return qual.startswith("tqdm") and qual.rsplit(".", 1)[-1] in {"tqdm", "tqdm_notebook"}


@lru_cache(maxsize=4096)
def _known_by_pattern(qual: str) -> bool:
    """The names :func:`_known_call` has a rule for that no table lists (remembered: asked
    for most calls)."""
    return _is_tqdm(qual) or qual.startswith("tempfile.") or qual.rpartition(".")[2] in _DOWNLOADS


def call_value(
    ev: Evaluator, node: ast.Call, scope: Scope, shadow: frozenset[str], depth: int
) -> Value:
    """The value of a call: a known function by its qualified name, else a method."""
    func = node.func
    if type(func) is ast.Name and func.id not in shadow:
        bound = scope.lookup(func.id)
        if bound is not None and bound.func is not None:
            return call_function(ev, bound.func, node, scope, shadow, depth)
    qual = ev.qualname(func)
    # Most calls are of none of the names below: one set lookup settles them.
    if qual is not None and (qual in _KNOWN_CALLS or _known_by_pattern(qual)):
        return _known_call(ev, node, qual, scope, shadow, depth)
    result = UNKNOWN_VALUE
    if isinstance(func, ast.Attribute):
        result = _method(ev, node, func, scope, shadow, depth)
    if result is UNKNOWN_VALUE and qual is not None and _imported(func, ev):
        return Value(UNKNOWN, origin=qual)  # Trainer(...): its methods are catalogued by it
    return result


def _known_call(
    ev: Evaluator, node: ast.Call, qual: str, scope: Scope, shadow: frozenset[str], depth: int
) -> Value:
    """The value of a call of a name in :data:`_KNOWN_CALLS` or :func:`_known_by_pattern`."""
    args = node.args
    schemes = ev.schemes

    def arg(i: int) -> Value:
        return ev.eval(args[i], scope, shadow, depth) if len(args) > i else UNKNOWN_VALUE

    if qual in _JOIN:
        if not args or any(isinstance(a, ast.Starred) for a in args):
            return UNKNOWN_VALUE
        return join_paths([arg(i) for i in range(len(args))], schemes)
    if qual in _PATH_TYPES:
        if not args:
            return as_path(string_value(".", schemes))
        if any(isinstance(a, ast.Starred) for a in args):
            return UNKNOWN_VALUE
        return as_path(join_paths([arg(i) for i in range(len(args))], schemes))
    if qual in _SAME:  # these return a str, not a pathlib object
        value = arg(0)
        return replace(value, pathlike=False) if value.pathlike else value
    if qual in _GLOB_ITER:
        return listing(arg(0), False)
    if qual in _PASS_ITER or _is_tqdm(qual):
        value = arg(0)
        return value if value.each is not None or value.items is not None else UNKNOWN_VALUE
    if qual in _DIRNAME:
        value = arg(0)
        return dirname(value, schemes) if value.text is not None else value
    if qual in _BASENAME:
        value = arg(0)
        if value.exact and value.text is not None:
            return string_value(value.text.rstrip("/").rpartition("/")[2], schemes)
        return value if value.kind in (ENV, TEMP) else UNKNOWN_VALUE
    if qual in _CWD:
        value = string_value(".", schemes)
        return as_path(value) if qual.startswith("pathlib") else value
    if qual in _HOME:
        return as_path(string_value("~", schemes))
    if qual in _ENV_CALLS or qual in _CONFIG_LOADERS:
        return ENV_VALUE
    if qual.startswith("tempfile."):
        return TEMP_VALUE
    if qual in MEMORY_NAMES:
        return MEMORY_VALUE
    if qual.rpartition(".")[2] in _DOWNLOADS:
        return _download(ev, node, qual, scope, shadow, depth)
    raise AssertionError(qual)  # _KNOWN_CALLS and _known_by_pattern list every name above


def _imported(func: ast.expr, ev: Evaluator) -> bool:
    """Whether the name chain ``func`` starts at an imported name (or a conventional alias)."""
    while type(func) is ast.Attribute:
        func = func.value
    return type(func) is ast.Name and (func.id in ev.imports or func.id in ALIASES)


def _download(
    ev: Evaluator, node: ast.Call, qual: str, scope: Scope, shadow: frozenset[str], depth: int
) -> Value:
    """The local folder a download helper returns (fastai's ``untar_data``): under its
    ``dest=``/``data=`` folder when given, else under its cache folder."""
    folder = string_value(_DOWNLOADS[qual.rpartition(".")[2]], ev.schemes)
    for kw in node.keywords:
        if kw.arg in ("dest", "data"):
            given = ev.eval(kw.value, scope, shadow, depth)
            if given.kind != LOCAL or given.text is None:
                return UNKNOWN_VALUE
            folder = given
    hole = Value(UNKNOWN)
    return as_path(join_paths([folder, hole], ev.schemes))


def _method(
    ev: Evaluator,
    node: ast.Call,
    func: ast.Attribute,
    scope: Scope,
    shadow: frozenset[str],
    depth: int,
) -> Value:
    name = func.attr
    if name not in _VALUE_METHODS:
        base = ev.eval(func.value, scope, shadow, depth).kind
        return Value(base) if base in (ENV, TEMP) else UNKNOWN_VALUE
    receiver = ev.eval(func.value, scope, shadow, depth)
    if receiver.kind in (ENV, TEMP):
        return Value(receiver.kind)
    if receiver.text is None or receiver.items is not None:
        return UNKNOWN_VALUE
    schemes = ev.schemes
    args = [ev.eval(a, scope, shadow, depth) for a in node.args[:8]]
    if name in _SAME_METHODS:
        return receiver
    if name in _GLOB_METHODS and receiver.pathlike:
        return listing(receiver, True)
    if name in _JOIN_METHODS:
        return as_path(join_paths([receiver, *args], schemes))
    if name == "join" and receiver.exact and len(args) == 1 and args[0].items:
        pieces: list[Value] = []
        for item in args[0].items:
            pieces.extend([receiver, item] if pieces else [item])
        return concat(pieces, schemes)
    if name == "format":
        kwargs = {k.arg: ev.eval(k.value, scope, shadow, depth) for k in node.keywords if k.arg}
        return format_path(receiver, args, kwargs, schemes)
    if name in {"with_suffix", "with_name", "with_stem", "replace"}:
        if name == "replace" and receiver.exact and len(args) == 2 and all(a.exact for a in args):
            text = receiver.text.replace(args[0].text or "", args[1].text or "")
            return string_value(text, schemes)
        return replace(receiver, exact=False)
    return UNKNOWN_VALUE
