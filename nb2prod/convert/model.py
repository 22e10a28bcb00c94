"""The package plan as plain data: cells sorted into statements, steps, settings."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from nb2prod.analysis.defuse import CellDefUse
from nb2prod.convert.local_paths import RoutedPaths
from nb2prod.convert.settings_params import Param
from nb2prod.lint.findings import Finding
from nb2prod.notebook.parse import ParsedCell


@dataclass(slots=True)
class CellPlan:
    parsed: ParsedCell
    kinds: list[str]  # one per top-level statement: classify.IMPORT, DEF, CODE ...
    imports: list[ast.stmt] = field(default_factory=list)  # import statements, any depth
    defuse: CellDefUse | None = None

    @property
    def index(self) -> int:
        return self.parsed.cell.index


@dataclass(slots=True)
class StepPlan:
    name: str
    title: str | None
    cells: list[int]  # Cell.index
    inputs: list[str]
    outputs: list[str]
    args: list[tuple[str, str]] = field(default_factory=list)  # (parameter, pipeline expr)


@dataclass(slots=True)
class PackagePlan:
    package: str
    notebook: str  # file name
    cells: list[CellPlan]
    params: list[Param]
    steps: list[StepPlan]
    module_defs: set[str]  # def/class names placed at module level
    injected: dict[str, list[str]]  # module-level function -> notebook variables passed in
    requirements: list[str]  # exact pins as installed: requirements.lock (deps.Dependency)
    findings: list[Finding]
    results: list[str]  # the names ``run()`` returns
    extra_imports: list[str] = field(default_factory=list)  # what IPython gave the notebook
    paths: RoutedPaths = field(default_factory=RoutedPaths)  # local paths routed (local_paths)
    dependencies: list[str] = field(default_factory=list)  # compatible ranges: pyproject

    @property
    def distribution(self) -> str:
        return self.package.replace("_", "-")


def stmts(c: CellPlan) -> list[tuple[ast.stmt, str]]:
    assert c.parsed.tree is not None
    return list(zip(c.parsed.tree.body, c.kinds, strict=True))


# -- what code generation makes of the plan (codegen, cst_path) ----------------------------


@dataclass(slots=True)
class StepsSource:
    imports: list[str] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (cell, why it was left out)


class CellUnreadable(ValueError):
    """libcst cannot read a cell that ``ast`` could."""


@dataclass(slots=True)
class Rewrites:
    """Functions that receive notebook variables, and whether a ``functools.partial`` was
    written (then the steps module imports functools)."""

    injected: dict[str, list[str]]
    uses_partial: bool = False
    renames: dict[str, str] = field(default_factory=dict)  # constant -> its settings field


@dataclass(slots=True)
class CellParts:
    imports: list[str]
    definitions: list[str]
    body: str  # the step code from this cell, at column 0 ('' when none)
    multiline: bool  # the body holds a string literal spanning lines (indent via libcst)
