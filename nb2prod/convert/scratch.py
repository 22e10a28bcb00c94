"""A scratch copy of a notebook's folder, where it can run as it ran in Jupyter.

A notebook reads and writes files relative to its own folder; ``convert --verify`` runs it
in a copy of that folder (and of the folders above it that its ``../`` paths reach), so its
relative paths resolve and nothing it writes lands in the user's folder. Version control,
checkpoints, virtual environments and caches are not copied; large files are linked rather
than copied (a notebook reads its big inputs; it rarely rewrites them in place).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

SKIPPED = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".ipynb_checkpoints",
        "__pycache__",
        ".venv",
        "venv",
        "env",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "node_modules",
    }
)
LINK_ABOVE = 64 * 1024 * 1024  # bytes: larger files are symlinked, not copied
MAX_COPIED = 2 * 1024**3  # bytes copied in all; past that every further file is linked


def notebook_scratch(notebook: str | Path, scratch: Path, climb: int = 0) -> Path:
    """Copy the notebook's folder (``climb`` folders up) into ``scratch``; return the copy
    of the notebook's own folder (where it runs). ``scratch`` must not exist."""
    folder = Path(notebook).resolve().parent
    top = folder
    for _ in range(climb):
        if top.parent == top:
            break
        top = top.parent
    budget = [MAX_COPIED]

    def copy(src: str, dst: str) -> str:
        size = os.path.getsize(src)
        if size > LINK_ABOVE or size > budget[0]:
            os.symlink(src, dst)
            return dst
        budget[0] -= size
        return shutil.copy2(src, dst)

    def ignore(directory: str, names: list[str]) -> set[str]:
        return {n for n in names if n in SKIPPED}

    shutil.copytree(top, scratch, symlinks=True, ignore=ignore, copy_function=copy)
    return scratch / folder.relative_to(top)
