"""``Masker``: the one masking step applied to every text nb2prod prints or writes.

It knows the secrets the scan found in a notebook (``Analysis.masker``) and masks each
wherever it occurs, in the form SEC findings use (``AKIA…(20 chars)``): whole, and as a
piece cut by a truncation (``ghp_aB3dE5fG7hI9...``: a prefix or suffix of ten characters
or more). Then, as a safety net for texts whose notebook is not known (a cached result, a
message built elsewhere), any provider-format secret left is masked too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from nb2prod.analysis.secrets.formats import (
    Catalogue,
    _keyword_finder,
    catalogue,
    scan_provider_formats,
)
from nb2prod.analysis.secrets.model import mask

if TYPE_CHECKING:
    from nb2prod.analysis.secrets.model import SecretHit

_SHORT = 12  # secrets shorter than this are masked only as a word of their own, whole
_PIECE = 10  # the shortest piece of a long secret that is masked
_MIN = 4  # shorter values are not masked (they would mask half the report)


class Masker:
    """Masks the ``secrets`` of one notebook (and any provider format) in a text.
    Idempotent: a masked text masks to itself. Picklable (it crosses to lint workers)."""

    __slots__ = ("secrets", "envs", "_extra", "_net")

    def __init__(
        self,
        secrets: Iterable[str] = (),
        envs: dict[str, str] | None = None,
        extra: Sequence[dict[str, Any]] = (),
    ) -> None:
        values: set[str] = set()
        for s in secrets:
            if len(s.strip()) >= _MIN:
                values.add(s)
            values.update(p for p in s.split("\n")[1:] if len(p.strip()) >= _PIECE)
            first = s.split("\n", 1)[0]
            if first != s and len(first.strip()) >= _PIECE:
                values.add(first)
        self.secrets: tuple[str, ...] = tuple(sorted(values, key=len, reverse=True))
        self.envs = dict(envs or {})  # secret -> the environment variable to read it from
        self._extra = tuple(extra)  # settings' extra-secret-patterns, for the safety net
        self._net: tuple[Catalogue, re.Pattern[str] | None] | None = None

    def __getstate__(self) -> tuple[object, ...]:
        """Pickled without the formats catalogue it may have built (``_net``): a lint
        worker's masker crosses to the main process, which has its own catalogue."""
        return (self.secrets, self.envs, self._extra)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.secrets, self.envs, self._extra = state
        self._net = None

    def __bool__(self) -> bool:
        return bool(self.secrets)

    def __call__(self, text: str) -> str:
        """``text`` with every known secret, and any provider format, masked."""
        if not text:
            return text
        out = text
        for secret in self.secrets:  # whole, longest first
            out = _mask_whole(out, secret)
        out = _mask_all_pieces(out, self.secrets)
        cat, keywords = self._safety_net()
        if keywords is not None and keywords.search(out) is None:
            return out  # no format's keyword: no format can match (most texts)
        return mask_formats(out, cat)

    def _safety_net(self) -> tuple[Catalogue, re.Pattern[str] | None]:
        """The formats catalogue, and one regex finding any of its keywords (None when a
        format has no keyword, so every text must be scanned); made on first use."""
        if self._net is None:
            cat = catalogue(self._extra)
            always = cat.unguarded or "" in cat.by_keyword
            finder = None if always else _keyword_finder(tuple(cat.by_keyword))
            self._net = (cat, finder)
        return self._net

    def values(self, data: object) -> object:
        """``data`` (strings in lists, tuples and dicts, as in a finding's ``extra``) masked."""
        if isinstance(data, str):
            return self(data)
        if isinstance(data, list | tuple):
            return type(data)(self.values(v) for v in data)
        if isinstance(data, dict):
            return {k: self.values(v) for k, v in data.items()}
        return data

    def merged(self, other: Masker) -> Masker:
        """A masker for the secrets of both."""
        return Masker(
            (*self.secrets, *other.secrets),
            {**other.envs, **self.envs},
            self._extra or other._extra,
        )


def mask_formats(text: str, cat: Catalogue | None = None) -> str:
    """Safety net: mask any provider-format secret in ``text``."""
    cat = cat if cat is not None else catalogue()
    if not cat.candidates(text):
        return text
    for m in scan_provider_formats(text, cat):
        text = text.replace(m.secret, mask(m.secret))
    return text


def _mask_whole(text: str, secret: str) -> str:
    hidden = mask(secret)
    if len(secret) < _SHORT:
        if secret not in text:
            return text
        pattern = rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])"
        return re.sub(pattern, lambda _m: hidden, text)
    return text.replace(secret, hidden) if secret in text else text


def _mask_all_pieces(text: str, secrets: Sequence[str]) -> str:
    """Mask what a message cut at a length leaves of the long secrets: each prefix or
    suffix of ``_PIECE`` characters or more found in ``text``. The pieces of all secrets
    are found first and the longest wins where they overlap: two keys sharing a provider
    prefix (``sk-ant-api03-``) must not let the shorter match hide the longer one."""
    spans: list[tuple[int, int, str]] = []
    for secret in secrets:
        if len(secret) < _SHORT:
            continue
        head, tail = secret[:_PIECE], secret[-_PIECE:]
        if head in text:
            spans += _pieces(text, secret, head, forward=True)
        if tail in text:
            spans += _pieces(text, secret, tail, forward=False)
    if not spans:
        return text
    chosen: list[tuple[int, int, str]] = []
    for start, end, secret in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if all(end <= a or b <= start for a, b, _ in chosen):
            chosen.append((start, end, secret))
    out: list[str] = []
    pos = 0
    for start, end, secret in sorted(chosen):
        out += [text[pos:start], mask(secret)]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _pieces(text: str, secret: str, probe: str, *, forward: bool) -> list[tuple[int, int, str]]:
    """(start, end, secret) of each prefix (``forward``) or suffix of ``secret`` in
    ``text`` at least as long as ``probe``."""
    found = []
    pos = 0
    size = len(probe)
    while (i := text.find(probe, pos)) >= 0:
        n = size
        if forward:
            while n < len(secret) and i + n < len(text) and text[i + n] == secret[n]:
                n += 1
            start, end = i, i + n
        else:
            end = i + size
            while n < len(secret) and end - n - 1 >= 0 and text[end - n - 1] == secret[-n - 1]:
                n += 1
            start = end - n
        found.append((start, end, secret))
        pos = i + 1
    return found


EMPTY = Masker()


def masker_of(hits: Iterable[SecretHit], extra: Sequence[dict[str, Any]] = ()) -> Masker:
    """The masker of a notebook's secret hits (``Analysis.secrets``)."""
    secrets: list[str] = []
    envs: dict[str, str] = {}
    for h in hits:
        if h.secret:
            secrets.append(h.secret)
            envs.setdefault(h.secret, h.env)
    return Masker(secrets, envs, extra)
