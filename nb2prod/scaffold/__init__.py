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
    from nb2prod.config import Settings
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
    fix_settings: Settings | None = None,
) -> ScaffoldResult:
    """Add the model service to the converted project in ``project_dir``.

    ``model`` / ``features``: notebook variables that override the ones found; ``force``
    replaces existing service files (and package files edited since convert);
    ``fix_settings``: apply the ``lint --fix`` rewrites first, as ``convert --fix`` did
    (when the manifest records ``fix = true``, with the settings that apply to the notebook).
    """
    from nb2prod.errors import InputError

    result = ScaffoldResult(str(project_dir), exit_code=0)
    try:
        _scaffold(Path(project_dir), model, features, force, fix_settings, result)
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
    fix_settings: Settings | None,
    result: ScaffoldResult,
) -> None:
    import shutil
    import tempfile

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
    if fix_settings is None and manifest.fix:  # converted with --fix: the same rewrites
        from nb2prod.config import load_settings

        fix_settings = load_settings(start=manifest.notebook.parent)
    with tempfile.TemporaryDirectory(prefix="nb2prod-scaffold-") as scratch:
        source = manifest.notebook
        if fix_settings is not None:
            from nb2prod.fix.engine import fix_notebook

            source = Path(shutil.copy2(source, Path(scratch) / source.name))
            fix_notebook(str(source), fix_settings, write=True)
        fixed = fix_settings is not None
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


def _render_with_exports(source: Path, manifest: Manifest, choice: ModelChoice, fixed: bool):
    """Render the package so that ``run()`` returns the model, features, target and
    metrics. A metric (or target) the steps do not keep is dropped; a model or features
    variable they do not keep is a one-line error."""
    from nb2prod.convert import render_package
    from nb2prod.errors import InputError

    roles = {choice.model: "--model", choice.features: "--features"}
    while True:
        wanted = [choice.model, choice.features, choice.target, *choice.metrics]
        exports = list(dict.fromkeys([*manifest.exports, *(n for n in wanted if n)]))
        try:
            return render_package(source, manifest.package, exports, manifest.source, fixed=fixed)
        except InputError as exc:
            name = next((n for n in exports if exc.reason.startswith(f"--export {n}:")), None)
            if name in choice.metrics:
                choice.metrics.remove(name)
            elif name is not None and name == choice.target:
                choice.target = None
            elif name in roles:
                raise InputError(
                    f"{roles[name]} {name}: not a variable that the notebook's steps define"
                    " and keep (a notebook-level variable, not deleted later)",
                    str(manifest.notebook),
                ) from None
            else:
                raise
