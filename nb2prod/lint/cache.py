"""Content-hash cache of lint results (like ruff's): unchanged notebooks are not re-linted.

The key covers the file's bytes, its path, the settings and the nb2prod version, so any
change to one of them is a miss. Entries are small JSON files under ``cache-dir``.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path

from nb2prod import __version__
from nb2prod.config import Settings


@cache
def code_stamp() -> str:
    """Stamp of nb2prod's own code and data files and of the ruff binary, so that editing a
    rule in a checkout (same version number) or upgrading ruff does not serve stale results."""
    from nb2prod.lint.ruff import ruff_binary
    from nb2prod.resources import data_dir

    package, rules = Path(__file__).resolve().parents[1], data_dir("rules")
    files = [Path(ruff_binary()), *package.rglob("*.py"), *rules.rglob("*.toml")]
    h = hashlib.sha256()
    for path in sorted(files):
        try:
            st = path.stat()
        except OSError:
            continue
        h.update(f"{path}\x1f{st.st_mtime_ns}\x1f{st.st_size}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:16]


class Cache:
    def __init__(self, settings: Settings) -> None:
        self.folder = settings.root / settings["cache-dir"] / __version__
        self.salt = f"{__version__}\x1f{settings.fingerprint()}\x1f{code_stamp()}"

    def _key(self, path: str) -> str | None:
        try:
            data = Path(path).read_bytes()
        except OSError:
            return None
        h = hashlib.sha256(data)
        where = f"\x1f{os.path.abspath(path)}\x1f{path}\x1f{self.salt}"
        h.update(where.encode("utf-8", "surrogateescape"))  # a file name need not be UTF-8
        return h.hexdigest()

    def get(self, path: str, key: str | None = None):
        """The cached result of ``path`` (its content key when already computed)."""
        from nb2prod.lint.findings import FileResult

        key = key or self._key(path)
        if key is None:
            return None
        try:
            with open(self.folder / key[:2] / f"{key}.json", encoding="utf-8") as fh:
                return FileResult.from_dict(json.load(fh))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def key(self, path: str) -> str | None:
        """The content key of ``path`` now: the file's bytes, its path, settings, nb2prod."""
        return self._key(path)

    def put(self, path: str, result, key: str | None = None) -> None:
        """Store ``result`` under ``key``, the content key read when the file was linted
        (so a file saved during the run is not cached with findings of older content)."""
        key = key or self._key(path)
        if key is None:
            return
        target = self.folder / key[:2] / f"{key}.json"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".tmp{os.getpid()}")
            tmp.write_text(json.dumps(result.to_dict()), encoding="utf-8")
            os.replace(tmp, target)
            gitignore = self.folder.parent / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n", encoding="utf-8")
        except (OSError, ValueError):  # ValueError: a text UTF-8 cannot hold
            pass  # a cache that cannot be written only costs time
