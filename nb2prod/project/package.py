"""The package part of the plan: steps, settings, pipeline and tests, rendered as files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from nb2prod.project.source import Source, read_source

if TYPE_CHECKING:
    from pathlib import Path

    from nb2prod.convert.model import PackagePlan
    from nb2prod.notebook.model import Notebook

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


def render_package(
    notebook: str | Path | Notebook | Source,
    name: str | None = None,
    exports: Sequence[str] = (),
    source: str | None = None,
    fixed: bool = False,
    optional: Sequence[str] = (),
) -> tuple[PackagePlan, dict[str, str]]:
    """(plan, {relative path: text}) of the package, without writing or formatting.

    ``notebook``: a path, a loaded notebook or a :class:`Source` (read once, analysed
    once); ``exports``: variables ``run()`` returns besides those the steps hand on;
    ``source``: the notebook's path as recorded in the package (relative to the package
    folder); ``fixed``: the notebook is a copy with the ``lint --fix`` rewrites (recorded
    too); ``optional``: exports returned only where the steps keep them. The notebook's
    fitted models and metrics (:func:`nb2prod.scaffold.model_finder.products`) are optional
    exports too: ``run()`` returns them even when no later step reads them. Each step's
    entry in ``tests/golden.json`` lists the data and model files it writes (``files``)."""
    from nb2prod.convert.codegen import generate
    from nb2prod.convert.findings import finding
    from nb2prod.convert.plan import build_plan
    from nb2prod.convert.writer import render
    from nb2prod.errors import InputError
    from nb2prod.lint.findings import mask_findings
    from nb2prod.project.scrub import scrub_files
    from nb2prod.scaffold.model_finder import products

    src = read_source(notebook)
    nb, an = src.nb, src.analysis
    fixed = fixed or src.fixed
    try:
        made = [n for n in products(an.parsed) if n not in exports and n not in optional]
        plan = build_plan(nb, name, exports, [*optional, *made], analysis=an)
        code = generate(plan)
        written = written_files(src, plan)
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
    plan.findings += scrub_files(files, an)  # no secret of the notebook in any file
    mask_findings(plan.findings, an.masker)
    return plan, files


def written_files(src: Source, plan: PackagePlan) -> dict[str, list[str]]:
    """Step name -> the data and model files its cells write (:data:`COMPARED_FILES`), by
    their notebook-relative path as the code spells it (lint's IO events; a path known
    only in part is left out)."""
    from nb2prod.analysis.io import WRITE

    step_of = {i: s.name for s in plan.steps for i in s.cells}
    out: dict[str, list[str]] = {}
    for event in src.analysis.io_events.events:
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
