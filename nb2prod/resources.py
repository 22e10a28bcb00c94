"""Where the data folders (``rules/``, ``templates/``) live, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder ``name`` shipped in the wheel, or the one at the repository root."""
    shipped = _PKG / "_data" / name
    if shipped.is_dir():
        return shipped
    return _PKG.parent / name
