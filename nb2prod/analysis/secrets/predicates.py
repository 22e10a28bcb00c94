"""What is not a secret: the small named false-positive predicates, each tested on its
own (placeholders, templates, sequences, documentation examples, hashes, UUIDs, commit
ids, env var names, paths, words, identifiers, base64 data) and the entropy measure."""

from __future__ import annotations

import math
import re
import string
from collections import Counter

from nb2prod.analysis.secrets.vocab import vocabulary

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_TEMPLATED = re.compile(
    r"\$\{[^}]*\}|\{\{.*?\}\}|\{%.*?%\}|<[^<>]{1,60}>|^\$[A-Za-z_]\w*$|^%\(?\w*\)?[sdr]$"
    r"|^\{\w*\}$|^\[[^\[\]]+\]$|^__\w+__$|^%[A-Za-z_]\w*%$|^@\w+@$"
)
FILLER = re.compile(r"(?i:x{4,}|\*{3,}|#{4,}|\.{3,}|…|•{2,}|_{4,}|-{4,}|0{8,})")
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
    if s.lower() in voc.placeholder_values or is_templated(s) or FILLER.search(s):
        return True
    if sequences and is_sequential(s):
        return True
    words = words_of(s)
    if any(w in voc.marker_words for w in words):
        return True
    letters = [w for w in words if not w.isdigit()]
    return bool(letters) and all(w in voc.placeholder_words or is_cred_word(w) for w in letters)


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


def is_cred_word(word: str) -> bool:
    voc = vocabulary()
    return word in voc.password or word in voc.secret or word in voc.token or word in voc.auth


_BASE64_CHARS = frozenset(string.ascii_letters + string.digits + "+/=")


def in_base64_blob(text: str, start: int) -> bool:
    """Whether offset ``start`` lies inside base64 data (a ``data:...;base64,`` URI or a run
    of 200+ base64 characters), where any format can occur by chance."""
    i = start
    while i > 0 and text[i - 1] in _BASE64_CHARS and start - i <= 200:
        i -= 1
    return start - i > 200 or text.endswith("base64,", 0, i)


def not_a_secret(text: str) -> bool:
    return is_example_key(text) or is_placeholder(text)
