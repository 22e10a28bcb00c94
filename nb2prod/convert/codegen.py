"""Source of the steps module.

Every top-level statement goes where the plan put it: module-level imports and definitions,
a step's body, or nowhere. A statement copied unchanged is sliced from the cell by its
``ast`` lines (fast, and the comments above it come along); a cell with a statement to
rewrite, or two statements on one line, goes through libcst (lossless), in ``cst_path``,
imported only then (libcst takes 0.4 s to import).
"""

from __future__ import annotations

import ast
import itertools

from nb2prod.convert import classify as k
from nb2prod.convert.model import (
    CellParts,
    CellPlan,
    CellUnreadable,
    PackagePlan,
    Rewrites,
    StepPlan,
    StepsSource,
)

__all__ = ["CellParts", "CellUnreadable", "Rewrites", "StepsSource", "generate"]


def generate(plan: PackagePlan) -> StepsSource:
    out = StepsSource()
    renames = {p.name: p.code_name for p in plan.params if p.code_name != p.name}
    inject = Rewrites(plan.injected, renames=renames)
    parts: dict[int, CellParts] = {}
    seen_imports: set[str] = set()
    future: list[str] = []
    for c in plan.cells:
        try:
            p = _split_cell(c, plan, inject)
        except CellUnreadable as exc:
            out.problems.append((c.index, f"libcst cannot read this cell ({exc})"))
            p = CellParts([], [], "", False)
        parts[c.index] = p
        for imp in p.imports:
            if imp not in seen_imports:
                seen_imports.add(imp)
                (future if imp.startswith("from __future__") else out.imports).append(imp)
        out.definitions.extend(p.definitions)
    out.imports += [imp for imp in plan.extra_imports if imp not in seen_imports]
    if inject.uses_partial and "import functools" not in seen_imports:
        out.imports.append("import functools")
    out.imports = future + out.imports
    for step in plan.steps:
        out.steps.append(_step_function(step, [parts[i] for i in step.cells], plan))
    return out


def _split_cell(c: CellPlan, plan: PackagePlan, inject: Rewrites) -> CellParts:
    """Imports, module-level definitions and step code of one cell.

    Statements copied unchanged are sliced from the source by their ``ast`` lines (fast);
    a cell with a statement to rewrite, or two statements on one line, goes through libcst.
    """
    tree = c.parsed.tree
    assert tree is not None
    names = inject.injected

    def needs(node: ast.stmt) -> bool:
        """Does the statement mention a function that takes notebook variables?"""
        return bool(names) and any(
            isinstance(n, ast.Name) and n.id in names for n in ast.walk(node)
        )

    flags = [
        kind in (k.CODE, k.DEF) and needs(s) or kind == k.DEF and getattr(s, "name", "") in names
        for s, kind in zip(tree.body, c.kinds, strict=True)
    ]
    multiline = any(
        _has_multiline_string(s)
        for s, kind in zip(tree.body, c.kinds, strict=True)
        if kind == k.CODE
    )
    shared_line = any(a.end_lineno == b.lineno for a, b in itertools.pairwise(tree.body))
    renamed = bool(inject.renames) and any(
        isinstance(n, ast.Name) and n.id in inject.renames
        for s, kind in zip(tree.body, c.kinds, strict=True)
        if kind in (k.CODE, k.DEF)
        for n in ast.walk(s)
    )
    if any(flags) or renamed or shared_line or "\r" in c.parsed.python:
        from nb2prod.convert.cst_path import split_cell

        parts = split_cell(c, plan, inject, flags, multiline)
    else:
        parts = _split_cell_text(c, multiline)
    if parts.body and c.defuse is not None and "__name__" in c.defuse.reads:
        marker, _, rest = parts.body.partition("\n")
        parts.body = f'{marker}\n__name__ = "__main__"  # as in the notebook\n{rest}'
    return parts


def _has_multiline_string(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Constant | ast.JoinedStr)
        and isinstance(getattr(n, "value", ""), str | bytes | list)
        and n.end_lineno is not None
        and n.end_lineno > n.lineno
        for n in ast.walk(node)
    )


def _split_cell_text(c: CellPlan, multiline: bool) -> CellParts:
    tree = c.parsed.tree
    assert tree is not None
    lines = c.parsed.python.split("\n")
    imports: list[str] = []
    definitions: list[str] = []
    body: list[str] = []
    previous_end = 0
    for s, kind in zip(tree.body, c.kinds, strict=True):
        first = min([s.lineno, *(d.lineno for d in getattr(s, "decorator_list", ()))])
        gap = lines[previous_end : first - 1]
        text = "\n".join(lines[first - 1 : s.end_lineno])
        previous_end = s.end_lineno or first
        if kind == k.IMPORT:
            imports.append(text)
        elif kind == k.DEF:
            definitions.append("\n".join([*_comments(gap), text]))
        elif kind == k.CODE:
            if body:
                body.extend(gap)
            else:
                body.extend(_comments(gap))
            body.append(text)
    if body:
        body.insert(0, f"# cell {c.index}")
    return CellParts(imports, definitions, "\n".join(body), multiline)


def _comments(gap: list[str]) -> list[str]:
    """The comment block right above a statement (no blank lines before it)."""
    out: list[str] = []
    for line in reversed(gap):
        if not line.lstrip().startswith("#"):
            break
        out.append(line.strip())
    return out[::-1]


def _step_function(step: StepPlan, parts: list[CellParts], plan: PackagePlan) -> str:
    title = step.title or f"Step {plan.steps.index(step) + 1} of the notebook"
    if not title.endswith((".", "!", "?", ":")):
        title += "."
    cells = ", ".join(str(i) for i in step.cells)
    plural = "s" if len(step.cells) > 1 else ""
    doc = f"{title}\n\nNotebook {plan.notebook}, cell{plural} {cells}.\n"
    doc = doc.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    body = "\n".join(p.body for p in parts if p.body)
    if step.outputs:
        body += f"\nreturn {', '.join(step.outputs)}"
    hints = _hints(step, plan)
    signature = ", ".join(f"{n}: {hints[n]}" if n in hints else n for n in step.inputs)
    header = f"def {step.name}({signature}):\n"
    if not any(p.multiline for p in parts):
        indented = "\n".join(f"    {ln}" if ln.strip() else "" for ln in body.split("\n"))
        doc_lines = [f"    {ln}" if ln else "" for ln in doc.split("\n")]
        docstring = '    """' + "\n".join(doc_lines).lstrip() + '    """\n'
        return header + docstring + indented + "\n"
    from nb2prod.convert.cst_path import function_source

    # A string literal spans lines: let libcst indent the statements, not their strings.
    return function_source(step.name, step.inputs, doc, body, hints)


def _hints(step: StepPlan, plan: PackagePlan) -> dict[str, str]:
    """Type hints of the step's parameters that receive a setting (``seed: int``)."""
    by_expr = {f"_cfg.{p.field}": p.hint for p in plan.params if p.hint}
    return {name: by_expr[expr] for name, expr in step.args if expr in by_expr}
