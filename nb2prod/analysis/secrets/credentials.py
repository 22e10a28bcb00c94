"""Credential names and the literals bound to them: which names hold credentials
(``api_key`` yes, ``max_tokens`` no), the env var to read one from, whether a literal
is a secret, and ``NAME=value`` / ``name: value`` assignments in text, strings and
``%env``."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from nb2prod.analysis.secrets.model import ASSIGNMENT, URL, TextMatch
from nb2prod.analysis.secrets.predicates import (
    is_commit_id,
    is_env_var_name,
    is_example_key,
    is_hash,
    is_identifier_like,
    is_path_like,
    is_placeholder,
    is_uuid,
    is_wordy,
    shannon_entropy,
    words_of,
)
from nb2prod.analysis.secrets.vocab import vocabulary

_COMPOUNDS = {
    "apikey": ["api", "key"],
    "apitoken": ["api", "token"],
    "authtoken": ["auth", "token"],
    "accesstoken": ["access", "token"],
    "accesskey": ["access", "key"],
    "secretkey": ["secret", "key"],
    "privatekey": ["private", "key"],
    "clientsecret": ["client", "secret"],
    "bearertoken": ["bearer", "token"],
    "authkey": ["auth", "key"],
    "sessiontoken": ["session", "token"],
    "refreshtoken": ["refresh", "token"],
    "secrettoken": ["secret", "token"],
    "dbpassword": ["db", "password"],
}
_STRONG = frozenset(
    {"api", "access", "secret", "private", "auth", "authorization", "password", "client"}
    | {"bearer", "session", "refresh", "personal", "bot", "signing", "encryption", "master"}
)


def _expand(words: list[str]) -> list[str]:
    out: list[str] = []
    for w in words:
        out.extend(_COMPOUNDS.get(w, [w]))
    return out


@dataclass(frozen=True, slots=True)
class CredentialName:
    kind: str  # "password" | "secret" | "token" | "auth" | "key"
    strong: bool  # says api/access/secret/private/... or a provider: hex values count


@lru_cache(maxsize=4096)
def credential_name(name: str) -> CredentialName | None:
    """Whether ``name`` names a credential, and which kind. Word based and conservative:
    ``password``, ``db_pass``, ``client_secret``, ``api_key``, ``OPENAI_KEY``, ``hf_token``,
    ``Authorization`` are; ``max_tokens``, ``tokenizer``, ``pad_token``, ``sort_key``,
    ``password_field``, ``secret_name``, ``token_col``, ``key`` are not."""
    voc = vocabulary()
    words = _expand(words_of(name))
    found: tuple[int, str] | None = None
    for i, w in enumerate(words):
        prev = words[i - 1] if i else ""
        kind = None
        if w in voc.password and prev not in voc.password_not_after:
            kind = "password"
        elif w in voc.secret:
            kind = "secret"
        elif w in voc.token and prev not in voc.token_not_after:
            kind = "token"
        elif w in voc.auth:
            kind = "auth"
        elif w in ("key", "keys") and (prev in voc.key_qualifiers or prev in voc.providers):
            kind = "key"
        elif w == "pass" and i == len(words) - 1 and prev not in voc.pass_not_after:
            kind = "password"
        if kind:
            found = (i, kind)
    if found is None:
        return None
    index, kind = found
    if any(w in voc.not_secret_tail for w in words[index + 1 :]):
        return None
    strong = kind == "password" or any(w in _STRONG or w in voc.providers for w in words)
    return CredentialName(kind, strong)


@cache
def _name_fragments() -> tuple[str, ...]:
    """Substrings one of which is in every credential name (``pass``, ``token``, ``key``),
    lowercased: the words :func:`credential_name` takes for a credential, each holding one
    of these, are pieces of the lowercased name (``words_of``, ``_COMPOUNDS``)."""
    voc = vocabulary()
    words = voc.password | voc.secret | voc.token | voc.auth | {"key", "pass"}
    return tuple(sorted(w for w in words if not any(o != w and o in w for o in words)))


def may_name_words(text: str) -> bool:
    """Whether ``text``, lowercased, holds a fragment of a credential name or ``login``:
    when it does not, no part of it is a credential name (nor a login call), and no part
    with its blanks made ``_`` is either, the fragments being words of letters (``lower``
    maps each character on its own but ``Σ``, which never becomes ASCII)."""
    lower = text.lower()
    for fragment in _name_fragments():
        if fragment in lower:
            return True
    return "login" in lower


_AUTH_SCHEME = re.compile(r"^(?i:bearer|token|basic|bot|apikey|api-key|sso-key|digest)\s+")


# Not in a key: regex and format syntax, list separators, "=" before the end (max_depth=2;
# base64 padding before a ":" separator is, as in Tableau tokens "...==:..."),
# a short final extension (model.tar.gz, ml.m5.large), a leading date, an e-mail address.
_NOT_IN_KEYS = re.compile(
    r"[\\\[\]{}<>|,;?\"']|\(\?|=[^=:]|\.[A-Za-z][A-Za-z0-9]{0,4}$|^\d{1,4}[-/.]\d{1,2}[-/.]\d|"
    r"^[\w.+-]+@[\w-]+\.[\w.]+$"
)


def literal_secret(value: str, cred: CredentialName) -> str | None:
    """The secret in ``value`` bound to a credential name, or ``None`` when the value is not
    one: a placeholder, example, path, URL, env var name, UUID, word, too short, too plain.
    An authorization scheme (``Bearer ...``) is dropped first."""
    v = value.strip()
    if cred.kind in ("auth", "token", "key"):
        v = _AUTH_SCHEME.sub("", v)
    if (
        len(v) < 4
        or (any(ch.isspace() for ch in v) and not _APP_PASSWORD.fullmatch(v))
        or is_placeholder(v, sequences=cred.kind != "password")
        or is_example_key(v)
        or is_path_like(v)
        or is_env_var_name(v)
        or is_uuid(v)
    ):
        return None
    if cred.kind == "password":
        return v
    if len(v) < 8 or is_wordy(v) or v.isdigit() or is_identifier_like(v) or _NOT_IN_KEYS.search(v):
        return None
    if not cred.strong and (is_hash(v) or is_commit_id(v)):
        return None  # a bare "token"/"credentials" holding a digest: a hash or commit id
    if shannon_entropy(v) < min(3.0, 0.8 * math.log2(len(v))):
        return None
    return v


# An app password as providers show it, four groups of four letters ("abcd efgh ijkl mnop",
# Google): the one credential written with spaces.
_APP_PASSWORD = re.compile(r"[a-z]{4}(?: [a-z]{4}){3}")

_TEXT_ASSIGN = re.compile(
    r"""(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)["']?(?P<sp1>[ \t]*)(?P<op>=|:|<-)(?P<sp2>[ \t]*)"""
    r"""(?:(?P<q>["'])(?P<qv>[^"'\n]+)(?P=q)|(?P<v>[^\s"'`$(){}\[\],;#][^\s"'`(){}\[\],;#]*))"""
)


def scan_text_assignments(text: str) -> list[TextMatch]:
    """``NAME=value`` (shell, %env, .env), ``name: value`` (YAML) and ``name = "value"``
    in text that is not Python; unquoted values only in shell or YAML form."""
    found: list[TextMatch] = []
    if not may_name_words(text):
        return found  # every match needs a credential name, none of which is in the text
    kaggle = "username" in text  # kaggle.json: {"username": "...", "key": "..."}
    for m in _TEXT_ASSIGN.finditer(text):
        name = m.group("name").rsplit(".", 1)[-1]
        if kaggle and name == "key" and text[m.end("name") : m.end("name") + 1] in ('"', "'"):
            name = "kaggle_key"
        cred = credential_name(name)
        if cred is None:
            continue
        if m.group("q"):
            value, start, end = m.group("qv"), m.start("qv"), m.end("qv")
        else:
            shell = m.group("op") == "=" and not m.group("sp1") and not m.group("sp2")
            line_start = text.rfind("\n", 0, m.start()) + 1
            line_end = text.find("\n", m.end())
            rest = text[m.end() : len(text) if line_end < 0 else line_end]
            yaml = (
                m.group("op") == ":"
                and not text[line_start : m.start()].strip()
                and not rest.strip()
            )
            if not (shell or yaml):
                continue
            value, start, end = m.group("v"), m.start("v"), m.end("v")
        secret = literal_secret(value, cred)
        if secret is not None:
            offset = value.find(secret)
            label = f"credential `{m.group('name')}`"
            found.append(
                TextMatch(label, env_name(name), secret, start + offset, end, ASSIGNMENT, "")
            )
    return found


_CONNECTION_KEYS = ("server=", "uid=", "user id=", "database=", "driver=", "data source=",
                    "host=", "dbname=", "user=", "port=")  # fmt: skip


def scan_string_assignments(text: str) -> list[TextMatch]:
    """Credentials assigned inside a Python string: connection strings (``"host=db
    user=etl password=..."``, ODBC ``"...;UID=sa;PWD=...;"``) and shell or config text
    (``"export API_TOKEN=..."``). Connection strings are reported like URLs."""
    found = scan_text_assignments(text)
    if not found:
        return found
    lower = text.lower()
    if sum(k in lower for k in _CONNECTION_KEYS) >= 2:
        label = "password in a connection string"
        return [replace(m, label=label, env="DATABASE_URL", kind=URL) for m in found]
    return [replace(m, label=f"{m.label} inside a string") for m in found]


def env_name(name: str) -> str:
    """The environment variable to read a credential named ``name`` from."""
    return "_".join(w.upper() for w in _expand(words_of(name))) or "SECRET"


_ENV_MAGIC = re.compile(r"%?env\s+(?P<name>[A-Za-z_]\w*)(?:\s*=\s*|\s+|:)(?P<value>\S.*)")


def env_magic(block: str) -> list[TextMatch]:
    """``%env NAME=value`` / ``%env NAME value``."""
    m = _ENV_MAGIC.search(block)
    if m is None:
        return []
    name, value = m.group("name"), m.group("value").strip().strip("'\"")
    cred = credential_name(name)
    secret = literal_secret(value, cred) if cred is not None else None
    if secret is None:
        return []
    start = max(block.find(secret, m.start("value")), m.start("value"))
    label = f"credential `{name}`"
    return [TextMatch(label, env_name(name), secret, start, start + len(secret), ASSIGNMENT)]
