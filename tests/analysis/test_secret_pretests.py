"""The secret scan's cheap pre-tests skip only what the long way finds nothing in: each is
checked against the scan with the pre-test turned off (or against the code it replaced),
on texts built from the pieces secrets are made of. Tokens are fake: random characters in
the providers' formats, built here."""

from __future__ import annotations

import json
import random
import re
import string
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import nb2prod.analysis.secrets.code_cells as code_cells
import nb2prod.analysis.secrets.comments as comments
import nb2prod.analysis.secrets.credentials as credentials
import nb2prod.analysis.secrets.text as text_module
from nb2prod.analysis.secrets import catalogue, credential_name, scan_text_assignments
from nb2prod.analysis.secrets.bindings import may_name_credentials
from nb2prod.analysis.secrets.code_cells import CodeContext, scan_python
from nb2prod.analysis.secrets.credentials import may_name_words
from nb2prod.analysis.secrets.model import SecretHit
from nb2prod.analysis.secrets.scan import _cells_metadata, _worth_reading
from nb2prod.analysis.secrets.text import (
    _data_text,
    _joined,
    scan_metadata,
    scan_outputs,
    scan_prose,
)
from nb2prod.analysis.secrets.urls import may_hold_url_secrets
from nb2prod.notebook.model import Cell, join_source
from nb2prod.notebook.parse import parse_cell

_RNG = random.Random(17)
_ALNUM = string.ascii_letters + string.digits
GITHUB = "ghp_" + "".join(_RNG.choice(_ALNUM) for _ in range(36))
AWS_ID = "AKIA" + "".join(_RNG.choice(string.ascii_uppercase + "234567") for _ in range(16))
VALUE = "".join(_RNG.choice(_ALNUM) for _ in range(18)) + "&3"
FULL = catalogue()

# The pieces of credentials, URLs and formats, in odd cases too; KELVIN SIGN lowercases to
# "k", DOTTED CAPITAL I to two characters, SIGMA by its context.
PIECES = [
    *("api", "API", "Api", "key", "KEY", "kEy", "Key", "keys", "token", "TOKEN", "Token"),
    *("pass", "PASS", "word", "pwd", "secret", "Secret", "auth", "bearer", "cred", "login"),
    *("access", "client", "my", "the", "is", "max", "tokenizer", "username", "db", "url"),
    *("_", "-", ".", " ", "  ", "\t", "=", ":", ": ", " = ", "=>", '"', "'", "#", "# ", "\n"),
    *("https://", "postgresql://", "user:", "@host/db", "?", "&", "/key/", "(", ")", "%env "),
    *("!curl -u ", "bob:", " -H 'Authorization: Bearer ", "--password ", "wandb login "),
    *("\u212a", "\u0130", "\u03a3", "x", "1"),
    *(VALUE, VALUE, GITHUB, AWS_ID),
]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=24).map("".join)


def _facts(hits: list[SecretHit]) -> list[tuple[Any, ...]]:
    return [
        (h.where, h.kind, h.line, h.col, h.label, h.masked, h.env, h.source_line)
        + (h.pattern_id, h.detail, h.end_col, h.fixable, h.secret)
        for h in hits
    ]


# -- may_name_words: no credential name in a text without one of its fragments -------------


@given(TEXTS)
@example("my api key")
@example("AP\u0130_\u212aEY")
def test_no_credential_name_in_a_text_without_a_fragment(text: str) -> None:
    if not may_name_words(text):
        words = set(re.findall(r"[\w.-]+", text)) | {text, re.sub(r"[ \t]+", "_", text)}
        assert not any(credential_name(w) for w in words)
        assert not may_name_credentials(text)
        assert not may_name_credentials(re.sub(r"[ \t]+", "_", text))


def _old_may_name_credentials(text: str) -> bool:
    """The classifier as it was written before its first test was split out."""
    lower = text.lower()
    if not any(f in lower for f in credentials._name_fragments()):
        return "login" in lower
    if "login" in lower or ("username" in lower and re.search(r"""["']key["']""", text)):
        return True
    return any(credential_name(w) for w in set(re.findall(r"[A-Za-z_][\w.-]*", text)))


@given(TEXTS)
@example("server.login(user, pw)")
@example('{"username": "u", "key": "v"}')
def test_may_name_credentials_is_unchanged(text: str) -> None:
    assert may_name_credentials(text) == _old_may_name_credentials(text)


def test_fragments_are_words_of_letters() -> None:
    """Blanks made ``_`` cannot make a fragment (the comments' pre-test rests on it)."""
    assert all(f.isalpha() and f.islower() for f in credentials._name_fragments())


@settings(max_examples=300)
@given(TEXTS)
@example(f"API_KEY={VALUE}")
@example(f"export DB_PASSWORD={VALUE}\ntoken: '{VALUE}'")
def test_text_assignments_pretest(text: str) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(credentials, "may_name_words", lambda _text: True)
        expected = scan_text_assignments(text)
    assert scan_text_assignments(text) == expected


# -- Python cells: the early return, the comments' gate and where tokenizing stops --------


def _long_way(mp: pytest.MonkeyPatch) -> None:
    """scan_python as it was: every cell's comments tested line by line, every comment of a
    cell worth tokenizing read."""
    mp.setattr(code_cells, "may_name_words", lambda _text: True)
    mp.setattr(comments, "may_name_words", lambda _text: True)
    last = comments._last_comment_line
    mp.setattr(comments, "_last_comment_line", lambda text: 10**9 if last(text) else 0)


def _python_lines(texts: list[str], kinds: list[int]) -> Iterator[str]:
    for text, kind in zip(texts, kinds, strict=False):
        if kind == 0:
            yield f"v = {text!r}  # {text.splitlines()[0] if text.strip() else ''}"
        elif kind == 1:
            yield "# " + text.replace("\n", " ")
        elif kind == 2:
            body = text.replace("\\", "").replace('"', "'")
            yield f'd = """{body}"""  # {text[:12]!r}'
        else:
            yield f"f({text!r}, key={text[::-1]!r})"


CELLS = st.builds(
    lambda texts, kinds: "\n".join(_python_lines(texts, kinds)),
    st.lists(TEXTS, max_size=6),
    st.lists(st.integers(0, 3), min_size=6, max_size=6),
)


def _scan_cell(source: str) -> list[SecretHit]:
    p = parse_cell(Cell(1, "code", source))
    if p.tree is None:
        return []
    return scan_python(p, FULL.restricted(source), CodeContext())


@settings(max_examples=300)
@given(CELLS)
@example(f"x = 1\n# the api key: {VALUE}\ny = 2\n# see https://u:{VALUE}@h/db")
@example(f's = "# not a comment"\n# my token is {VALUE}\n# ?api_key={VALUE}')
@example(f"url = fetch()  # postgresql://etl:{VALUE}@db/x\nz = 3")
def test_python_cells_pretests(source: str) -> None:
    with pytest.MonkeyPatch.context() as mp:
        _long_way(mp)
        expected = _facts(_scan_cell(source))
    assert _facts(_scan_cell(source)) == expected


@pytest.mark.parametrize(
    "source",
    [
        f"x = 1\n# the api key: {VALUE}\ny = 2",
        f"a = 1  # postgresql://etl:{VALUE}@db/x",
        f"b = 2\nc = 3\n# password = {VALUE}\n" + "d = 4\n" * 30,
    ],
)
def test_comment_secrets_are_found(source: str) -> None:
    assert [h.secret for h in _scan_cell(source)] == [VALUE]


# -- prose, outputs and metadata -------------------------------------------------------------


@given(TEXTS)
@example(f"see {GITHUB} and postgresql://etl:{VALUE}@db/x")
def test_prose_and_output_pretest(text: str) -> None:
    """find_secrets scans prose and outputs holding a URL's marks or a format keyword of
    the notebook only."""
    cat = FULL.restricted(text)
    cell = Cell(1, "markdown", text)
    found = list(scan_prose(cell, cat)) + list(scan_outputs(cell, [(1, "stdout", text)], cat))
    if found:
        assert may_hold_url_secrets(text) or cat.candidates(text)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXTS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXTS, inner, max_size=4),
    max_leaves=12,
)
METADATA = st.dictionaries(st.sampled_from(["api_key", "colab", "url", "x", "tags"]), JSON)


@settings(max_examples=200)
@given(st.lists(METADATA, max_size=4))
@example([{"colab": {"url": f"https://u:{VALUE}@h"}}, {"x": 1}])
@example([{"x": {"password": VALUE}}, {"api_key": VALUE}])
@example([{"tags": []}, {"x": {"y": f"see {GITHUB}"}}])
def test_cells_metadata_pretest(metadata: list[dict[str, Any]]) -> None:
    """One dump of all the cells' metadata tells when none of them may hold a secret."""
    cells = [Cell(i, "code", "", metadata=m) for i, m in enumerate(metadata, start=1)]
    dumped = json.dumps(metadata)
    assert all(json.dumps(m) in dumped for m in metadata)
    kept = _cells_metadata(cells, FULL)
    assert all(text == json.dumps(c.metadata) for c, text in kept)
    for cell in cells:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(text_module, "may_hold_metadata_secrets", lambda _text, _cat: True)
            found = list(scan_metadata(cell.metadata, json.dumps(cell.metadata), cell, FULL))
        if found and _worth_reading(cell.metadata):
            assert any(c is cell for c, _ in kept)


# -- output texts: the faster joins and walk give the same text --------------------------------


def _old_data_text(value: Any) -> str:
    if isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    ):
        return join_source(value)
    strings: list[str] = []
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            strings.append(item)
        elif isinstance(item, dict):
            todo.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            todo.extend(reversed(item))
    return "\n".join(strings)


@given(JSON)
@example(["a\n", "b"])
@example(["a", 1, None, "b"])
@example({"x": [1.5, "s", {"y": True, "z": "t"}], "w": "u"})
def test_data_text_and_joins_are_unchanged(value: Any) -> None:
    assert _data_text(value) == _old_data_text(value)
    assert _joined(value) == join_source(value)
