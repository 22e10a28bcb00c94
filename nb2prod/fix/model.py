"""Results of ``--fix`` as data: what was rewritten, what was not and why."""

from __future__ import annotations

from dataclasses import dataclass, field

from nb2prod.fix.codemods.positions import Replace, Span


@dataclass(slots=True)
class Rewrite:
    """One rewrite, in cell coordinates (``cell`` counts all cells from 1). ``before`` and
    ``after`` never hold a secret in clear."""

    cell: int
    line: int
    code: str  # the rule whose finding it fixes
    before: str
    after: str


@dataclass(slots=True)
class Skipped:
    """A finding left for a human, with what to do."""

    cell: int | None
    line: int
    code: str
    message: str


@dataclass(slots=True)
class Group:
    """Replacements that must be applied together (or not at all) and their report."""

    replace: dict[tuple[str, Span], Replace]
    rewrite: Rewrite
    needs: frozenset[str] = frozenset()  # imports the rewritten code uses: "os", "fsspec"
    constants: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> env, default
    env: frozenset[str] = frozenset()  # environment variables to set


@dataclass(slots=True)
class CellPlan:
    groups: list[Group] = field(default_factory=list)
    line_edits: list[tuple[int, int, int, str]] = field(default_factory=list)  # comments
    drop_outputs: set[int] = field(default_factory=set)  # outputs holding a secret (from 1)


@dataclass(slots=True)
class FixResult:
    """What ``fix_notebook`` did to one notebook."""

    path: str
    rewrites: list[Rewrite] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    env_vars: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)  # unified diff per changed cell (masked)
    changed: bool = False
    written: bool = False
    text: str | None = None  # the rewritten notebook (JSON text), when something changed
