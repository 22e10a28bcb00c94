"""``fix_notebook``: plan rewrites from the shared analysis, apply them per cell with libcst,
write the notebook back (only changed cells' sources and cleared outputs change)."""

from __future__ import annotations

import ast
import difflib
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from nb2prod.fix.model import CellPlan, FixResult, Group, Skipped
from nb2prod.notebook.model import source_lines

if TYPE_CHECKING:
    import libcst as cst

    from nb2prod.analysis.context import Analysis
    from nb2prod.analysis.secrets.masker import Masker
    from nb2prod.config import Settings
    from nb2prod.notebook.model import Notebook
    from nb2prod.notebook.parse import ParsedCell


class _Unsafe(Exception):
    """A cell whose rewrite would touch a masked IPython line, or that libcst cannot parse."""


def fix_notebook(path: str | Path | Notebook, settings: Settings, write: bool = True) -> FixResult:
    """Fix IO and SEC findings of the notebook at ``path`` (or of a notebook already
    loaded, which keeps its file's text); write it back when ``write``."""
    from nb2prod.analysis.context import Analysis
    from nb2prod.fix.plan_io import plan_io
    from nb2prod.fix.plan_secrets import plan_secrets
    from nb2prod.fix.reported import Reported
    from nb2prod.notebook.load import load_notebook
    from nb2prod.notebook.model import Notebook

    nb = path if isinstance(path, Notebook) else load_notebook(path)
    path = nb.path
    result = FixResult(str(path))
    if nb.nbformat != 4:
        result.notes.append("nbformat 3 notebook: not rewritten (save it as nbformat 4 first)")
        return result
    if not nb.is_python:
        result.notes.append(f"{nb.language} notebook: nothing to fix")
        return result
    an = Analysis(nb, settings)
    plans: dict[int, CellPlan] = {}
    secrets: list[str] = []
    reported = Reported(an)  # only what lint reports is rewritten (noqa, select, ignore)
    plan_io(an, plans, result, reported)
    plan_secrets(an, plans, result, secrets, reported)
    edits = _apply(an, plans, result, secrets)
    _mask(result, an.masker)
    if not edits:
        return result
    from nb2prod.notebook.write import apply_edits, write_atomic

    text = ("\ufeff" if nb.bom else "") + nb.text  # the file as the loader read it
    new = apply_edits(text, edits)
    result.changed = new != text
    result.text = new if result.changed else None
    if write and result.changed:
        write_atomic(path, new)
        result.written = True
    return result


def _apply(an: Analysis, plans: dict[int, CellPlan], result: FixResult, secrets: list[str]):
    from nb2prod.notebook.write import CellEdit

    parsed = {p.cell.index: p for p in an.parsed}
    header = next((p for p in an.parsed if p.tree is not None and p.not_python is None), None)
    modules: dict[int, cst.Module] = {}
    sources: dict[int, str] = {}
    needs: set[str] = set()
    constants: dict[str, tuple[str, str]] = {}
    env: set[str] = set()
    for index in sorted(plans):
        plan = plans[index]
        cell = an.nb.cells[index - 1]
        if cell.cell_type != "code":
            if plan.line_edits:
                sources[index] = _edit_text(cell.source, plan.line_edits)
            env.update(e for g in plan.groups for e in g.env)
            continue
        p = parsed[index]
        if not plan.groups and not plan.line_edits:
            continue
        try:
            module, applied = _transform(p, plan)
        except (_Unsafe, RecursionError) as exc:  # RecursionError: libcst on deep nesting
            why = exc if isinstance(exc, _Unsafe) else "the cell is nested too deeply"
            for g in plan.groups:
                result.skipped.append(
                    Skipped(index, g.rewrite.line, g.rewrite.code, f"not rewritten: {why}")
                )
            continue
        modules[index] = module
        for g in applied:
            result.rewrites.append(g.rewrite)
            needs |= g.needs
            constants.update(g.constants)
            env |= g.env
    if header is not None and (needs or constants):
        hidx = header.cell.index
        try:
            module = modules.get(hidx) or _parse(header.python)
        except _Unsafe:
            module = None
        if module is None:
            result.notes.append("the first code cell cannot be rewritten: add the imports by hand")
        else:
            from nb2prod.fix.codemods.header import AddHeader

            imports = sorted(needs | ({"os"} if constants else set()))
            try:
                modules[hidx] = module.visit(AddHeader(imports, constants))
            except RecursionError:  # libcst on deep nesting
                result.notes.append(
                    "the first code cell is nested too deeply to rewrite: add the imports by hand"
                )
    edits: list[CellEdit] = []
    for index, module in modules.items():
        p = parsed[index]
        try:
            sources[index] = _restore(p.cell.source, p.python, module.code)
        except (_Unsafe, RecursionError) as exc:
            why = exc if isinstance(exc, _Unsafe) else "nested too deeply"
            result.notes.append(f"cell {index}: not rewritten ({why})")
            result.rewrites = [r for r in result.rewrites if r.cell != index]
    for index in sorted(set(sources) | {i for i, pl in plans.items() if pl.drop_outputs}):
        cell = an.nb.cells[index - 1]
        source = sources.get(index)
        if source == cell.source:
            source = None
        drop = tuple(sorted(plans.get(index, CellPlan()).drop_outputs))
        if source is None and not drop:
            continue
        edits.append(CellEdit(index, source, drop_outputs=drop))
        if source is not None:
            result.diffs.append(_diff(an.nb.path, index, cell.source, source, secrets))
    result.env_vars = sorted(env)
    if constants:
        for const, (var, default) in sorted(constants.items()):
            result.notes.append(f"{const} is read from ${var} (default {default})")
    return edits


def _mask(result: FixResult, masker: Masker) -> None:
    """Mask the notebook's secrets in every text of the fix report (``before`` of an IO
    rewrite quotes a call whose path may hold a token)."""
    for r in result.rewrites:
        r.before, r.after = masker(r.before), masker(r.after)
    for s in result.skipped:
        s.message = masker(s.message)
    result.notes = [masker(n) for n in result.notes]
    result.diffs = [masker(d) for d in result.diffs]


def _parse(code: str) -> cst.Module:
    import libcst as cst

    try:
        return cst.parse_module(code)
    except (cst.ParserSyntaxError, RecursionError) as exc:
        raise _Unsafe(f"libcst cannot parse the cell ({type(exc).__name__})") from None


def _transform(p: ParsedCell, plan: CellPlan) -> tuple[cst.Module, list[Group]]:
    """Apply the plan's groups in one pass; a group applied only in part is dropped and
    the pass re-run, so a rewrite is all or nothing."""
    from nb2prod.fix.codemods.positions import transform

    code = _edit_text(p.python, plan.line_edits) if plan.line_edits else p.python
    groups = list(plan.groups)
    for _ in range(len(groups) + 1):
        module = _parse(code)
        replace = {k: v for g in groups for k, v in g.replace.items()}
        new, applied = transform(module, replace)
        partial = [g for g in groups if not set(g.replace) <= applied]
        if not partial:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # invalid escapes the cell already had
                    ast.parse(new.code)
            except SyntaxError as exc:
                raise _Unsafe(f"the rewrite would not parse ({exc.msg})") from None
            return new, groups
        groups = [g for g in groups if g not in partial]
    raise _Unsafe("rewrites overlap")


def _edit_text(text: str, edits: list[tuple[int, int, int, str]]) -> str:
    """Replace (line, start col, end col) spans of ``text`` (1-based lines, characters)."""
    lines = text.split("\n")
    for line, start, end, new in sorted(edits, reverse=True):
        row = lines[line - 1]
        lines[line - 1] = row[:start] + new + row[end:]
    return "\n".join(lines)


def _restore(original: str, masked: str, rewritten: str) -> str:
    """``rewritten`` (masked Python) with the cell's IPython lines put back: lines equal
    in ``masked`` and ``rewritten`` are taken from ``original``."""
    if original == masked:
        return rewritten
    before, after = masked.split("\n"), rewritten.split("\n")
    orig = source_lines(original) + ([""] if original.endswith(("\n", "\r")) else [])
    end = "\r\n" if "\r\n" in original else "\r" if "\r" in original else "\n"  # as the cell
    if len(before) != len(orig):
        raise _Unsafe("magic masking changed the line count")
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(orig[i1:i2])
            continue
        if any(before[i] != orig[i] for i in range(i1, i2)):
            raise _Unsafe("the rewrite touches an IPython line")
        out.extend(after[j1:j2])
    return end.join(out)


def _diff(path: str, index: int, old: str, new: str, secrets: list[str]) -> str:
    from nb2prod.analysis.secrets import mask, redact

    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        f"{path}:cell {index}",
        f"{path}:cell {index} (fixed)",
    )
    out = []
    for line in lines:
        for secret in secrets:
            if secret in line:
                line = line.replace(secret, mask(secret))
        out.append(redact(line.rstrip("\n"), []) + "\n")
    return "".join(out)
