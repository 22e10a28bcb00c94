"""``nb2prod scaffold``: a deployable, observable model service for a converted project.

Entry point: :func:`run`. It returns data (:class:`ScaffoldResult`) and never prints.
It reads the project's manifest (``[tool.nb2prod-convert]``) and asks
:mod:`nb2prod.project` for the plan with the service: the model the notebook fits
(:mod:`nb2prod.scaffold.model_finder`), the package rendered so that ``pipeline.run()``
also returns the model, its training features, target and metrics, and the ``train`` entry
point, the FastAPI service, its tests and the deployment files (templates/service). Exit codes: 0 written, 2 bad input (not a converted project, missing
notebook, no fitted model, existing service files without ``force``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nb2prod.project.service import ServiceRequest

__all__ = ["ScaffoldResult", "run"]


@dataclass(slots=True)
class ScaffoldResult:
    project: str
    exit_code: int
    package: str | None = None
    notebook: str | None = None
    model: str | None = None
    features: str | None = None
    target: str | None = None
    metrics: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # written (changed), relative to project
    findings: list = field(default_factory=list)  # CV018: why the service takes the matrix
    error: str | None = None  # the one-line reason for exit code 2
    notes: list[str] = field(default_factory=list)  # e.g. files left unformatted


def run(
    project_dir: str | Path,
    model: str | None = None,
    features: str | None = None,
    force: bool = False,
    fix: bool = False,
    id_field: str | None = None,
) -> ScaffoldResult:
    """Add the model service to the converted project in ``project_dir``.

    ``model`` / ``features``: notebook variables that override the ones found; ``force``
    replaces existing service files (and package files edited since convert);
    ``fix``: apply the ``lint --fix`` rewrites first, with the settings that apply to the
    notebook, as ``convert --fix`` did (also done when the manifest records ``fix = true``).
    """
    from nb2prod.errors import InputError
    from nb2prod.project.service import ServiceRequest

    result = ScaffoldResult(str(project_dir), exit_code=0)
    try:
        _scaffold(Path(project_dir), ServiceRequest(model, features, id_field), force, fix, result)
    except InputError as exc:
        result.exit_code, result.error = 2, str(exc)
    except OSError as exc:
        result.exit_code, result.error = 2, f"{project_dir}: cannot write ({exc.strerror or exc})"
    return result


def _scaffold(
    project: Path,
    request: ServiceRequest,
    force: bool,
    fix: bool,
    result: ScaffoldResult,
) -> None:
    from nb2prod.config import notebook_settings
    from nb2prod.project.package import render_package
    from nb2prod.project.plan import GOLDEN, plan_project
    from nb2prod.project.source import read_source
    from nb2prod.scaffold.manifest import read_manifest
    from nb2prod.scaffold.write import write_files

    manifest = read_manifest(project)
    result.package, result.notebook = manifest.package, str(manifest.notebook)
    fixed = fix or manifest.fix  # converted with --fix: the same rewrites again
    settings = notebook_settings(str(manifest.notebook)) if fixed else None
    # The notebook is read once (a bad one is reported under its own name) and analysed once.
    src = read_source(manifest.notebook, settings)
    golden = project / GOLDEN  # values recorded by convert --verify
    recorded = golden.read_text(encoding="utf-8") if golden.is_file() else None
    plan = plan_project(src, manifest.package, manifest.exports, manifest.source, request, recorded)
    choice = plan.choice
    assert choice is not None

    def previous() -> dict[str, str]:
        """The package files as convert made them (only when one differs on disk)."""
        files = render_package(src, manifest.package, manifest.exports, manifest.source)[1]
        return _with_golden(files, recorded)

    result.files, unformatted = write_files(
        project, plan.files, set(plan.service_files), previous, force
    )
    if unformatted:
        result.notes.append(f"generated files left unformatted: {unformatted}")
    result.model, result.features, result.target = choice.model, choice.features, choice.target
    result.metrics = list(choice.metrics)
    result.findings = list(plan.service_findings)


def _with_golden(files: dict[str, str], recorded: str | None) -> dict[str, str]:
    """The package files with the golden values already recorded in the project kept."""
    from nb2prod.convert.writer import carry_golden

    rel = "tests/golden.json"
    return {**files, rel: carry_golden(files[rel], recorded)} if rel in files else files
