"""Credentials on command lines and in HTTP header text: ``curl -u user:password``,
``-H "Authorization: Bearer ..."``, long options named like a credential (``--password
...``, ``--api-key=...``), CLIs that take one as a plain word (``wandb login KEY``), and a
string that is a header line (``"X-API-Key: ..."``, as passed to ``subprocess``). The option
and command lists are data: ``rules/secrets.toml`` [shell]."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from nb2prod.analysis.secrets.credentials import (
    CredentialName,
    credential_name,
    env_name,
    literal_secret,
    may_name_words,
)
from nb2prod.analysis.secrets.model import ASSIGNMENT, TextMatch, covered
from nb2prod.analysis.secrets.vocab import rules_toml

_PASSWORD = CredentialName("password", True)
# A bare word after a credential name is judged as a key would be, even after "password":
# unlike a password bound in code, a command's plain word is more often an argument.
_KEY_LIKE = CredentialName("secret", True)
_NAME_WORD = re.compile(r"[A-Za-z_][\w.-]*")
# A shell word: unquoted runs and quoted parts, glued (--header="A: b" is one word).
_WORD = re.compile(r"""(?:[^\s"'`]+|"[^"\n]*"|'[^'\n]*')+""")
_HEADER = re.compile(r"^\s*(?P<name>[A-Za-z][\w-]{0,40})\s*:\s*(?P<value>\S.*?)\s*$")


@dataclass(frozen=True, slots=True)
class ShellRules:
    """``rules/secrets.toml`` [shell]."""

    http_commands: frozenset[str]
    user_options: frozenset[str]
    header_options: frozenset[str]
    logins: tuple[tuple[tuple[str, ...], str], ...]  # (command words, credential name)


@cache
def shell_rules() -> ShellRules:
    doc = rules_toml().get("shell", {})
    logins = tuple((tuple(e["words"]), e["name"]) for e in doc.get("login", []))
    return ShellRules(
        frozenset(doc.get("http-commands", ())),
        frozenset(doc.get("user-options", ())),
        frozenset(doc.get("header-options", ())),
        logins,
    )


@dataclass(frozen=True, slots=True)
class _Word:
    text: str  # quotes removed
    start: int
    end: int


def _words(line: str, offset: int) -> list[_Word]:
    out = []
    for m in _WORD.finditer(line):
        raw = m.group()
        text = re.sub(r""""([^"]*)"|'([^']*)'""", lambda q: q.group(1) or q.group(2) or "", raw)
        out.append(_Word(text, offset + m.start(), offset + m.end()))
    return out


def scan_shell(text: str) -> list[TextMatch]:
    """Credentials passed on the command lines of ``text`` (shell lines, ``%%bash`` bodies,
    command strings)."""
    found: list[TextMatch] = []
    offset = 0
    named = may_name_words(text)  # else no line names a credential (nor logs in)
    for line in text.split("\n"):
        if "-" in line or (named and may_name_words(line)):
            found.extend(_scan_line(text, line, offset))
        offset += len(line) + 1
    return found


def _scan_line(text: str, line: str, offset: int) -> list[TextMatch]:
    rules = shell_rules()
    words = _words(line, offset)
    names = [w.text.lstrip("!%").rsplit("/", 1)[-1] for w in words]  # !curl, /usr/bin/curl
    http = any(n in rules.http_commands for n in names)
    found: list[TextMatch] = []
    for i, word in enumerate(words):
        option, eq, attached = word.text.partition("=")
        if not option.startswith("-"):
            continue
        following = words[i + 1] if i + 1 < len(words) else None
        value = attached if eq else (following.text if following is not None else "")
        where = word if eq else following
        if http and option.startswith("-u") and not option.startswith("--") and len(option) > 2:
            value, where = option[2:], word  # -uuser:password
            option = "-u"
        if where is None:
            continue
        if http and option in rules.user_options:
            user, colon, password = value.partition(":")
            secret = literal_secret(password, _PASSWORD) if colon and user else None
            label = f"password in `{option} user:password`"
            match = _match(text, where, secret, label, "PASSWORD")
        elif option in rules.header_options:
            match = _header(text, where, value)
        elif option.startswith("--") and not value.startswith("-"):
            name = option[2:]
            cred = credential_name(name)
            secret = literal_secret(value, cred) if cred is not None else None
            match = _match(text, where, secret, f"credential option `{option}`", env_name(name))
        else:
            match = None
        if match is not None:
            found.append(match)
    found.extend(_logins(text, words, names, rules))
    found.extend(m for m in _named_values(text, words) if not covered(m, found))
    return found


def _named_values(text: str, words: list[_Word]) -> list[TextMatch]:
    """A word naming a credential, then its value as the next word: ``aws configure set
    aws_secret_access_key KEY``, ``dvc remote modify origin password PW``, ``git config
    user.token TOKEN``. Options, ``$VARS``, placeholders, paths and plain words are not
    values; the command's own name is not a credential name."""
    found = []
    for word, value in zip(words[1:], words[2:], strict=False):
        if value.text[:1] in ("-", "$", "") or not _NAME_WORD.fullmatch(word.text):
            continue
        cred = credential_name(word.text)
        if cred is None:
            continue
        secret = literal_secret(value.text, cred)
        if secret is not None and literal_secret(value.text, _KEY_LIKE) is not None:
            label = f"credential `{word.text}` on a command line"
            match = _match(text, value, secret, label, env_name(word.text))
            if match is not None:
                found.append(match)
    return found


def _logins(text: str, words: list[_Word], names: list[str], rules: ShellRules) -> list[TextMatch]:
    """``wandb login KEY``, ``ngrok authtoken TOKEN``: a credential as a plain word."""
    found = []
    for command, name in rules.logins:
        n = len(command)
        for i in range(len(words) - n):
            if tuple(names[i : i + n]) != command:
                continue
            rest = [w for w in words[i + n :] if not w.text.startswith("-")]
            cred = credential_name(name)
            if rest and cred is not None:
                secret = literal_secret(rest[0].text, cred)
                label = f"credential given to `{' '.join(command)}`"
                match = _match(text, rest[0], secret, label, env_name(name))
                if match is not None:
                    found.append(match)
    return found


def _header(text: str, where: _Word, value: str, strict: bool = False) -> TextMatch | None:
    m = _HEADER.match(value)
    if m is None:
        return None
    cred = credential_name(m.group("name"))
    if cred is not None and strict and (cred.kind == "password" or ": " not in value):
        cred = None  # a bare string: only "Name: value" with a token, key or auth name
    secret = literal_secret(m.group("value"), cred) if cred is not None else None
    label = f"credential in header `{m.group('name')}`"
    return _match(text, where, secret, label, env_name(m.group("name")))


def _match(text: str, where: _Word, secret: str | None, label: str, env: str) -> TextMatch | None:
    if not secret:
        return None
    start = text.find(secret, where.start, where.end)
    if start < 0:
        return None
    return TextMatch(label, env, secret, start, start + len(secret), ASSIGNMENT)


def scan_header_text(value: str) -> list[TextMatch]:
    """A string that is one HTTP header line with a credential-named header and a literal
    value: ``"Authorization: Bearer ..."``, ``"X-API-Key: ..."``."""
    if "\n" in value.strip():
        return []
    match = _header(value, _Word(value, 0, len(value)), value, strict=True)
    return [match] if match is not None else []
