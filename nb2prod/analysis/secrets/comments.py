"""Secrets in the comments of Python cells, which the ``ast`` never sees: comments are
text, read as text is (provider formats, URLs with a password) plus credentials written
as prose or assignments (``# api key: ...``, ``# password = ...``, ``# token is ...``)."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from nb2prod.analysis.secrets.bindings import may_name_credentials
from nb2prod.analysis.secrets.credentials import (
    credential_name,
    env_name,
    literal_secret,
    may_name_words,
)
from nb2prod.analysis.secrets.formats import Catalogue, SecretPattern, scan_provider_formats
from nb2prod.analysis.secrets.model import (
    ASSIGNMENT,
    COMMENT,
    SecretHit,
    TextMatch,
    covered,
    shifted,
)
from nb2prod.analysis.secrets.predicates import is_identifier_like, is_wordy
from nb2prod.analysis.secrets.redaction import hit_at_offset, line_of, line_starts
from nb2prod.analysis.secrets.urls import may_hold_url_secrets, scan_urls

if TYPE_CHECKING:
    from nb2prod.notebook.parse import ParsedCell

# "<name of up to three words> [=|:|is] <value>", the value quoted or a single word.
_CREDENTIAL = re.compile(
    r"(?P<name>[A-Za-z_][\w.-]*(?:[ \t]+[A-Za-z_][\w.-]*){0,2})[\"']?[ \t]*"
    r"(?:=|:=|:|\bis\b)[ \t]*(?P<q>[\"'`]?)(?P<value>[^\s\"'`()\[\]{}<>,;]+)(?P=q)(?=$|[\s,;)\]}>])"
)


def scan_comments(
    p: ParsedCell,
    cat: Catalogue,
    known: list[SecretHit],
    patterns: Sequence[SecretPattern],
    names: bool,
) -> Iterator[SecretHit]:
    """The secrets of the cell's comments not already found (``known``): provider
    formats (``patterns``), URLs with a password and, in a comment naming a credential
    (in the cell's code, ``names``, or in its words: ``# api key: ...``), credentials
    bound to a value in the comment's words."""
    text = p.cell.source
    if "#" not in text:
        return
    seen = {(h.line, h.pattern_id) for h in known}
    secrets = {h.secret for h in known}
    if patterns:
        for m in scan_provider_formats(text, cat, patterns):
            hit = hit_at_offset(COMMENT, p.cell, text, m)
            if (hit.line, hit.pattern_id) not in seen and "#" in line_of(text, hit.line)[: hit.col]:
                seen.add((hit.line, hit.pattern_id))
                yield hit
    last = _last_comment_line(text)
    if not last:
        return
    starts = line_starts(text)
    for row, col, comment in _comments(p):
        if row > last:
            break  # the comments left cannot hold a secret: the cell is tokenized no further
        base = starts[row - 1] + col if row <= len(starts) else -1
        if base < 0 or text[base : base + len(comment)] != comment:
            continue  # a masked IPython line: the magics' scan reads it
        taken = scan_provider_formats(comment, cat, patterns) if patterns else []
        matches = [m for m in scan_urls(comment) if not covered(m, taken)]
        if _names_credential(comment):
            matches += [m for m in _credentials(comment) if not covered(m, taken + matches)]
        for m in matches:
            if m.secret in secrets:
                continue
            secrets.add(m.secret)
            yield hit_at_offset(COMMENT, p.cell, text, shifted(m, base))


def _last_comment_line(text: str) -> int:
    """The last line whose comment may hold a secret, or 0 when the cell is not worth
    tokenizing: when no line's text after a ``#`` may hold a URL or name a credential.

    A comment token found in ``text`` is a part of one line, from a ``#`` on, so of that
    line from its first ``#``; it yields a hit only when :func:`scan_urls` finds something
    in it (which needs what :func:`may_hold_url_secrets` tests) or it names a credential.
    Both hold for the line's text after its first ``#`` whenever they hold for the comment
    (substring tests; ``#`` ends an identifier and a run of blanks), so comments after the
    last line passing these tests yield nothing."""
    if "://" not in text and not may_name_words(text):
        return 0  # no part of the cell names a credential (see may_name_words)
    worth = False
    last = 0
    for number, line in enumerate(text.split("\n"), start=1):
        hash_at = line.find("#")
        if hash_at < 0:
            continue
        after = line[hash_at + 1 :]
        if "://" in after or _names_credential(after):
            worth = True
            last = number
        elif may_hold_url_secrets(after):
            last = number
    return last if worth else 0


_BLANKS = re.compile(r"[ \t]+")


def _names_credential(comment: str) -> bool:
    """Whether a comment's words may name a credential, as a name (``api_key``) or as
    words (``api key``, ``secret access key``)."""
    if not may_name_words(comment):
        return False  # nor with its blanks made "_" (see may_name_words)
    return may_name_credentials(comment) or may_name_credentials(_BLANKS.sub("_", comment))


def _credentials(comment: str) -> Iterator[TextMatch]:
    """``# api key: f3A9...``, ``# password = Tr0ub4dor&3``, ``# the token is ...``."""
    for m in _CREDENTIAL.finditer(comment):
        phrase = m.group("name")
        words = phrase.split()
        for i in range(len(words)):  # the shortest tail naming a credential: "my api key"
            name = "_".join(words[i:])
            cred = credential_name(name)
            if cred is not None:
                break
        else:
            continue
        value = m.group("value") if m.group("q") else m.group("value").rstrip(".,;:)")
        secret = literal_secret(value, cred)
        if secret is None or not _secret_like(secret):
            continue
        start = m.start("value") + value.find(secret)
        label = f"credential `{name}`"
        yield TextMatch(label, env_name(name), secret, start, start + len(secret), ASSIGNMENT)


def _secret_like(value: str) -> bool:
    """Comments are prose and code: a value counts when it cannot be a word or a name
    (``# password is required``, ``# token = get_token()``): 8 characters or more, with
    a digit or a symbol, not made of words."""
    return (
        len(value) >= 8
        and not is_wordy(value)
        and not value.isalpha()
        and not is_identifier_like(value)
    )


def _comments(p: ParsedCell) -> Iterator[tuple[int, int, str]]:
    """(line, column, text) of each comment of the cell's Python."""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(p.python).readline):
            if tok.type == tokenize.COMMENT:
                yield tok.start[0], tok.start[1], tok.string
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return
