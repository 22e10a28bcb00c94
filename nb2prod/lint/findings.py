"""Finding: one violation of a rule, located in cell coordinates."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nb2prod.analysis.secrets.masker import Masker
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
        return hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:20]

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

    def mask(self, masker: Masker) -> None:
        """Mask the notebook's secrets (``masker``) in every text of the finding."""
        self.message = masker(self.message)
        line = self.source_line
        self.source_line = masker(line)
        if self.source_line != line and "caret" not in self.extra:
            # The caret's columns in the masked line: the masked text before them.
            end = self.end_col if self.end_line == self.line and self.end_col else None
            start = len(masker(line[: max(self.col - 1, 0)]))
            stop = len(masker(line[: end - 1])) if end is not None else None
            self.extra = {**self.extra, "caret": [start, stop]}
        if self.help:
            self.help = masker(self.help)
        if self.extra:
            self.extra = masker.values(self.extra)  # type: ignore[assignment]


def mask_findings(findings: list[Finding], masker: Masker) -> list[Finding]:
    """``findings``, masked in place: where findings about one notebook are made, before
    any report, cache or baseline sees them."""
    for f in findings:
        f.mask(masker)
    return findings


@dataclass(slots=True)
class FileResult:
    """What linting one file gave: findings, or the one-line reason it could not be read."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    ruff_input: bytes | None = None  # the notebook's JSON for ruff: v4, outputs left out
    # Transient, not cached: what the PY step needs to locate ruff's findings without
    # loading the notebook again (cell index -> (cell id, source); noqa directives).
    cells: dict[int, tuple[str | None, str]] = field(default_factory=dict)
    noqa: list[Noqa] = field(default_factory=list)
    masker: Masker | None = None  # the notebook's secrets, to mask ruff's findings

    def mask_problems(self) -> None:
        """Safety net for the one-line problems, made where the notebook's secrets are not
        known (a loader's message quoting the file): any provider-format secret is masked.
        Findings are masked where they are made (:meth:`Finding.mask`)."""
        if self.error or self.notes:
            from nb2prod.analysis.secrets.masker import mask_formats

            self.error = mask_formats(self.error) if self.error else self.error
            self.notes = [mask_formats(n) for n in self.notes]

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
