"""Plain data for a loaded notebook: cells with their source as one string."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


def join_source(source: Any) -> str:
    """Jupyter stores a source as a string or a list of lines; return one string."""
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def source_lines(text: str, keepends: bool = False) -> list[str]:
    """``text`` split into lines as Python's tokenizer (and so ``ast``, ruff) counts them:
    at ``\n``, ``\r\n`` and ``\r`` only, not at form feeds or Unicode line separators
    (``str.splitlines`` would shift every later line number)."""
    if not keepends and "\r" not in text:  # the common case, at C speed
        lines = text.split("\n")
        return lines[:-1] if lines[-1] == "" else lines
    lines = _LINE.findall(text)
    return lines if keepends else [line.rstrip("\r\n") for line in lines]


def char_col(line: str, byte_col: int) -> int:
    """The character column of ``ast``'s ``col_offset`` (which counts UTF-8 bytes) in
    ``line``."""
    if line.isascii():
        return byte_col
    return len(line.encode()[:byte_col].decode(errors="replace"))


@dataclass(slots=True)
class Cell:
    """One cell. ``index`` counts all cells from 1, as Jupyter users (and ruff) count them."""

    index: int
    cell_type: str
    source: str
    id: str | None = None
    execution_count: int | None = None
    outputs: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def tags(self) -> list[str]:
        tags = self.metadata.get("tags") if isinstance(self.metadata, dict) else None
        return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []

    @property
    def lines(self) -> list[str]:
        return source_lines(self.source)

    def line(self, number: int) -> str:
        """Line ``number`` (1-based) of the source, or '' when out of range."""
        lines = self.lines
        return lines[number - 1] if 1 <= number <= len(lines) else ""


@dataclass(slots=True)
class Notebook:
    """A notebook as nb2prod sees it. ``raw`` keeps the JSON document for writing back."""

    path: str
    nbformat: int
    nbformat_minor: int
    metadata: dict[str, Any]
    cells: list[Cell]
    raw: dict[str, Any]
    text: str = ""
    bom: bool = False  # the file starts with a UTF-8 byte order mark (kept when written back)
    notes: list[str] = field(default_factory=list)

    @property
    def language(self) -> str:
        """The kernel's language, lower-case; 'python' when the notebook does not say."""
        md = self.metadata if isinstance(self.metadata, dict) else {}
        for key, sub in (("kernelspec", "language"), ("language_info", "name")):
            value = md.get(key)
            if isinstance(value, dict) and isinstance(value.get(sub), str) and value[sub]:
                return value[sub].lower()
        return "python"

    @property
    def is_python(self) -> bool:
        return self.language in {"python", "python3", "python2", "ipython", "ipython3"}

    @property
    def is_python2(self) -> bool:
        """The notebook says its kernel is Python 2 (kernelspec name or language_info
        version): code that was valid there may not be valid Python 3."""
        md = self.metadata if isinstance(self.metadata, dict) else {}
        spec, info = md.get("kernelspec"), md.get("language_info")
        name = spec.get("name") if isinstance(spec, dict) else None
        version = info.get("version") if isinstance(info, dict) else None
        if isinstance(name, str) and name.lower() in {"python2", "python 2"}:
            return True
        return isinstance(version, str) and version.strip().startswith("2.")

    @property
    def code_cells(self) -> list[Cell]:
        return [c for c in self.cells if c.cell_type == "code"]
