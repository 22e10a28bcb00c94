"""Credentials passed positionally to clients that take them so: ``Client(sid, token)``
(twilio), ``Minio(endpoint, access_key, secret_key)``, ``boto3.client("s3", region, ...,
key_id, secret)``. The signatures are data, ``rules/secrets.toml`` [[client]]: the names
of the positional parameters, as the credential they are (``twilio_auth_token``), so a
literal in that position is classified like one passed by that keyword."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache

from nb2prod.analysis.names import dotted, qualified
from nb2prod.analysis.secrets.bindings import Binding
from nb2prod.analysis.secrets.credentials import env_name
from nb2prod.analysis.secrets.joined import is_joined
from nb2prod.analysis.secrets.vocab import rules_toml


@cache
def client_signatures() -> dict[str, tuple[str, ...]]:
    """Qualified name -> the names of its positional parameters ("" for one that is never
    a credential)."""
    return _signatures("functions")


@cache
def method_signatures() -> dict[str, tuple[str, ...]]:
    """Method name -> the names of its positional parameters, on any receiver
    (``server.login(user, password)``: smtplib, ftplib, imaplib and most API clients)."""
    return _signatures("methods")


def _signatures(key: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for entry in rules_toml().get("client", []):
        positional = tuple(entry["positional"])
        for name in entry.get(key, ()):
            if name in out:
                raise ValueError(f"secrets.toml: client {name} is listed twice")
            out[name] = positional
    return out


@cache
def _client_call() -> re.Pattern[str]:
    """``Client(``, ``Minio(``, ``client(`` ...: one is in any cell calling a client."""
    names = sorted({q.rpartition(".")[2] for q in client_signatures()})
    return re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\(")


@cache
def _method_calls() -> tuple[str, ...]:
    return tuple(f".{name}(" for name in method_signatures())


def may_call_methods(text: str) -> bool:
    """Whether ``text`` calls a client method (``.login(``) on some receiver: a plain
    substring test, whatever the notebook imports."""
    return any(call in text for call in _method_calls())


@cache
def _client_modules() -> frozenset[str]:
    return frozenset(q.split(".", 1)[0] for q in client_signatures())


def imports_clients(imports: dict[str, str]) -> bool:
    """Whether the notebook imports a module some client comes from (twilio, boto3 ...)."""
    modules = _client_modules()
    return any(origin.split(".", 1)[0] in modules for origin in imports.values())


def may_call_clients(text: str) -> bool:
    return _client_call().search(text) is not None


def client_bindings(call: ast.Call, imports: dict[str, str]) -> Iterator[Binding]:
    """The literals passed positionally to a catalogued client, bound to their names."""
    func = call.func
    if not isinstance(func, ast.Name | ast.Attribute):
        return
    qual = qualified(func, imports)
    signature = client_signatures().get(qual) if qual else None
    if not signature and isinstance(func, ast.Attribute):
        signature = method_signatures().get(func.attr)
    if not signature:
        return
    shown_call = dotted(func) or qual
    for index, arg in enumerate(call.args[: len(signature)]):
        if isinstance(arg, ast.Starred):
            return
        name = signature[index]
        if name and (isinstance(arg, ast.Constant) or is_joined(arg)):
            shown = f"argument {index + 1} (`{name}`) of `{shown_call}(...)`"
            yield Binding(name, shown, env_name(name), arg)
