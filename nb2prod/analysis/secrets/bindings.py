"""Names bound to literals in Python code: assignments, keyword arguments, dict keys,
subscripts, parameter defaults, defaults of environment lookups, comparisons and login
calls, and the cheap test of whether a text can name a credential at all."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from nb2prod.analysis.names import dotted
from nb2prod.analysis.secrets.credentials import credential_name, env_name, may_name_words
from nb2prod.analysis.secrets.vocab import rules_toml


@dataclass(slots=True)
class Binding:
    name: str  # what classifies it: "api_key", "OPENAI_API_KEY", "Authorization"
    shown: str  # how the message names it: "keyword argument `api_key`"
    env: str
    value: ast.expr  # a literal, or a ``+`` / f-string that may join constants


def _literal(node: ast.AST | None) -> bool:
    """A constant, or a string built with ``+`` or an f-string (maybe from constants)."""
    return isinstance(node, ast.Constant | ast.JoinedStr) or (
        isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)
    )


_ENV_LOOKUPS = frozenset({"get", "getenv", "setdefault", "pop"})


@cache
def setter_methods() -> frozenset[str]:
    """``rules/secrets.toml`` [setters] methods: ``.option(name, value)``, ``.set(...)``."""
    return frozenset(rules_toml().get("setters", {}).get("methods", ()))


def str_constant(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return node.value
        if isinstance(node.value, bytes):
            return node.value.decode("latin-1")
    return None


def _target_name(node: ast.AST) -> tuple[str, str, str] | None:
    """(classifying name, shown name, env name) of an assignment target."""
    if isinstance(node, ast.Name):
        return node.id, f"variable `{node.id}`", env_name(node.id)
    if isinstance(node, ast.Attribute):
        full = dotted(node) or node.attr
        return node.attr, f"attribute `{full}`", env_name(full.removeprefix("self."))
    if isinstance(node, ast.Subscript):
        key = str_constant(node.slice)
        if key is not None:
            owner = dotted(node.value) or "..."
            return key, f"item `{owner}[{key!r}]`", env_name(key)
    return None


def _assign_bindings(node: ast.Assign | ast.AnnAssign | ast.NamedExpr) -> Iterator[Binding]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        yield from _assigned(target, node.value)


def _dict_bindings(node: ast.Dict) -> Iterator[Binding]:
    keys = [str_constant(k) for k in node.keys]
    kaggle = "username" in keys  # kaggle.json: {"username": ..., "key": ...}
    for key, value in zip(keys, node.values, strict=True):
        if key is not None and _literal(value):
            name = "kaggle_key" if kaggle and key == "key" else key
            yield Binding(name, f"dict key {key!r}", env_name(name), value)


def _default_bindings(
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
) -> Iterator[Binding]:
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    with_default = positional[len(positional) - len(args.defaults) :]
    pairs = list(zip(with_default, args.defaults, strict=True))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d]
    for arg, default in pairs:
        if isinstance(default, ast.Constant):
            yield Binding(arg.arg, f"default of parameter `{arg.arg}`", env_name(arg.arg), default)


def _compare_bindings(node: ast.Compare) -> Iterator[Binding]:
    if isinstance(node.ops[0], ast.Eq | ast.NotEq):
        left, right = node.left, node.comparators[0]
        for a, b in ((left, right), (right, left)):
            named = _target_name(a)
            if named and isinstance(b, ast.Constant):
                yield Binding(named[0], f"comparison with {named[1]}", named[2], b)


def _assigned(target: ast.AST, value: ast.AST | None) -> Iterator[Binding]:
    if isinstance(target, ast.Tuple | ast.List) and isinstance(value, ast.Tuple | ast.List):
        if len(target.elts) == len(value.elts):
            for t, v in zip(target.elts, value.elts, strict=True):
                yield from _assigned(t, v)
        return
    if _literal(value):
        named = _target_name(target)
        if named:
            yield Binding(named[0], named[1], named[2], value)  # type: ignore[arg-type]


def _call_bindings(call: ast.Call) -> Iterator[Binding]:
    for kw in call.keywords:
        if kw.arg and _literal(kw.value):
            yield Binding(kw.arg, f"keyword argument `{kw.arg}`", env_name(kw.arg), kw.value)
    func = call.func
    attr = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if len(call.args) >= 2 and isinstance(call.args[1], ast.Constant):
        key = str_constant(call.args[0])
        if key is not None and attr in _ENV_LOOKUPS:
            shown = f"default of `{dotted(func) or attr}({key!r}, ...)`"
            yield Binding(key, shown, env_name(key), call.args[1])
    if attr in setter_methods():
        yield from _setter_bindings(call, attr)
    if attr == "setattr" and len(call.args) == 3 and isinstance(call.args[2], ast.Constant):
        key = str_constant(call.args[1])
        if key is not None:
            yield Binding(key, f"attribute `{key}`", env_name(key), call.args[2])
    if attr in _LOGINS and len(call.args) >= 2 and isinstance(call.args[1], ast.Constant):
        shown = f"password argument of `{dotted(func) or attr}(...)`"
        yield Binding("password", shown, "PASSWORD", call.args[1])
    for kw in call.keywords:
        value = kw.value
        if kw.arg == "key" and attr == "login" and isinstance(value, ast.Constant):
            yield Binding("api_key", "keyword argument `key` of a login", "API_KEY", value)
        elif kw.arg and isinstance(value, ast.Tuple | ast.List) and len(value.elts) == 2:
            cred = credential_name(kw.arg)
            if cred is not None and cred.kind == "auth" and isinstance(value.elts[1], ast.Constant):
                shown = f"password in `{kw.arg}=(user, password)`"
                yield Binding("password", shown, "PASSWORD", value.elts[1])


def _setter_bindings(call: ast.Call, attr: str) -> Iterator[Binding]:
    """``.option("password", "...")``, ``spark.conf.set("fs.azure.account.key...", "...")``,
    ``os.putenv("API_TOKEN", "...")``: a setter's value, bound to the name before it (the
    last two positional arguments, after a section name as in ``ConfigParser.set``)."""
    args = call.args
    if len(args) not in (2, 3) or not _literal(args[-1]):
        return
    if len(args) == 3 and str_constant(args[0]) is None:
        return
    key = str_constant(args[-2])
    if key is not None:
        shown = f"value given to `{dotted(call.func) or '.' + attr}({key!r}, ...)`"
        yield Binding(key, shown, env_name(key), args[-1])


# Calls whose second positional argument is a password: requests' auth classes, login().
_LOGINS = frozenset({"HTTPBasicAuth", "HTTPDigestAuth", "HTTPProxyAuth", "BasicAuth", "login"})


# Nodes that bind a name to a value, by type (one dict lookup per node of the walk).
BINDERS: dict[type, Callable[[Any], Iterator[Binding]]] = {
    ast.Assign: _assign_bindings,
    ast.AnnAssign: _assign_bindings,
    ast.NamedExpr: _assign_bindings,
    ast.Call: _call_bindings,
    ast.Dict: _dict_bindings,
    ast.FunctionDef: _default_bindings,
    ast.AsyncFunctionDef: _default_bindings,
    ast.Lambda: _default_bindings,
    ast.Compare: _compare_bindings,
}


_IDENTIFIER = re.compile(r"[A-Za-z_][\w.-]*")


def may_name_credentials(text: str) -> bool:
    """Whether any identifier-like word of ``text`` is a credential name: a cell without
    one binds no credential (a substring test first, then the classifier)."""
    if not may_name_words(text):
        return False
    lower = text.lower()
    if "login" in lower or ("username" in lower and _KAGGLE_KEY.search(text)):
        return True  # a login call (server.login(user, "...")); kaggle.json's "key"
    return any(credential_name(w) for w in set(_IDENTIFIER.findall(text)))


_KAGGLE_KEY = re.compile(r"""["']key["']""")
