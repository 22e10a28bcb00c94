"""The libcst half of codegen: cells with statements to rewrite or to split, and step
functions whose strings span lines (libcst indents statements, never string contents)."""

from __future__ import annotations

import libcst as cst

from nb2prod.convert import classify as k
from nb2prod.convert.codemods.pass_notebook_variables import (
    PassNotebookVariables,
    add_parameters,
)
from nb2prod.convert.model import CellParts, CellPlan, CellUnreadable, PackagePlan, Rewrites

_DEFAULT = cst.MaybeSentinel.DEFAULT


def split_cell(
    c: CellPlan,
    plan: PackagePlan,
    rewrites: Rewrites,
    flags: list[bool],
    multiline: bool,
) -> CellParts:
    try:
        module = cst.parse_module(c.parsed.python)
    except cst.ParserSyntaxError as exc:
        raise CellUnreadable(exc.message) from None
    if rewrites.renames:
        from nb2prod.convert.codemods.rename_constants import RenameConstants

        module = module.visit(RenameConstants(rewrites.renames))
    inject = PassNotebookVariables(rewrites.injected)
    kinds = iter(c.kinds)
    todo = iter(flags)

    def rewrite(node: cst.BaseStatement, flag: bool) -> cst.BaseStatement:
        return node.visit(inject) if flag else node  # type: ignore[return-value]

    imports: list[str] = []
    definitions: list[str] = []
    body: list[cst.BaseStatement] = []
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            kept: list[cst.BaseSmallStatement] = []
            rewritten = False
            for small in stmt.body:
                kind = next(kinds)
                rewritten = next(todo) or rewritten
                if kind == k.IMPORT:
                    line = cst.SimpleStatementLine([small.with_changes(semicolon=_DEFAULT)])
                    imports.append(_code(line))
                elif kind == k.CODE:
                    kept.append(small)
            if kept:
                kept[-1] = kept[-1].with_changes(semicolon=_DEFAULT)
                line = stmt.with_changes(body=kept)
                body.append(line.visit(inject) if rewritten else line)
            continue
        kind = next(kinds)
        flag = next(todo)
        if kind == k.IMPORT:
            imports.append(_code(stmt.with_changes(leading_lines=())))
        elif kind == k.DEF and isinstance(stmt, cst.FunctionDef | cst.ClassDef):
            definitions.append(_code(add_parameters(rewrite(stmt, flag), plan.injected)))
        elif kind == k.CODE:
            body.append(rewrite(stmt, flag))
    if body:
        header = [ln for ln in module.header if ln.comment is not None]
        marker = cst.EmptyLine(comment=cst.Comment(f"# cell {c.index}"))
        first = body[0]
        leading = list(first.leading_lines)
        while leading and leading[0].comment is None:
            leading.pop(0)
        body[0] = first.with_changes(leading_lines=[marker, *header, *leading])
    text = cst.Module(body=body).code.rstrip("\n") if body else ""
    rewrites.uses_partial = rewrites.uses_partial or inject.uses_partial
    return CellParts(imports, definitions, text, multiline)


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[node]).code.strip("\n")  # type: ignore[list-item]


def function_source(
    name: str, params: list[str], doc: str, body: str, hints: dict[str, str] | None = None
) -> str:
    """``def name(params):`` with docstring ``doc`` and ``body`` (at column 0) indented;
    ``hints``: parameter -> annotation source."""
    statements = [cst.parse_statement(f'"""{doc}"""'), *cst.parse_module(body).body]
    hints = hints or {}
    func = cst.FunctionDef(
        name=cst.Name(name),
        params=cst.Parameters(
            params=[
                cst.Param(
                    cst.Name(n),
                    annotation=cst.Annotation(cst.parse_expression(hints[n]))
                    if n in hints
                    else None,
                )
                for n in params
            ]
        ),
        body=cst.IndentedBlock(body=statements),
    )
    return cst.Module(body=[func], default_indent="    ").code
