"""Hard-coded secrets: provider token formats, credentials bound to literals, passwords in
URLs, in code, markdown, outputs and metadata. Nothing here ever returns a secret in full.

Secret formats and the vocabulary that tells credentials from placeholders are data, in
``rules/secrets.toml`` (plus settings ``extra-secret-patterns``). False positives are
handled by small named predicates, each tested on its own: :func:`is_placeholder`,
:func:`is_templated`, :func:`is_sequential`, :func:`is_example_key`, :func:`is_hash`,
:func:`is_uuid`, :func:`is_commit_id`, :func:`is_env_var_name`, :func:`is_path_like`,
:func:`is_wordy`.

Code is read through ``ast``: provider formats in string constants (f-string parts too)
and in magic lines, credential names bound to literals (assignments, keywords, dict keys,
subscripts, defaults of environment lookups, comparisons). Non-Python cells, markdown,
text outputs (never images or other binary data) and metadata are scanned as text.
"""

from __future__ import annotations

import ast
import json
import math
import re
import string
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from nb2prod.analysis.names import dotted
from nb2prod.errors import InputError
from nb2prod.notebook.model import char_col, join_source
from nb2prod.resources import data_dir

if TYPE_CHECKING:
    from nb2prod.analysis.context import Analysis
    from nb2prod.notebook.model import Cell
    from nb2prod.notebook.parse import ParsedCell

# Where a secret was found (SecretHit.where) and what kind of evidence it is (.kind).
CODE, COMMENT, MAGIC = "code", "comment", "magic"
MARKDOWN, RAW, OUTPUT, METADATA = "markdown", "raw", "output", "metadata"
PROVIDER, ASSIGNMENT, URL = "provider", "assignment", "url"

# Output data worth reading; everything else (image/*, application/*, javascript) is not.
TEXT_MIME_TYPES = ("text/plain", "text/markdown", "text/latex")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_MAX_LINE = 200  # source lines shown for outputs and metadata are cut to this length


# -- the catalogue (rules/secrets.toml + settings) --------------------------------------------
@dataclass(frozen=True, slots=True)
class SecretPattern:
    """One secret format. ``text`` finds it in free text (with its ``bound-to`` context),
    ``value`` tells whether a literal bound to a name matching ``bound_to`` is one."""

    id: str
    name: str
    provider: str
    env: str
    text: re.Pattern[str]
    value: re.Pattern[str]
    bound_to: re.Pattern[str] | None = None
    keywords: tuple[str, ...] | None = None  # one is in any text holding it


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Word lists from ``rules/secrets.toml`` ([names], [placeholders], [examples])."""

    password: frozenset[str]
    secret: frozenset[str]
    token: frozenset[str]
    auth: frozenset[str]
    key_qualifiers: frozenset[str]
    providers: frozenset[str]
    pass_not_after: frozenset[str]
    token_not_after: frozenset[str]
    password_not_after: frozenset[str]
    not_secret_tail: frozenset[str]
    placeholder_values: frozenset[str]
    placeholder_words: frozenset[str]
    marker_words: frozenset[str]
    examples: frozenset[str]


@dataclass(frozen=True, slots=True)
class Catalogue:
    patterns: tuple[SecretPattern, ...]
    by_keyword: dict[str, tuple[int, ...]]  # keyword -> indexes of the patterns it guards
    unguarded: tuple[int, ...]  # patterns without keywords: always run

    def candidates(self, text: str) -> tuple[SecretPattern, ...]:
        """The patterns worth running over ``text``: a few substring tests instead of
        every regex."""
        wanted = set(self.unguarded)
        for keyword, indexes in self.by_keyword.items():
            if keyword in text:
                wanted.update(indexes)
        return tuple(self.patterns[i] for i in sorted(wanted))

    def restricted(self, text: str) -> Catalogue:
        """This catalogue with only the keywords found in ``text`` (a whole notebook's
        text): later ``candidates`` calls on its parts test a handful of keywords."""
        present = keywords_in(text, tuple(self.by_keyword))
        found = {k: v for k, v in self.by_keyword.items() if k in present}
        return Catalogue(self.patterns, found, self.unguarded)


def keywords_in(text: str, keywords: tuple[str, ...]) -> set[str]:
    """The ``keywords`` that occur in ``text``, in one regex pass over it instead of one
    substring scan per keyword (a notebook's text is megabytes of outputs)."""
    finder = _keyword_finder(keywords)
    longest: set[str] = set()  # the longest keyword starting at each position where one does
    pos = 0
    while (m := finder.search(text, pos)) is not None:
        longest.add(m.group())
        pos = m.start() + 1
    # A keyword occurs iff it starts where one of these starts, so is a prefix of one.
    return {k for k in keywords if not k or any(k in found for found in longest)}


@lru_cache(maxsize=8)
def _keyword_finder(keywords: tuple[str, ...]) -> re.Pattern[str]:
    """A regex matching the longest of ``keywords`` that starts at a position. Grouped by
    first character (``A(?:KIA|SIA|IZA)|g(?:hp_|lpat-)``): the engine skips quickly over
    characters that start none and tries one group where one does."""
    rests: dict[str, list[str]] = {}
    for k in filter(None, keywords):  # "" is in any text
        rests.setdefault(k[0], []).append(k[1:])
    groups = [
        re.escape(first) + "(?:" + "|".join(map(re.escape, sorted(r, key=len, reverse=True))) + ")"
        for first, r in rests.items()
    ]
    return re.compile("|".join(groups) or "(?!)")


@cache
def _toml() -> dict[str, Any]:
    with open(data_dir("rules") / "secrets.toml", "rb") as fh:
        return tomllib.load(fh)


@cache
def vocabulary() -> Vocabulary:
    doc = _toml()
    names, ph = doc["names"], doc["placeholders"]

    def words(table: dict[str, Any], key: str) -> frozenset[str]:
        return frozenset(w.lower() for w in table.get(key, []))

    return Vocabulary(
        password=words(names, "password"),
        secret=words(names, "secret"),
        token=words(names, "token"),
        auth=words(names, "auth"),
        key_qualifiers=words(names, "key-qualifiers"),
        providers=words(names, "providers"),
        pass_not_after=words(names, "pass-not-after"),
        token_not_after=words(names, "token-not-after"),
        password_not_after=words(names, "password-not-after"),
        not_secret_tail=words(names, "not-secret-tail"),
        placeholder_values=words(ph, "values"),
        placeholder_words=words(ph, "words"),
        marker_words=words(ph, "marker-words"),
        examples=frozenset(doc["examples"]["values"]),
    )


_GLOBAL_FLAGS = re.compile(r"^\(\?([aiLmsux]+)\)")


def _scoped(regex: str) -> str:
    """A leading ``(?i)`` becomes ``(?i:...)`` so the regex can be embedded in another."""
    match = _GLOBAL_FLAGS.match(regex)
    return f"(?{match.group(1)}:{regex[match.end() :]})" if match else regex


def _compile(spec: dict[str, Any], where: str) -> SecretPattern:
    name = spec.get("name")
    regex = spec.get("regex")
    if not isinstance(name, str) or not isinstance(regex, str) or not regex:
        raise InputError(f"secret pattern needs 'name' and 'regex': {spec!r}", where)
    bound = spec.get("bound-to") or spec.get("bound_to")
    try:
        value = re.compile(_scoped(regex))
        bound_to = re.compile(_scoped(bound)) if bound else None
        if bound_to is not None:
            text = re.compile(
                rf"(?:{_scoped(bound)})[\"'`]?[ \t]*(?:=|:=|:|=>|,)[ \t]*[\"'`]?({_scoped(regex)})"
            )
        else:
            text = value
    except re.error as exc:
        raise InputError(f"secret pattern {name!r}: invalid regex ({exc})", where) from None
    ident = spec.get("id") or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    env = spec.get("env") or re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")
    keywords = spec.get("keywords")
    keys = tuple(map(str, keywords)) if isinstance(keywords, list) and keywords else None
    provider = spec.get("provider") or name
    return SecretPattern(ident, name, provider, env, text, value, bound_to, keys)


@lru_cache(maxsize=8)
def _catalogue(extra_json: str) -> Catalogue:
    specs = [(p, "rules/secrets.toml") for p in _toml()["pattern"]]
    specs += [(p, "extra-secret-patterns") for p in json.loads(extra_json)]
    patterns = tuple(_compile(spec, where) for spec, where in specs)
    by_keyword: dict[str, list[int]] = {}
    for i, p in enumerate(patterns):
        for keyword in p.keywords or ():
            by_keyword.setdefault(keyword, []).append(i)
    unguarded = tuple(i for i, p in enumerate(patterns) if p.keywords is None)
    return Catalogue(patterns, {k: tuple(v) for k, v in by_keyword.items()}, unguarded)


def catalogue(extra: Sequence[dict[str, Any]] = ()) -> Catalogue:
    """The built-in formats plus ``extra`` (settings ``extra-secret-patterns``), compiled
    once per distinct setting."""
    return _catalogue(json.dumps(list(extra), sort_keys=True, default=str))


# -- predicates: what is not a secret ---------------------------------------------------------
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_TEMPLATED = re.compile(
    r"\$\{[^}]*\}|\{\{.*?\}\}|\{%.*?%\}|<[^<>]{1,60}>|^\$[A-Za-z_]\w*$|^%\(?\w*\)?[sdr]$"
    r"|^\{\w*\}$|^\[[^\[\]]+\]$|^__\w+__$|^%[A-Za-z_]\w*%$|^@\w+@$"
)
_FILLER = re.compile(r"(?i:x{4,}|\*{3,}|#{4,}|\.{3,}|…|•{2,}|_{4,}|-{4,}|0{8,})")
_HEX = re.compile(r"[0-9a-f]+|[0-9A-F]+")
_UUID = re.compile(
    r"\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?"
)
_COMMIT = re.compile(r"[0-9a-f]{7,40}")
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_PATH = re.compile(
    r"^(?:/|\./|\.\./|~|[A-Za-z]:[\\/]|\\\\)|://|"
    r"\.(?:json|txt|pem|key|csv|ya?ml|ini|cfg|conf|env|p12|pfx|crt|cer|pub|gpg|asc|p8|jks|"
    r"keystore|pkl|pickle|h5|pt|bin|db|sqlite|parquet|xlsx?|toml|py|ipynb)$",
    re.IGNORECASE,
)
_WORDY = re.compile(r"[A-Za-z]+(?:[ _.\-/:][A-Za-z]+)*")
_HASH_LENGTHS = frozenset({32, 40, 56, 64, 96, 128})


def words_of(name: str) -> list[str]:
    """Lower-case words of an identifier, env var, header or dict key: ``"xApiKey"`` ->
    ``["x", "api", "key"]``, ``"AWS_SECRET_ACCESS_KEY"`` -> ``["aws", "secret", ...]``."""
    return [w.lower() for w in _WORDS.findall(name)]


def is_templated(value: str) -> bool:
    """A template or reference, not a value: ``${VAR}``, ``{{ token }}``, ``<your-key>``,
    ``$TOKEN``, ``%(pw)s``, ``{}``, ``[API KEY]``, ``__TOKEN__``, ``%TOKEN%``."""
    return bool(_TEMPLATED.search(value.strip()))


def is_placeholder(value: str, *, sequences: bool = True) -> bool:
    """A stand-in for a secret: empty, ``...``, ``xxxx``, ``***``, ``changeme``,
    ``YOUR_API_KEY``, ``<your-key>``, ``${VAR}``, ``{{ token }}``, ``sk-xxxxxxxx`` ...
    and, unless ``sequences`` is false, ``1234567890`` (a password may well be that)."""
    s = value.strip().strip("'\"`")
    if not s or max(Counter(s.lower()).values()) >= 0.6 * len(s):
        return True  # empty, or mostly one character ("aaaaaaaa", "0000-0000-0000")
    voc = vocabulary()
    if s.lower() in voc.placeholder_values or is_templated(s) or _FILLER.search(s):
        return True
    if sequences and is_sequential(s):
        return True
    words = words_of(s)
    if any(w in voc.marker_words for w in words):
        return True
    letters = [w for w in words if not w.isdigit()]
    return bool(letters) and all(w in voc.placeholder_words or _is_cred_word(w) for w in letters)


_SEQUENCES = (
    "0123456789" * 3,
    "abcdefghijklmnopqrstuvwxyz" * 2,
    "0123456789abcdefghijklmnopqrstuvwxyz",
    "abcdefghijklmnopqrstuvwxyz0123456789",
    "9876543210" * 3,
    "qwertyuiopasdfghjklzxcvbnm",
)


def is_sequential(value: str) -> bool:
    """A whole value that is a counting or keyboard sequence: ``"1234567890"``,
    ``"ABCDEFGH"``, ``"qwertyuiop"`` (separators ignored; 4 characters or more)."""
    s = re.sub(r"[^0-9a-z]", "", value.lower())
    return len(s) >= 4 and any(s in seq for seq in _SEQUENCES)


def is_example_key(value: str) -> bool:
    """A key printed in a provider's documentation (``AKIAIOSFODNN7EXAMPLE``, jwt.io's token,
    Stripe's test keys ...) or one that says so (``...EXAMPLE``)."""
    return value in vocabulary().examples or "example" in value.lower()


def is_hash(value: str) -> bool:
    """A hex digest of a common hash length (md5, sha1, sha224, sha256, sha384, sha512)."""
    return len(value) in _HASH_LENGTHS and _HEX.fullmatch(value) is not None


def is_uuid(value: str) -> bool:
    """A UUID in its canonical 8-4-4-4-12 form (braces allowed)."""
    return _UUID.fullmatch(value.strip()) is not None


def is_commit_id(value: str) -> bool:
    """A git commit id, full (40 hex) or abbreviated (7+ lower-case hex)."""
    return _COMMIT.fullmatch(value) is not None


def is_env_var_name(value: str) -> bool:
    """The name of an environment variable (``"OPENAI_API_KEY"``), not its value."""
    return _ENV_NAME.fullmatch(value) is not None


def is_path_like(value: str) -> bool:
    """A file path, a file name with a key/config extension, or a URL."""
    return _PATH.search(value) is not None


def is_wordy(value: str) -> bool:
    """Only letters and separators: a word, a column or a dotted name (``"species"``,
    ``"my.module"``, ``"Bearer"``): secrets other than passwords carry digits."""
    return _WORDY.fullmatch(value) is not None


_VOWELS = frozenset("aeiouyAEIOUY")


def is_identifier_like(value: str) -> bool:
    """Made mostly of pronounceable words: a name (``block_pool``, ``S3ModelArtifacts``,
    ``bert-base-uncased``, ``ml.m4.xlarge``), not a key. Random keys split into short,
    vowel-poor fragments."""
    words = _WORDS.findall(value)
    total = sum(len(w) for w in words)
    wordy = sum(
        len(w)
        for w in words
        if len(w) >= 4 and not w.isdigit() and sum(c in _VOWELS for c in w) >= 0.3 * len(w)
    )
    return total > 0 and wordy >= 0.6 * total


def shannon_entropy(value: str) -> float:
    """Bits per character."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def mask(secret: str) -> str:
    """``AKIA…(20 chars)``: at most the first 4 characters (fewer for short secrets) and
    the length. Never contains the secret."""
    n = len(secret)
    shown = secret[: min(4, n // 3)]
    masked = f"{shown}…({n} chars)"
    if secret and secret in masked:
        masked = f"…({n} chars)"
    return masked if not secret or secret not in masked else "…"


# -- names: which ones hold credentials -------------------------------------------------------
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


def _is_cred_word(word: str) -> bool:
    voc = vocabulary()
    return word in voc.password or word in voc.secret or word in voc.token or word in voc.auth


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


_AUTH_SCHEME = re.compile(r"^(?i:bearer|token|basic|bot|apikey|api-key|sso-key|digest)\s+")


# Not in a key: regex and format syntax, list separators, "=" before the end (max_depth=2),
# a short final extension (model.tar.gz, ml.m5.large), a leading date, an e-mail address.
_NOT_IN_KEYS = re.compile(
    r"[\\\[\]{}<>|,;?\"']|\(\?|=[^=]|\.[A-Za-z][A-Za-z0-9]{0,4}$|^\d{1,4}[-/.]\d{1,2}[-/.]\d|"
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
        or any(ch.isspace() for ch in v)
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


# -- text scanning ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TextMatch:
    """A secret found in a text: what it is, the secret and where it starts and ends."""

    label: str
    env: str
    secret: str
    start: int
    end: int
    kind: str = PROVIDER
    pattern_id: str = ""
    needle: str = ""  # the text to mask in a source line ("" -> the secret itself)
    anchor: str = ""  # where the finding points: first line of the whole match (PEM header)


def scan_provider_formats(
    text: str, cat: Catalogue, patterns: Sequence[SecretPattern] | None = None
) -> list[TextMatch]:
    """Every provider-format secret in ``text`` that is not a placeholder or example.
    ``patterns``: the candidates already chosen for a text holding this one."""
    if patterns is None:
        patterns = cat.candidates(text)
    found: list[TextMatch] = []
    for p in patterns:
        for m in p.text.finditer(text):
            secret, whole = m.group(1 if m.re.groups else 0), m.group(0)
            if not secret or _not_a_secret(secret) or is_example_key(whole):
                continue
            start, end = m.span()
            if any(f.start < end and start < f.end for f in found) or in_base64_blob(text, start):
                continue  # overlaps a match of an earlier (more specific) pattern, or is data
            anchor = whole.split("\n", 1)[0]
            found.append(TextMatch(p.name, p.env, secret, start, end, PROVIDER, p.id, "", anchor))
    return found


_BASE64_CHARS = frozenset(string.ascii_letters + string.digits + "+/=")


def in_base64_blob(text: str, start: int) -> bool:
    """Whether offset ``start`` lies inside base64 data (a ``data:...;base64,`` URI or a run
    of 200+ base64 characters), where any format can occur by chance."""
    i = start
    while i > 0 and text[i - 1] in _BASE64_CHARS and start - i <= 200:
        i -= 1
    return start - i > 200 or text.endswith("base64,", 0, i)


def _not_a_secret(text: str) -> bool:
    return is_example_key(text) or is_placeholder(text)


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
        or _FILLER.search(pw) is not None
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


_TEXT_ASSIGN = re.compile(
    r"""(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)["']?(?P<sp1>[ \t]*)(?P<op>=|:|<-)(?P<sp2>[ \t]*)"""
    r"""(?:(?P<q>["'])(?P<qv>[^"'\n]+)(?P=q)|(?P<v>[^\s"'`$(){}\[\],;#][^\s"'`(){}\[\],;#]*))"""
)


def scan_text_assignments(text: str) -> list[TextMatch]:
    """``NAME=value`` (shell, %env, .env), ``name: value`` (YAML) and ``name = "value"``
    in text that is not Python; unquoted values only in shell or YAML form."""
    found: list[TextMatch] = []
    for m in _TEXT_ASSIGN.finditer(text):
        name = m.group("name").rsplit(".", 1)[-1]
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


# -- hits -------------------------------------------------------------------------------------
@dataclass(slots=True)
class SecretHit:
    """One secret found. ``line``/``col`` (1-based / 0-based) are in the cell's source for
    code and markdown; outputs and metadata use line 1. ``source_line`` is masked."""

    where: str  # CODE, COMMENT, MAGIC, MARKDOWN, RAW, OUTPUT, METADATA
    kind: str  # PROVIDER, ASSIGNMENT, URL
    cell: Cell | None
    line: int
    col: int
    label: str  # "AWS access key id", "credential `api_key`", "password in a ... URL"
    masked: str
    env: str
    source_line: str
    pattern_id: str = ""
    detail: str = ""  # which output / metadata key; how a credential is bound
    end_col: int | None = None
    node: ast.AST | None = None  # the string constant, for rewrites


def _hit(
    where: str,
    cell: Cell | None,
    line: int,
    col: int,
    m: TextMatch,
    source: str,
    *,
    detail: str = "",
    end_col: int | None = None,
    node: ast.AST | None = None,
) -> SecretHit:
    return SecretHit(
        where=where,
        kind=m.kind,
        cell=cell,
        line=line,
        col=col,
        label=m.label,
        masked=mask(m.secret),
        env=m.env,
        source_line=source,
        pattern_id=m.pattern_id,
        detail=detail,
        end_col=end_col,
        node=node,
    )


def find_secrets(an: Analysis) -> list[SecretHit]:
    """Every hard-coded secret in the notebook, in notebook order."""
    nb = an.nb
    outputs = {c.index: _output_texts(c) for c in nb.cells if c.outputs}
    metadata = [(c, json.dumps(c.metadata)) for c in nb.cells if _worth_reading(c.metadata)]
    parts = [c.source for c in nb.cells]
    parts += [text for texts in outputs.values() for _, _, text in texts]
    parts += [text for _, text in metadata]
    parts.append(json.dumps(nb.metadata))
    cat = catalogue(an.settings["extra-secret-patterns"]).restricted("\0".join(parts))
    hits: list[SecretHit] = []
    parsed = {p.cell.index: p for p in an.parsed}
    for cell in nb.cells:
        if cell.cell_type == "code":
            p = parsed.get(cell.index)
            if p is not None and p.tree is not None:
                hits.extend(_scan_python(p, cat))
            else:
                hits.extend(_scan_code_text(cell, cat))
            hits.extend(_scan_outputs(cell, outputs.get(cell.index, []), cat))
        elif cell.source:
            hits.extend(_scan_prose(cell, cat))
    for cell, text in metadata:
        hits.extend(_scan_metadata(cell.metadata, text, cell, cat))
    hits.extend(_scan_metadata(nb.metadata, parts[-1], None, cat))
    hits.sort(key=lambda h: h.cell.index if h.cell else len(nb.cells) + 1)
    return hits


def _worth_reading(metadata: dict[str, Any]) -> bool:
    """Cell metadata beyond the usual flags (tags, collapsed, scrolled ...)."""
    return any(k not in _PLAIN_CELL_METADATA for k in metadata)


_PLAIN_CELL_METADATA = frozenset({"tags", "collapsed", "scrolled", "deletable", "editable"})


def _line(text: str, number: int) -> str:
    """Line ``number`` (1-based) of ``text`` split on newlines only."""
    start = 0
    for _ in range(number - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    end = text.find("\n", start)
    return text[start : len(text) if end < 0 else end].rstrip("\r")


def _hit_at_offset(where: str, cell: Cell, text: str, m: TextMatch) -> SecretHit:
    """A hit for a match at character offset ``m.start`` of a cell's source ``text``."""
    line = text.count("\n", 0, m.start) + 1
    col = m.start - (text.rfind("\n", 0, m.start) + 1)
    end_col = col + (m.end - m.start) if "\n" not in text[m.start : m.end] else None
    source = redact(_line(text, line), [m], span=(col, end_col))
    return _hit(where, cell, line, col, m, source, end_col=end_col)


def _scan_code_text(cell: Cell, cat: Catalogue) -> Iterator[SecretHit]:
    """A code cell that is not Python (other kernels, %%bash, syntax errors): text only."""
    text = cell.source
    matches = scan_provider_formats(text, cat)
    matches += [m for m in scan_urls(text) if not _covered(m, matches)]
    matches += scan_text_assignments(text)  # a token bound to a credential name is both
    for m in sorted(matches, key=lambda m: m.start):
        yield _hit_at_offset(CODE, cell, text, m)


def _covered(m: TextMatch, others: list[TextMatch]) -> bool:
    return any(o.start < m.end and m.start < o.end for o in others)


def _scan_prose(cell: Cell, cat: Catalogue) -> Iterator[SecretHit]:
    where = MARKDOWN if cell.cell_type == "markdown" else RAW
    text = cell.source
    matches = scan_provider_formats(text, cat)
    matches += [m for m in scan_urls(text) if not _covered(m, matches)]
    for m in sorted(matches, key=lambda m: m.start):
        yield _hit_at_offset(where, cell, text, m)


# -- Python code --------------------------------------------------------------------------------
@dataclass(slots=True)
class _Binding:
    name: str  # what classifies it: "api_key", "OPENAI_API_KEY", "Authorization"
    shown: str  # how the message names it: "keyword argument `api_key`"
    env: str
    value: ast.Constant


_ENV_LOOKUPS = frozenset({"get", "getenv", "setdefault", "putenv", "pop"})


def _string(node: ast.AST | None) -> str | None:
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
        key = _string(node.slice)
        if key is not None:
            owner = dotted(node.value) or "..."
            return key, f"item `{owner}[{key!r}]`", env_name(key)
    return None


def _assign_bindings(node: ast.Assign | ast.AnnAssign | ast.NamedExpr) -> Iterator[_Binding]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        yield from _assigned(target, node.value)


def _dict_bindings(node: ast.Dict) -> Iterator[_Binding]:
    keys = [_string(k) for k in node.keys]
    kaggle = "username" in keys  # kaggle.json: {"username": ..., "key": ...}
    for key, value in zip(keys, node.values, strict=True):
        if key is not None and isinstance(value, ast.Constant):
            name = "kaggle_key" if kaggle and key == "key" else key
            yield _Binding(name, f"dict key {key!r}", env_name(name), value)


def _default_bindings(
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
) -> Iterator[_Binding]:
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    with_default = positional[len(positional) - len(args.defaults) :]
    pairs = list(zip(with_default, args.defaults, strict=True))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d]
    for arg, default in pairs:
        if isinstance(default, ast.Constant):
            yield _Binding(arg.arg, f"default of parameter `{arg.arg}`", env_name(arg.arg), default)


def _compare_bindings(node: ast.Compare) -> Iterator[_Binding]:
    if isinstance(node.ops[0], ast.Eq | ast.NotEq):
        left, right = node.left, node.comparators[0]
        for a, b in ((left, right), (right, left)):
            named = _target_name(a)
            if named and isinstance(b, ast.Constant):
                yield _Binding(named[0], f"comparison with {named[1]}", named[2], b)


def _assigned(target: ast.AST, value: ast.AST | None) -> Iterator[_Binding]:
    if isinstance(target, ast.Tuple | ast.List) and isinstance(value, ast.Tuple | ast.List):
        if len(target.elts) == len(value.elts):
            for t, v in zip(target.elts, value.elts, strict=True):
                yield from _assigned(t, v)
        return
    if isinstance(value, ast.Constant):
        named = _target_name(target)
        if named:
            yield _Binding(named[0], named[1], named[2], value)


def _call_bindings(call: ast.Call) -> Iterator[_Binding]:
    for kw in call.keywords:
        if kw.arg and isinstance(kw.value, ast.Constant):
            yield _Binding(kw.arg, f"keyword argument `{kw.arg}`", env_name(kw.arg), kw.value)
    func = call.func
    attr = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if len(call.args) >= 2 and isinstance(call.args[1], ast.Constant):
        key = _string(call.args[0])
        if key is not None and attr in _ENV_LOOKUPS:
            shown = f"default of `{dotted(func) or attr}({key!r}, ...)`"
            yield _Binding(key, shown, env_name(key), call.args[1])
    if attr == "setattr" and len(call.args) == 3 and isinstance(call.args[2], ast.Constant):
        key = _string(call.args[1])
        if key is not None:
            yield _Binding(key, f"attribute `{key}`", env_name(key), call.args[2])
    if attr in _LOGINS and len(call.args) >= 2 and isinstance(call.args[1], ast.Constant):
        shown = f"password argument of `{dotted(func) or attr}(...)`"
        yield _Binding("password", shown, "PASSWORD", call.args[1])
    for kw in call.keywords:
        value = kw.value
        if kw.arg == "key" and attr == "login" and isinstance(value, ast.Constant):
            yield _Binding("api_key", "keyword argument `key` of a login", "API_KEY", value)
        elif kw.arg and isinstance(value, ast.Tuple | ast.List) and len(value.elts) == 2:
            cred = credential_name(kw.arg)
            if cred is not None and cred.kind == "auth" and isinstance(value.elts[1], ast.Constant):
                shown = f"password in `{kw.arg}=(user, password)`"
                yield _Binding("password", shown, "PASSWORD", value.elts[1])


# Calls whose second positional argument is a password: requests' auth classes, login().
_LOGINS = frozenset({"HTTPBasicAuth", "HTTPDigestAuth", "HTTPProxyAuth", "BasicAuth", "login"})


# Nodes that bind a name to a value, by type (one dict lookup per node of the walk).
_BINDERS: dict[type, Callable[[Any], Iterator[_Binding]]] = {
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


@cache
def _name_fragments() -> tuple[str, ...]:
    """Substrings one of which is in every credential name (``pass``, ``token``, ``key``):
    a cell without any has no credential binding to look for."""
    voc = vocabulary()
    words = voc.password | voc.secret | voc.token | voc.auth | {"key", "pass"}
    return tuple(sorted(w for w in words if not any(o != w and o in w for o in words)))


_IDENTIFIER = re.compile(r"[A-Za-z_][\w.-]*")


def _may_name_credentials(text: str) -> bool:
    """Whether any identifier-like word of ``text`` is a credential name: a cell without
    one binds no credential (a substring test first, then the classifier)."""
    lower = text.lower()
    if not any(f in lower for f in _name_fragments()):
        return "login" in lower  # server.login(user, "...") binds no credential name
    return "login" in lower or any(credential_name(w) for w in set(_IDENTIFIER.findall(text)))


def _scan_python(p: ParsedCell, cat: Catalogue) -> list[SecretHit]:
    """One walk over the cell's tree: provider formats and URLs in string constants, then
    credential names bound to constants (a provider token bound to ``api_key`` is both).
    Cells whose text holds no keyword of any format or credential name are not walked."""
    cell, tree = p.cell, p.tree
    assert tree is not None
    patterns = cat.candidates(cell.source)
    names = _may_name_credentials(cell.source)
    if not patterns and not names and "://" not in cell.source:
        return []
    lines = cell.source.split("\n")
    hits: list[SecretHit] = []
    formats: set[int] = set()  # ids of constants holding a format (or URL) secret
    bound: set[int] = set()  # ids of constants reported as bound to a credential name
    bindings: list[_Binding] = []
    for node in ast.walk(tree):
        if type(node) is not ast.Constant:
            if names and (binder := _BINDERS.get(type(node))) is not None:
                bindings.extend(binder(node))
            continue
        value = _string(node)
        if value is None or len(value) < 8:
            continue
        matches = scan_provider_formats(value, cat, patterns) if patterns else []
        matches += [m for m in scan_urls(value) if not _covered(m, matches)]
        if names and "=" in value:
            matches += [m for m in scan_string_assignments(value) if not _covered(m, matches)]
        for m in matches:
            hits.append(_constant_hit(cell, lines, node, m))
        if matches:
            formats.add(id(node))
    for b in bindings:
        value = _string(b.value)
        if value is None:
            continue
        if id(b.value) not in formats:
            hit = _bound_format_hit(cell, lines, b, value, cat)
            if hit is not None:
                formats.add(id(b.value))
                hits.append(hit)
        if id(b.value) not in bound:
            hit = _binding_hit(cell, lines, b, value)
            if hit is not None:
                bound.add(id(b.value))
                hits.append(hit)
    hits.extend(_scan_magics(p, cat, patterns))
    if patterns:
        hits.extend(_scan_comments(cell, cat, hits, patterns))
    hits.sort(key=lambda h: (h.line, h.col))
    return hits


def _bound_format_hit(
    cell: Cell, lines: list[str], b: _Binding, value: str, cat: Catalogue
) -> SecretHit | None:
    """A format that is a secret only under its name (an AWS secret key)."""
    for p in cat.patterns:
        bound = p.bound_to is not None and p.bound_to.search(b.name)
        if bound and p.value.fullmatch(value) and not _not_a_secret(value):
            m = TextMatch(p.name, p.env, value, 0, len(value), PROVIDER, p.id)
            return _constant_hit(cell, lines, b.value, m, detail=b.shown)
    return None


def _binding_hit(cell: Cell, lines: list[str], b: _Binding, value: str) -> SecretHit | None:
    """A credential name bound to a literal that looks like a secret."""
    cred = credential_name(b.name)
    secret = literal_secret(value, cred) if cred is not None else None
    if secret is None:
        return None
    m = TextMatch(f"credential {b.shown}", b.env, secret, 0, len(secret), ASSIGNMENT)
    return _constant_hit(cell, lines, b.value, m, detail=b.shown)


def _constant_hit(
    cell: Cell, lines: list[str], node: ast.AST, m: TextMatch, detail: str = ""
) -> SecretHit:
    """A hit for a match inside a string constant, on the source line holding the secret
    (or, when escapes hide it, the constant's first line)."""
    first = getattr(node, "lineno", 1)
    last = getattr(node, "end_lineno", None) or first
    needles = [m.needle or m.anchor or m.secret]
    needles += [s for s in m.secret.split("\n") if len(s) >= 8 and s != needles[0]]
    for number in range(first, min(last, len(lines)) + 1):
        text = lines[number - 1]
        for needle in needles:
            col = text.find(needle)
            if col < 0:
                continue
            if needle == m.needle:
                col += m.needle.find(m.secret)
            end = col + len(needle) if needle != m.needle else col + len(m.secret)
            source = redact(text, [m], span=(col, end))
            return _hit(CODE, cell, number, col, m, source, detail=detail, end_col=end, node=node)
    text = lines[first - 1] if first <= len(lines) else ""
    col = char_col(text, getattr(node, "col_offset", 0))  # ast counts UTF-8 bytes
    end_col = getattr(node, "end_col_offset", None) if first == last else None
    end_col = char_col(text, end_col) if end_col is not None else None
    source = redact(text, [m], span=(col, end_col), literal=True)
    return _hit(CODE, cell, first, col, m, source, detail=detail, end_col=end_col, node=node)


def _shift(m: TextMatch, by: int) -> TextMatch:
    return replace(m, start=m.start + by, end=m.end + by)


def _scan_magics(
    p: ParsedCell, cat: Catalogue, patterns: Sequence[SecretPattern]
) -> Iterator[SecretHit]:
    """Shell and line magics (``!curl -H 'Authorization: token ...'``, ``%env KEY=...``)."""
    text = p.cell.source
    starts = _line_starts(text)
    for magic in p.magics:
        if magic.kind == "cell_magic" or magic.line > len(starts):
            continue
        begin = starts[magic.line - 1]
        stop = starts[magic.end_line] - 1 if magic.end_line < len(starts) else len(text)
        block = text[begin:stop]
        matches = scan_provider_formats(block, cat, patterns)
        matches += [m for m in scan_urls(block) if not _covered(m, matches)]
        matches += _env_magic(block) if magic.name == "env" else scan_text_assignments(block)
        for m in matches:
            yield _hit_at_offset(MAGIC, p.cell, text, _shift(m, begin))


def _line_starts(text: str) -> list[int]:
    """Offset of the start of each line of ``text`` (split on newlines only)."""
    starts = [0]
    newline = text.find("\n")
    while newline >= 0:
        starts.append(newline + 1)
        newline = text.find("\n", newline + 1)
    return starts


_ENV_MAGIC = re.compile(r"%?env\s+(?P<name>[A-Za-z_]\w*)(?:\s*=\s*|\s+|:)(?P<value>\S.*)")


def _env_magic(block: str) -> list[TextMatch]:
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


def _scan_comments(
    cell: Cell, cat: Catalogue, known: list[SecretHit], patterns: Sequence[SecretPattern]
) -> Iterator[SecretHit]:
    """Provider formats the ``ast`` cannot see: in comments."""
    text = cell.source
    if "#" not in text:
        return
    seen = {(h.line, h.pattern_id) for h in known}
    for m in scan_provider_formats(text, cat, patterns):
        hit = _hit_at_offset(COMMENT, cell, text, m)
        if (hit.line, hit.pattern_id) not in seen and "#" in _line(text, hit.line)[: hit.col]:
            yield hit


# -- outputs and metadata -----------------------------------------------------------------------
def output_texts(output: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(description, text) of an output's textual parts; images and other binary or
    script data are never read, nor HTML when the output has a plain-text form."""
    kind = output.get("output_type")
    if kind == "stream":
        yield str(output.get("name") or "stream"), join_source(output.get("text", ""))
    elif kind == "error":
        traceback = output.get("traceback")
        lines = traceback if isinstance(traceback, list) else [traceback or ""]
        parts = [str(output.get("evalue") or ""), *map(str, lines)]
        yield "error", "\n".join(parts)
    elif kind in ("execute_result", "display_data", "update_display_data", "pyout"):
        data = output.get("data")
        if not isinstance(data, dict):
            return
        for mime in TEXT_MIME_TYPES:
            if mime in data:
                yield mime, join_source(data[mime])
        html = join_source(data.get("text/html", "")) if "text/plain" not in data else ""
        if html and "<script" not in html:  # plotting libraries' scripts are not read
            yield "text/html", html


def _output_texts(cell: Cell) -> list[tuple[int, str, str]]:
    """(output number, description, text) of every textual part of a cell's outputs."""
    texts = []
    for number, output in enumerate(cell.outputs, start=1):
        for desc, text in output_texts(output):
            if text:
                texts.append((number, desc, _ANSI.sub("", text) if "\x1b" in text else text))
    return texts


def _scan_outputs(
    cell: Cell, texts: list[tuple[int, str, str]], cat: Catalogue
) -> Iterator[SecretHit]:
    seen: set[tuple[str, str]] = set()
    for number, desc, text in texts:
        matches = scan_provider_formats(text, cat)
        matches += [m for m in scan_urls(text) if not _covered(m, matches)]
        for m in matches:
            if (m.pattern_id, m.secret) not in seen:
                seen.add((m.pattern_id, m.secret))
                source = _text_line(text, m)
                yield _hit(OUTPUT, cell, 1, 0, m, source, detail=f"output {number} ({desc})")


def _text_line(text: str, m: TextMatch) -> str:
    """The masked line of ``text`` around a match, cut to a readable length."""
    start = text.rfind("\n", 0, m.start) + 1
    end = text.find("\n", m.start)
    line = text[start : len(text) if end < 0 else end]
    line = redact(line, [m], span=(m.start - start, m.end - start))
    return line.strip()[:_MAX_LINE]


def _scan_metadata(
    meta: dict[str, Any], dumped: str, cell: Cell | None, cat: Catalogue
) -> Iterator[SecretHit]:
    """Every string of ``meta`` (``dumped``: its JSON, to skip the walk when nothing in it
    can be a secret)."""
    names = _may_name_credentials(dumped)
    if not cat.candidates(dumped) and not names and "://" not in dumped:
        return
    seen: set[str] = set()
    for path, key, value in _metadata_strings(meta, "metadata"):
        matches = scan_provider_formats(value, cat)
        matches += [m for m in scan_urls(value) if not _covered(m, matches)]
        cred = credential_name(key) if names and key and not matches else None
        secret = literal_secret(value, cred) if cred else None
        if secret is not None:
            label = f"credential {key!r}"
            matches.append(TextMatch(label, env_name(key), secret, 0, len(value), ASSIGNMENT))
        for m in matches:
            if m.secret in seen:
                continue
            seen.add(m.secret)
            line = f"{key}: {value}" if key else value
            source = _text_line(line, _shift(m, len(line) - len(value)))
            yield _hit(METADATA, cell, 1, 0, m, source, detail=path)


def _metadata_strings(
    obj: Any, path: str, key: str = "", depth: int = 0
) -> Iterator[tuple[str, str, str]]:
    """(path, key, string) for every string in a JSON value, to a reasonable depth."""
    if depth > 30:
        return
    if isinstance(obj, str):
        yield path, key, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _metadata_strings(v, f"{path}.{k}", str(k), depth + 1)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _metadata_strings(v, f"{path}[{i}]", key, depth + 1)


# -- redaction ------------------------------------------------------------------------------
def redact(
    line: str,
    matches: Sequence[TextMatch],
    *,
    span: tuple[int, int | None] | None = None,
    literal: bool = False,
) -> str:
    """``line`` with every secret of ``matches`` masked. A secret not found verbatim (an
    escaped form in source, or one too short to replace safely) is masked through
    ``span``, the columns where it was found; with ``literal`` the span is a whole string
    literal, whose quotes are kept."""
    out = line
    for m in matches:
        hidden = mask(m.secret)
        if m.needle and m.needle in out:
            out = out.replace(m.needle, m.needle.replace(m.secret, hidden))
            continue
        for part in [m.secret, *m.secret.split("\n")[1:]]:
            if len(part) >= 6 and part in out:
                out = out.replace(part, hidden)
    anchored = any(m.anchor and m.anchor != m.secret and m.anchor in line for m in matches)
    if out == line and span is not None and matches and not anchored:
        start, end = span
        end = len(line) if end is None else min(end, len(line))
        quote = line[end - 1] if literal and end > start and line[end - 1] in "'\"" else ""
        out = line[:start] + quote + mask(matches[0].secret) + quote + line[end:]
    return _redact_formats(out)


def _redact_formats(line: str) -> str:
    """Safety net: mask any provider-format secret left in a line."""
    cat = catalogue()
    for m in scan_provider_formats(line, cat):
        line = line.replace(m.secret, mask(m.secret))
    return line
