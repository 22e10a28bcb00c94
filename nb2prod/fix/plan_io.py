"""Plan IO rewrites from the analysis' ``IOEvent`` records (see codemods/io_to_s3.py)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from nb2prod.analysis.io import READ, WRITE, snippet
from nb2prod.fix.codemods.io_to_s3 import Location, Planned, Targets, plan_call, uri_code
from nb2prod.fix.model import CellPlan, FixResult, Group, Rewrite, Skipped

if TYPE_CHECKING:
    from nb2prod.analysis.context import Analysis
    from nb2prod.analysis.io import IOEvent
    from nb2prod.fix.reported import Reported
    from nb2prod.notebook.parse import ParsedCell


def plan_io(
    an: Analysis, plans: dict[int, CellPlan], result: FixResult, reported: Reported | None = None
) -> None:
    """Add a group per rewritable local read or write; a :class:`Skipped` for the others.
    With ``reported``, only the reads and writes lint reports (not under ``noqa``, not
    ignored) are planned."""
    events = [e for e in an.io_events if e.kind in (READ, WRITE) and e.is_local]
    shown = [e for e in events if reported is None or _reported(reported, e)]
    if not shown:
        return
    shown_ids = {id(e) for e in shown}
    targets = Targets.from_settings(an.settings)
    if not targets.configured:
        result.notes.append(
            f"{len(shown)} local read/write(s) not rewritten: set data-uri (e.g. "
            '"s3://bucket/project") in [tool.nb2prod] of pyproject.toml'
        )
        return
    handle = _free_name(an, "fh")
    parents: dict[int, _Parents] = {}
    outcomes = []
    for event in events:
        p = event.cell
        if p.cell.index not in parents:
            parents[p.cell.index] = _Parents(p)
        if id(event) not in shown_ids:  # suppressed (noqa, ignored): it stays local
            outcomes.append("suppressed")
            continue
        outcomes.append(_plan(event, targets, parents[p.cell.index], handle))
    # A file that some call keeps reading or writing locally must stay local everywhere:
    # moving only its other uses to S3 would break the notebook.
    kept_local = {
        _file_key(e): e
        for e, outcome in zip(events, outcomes, strict=True)
        if isinstance(outcome, str) and _file_key(e)
    }
    for event, outcome in zip(events, outcomes, strict=True):
        if outcome == "suppressed":
            continue
        p = event.cell
        code = "IO001" if event.kind == READ else "IO002"
        line = event.node.lineno
        other = kept_local.get(_file_key(event))
        if not isinstance(outcome, str) and other is not None:
            outcome = (
                f"the same file is used locally by a call --fix cannot rewrite "
                f"(cell {other.cell.cell.index}, line {other.node.lineno}); move both by hand"
            )
        if isinstance(outcome, str):
            result.skipped.append(
                Skipped(p.cell.index, line, code, f"`{snippet(p, event.node)}`: {outcome}")
            )
            continue
        planned, loc = outcome
        rewrite = Rewrite(p.cell.index, line, code, snippet(p, event.node), planned.after)
        group = Group(
            planned.replace,
            rewrite,
            needs=planned.needs,
            constants={loc.constant: (loc.env, loc.default)},
        )
        plans.setdefault(p.cell.index, CellPlan()).groups.append(group)


def _reported(reported: Reported, event: IOEvent) -> bool:
    code = "IO001" if event.kind == READ else "IO002"
    return reported.at(code, event.cell.cell.index, event.node.lineno)


def _file_key(event: IOEvent) -> str | None:
    """The file an event touches, normalised (``./data/x.csv`` = ``data/x.csv``)."""
    text = event.value.text
    if not text or not event.value.exact:
        return None
    return text.replace("\\", "/").removeprefix("./")


class _Parents:
    """Per cell: the statement whose whole value is a call, and ``with`` items."""

    def __init__(self, p: ParsedCell) -> None:
        self.lines = p.python.split("\n")
        self.statement: dict[int, ast.stmt] = {}
        self.with_items: set[int] = set()
        assert p.tree is not None
        for node in ast.walk(p.tree):
            if isinstance(node, ast.Expr | ast.Assign | ast.AnnAssign) and node.value is not None:
                self.statement[id(node.value)] = node
            elif isinstance(node, ast.With | ast.AsyncWith):
                self.with_items.update(id(item.context_expr) for item in node.items)


def _plan(
    event: IOEvent, targets: Targets, parents: _Parents, handle: str
) -> tuple[Planned, Location] | str:
    arg = event.arg
    if arg is None:
        return "the path is a default: pass it explicitly"
    value = event.value
    if value.text is None:
        return "the path is not known"
    if value.exact:
        loc = targets.locate(value.text)
        if isinstance(loc, str):
            return loc
        uri = uri_code(loc)
    else:
        loc, uri = _fstring(arg, targets, parents.lines)
        if isinstance(loc, str):
            return loc
    if uri is None:
        return "the path has characters that need escaping: write the URI by hand"
    planned = plan_call(
        event.call,
        event.node,
        arg,
        uri,
        parents.lines,
        parents.statement.get(id(event.node)),
        id(event.node) in parents.with_items,
        handle,
    )
    return planned if isinstance(planned, str) else (planned, loc)


def _fstring(
    arg: ast.expr, targets: Targets, lines: list[str]
) -> tuple[Location | str, str | None]:
    """An f-string path with unknown parts (``f"data/{name}.csv"``) keeps them:
    ``f"{DATA_URI}/data/{name}.csv"``. Only plain ``f"..."`` literals starting with text."""
    from nb2prod.fix.codemods.io_to_s3 import segment

    reason = "the path is computed at run time: build it from DATA_URI by hand"
    if not isinstance(arg, ast.JoinedStr) or not arg.values:
        return reason, None
    head = arg.values[0]
    if not isinstance(head, ast.Constant) or not isinstance(head.value, str):
        return reason, None
    source = segment(lines, arg)
    if source[:1] not in "fF" or source[1:2] not in "\"'" or source[1:4] in ('"""', "'''"):
        return reason, None
    text = head.value
    if not text or not source[2:].startswith(text) or "\\" in text:
        return reason, None
    folder = text.rsplit("/", 1)[0] + "/" if "/" in text else ""
    loc = targets.locate(folder + "x")
    if isinstance(loc, str):
        return loc, None
    rest = loc.rest[:-1]  # drop the "x"
    new_head = "{" + loc.constant + "}/" + rest + text[len(folder) :]
    return loc, source[:2] + new_head + source[2 + len(text) :]


def _free_name(an: Analysis, name: str) -> str:
    """``name``, or ``name2``... if the notebook already uses it."""
    used = {n.id for _, tree in an.trees for n in ast.walk(tree) if isinstance(n, ast.Name)}
    candidate, i = name, 1
    while candidate in used:
        i += 1
        candidate = f"{name}{i}"
    return candidate
