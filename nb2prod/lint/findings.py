"""Finding: one violation of a rule, located in cell coordinates."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nb2prod.lint.noqa import Noqa

SEVERITIES = ("error", "warning", "info")


@dataclass(slots=True)
class Finding:
    """A rule violation. ``cell`` counts all cells from 1 (``None``: the notebook itself,
    e.g. its metadata); ``line`` and ``col`` are 1-based within the cell's source."""

    code: str
    message: str
    path: str
    cell: int | None
    line: int
    col: int
    severity: str = "error"
    cell_id: str | None = None
    end_line: int | None = None
    end_col: int | None = None
    source_line: str = ""
    help: str | None = None
    fixable: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def location(self) -> str:
        where = self.path
        if self.cell is not None:
            where += f":cell {self.cell}"
            if self.line:
                where += f":{self.line}:{self.col}"
        return where

    def fingerprint(self) -> str:
        """Content fingerprint for baselines: code, notebook and the offending text, not the
        cell's position, so it survives cells being moved or inserted."""
        basis = "\x1f".join((self.code, self.path, " ".join(self.source_line.split())))
        return hashlib.sha256(basis.encode()).hexdigest()[:20]

    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.line, self.col, self.code)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fingerprint"] = self.fingerprint()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        data = {k: v for k, v in data.items() if k != "fingerprint"}
        return cls(**data)


@dataclass(slots=True)
class FileResult:
    """What linting one file gave: findings, or the one-line reason it could not be read."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    ruff_input: str | None = None  # the notebook's JSON for ruff: v4, outputs left out
    # Transient, not cached: what the PY step needs to locate ruff's findings without
    # loading the notebook again (cell index -> (cell id, source); noqa directives).
    cells: dict[int, tuple[str | None, str]] = field(default_factory=dict)
    noqa: list[Noqa] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "findings": [f.to_dict() for f in self.findings],
            "error": self.error,
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: dict) -> FileResult:
        return cls(
            data["path"],
            [Finding.from_dict(f) for f in data["findings"]],
            data.get("error"),
            data.get("notes", []),
        )
