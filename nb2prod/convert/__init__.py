"""``nb2prod convert``: a notebook becomes a Python package (steps, pipeline, settings, tests).

Entry point: :func:`run`. It returns data (:class:`ConvertResult`) and never prints.
Exit codes: 0 written, 1 not converted faithfully (findings; nothing written unless
``allow_partial``), 2 bad input (unreadable notebook, existing output without ``force``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from nb2prod.lint.findings import Finding
from nb2prod.notebook.model import Notebook

if TYPE_CHECKING:
    from nb2prod.config import Settings
    from nb2prod.fix.model import FixResult

__all__ = ["ConvertResult", "render_package", "run"]


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

    @property
    def written(self) -> bool:
        return bool(self.files)


def fixed_notebook(path: str | Path, settings: Settings) -> tuple[Notebook, FixResult]:
    """The notebook at ``path`` with the ``lint --fix`` rewrites applied in memory (the
    file is not changed); it keeps its path, so its folder and configuration still count."""
    from nb2prod.fix.engine import fix_notebook
    from nb2prod.notebook.load import load_notebook, load_notebook_text

    fix = fix_notebook(path, settings, write=False)  # a bad notebook: InputError, its path
    return (load_notebook_text(fix.text, str(path)) if fix.text else load_notebook(path)), fix


def render_package(
    notebook_path: str | Path | Notebook,
    name: str | None = None,
    exports: Sequence[str] = (),
    source: str | None = None,
    fixed: bool = False,
    optional: Sequence[str] = (),
):
    """(plan, {relative path: text}) for a notebook (a path, or a loaded notebook), without
    writing or formatting.

    ``exports``: variables ``run()`` returns besides those the steps hand on; ``source``:
    the notebook's path as recorded in the package (relative to the package folder);
    ``fixed``: the notebook is a copy with the ``lint --fix`` rewrites (recorded too);
    ``optional``: exports returned only where the steps keep them. The notebook's fitted
    models and metrics (:func:`nb2prod.scaffold.model_finder.products`) are optional
    exports too: ``run()`` returns them even when no later step reads them. Each step's
    entry in ``tests/golden.json`` lists the data and model files it writes (``files``)."""
    from nb2prod.convert.codegen import generate
    from nb2prod.convert.findings import finding
    from nb2prod.convert.plan import build_plan
    from nb2prod.convert.writer import render
    from nb2prod.errors import InputError
    from nb2prod.notebook.load import load_notebook
    from nb2prod.notebook.parse import parse_notebook
    from nb2prod.scaffold.model_finder import products

    nb = notebook_path if isinstance(notebook_path, Notebook) else load_notebook(notebook_path)
    try:
        parsed = parse_notebook(nb)
        made = [n for n in products(parsed) if n not in exports and n not in optional]
        plan = build_plan(nb, name, exports, [*optional, *made])
        code = generate(plan)
        written = written_files(nb, parsed, plan)
    except RecursionError:
        raise InputError("code nested too deeply to analyse", nb.path) from None
    cells = {c.index: c for c in nb.cells}
    for index, message in code.problems:
        plan.findings.append(finding("CV001", nb.path, cells[index], 1, 0, message))
    recorded = source if source is not None else plan.notebook
    kept = [*exports, *(n for n in optional if n in plan.results and n not in exports)]
    files = render(plan, code, recorded, kept, fixed)
    layout = json.loads(files["tests/golden.json"])
    for step in layout["steps"]:
        step["files"] = written.get(step["name"], [])
    files["tests/golden.json"] = json.dumps(layout, indent=1) + "\n"
    return plan, files


# Files whose contents the golden values compare after the step that writes them: data and
# models (figures and other files are not compared).
COMPARED_FILES = frozenset(
    {
        ".csv",
        ".tsv",
        ".parquet",
        ".pq",
        ".feather",
        ".json",
        ".jsonl",
        ".xlsx",
        ".xls",
        ".npy",
        ".npz",
        ".joblib",
        ".pkl",
        ".pickle",
        ".sav",
    }
)


def written_files(nb: Notebook, parsed: list, plan) -> dict[str, list[str]]:  # noqa: ANN001
    """Step name -> the data and model files its cells write (:data:`COMPARED_FILES`), by
    their notebook-relative path as the code spells it (lint's IO events; a path known
    only in part is left out)."""
    from nb2prod.analysis.context import Analysis
    from nb2prod.analysis.io import WRITE
    from nb2prod.config import Settings as LintSettings
    from nb2prod.config import defaults

    an = Analysis(nb, LintSettings(defaults()))
    an.__dict__["parsed"] = parsed
    step_of = {i: s.name for s in plan.steps for i in s.cells}
    out: dict[str, list[str]] = {}
    for event in an.io_events.events:
        value = event.value
        step = step_of.get(event.cell.cell.index)
        if event.kind != WRITE or not value.is_local or not value.exact or step is None:
            continue
        text = value.text or ""
        if PurePosixPath(text.replace("\\", "/")).suffix.lower() not in COMPARED_FILES:
            continue
        found = out.setdefault(step, [])
        if text not in found:
            found.append(text)
    return out


def run(
    notebook_path: str | Path,
    out_dir: str | Path,
    name: str | None = None,
    force: bool = False,
    allow_partial: bool = False,
    fix_settings: Settings | None = None,
    exports: Sequence[str] = (),
) -> ConvertResult:
    """Convert ``notebook_path`` into a package in ``out_dir``.

    With ``fix_settings``, the ``lint --fix`` rewrites (local IO to the configured data
    location, secrets to environment variables) are applied in memory first, so the
    generated code carries them; the notebook itself is not changed.
    """
    import os

    from nb2prod.convert.findings import blocking
    from nb2prod.convert.writer import check_target, write_tree
    from nb2prod.errors import InputError

    result = ConvertResult(str(notebook_path), str(out_dir), exit_code=0)
    out = Path(out_dir)
    try:
        check_target(out, force)
        source: str | Path | Notebook = notebook_path
        if fix_settings is not None:
            source, result.fix = fixed_notebook(notebook_path, fix_settings)
        recorded = os.path.relpath(Path(notebook_path).resolve(), out.resolve())
        plan, files = render_package(
            source, name, exports, Path(recorded).as_posix(), fixed=fix_settings is not None
        )
    except InputError as exc:
        result.exit_code, result.error = 2, str(exc)
        return result
    result.package = plan.package
    result.findings = plan.findings
    if blocking(plan.findings) and not allow_partial:
        result.exit_code = 1
        return result
    try:
        result.files = write_tree(files, out, force)
    except InputError as exc:
        result.exit_code, result.error = 2, str(exc)
    except OSError as exc:
        result.exit_code, result.error = 2, f"{out}: cannot write ({exc.strerror or exc})"
    return result
