"""Credentials in URLs: passwords in the user-info part (``postgresql://user:pw@host``),
credential query parameters (``?api_key=...``) and path segments (``/key/<key>``, names
in ``rules/secrets.toml`` [urls])."""

from __future__ import annotations

import re
from functools import cache

from nb2prod.analysis.secrets.credentials import (
    CredentialName,
    credential_name,
    env_name,
    literal_secret,
)
from nb2prod.analysis.secrets.model import URL, TextMatch, covered
from nb2prod.analysis.secrets.predicates import FILLER, is_example_key, is_templated, words_of
from nb2prod.analysis.secrets.vocab import rules_toml, vocabulary

_URL_USERINFO = re.compile(
    r"://(?P<user>[^\s:/?#@'\"<>\[\]{}\\]*):(?P<pw>[^\s/?#@'\"<>\\]+)@(?P<host>[^\s/?#'\"<>\\]*)"
)
_URL_PARAM = re.compile(r"[?&](?P<name>[A-Za-z_][\w.-]{1,40})=(?P<value>[^&\s#'\"<>\\]{4,})")
_SCHEME_BEFORE = re.compile(r"[A-Za-z][\w+.-]{0,30}$")
_PASSWORD_PLACEHOLDERS = frozenset({"password", "passwd", "pwd", "secret", "pw", "pword"})
_ANON_USERS = frozenset({"anonymous", "ftp", "guest"})


def _placeholder_password(pw: str) -> bool:
    """A URL password that stands for one (``password``, ``<pw>``, ``****``, ``${PW}``).
    Short real-looking ones (``user:pass@``, ``u:p@``) are reported: they are literal."""
    low = pw.lower()
    return (
        low in _PASSWORD_PLACEHOLDERS
        or low in vocabulary().placeholder_values
        or len(set(pw)) == 1
        or is_templated(pw)
        or FILLER.search(pw) is not None
        or any(w in vocabulary().marker_words for w in words_of(pw))
        or is_example_key(pw)
    )


_URL_ENVS = {"mongodb": "MONGODB_URI", "redis": "REDIS_URL", "rediss": "REDIS_URL"}
_URL_ENVS |= dict.fromkeys(("amqp", "amqps", "kafka"), "BROKER_URL")
_URL_ENVS |= dict.fromkeys(("http", "https", "git", "ssh", "ftp", "sftp"), "SERVICE_URL")


def _url_env(scheme: str) -> str:
    """``DATABASE_URL`` for databases (postgresql+psycopg2, mysql ...), or the usual name."""
    base = re.split(r"[+.-]", scheme, maxsplit=1)[0]
    return _URL_ENVS.get(base, "DATABASE_URL")


def may_hold_url_secrets(text: str) -> bool:
    """Whether :func:`scan_urls` can find anything in ``text``: it needs a scheme
    separator or a query parameter (a few substring tests, to skip whole texts)."""
    return "://" in text or ("=" in text and ("?" in text or "&" in text))


def scan_urls(text: str) -> list[TextMatch]:
    """Passwords in URLs (``postgresql://user:pw@host``) and credential query parameters
    (``?api_key=...``, ``&token=...``)."""
    found: list[TextMatch] = []
    if "://" in text:
        for m in _URL_USERINFO.finditer(text):
            pw, user = m.group("pw"), m.group("user")
            scheme = _SCHEME_BEFORE.search(text, max(0, m.start() - 31), m.start())
            if scheme is None or user.lower() in _ANON_USERS:
                continue
            if _placeholder_password(pw):
                continue
            if pw.isdigit() and len(pw) <= 5:
                continue  # host:port, not user:password
            name = scheme.group(0).lower()
            label = f"password in a {name}:// URL"
            env = _url_env(name)
            found.append(
                TextMatch(label, env, pw, m.start("pw"), m.end("pw"), URL, "url", f":{pw}@")
            )
    if "://" in text:  # a credential in a URL path
        found.extend(m for m in _scan_url_paths(text) if not covered(m, found))
    if "://" in text and ";" in text:  # a JDBC URL's properties
        found.extend(m for m in _scan_url_properties(text) if not covered(m, found))
    if "=" in text and ("?" in text or "&" in text):
        for m in _URL_PARAM.finditer(text):
            cred = credential_name(m.group("name"))
            if cred is None:
                continue
            secret = literal_secret(m.group("value"), cred)
            if secret is None:
                continue
            label = f"`{m.group('name')}` parameter in a URL"
            env = env_name(m.group("name"))
            found.append(
                TextMatch(label, env, secret, m.start("value"), m.end("value"), URL, "url-param")
            )
    return found


_URL = re.compile(r"\b[A-Za-z][\w+.-]{0,30}://[^\s'\"<>\\`]+")
_URL_PROPERTY = re.compile(r";(?P<name>[A-Za-z_][\w.-]{1,40})=(?P<value>[^;&\s#'\"<>\\]{4,})")
_API_KEY = CredentialName("key", True)


@cache
def _path_names() -> frozenset[str]:
    """``rules/secrets.toml`` [urls] path-names."""
    return frozenset(n.lower() for n in rules_toml().get("urls", {}).get("path-names", ()))


@cache
def _path_segment() -> re.Pattern[str]:
    """``/key/``, ``/token/`` ...: one is in any text holding a credential in a URL path."""
    names = "|".join(map(re.escape, sorted(_path_names())))
    return re.compile(rf"(?i:/(?:{names})/)")


def _scan_url_properties(text: str) -> list[TextMatch]:
    """A credential among a URL's ``;name=value`` properties (JDBC):
    ``jdbc:sqlserver://host:1433;databaseName=crm;user=sa;password=...``. The properties
    naming a credential are found first (few), then the URL holding one, on its line."""
    found: list[TextMatch] = []
    for m in _URL_PROPERTY.finditer(text):
        cred = credential_name(m.group("name"))
        secret = literal_secret(m.group("value"), cred) if cred is not None else None
        if secret is None:
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1  # a URL holds no blank
        urls = _URL.finditer(text, line_start, m.end())
        url = next((u for u in urls if u.start() < m.start() and u.end() == m.end()), None)
        if url is None:
            continue
        scheme = url.group().split("://", 1)[0].lower()
        start = m.start("value") + m.group("value").find(secret)
        label = f"`{m.group('name')}` property of a {scheme}:// URL"
        found.append(
            TextMatch(label, _url_env(scheme), secret, start, start + len(secret), URL, "url-param")
        )
    return found


def _scan_url_paths(text: str) -> list[TextMatch]:
    """A credential in a URL's path, after a segment named for it:
    ``https://maker.ifttt.com/trigger/done/with/key/<key>``."""
    if "://" not in text or _path_segment().search(text) is None:
        return []
    names = _path_names()
    found: list[TextMatch] = []
    for m in _URL.finditer(text):
        url = m.group()
        start = url.find("/", url.find("://") + 3)
        if start < 0:
            continue
        path = re.split(r"[?#]", url[start:], maxsplit=1)[0]
        offset = m.start() + start
        segments = path.split("/")
        for i, segment in enumerate(segments[:-1]):
            offset += len(segment) + 1
            if segment.lower() not in names:
                continue
            value = segments[i + 1]
            secret = literal_secret(value, credential_name(segment) or _API_KEY)
            if secret is None or value.startswith("{"):
                continue
            begin = offset + value.find(secret)
            label = f"credential in a URL path (`/{segment}/...`)"
            env = env_name(segment) if credential_name(segment) else "API_KEY"
            found.append(TextMatch(label, env, secret, begin, begin + len(secret), URL, "url-path"))
    return found
