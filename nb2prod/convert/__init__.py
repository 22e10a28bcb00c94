"""``nb2prod convert``: a notebook becomes a Python package (steps, pipeline, settings, tests).

Entry point: :func:`run`. It asks :mod:`nb2prod.project` for one plan of the project (the
package, and the model service with ``service``) and writes it as a new folder,
atomically. It returns data (:class:`ConvertResult`) and never prints.
Exit codes: 0 written, 1 not converted faithfully (findings; nothing written unless
``allow_partial``), 2 bad input (unreadable notebook, existing output without ``force``,
no model to serve).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nb2prod.lint.findings import Finding
from nb2prod.project.package import COMPARED_FILES, render_package

if TYPE_CHECKING:
    from nb2prod.config import Settings
    from nb2prod.fix.model import FixResult
    from nb2prod.project.service import ServiceRequest
    from nb2prod.scaffold.model_finder import ModelChoice

__all__ = ["COMPARED_FILES", "ConvertResult", "render_package", "run"]


@dataclass(slots=True)
class ConvertResult:
    notebook: str
    out_dir: str
    exit_code: int
    package: str | None = None
    files: list[str] = field(default_factory=list)  # relative to out_dir, when written
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None  # the one-line reason for exit code 2
    fix: FixResult | None = None  # the rewrites applied first (``fix_settings``)
    model: ModelChoice | None = None  # the model served (``service``)
    service_files: list[str] = field(default_factory=list)  # the service's own files
    notes: list[str] = field(default_factory=list)  # worth knowing, the package is written

    @property
    def written(self) -> bool:
        return bool(self.files)


def run(
    notebook_path: str | Path,
    out_dir: str | Path,
    name: str | None = None,
    force: bool = False,
    allow_partial: bool = False,
    fix_settings: Settings | None = None,
    exports: Sequence[str] = (),
    service: ServiceRequest | None = None,
) -> ConvertResult:
    """Convert ``notebook_path`` into a package in ``out_dir``.

    With ``fix_settings``, the ``lint --fix`` rewrites (local IO to the configured data
    location, secrets to environment variables) are applied in memory first, so the
    generated code carries them; the notebook itself is not changed. With ``service``, the
    model service is planned and written with the package (what ``nb2prod scaffold`` adds).
    """
    import os

    from nb2prod.convert.findings import blocking
    from nb2prod.convert.writer import check_target, write_tree
    from nb2prod.errors import InputError
    from nb2prod.project.plan import plan_project
    from nb2prod.project.source import read_source

    result = ConvertResult(str(notebook_path), str(out_dir), exit_code=0)
    out = Path(out_dir)
    try:
        check_target(out, force)
        src = read_source(notebook_path, fix_settings)
        result.fix = src.fix
        recorded = Path(os.path.relpath(Path(notebook_path).resolve(), out.resolve()))
        plan = plan_project(src, name, exports, recorded.as_posix(), service)
    except InputError as exc:
        result.exit_code, result.error = 2, str(exc)
        return result
    result.package, result.findings, result.model = plan.name, plan.package.findings, plan.choice
    if blocking(plan.package.findings) and not allow_partial:
        result.exit_code = 1
        return result
    if plan.service_error is not None:
        result.exit_code, result.error = 2, str(plan.service_error)
        return result
    try:
        written = write_tree(plan.files, out, force)
        result.files = written.files
        if written.unformatted:
            result.notes.append(f"generated files left unformatted: {written.unformatted}")
        result.service_files = sorted(plan.service_files)
    except InputError as exc:
        result.exit_code, result.error = 2, str(exc)
    except OSError as exc:
        result.exit_code, result.error = 2, f"{out}: cannot write ({exc.strerror or exc})"
    return result
