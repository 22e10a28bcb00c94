"""``plan_project``: the whole project (package, and service when asked) as one plan."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nb2prod.lint.findings import Finding
from nb2prod.project.package import render_package
from nb2prod.project.service import ServiceRequest, add_service, choose_model, render_with_model
from nb2prod.project.source import Source, read_source

if TYPE_CHECKING:
    from nb2prod.convert.model import PackagePlan
    from nb2prod.notebook.model import Notebook
    from nb2prod.project.feature_code import FeatureCode
    from nb2prod.scaffold.model_finder import ModelChoice

GOLDEN = "tests/golden.json"


@dataclass(slots=True)
class ProjectPlan:
    """Every file of the project, rendered once from one analysis of the notebook."""

    source: Source
    package: PackagePlan
    files: dict[str, str]  # relative path -> text (not yet formatted)
    recorded: str  # the notebook's path as the project records it
    choice: ModelChoice | None = None  # the model served, when the service is planned
    service_files: frozenset[str] = field(default_factory=frozenset)
    # No model to serve, in a notebook that does not convert faithfully either: the
    # findings come first; with ``allow_partial`` this error ends the command.
    service_error: Exception | None = None
    feature: FeatureCode | None = None  # the feature function the service runs records through
    service_findings: list[Finding] = field(default_factory=list)  # CV018

    @property
    def name(self) -> str:
        return self.package.package


def plan_project(
    notebook: str | Path | Notebook | Source,
    name: str | None = None,
    exports: Sequence[str] = (),
    recorded: str | None = None,
    service: ServiceRequest | None = None,
    golden: str | None = None,
) -> ProjectPlan:
    """Plan the project of ``notebook`` (read and analysed once).

    ``recorded``: the notebook's path relative to the project folder; ``service``: add the
    model service; ``golden``: the text of a ``tests/golden.json`` recorded earlier by
    ``--verify``, whose values are carried over where the steps did not change."""
    from nb2prod.convert.findings import blocking
    from nb2prod.convert.writer import carry_golden
    from nb2prod.errors import InputError

    src = read_source(notebook)
    choice, missing = None, None
    if service is not None and src.nb.is_python:  # else the package says what is wrong
        try:
            choice = choose_model(src, service)
        except InputError as exc:
            missing = exc  # after the package's own findings, which say more
    if choice is None:
        package, files = render_package(src, name, exports, recorded)
    else:
        package, files = render_with_model(src, choice, name, exports, recorded)
    if missing is not None and not blocking(package.findings):
        raise missing
    if golden is not None and GOLDEN in files:
        files[GOLDEN] = carry_golden(files[GOLDEN], golden)
    where = recorded if recorded is not None else package.notebook
    plan = ProjectPlan(src, package, files, where, choice, service_error=missing)
    if choice is not None:
        digest = hashlib.sha256(src.nb.text.encode("utf-8", "surrogatepass")).hexdigest()
        plan.files, plan.service_files, plan.feature = add_service(
            package, files, where, choice, service, notebook_sha256=digest
        )
        plan.service_findings = feature_findings(src, plan.feature)
        plan.service_findings += _scrub(plan.files, src)  # the service's files: no secret
        package.findings = sorted([*package.findings, *plan.service_findings], key=Finding.sort_key)
    return plan


def _scrub(files: dict[str, str], src: Source) -> list[Finding]:
    """Mask the notebook's secrets in ``files``; CV019 where code now reads one from the
    environment (see :mod:`nb2prod.project.scrub`)."""
    from nb2prod.lint.findings import mask_findings
    from nb2prod.project.scrub import scrub_files

    return mask_findings(scrub_files(files, src.analysis), src.analysis.masker)


def feature_findings(src: Source, code: FeatureCode) -> list[Finding]:
    """CV018 at each cell that keeps the feature code from being replayed on raw records."""
    from nb2prod.convert.findings import finding

    cells = {c.index: c for c in src.nb.cells}
    return [
        finding(
            "CV018",
            src.path,
            cells.get(cell),
            line,
            0,
            f"the service takes the model's input, not raw records: {why}",
        )
        for cell, line, why in code.piece.problems
    ]
