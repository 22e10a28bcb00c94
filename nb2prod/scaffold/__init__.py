"""``nb2prod scaffold``: a deployable, observable model service for a converted project.

Entry point: :func:`run`. It returns data (:class:`ScaffoldResult`) and never prints.
It reads the project's manifest (``[tool.nb2prod-convert]``), finds the model the notebook
fits (:mod:`nb2prod.scaffold.model_finder`), re-renders the package so that
``pipeline.run()`` also returns the model, its training features, target and metrics, and
adds the ``train`` entry point, the FastAPI service, its tests and the deployment files
(templates/service). Exit codes: 0 written, 2 bad input (not a converted project, missing
notebook, no fitted model, existing service files without ``force``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nb2prod.notebook.model import Notebook
    from nb2prod.scaffold.manifest import Manifest
    from nb2prod.scaffold.model_finder import ModelChoice

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
    error: str | None = None  # the one-line reason for exit code 2


def run(
    project_dir: str | Path,
    model: str | None = None,
    features: str | None = None,
    force: bool = False,
    fix: bool = False,
) -> ScaffoldResult:
    """Add the model service to the converted project in ``project_dir``.

    ``model`` / ``features``: notebook variables that override the ones found; ``force``
    replaces existing service files (and package files edited since convert);
    ``fix``: apply the ``lint --fix`` rewrites first, with the settings that apply to the
    notebook, as ``convert --fix`` did (also done when the manifest records ``fix = true``).
    """
    from nb2prod.errors import InputError

    result = ScaffoldResult(str(project_dir), exit_code=0)
    try:
        _scaffold(Path(project_dir), model, features, force, fix, result)
    except InputError as exc:
        result.exit_code, result.error = 2, str(exc)
    except OSError as exc:
        result.exit_code, result.error = 2, f"{project_dir}: cannot write ({exc.strerror or exc})"
    return result


def _scaffold(
    project: Path,
    model: str | None,
    features: str | None,
    force: bool,
    fix: bool,
    result: ScaffoldResult,
) -> None:
    from nb2prod.convert import render_package
    from nb2prod.errors import InputError
    from nb2prod.notebook.load import load_notebook
    from nb2prod.scaffold import render
    from nb2prod.scaffold.manifest import read_manifest
    from nb2prod.scaffold.model_finder import find_model
    from nb2prod.scaffold.write import write_files

    manifest = read_manifest(project)
    result.package, result.notebook = manifest.package, str(manifest.notebook)
    nb = load_notebook(manifest.notebook)  # a bad notebook is reported under its own name
    choice = find_model(nb, model, features)
    fixed = fix or manifest.fix  # converted with --fix: the same rewrites again
    source = nb
    if fixed:  # with the configuration that applies to the notebook
        from nb2prod.config import load_settings
        from nb2prod.convert import fixed_notebook

        settings = load_settings(start=manifest.notebook.parent)
        source = fixed_notebook(manifest.notebook, settings)[0]
    plan, package_files = _render_with_exports(source, manifest, choice, fixed)

    golden = project / "tests" / "golden.json"  # values recorded by convert --verify
    recorded = golden.read_text(encoding="utf-8") if golden.is_file() else None

    def previous() -> dict[str, str]:
        files = render_package(
            source, manifest.package, manifest.exports, manifest.source, fixed=fixed
        )[1]
        return _with_golden(files, recorded)

    ctx = render.context(plan, manifest.source, choice)
    service, extend = render.render_service(ctx)
    package_files = _with_golden(package_files, recorded)
    files = {**render.extend_package(package_files, extend), **service}
    overlap = set(service) & set(package_files)
    if overlap:  # a template clash: never silently drop a package file
        raise InputError(f"service templates overwrite package files: {sorted(overlap)}")
    result.files = write_files(project, files, set(service), previous, force)
    result.model, result.features, result.target = choice.model, choice.features, choice.target
    result.metrics = list(choice.metrics)


def _with_golden(files: dict[str, str], recorded: str | None) -> dict[str, str]:
    """The package files with the golden values already recorded in the project kept."""
    from nb2prod.convert.writer import carry_golden

    rel = "tests/golden.json"
    return {**files, rel: carry_golden(files[rel], recorded)} if rel in files else files


def _render_with_exports(source: Notebook, manifest: Manifest, choice: ModelChoice, fixed: bool):
    """Render the package so that ``run()`` returns the model, features, target and
    metrics. A metric (or target) the steps do not keep is dropped; a model or features
    variable they do not keep is a one-line error."""
    from nb2prod.convert import render_package
    from nb2prod.convert.plan import ExportNotKept
    from nb2prod.errors import InputError

    roles = {choice.model: "--model", choice.features: "--features"}
    exports = list(dict.fromkeys([*manifest.exports, choice.model, choice.features]))
    optional = [n for n in (choice.target, *choice.metrics) if n and n not in exports]
    try:
        plan, files = render_package(
            source, manifest.package, exports, manifest.source, fixed=fixed, optional=optional
        )
    except ExportNotKept as exc:
        if exc.name not in roles:
            raise
        raise InputError(
            f"{roles[exc.name]} {exc.name}: not a variable that the notebook's steps define"
            " and keep (a notebook-level variable, not deleted later)",
            str(manifest.notebook),
        ) from None
    if choice.target not in plan.results:
        choice.target = None
    choice.metrics = [m for m in choice.metrics if m in plan.results]
    return plan, files
