"""Write the scaffolded files into an existing project, safely.

Everything is rendered into a hidden staging folder inside the project and formatted
there (ruff, as convert does); nothing is touched until all of it is ready. Then each file
that changes replaces its old version atomically (``os.replace``). Service files that
already exist are replaced only with ``force``; so are package files that differ both
from what convert generated and from the new version (edited by hand, another nb2prod
version); the caller carries recorded golden values into both renderings.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from nb2prod.convert.writer import stage_tree
from nb2prod.errors import InputError


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def _listing(paths: list[str], limit: int = 3, code_first: bool = False) -> str:
    """A few of ``paths``, and how many more."""
    key = (lambda p: (not p.endswith(".py"), p)) if code_first else None
    shown = ", ".join(sorted(paths, key=key)[:limit])
    return shown + (f" and {len(paths) - limit} more" if len(paths) > limit else "")


def write_files(
    project: Path,
    files: dict[str, str],
    service: set[str],
    previous: Callable[[], dict[str, str]],
    force: bool,
) -> tuple[list[str], str | None]:
    """Write ``files`` (relative path -> text) under ``project``; return the paths that
    changed, and why the files could not be formatted (None: formatted). ``service`` names
    the files scaffold owns; ``previous()`` renders the package files as convert made them
    (called only when one differs on disk)."""
    existing = sorted(rel for rel in service if (project / rel).exists())
    if existing and not force:
        raise InputError(
            f"service files exist ({_listing(existing)}); use --force to replace them",
            str(project),
        )
    with tempfile.TemporaryDirectory(prefix=".nb2prod-scaffold-", dir=project) as tmp:
        new = Path(tmp) / "new"
        unformatted = stage_tree(files, new)
        changed = [rel for rel in sorted(files) if _read(project / rel) != _read(new / rel)]
        edited = [rel for rel in changed if rel not in service and (project / rel).exists()]
        if edited and not force:
            old = Path(tmp) / "old"
            stage_tree({rel: text for rel, text in previous().items() if rel in edited}, old)
            edited = [rel for rel in edited if _read(project / rel) != _read(old / rel)]
            if edited:
                raise InputError(
                    f"{_listing(edited, code_first=True)} differ from what convert generated (edited by hand,"
                    " or converted with --fix or another nb2prod version); use --force to"
                    " replace them",
                    str(project),
                )
        for rel in changed:
            target = project / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(new / rel, target)
    return changed, unformatted
