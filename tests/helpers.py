"""Build notebooks for tests: from percent-format text or from cell lists."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def code(
    source: str,
    *,
    outputs: list[dict] | None = None,
    count: int | None = None,
    metadata: dict | None = None,
    cell_id: str | None = None,
) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "id": cell_id,
        "metadata": metadata or {},
        "source": source,
        "outputs": outputs or [],
        "execution_count": count,
    }


def markdown(source: str, cell_id: str | None = None) -> dict[str, Any]:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": source}


def notebook(cells: list[dict], metadata: dict | None = None) -> dict[str, Any]:
    """An nbformat 4.5 document; missing cell ids are numbered."""
    for i, c in enumerate(cells):
        if not c.get("id"):
            c["id"] = f"cell-{i}"
    md = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    md.update(metadata or {})
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": md, "cells": cells}


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return path


def from_percent(text: str) -> dict[str, Any]:
    """Percent-format text (``# %%`` code cells, ``# %% [markdown]`` markdown cells, the
    markdown written as ``# `` comment lines) -> notebook document."""
    cells: list[dict] = []
    kind, lines = None, []

    def flush() -> None:
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            body = "\n".join(
                ln[2:] if ln.startswith("# ") else ln.lstrip("#") for ln in body.split("\n")
            )
            cells.append(markdown(body))
        else:
            cells.append(code(body))

    for line in text.split("\n"):
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        elif kind is not None:
            lines.append(line)
    flush()
    return notebook(cells)
