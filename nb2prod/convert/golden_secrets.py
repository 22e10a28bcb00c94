"""No secret in ``tests/golden.json``: what ``convert --verify`` records from the notebook's
run (printed lines, step values) is masked before it is written.

A secret the notebook printed at run time (read from the environment, fetched) is not in
the saved notebook, so two maskers are applied: the notebook's own (the secrets the scan
found in it) and the provider-format safety net (:func:`mask_formats`). A masked secret
reads ``ghp_…(40 chars)``; its salted PBKDF2 hash goes to golden.json's ``secrets``, so
the generated tests can mask the package's text the same way before comparing
(``hide`` in the package's ``tests/golden.py``, the same code used here): the package
printing the same secret passes, printing anything else fails, and the package does not
depend on nb2prod. A text whose secrets cannot be located exactly (a piece of a secret cut
by a truncation) is still written masked, and is left out of the comparison.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from nb2prod.analysis.secrets.masker import Masker, mask_formats
from nb2prod.analysis.secrets.model import mask
from nb2prod.convert.verify_compare import golden_support
from nb2prod.notebook.model import Notebook

ITERATIONS = 100_000  # PBKDF2 rounds: a weak password is slow to guess from its hash
_TOKEN = re.compile(r"…\((\d+) chars\)")  # the length part of mask(secret)


def notebook_masker(notebook: str | Path | Notebook | None) -> Masker:
    """The masker of the notebook (its secrets, its folder's settings; a path is loaded);
    the provider formats only when there is none or it cannot be read."""
    from nb2prod.analysis.context import Analysis
    from nb2prod.config import notebook_settings
    from nb2prod.convert.verify_run import load_or_none

    nb = notebook if isinstance(notebook, Notebook | None) else load_or_none(notebook)
    if nb is None:
        return Masker()
    return Analysis(nb, notebook_settings(nb.path)).masker


def secrets_in(original: str, masked: str) -> list[str] | None:
    """The secrets ``masked`` hides of ``original``, in order, read back from the masked
    forms (``mask``: at most the first 4 characters, then the length); None when the
    texts do not line up as whole secrets replaced by their masked form."""
    found: list[str] = []
    o = m = 0  # where the text after the last masked secret starts, in each
    for token in _TOKEN.finditer(masked):
        size = int(token.group(1))
        literal = masked[m : token.start()]
        for shown in dict.fromkeys((min(4, size // 3), 0)):  # mask()'s two forms
            start = o + len(literal) - shown
            secret = original[start : start + size]
            if (
                shown <= len(literal)
                and len(secret) == size
                and original[o:start] == literal[: len(literal) - shown]
                and mask(secret) == masked[token.start() - shown : token.end()]
            ):
                break
        else:
            return None
        found.append(secret)
        o, m = start + size, token.end()
    return found if original[o:] == masked[m:] else None


class GoldenMasker:
    """Masks the texts recorded in golden.json, and keeps the hash entry of each secret
    it masked (:attr:`entries`, golden.json's ``secrets``). Never holds a secret in what
    it returns."""

    def __init__(self, masker: Masker, iterations: int = ITERATIONS) -> None:
        self.masker = masker
        self.iterations = iterations
        self._by_secret: dict[str, dict[str, Any]] = {}

    @property
    def entries(self) -> list[dict[str, Any]]:
        """The ``secrets`` of golden.json, longest first."""
        return sorted(self._by_secret.values(), key=lambda e: (-e["length"], e["masked"]))

    def _entry(self, secret: str) -> dict[str, Any]:
        entry = self._by_secret.get(secret)
        if entry is None:
            salt = os.urandom(16).hex()
            entry = {
                "masked": mask(secret),
                "length": len(secret),
                "salt": salt,
                "iterations": self.iterations,
                "hash": golden_support().secret_hash(secret, salt, self.iterations),
            }
            self._by_secret[secret] = entry
        return entry

    def text(self, text: str) -> tuple[str, bool]:
        """(``text`` masked, whether the generated tests mask the same text alike)."""
        masked = mask_formats(self.masker(text))
        if masked == text:
            return text, True
        found = secrets_in(text, masked)
        if found is None:
            return masked, False
        entries = [self._entry(s) for s in found]
        return masked, golden_support().hide(text, masked, entries) == masked

    def value(self, data: Any) -> tuple[Any, bool]:
        """A fingerprint (JSON) with every string in it masked; whether all of them are
        masked alike by the generated tests. Keys are names and stay."""
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, list):
            pairs = [self.value(v) for v in data]
            return [v for v, _ in pairs], all(ok for _, ok in pairs)
        if isinstance(data, dict):
            items = {k: self.value(v) for k, v in data.items()}
            return {k: v for k, (v, _) in items.items()}, all(ok for _, ok in items.values())
        return data, True
