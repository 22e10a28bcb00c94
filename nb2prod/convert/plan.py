"""Cells -> steps -> package plan, as plain data (no code is generated here).

Design of what goes where (faithful to running the notebook top to bottom):

* Imports move to module level. A ``def``/``class`` moves to module level when its name is
  bound once in the notebook, by that statement only, and nothing it evaluates when it runs
  (decorators, defaults, bases, class body, and for a class its methods) reads a notebook
  variable. Otherwise it stays in its step, as a local definition like any other code.
* A module-level function whose body reads notebook variables (directly or through the
  functions it calls) receives them as extra keyword-only parameters, and every reference to
  it passes the caller's current values (``f(x, df=df)``; ``functools.partial`` when it is
  passed along): it sees what the notebook's global lookup would see at the call.
* A step's parameters are the notebook variables its cells read before binding them (calls
  included, through def/use); it returns each name it defines or mutates that a later step
  reads, so the pipeline never reads a stale object.
"""

from __future__ import annotations

import ast
import dataclasses
import keyword
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nb2prod.analysis.defuse import BUILTINS, FunctionInfo, analyze, function_closure
from nb2prod.analysis.names import collect_imports
from nb2prod.convert import checks, deps
from nb2prod.convert import classify as k
from nb2prod.convert.env_reads import ALIAS as ENV_ALIAS
from nb2prod.convert.env_reads import EnvRead, find_env_reads, pipeline_expr
from nb2prod.convert.findings import finding
from nb2prod.convert.local_paths import ALIAS as PATHS_ALIAS
from nb2prod.convert.local_paths import IMPORT as PATHS_IMPORT
from nb2prod.convert.local_paths import route_local_paths
from nb2prod.convert.model import CellPlan, PackagePlan, StepPlan, stmts
from nb2prod.convert.settings_params import Param, find_params
from nb2prod.convert.steps import StepFacts, group_cells, step_names
from nb2prod.errors import InputError
from nb2prod.lint.findings import Finding
from nb2prod.notebook.model import Notebook
from nb2prod.notebook.parse import ParsedCell, parse_cell, parse_notebook

if TYPE_CHECKING:
    from nb2prod.analysis.context import Analysis

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RESERVED = {"run", "main", "functools", "_steps", "_cfg", "_Settings", "settings", ENV_ALIAS}


def package_name(nb_path: str, requested: str | None, modules: set[str]) -> str:
    """``--name`` checked, or a name made from the notebook's file name."""
    if requested is not None:
        if not _IDENT.match(requested) or keyword.iskeyword(requested):
            raise InputError(f"--name {requested!r} is not a valid Python package name")
        if requested in sys.stdlib_module_names or requested in modules:
            raise InputError(f"--name {requested!r} would shadow the module of that name")
        return requested
    stem = re.sub(r"[^0-9a-zA-Z]+", "_", Path(nb_path).stem).strip("_").lower()
    stem = re.sub(r"_+", "_", stem) or "notebook"
    if stem[0].isdigit():
        stem = f"nb_{stem}"
    if keyword.iskeyword(stem) or stem in sys.stdlib_module_names or stem in modules:
        stem += "_pipeline"
    return stem


class ExportNotKept(InputError):
    """An exported name that no step defines and keeps to the end (``name``)."""

    def __init__(self, name: str, path: str) -> None:
        super().__init__(
            f"--export {name}: not a variable that the notebook's steps define and keep", path
        )
        self.name = name


def build_plan(
    nb: Notebook,
    name: str | None = None,
    exports: Sequence[str] = (),
    optional: Sequence[str] = (),
    analysis: Analysis | None = None,
) -> PackagePlan:
    """The package plan of ``nb``. ``exports`` are notebook variables that ``run()`` must
    return besides what the steps hand on (e.g. the fitted model, for a service);
    ``optional`` ones are returned when the steps keep them, and left out otherwise.
    ``analysis``: lint's analysis of ``nb`` when already made (its cells and findings are
    used instead of parsing and linting again)."""
    if not nb.is_python:
        raise InputError(f"not a Python notebook (kernel language: {nb.language})", nb.path)
    path = nb.path
    findings: list[Finding] = []
    cells_in = analysis.parsed if analysis is not None else parse_notebook(nb)
    parsed = [_unwrap_timed(p, path, findings) for p in cells_in]
    eda = k.context([p.tree for p in parsed if p.tree is not None])  # imports, figures
    parsed = [k.unwrap_display(p, eda) for p in parsed]  # display(f(x)) -> f(x)
    parsed, routed = route_local_paths(nb, parsed)
    findings += checks.cell_problems(path, parsed)
    findings += checks.order_problems(path, parsed)
    params = find_params(parsed)
    param_nodes = {id(p.node) for p in params}
    env_reads = find_env_reads(parsed)  # NAME = os.environ[...]: read when a step needs it
    param_nodes |= {id(e.node) for e in env_reads}

    cells: list[CellPlan] = []
    pip_lines: list[deps.PipLine] = []
    for p in parsed:
        for m in p.magics:
            code, message = k.magic_verdict(m)
            if code:
                findings.append(finding(code, path, p.cell, m.line, m.col, message))
            if k.is_install(m.name, m.text):
                line = deps.parse_pip(m)
                pip_lines.append(line)
                for word in line.unusable:
                    msg = f"`{word}` from a pip install line cannot go in pyproject.toml; add it by hand"
                    findings.append(finding("CV012", path, p.cell, m.line, m.col, msg))
        if p.tree is None:
            continue
        problems, imports = k.scan(p.tree)
        for code, node, message in problems:
            line, col = node.lineno, node.col_offset  # type: ignore[attr-defined]
            findings.append(finding(code, path, p.cell, line, col, message))
        if any(code in _LEFT_OUT for code, _, _ in problems):
            continue  # a function body could not hold this cell's code
        magic_lines = {m.line for m in p.magics}
        cells.append(CellPlan(p, k.classify(p.tree, magic_lines, param_nodes, eda), imports))

    # Def/use over what stays: parameters and display-only lines are gone.
    kept = [(c.index, ast.Module([s for s, kind in stmts(c) if kind in _KEPT], [])) for c in cells]
    for c, du in zip(cells, analyze(kept).cells, strict=True):
        c.defuse = du

    params = _read_params(params, cells)
    param_names = {p.name for p in params} | {e.name for e in env_reads}
    module_defs, infos, data = _module_level(cells, param_names)
    for c in cells:
        c.kinds = [
            k.CODE if kind == k.DEF and getattr(s, "name", None) not in module_defs else kind
            for s, kind in stmts(c)
        ]
    renames = {p.name: p.code_name for p in params if p.code_name != p.name}
    injected = {
        f: [renames.get(n, n) for n in names]
        for f, names in _injections(module_defs, infos, data).items()
    }
    findings += checks.global_writes(path, cells)

    modules = deps.top_level_imports(node for c in cells for node in c.imports)
    extra_imports = []
    defined = set().union(*(c.defuse.changes for c in cells if c.defuse)) if cells else set()
    if "display" not in defined and any("display" in c.defuse.reads for c in cells if c.defuse):
        extra_imports.append("from IPython.display import display")  # a kernel built-in
        modules.setdefault("IPython", ast.Pass())
    if routed.used:
        extra_imports.append(PATHS_IMPORT)  # the generated paths module (local_paths)
    findings += checks.local_imports(path, cells, modules)
    third_party = sorted(
        m
        for m in modules
        if deps.is_third_party(m) and not deps.is_local_module(m, Path(path).parent)
    )
    findings += checks.name_problems(path, cells, param_names | {PATHS_ALIAS})

    optional = [*optional, *(n for n in _last_shown(cells, data) if n not in optional)]
    steps, results = _steps(nb, cells, params, data, module_defs, exports, optional, env_reads)
    findings += checks.stale_closures(path, cells, steps, data)
    findings += checks.unseeded_randomness(path, cells)
    findings += lint_findings(nb, analysis)
    pkg = package_name(path, name, set(modules) | {deps.distribution_for(m) for m in third_party})
    kept_code = [(c.index, s) for c in cells for s, kind in stmts(c) if kind in _KEPT]
    needed = deps.runtime_needs(nb, kept_code, modules)  # s3fs, openpyxl ... (not imported)
    return PackagePlan(
        package=pkg,
        notebook=Path(path).name,
        cells=cells,
        params=params,
        steps=steps,
        module_defs=module_defs,
        injected=injected,
        requirements=deps.requirements(third_party, pip_lines, needed),
        dependencies=deps.dependencies(third_party, pip_lines, needed),
        findings=sorted(findings, key=Finding.sort_key),
        results=results,
        extra_imports=extra_imports,
        paths=routed,
    )


def lint_findings(nb: Notebook, analysis: Analysis | None = None) -> list[Finding]:
    """Lint's IO and SEC findings, carried into the report as warnings: the package
    behaves like the notebook, so they do not stop the conversion. Settings come from the
    nearest pyproject.toml (the defaults when it cannot be read), or are the analysis's."""
    from nb2prod.config import Settings, defaults, load_settings
    from nb2prod.lint.engine import check_notebook

    if analysis is not None:
        settings = analysis.settings
    else:
        try:
            settings = load_settings(start=Path(nb.path).resolve().parent)
        except InputError:
            settings = Settings(defaults())
    try:
        found = check_notebook(nb, settings, analysis=analysis)
    except InputError:  # a rule crash or a bad secret pattern: lint reports it on its own
        return []
    return [
        dataclasses.replace(f, severity="warning" if f.severity == "error" else f.severity)
        for f in found
        if f.code.startswith(("IO", "SEC"))
    ]


def _read_params(params: list[Param], cells: list[CellPlan]) -> list[Param]:
    """The tagged parameters, and the constants that the kept code reads (a constant only
    displayed is no setting: its line is gone with the display)."""
    reads: set[str] = set()
    for c in cells:
        assert c.defuse is not None
        reads |= set(c.defuse.reads)
        for info in c.defuse.functions.values():
            reads |= set(info.reads) | set(info.def_reads)
    return [p for p in params if p.tagged or p.name in reads]


_KEPT = {k.CODE, k.DEF, k.IMPORT}


def _last_shown(cells: list[CellPlan], data: set[str]) -> list[str]:
    """Notebook variables that a display or plot line shows (``df.head()``,
    ``PredictionErrorDisplay.from_predictions(y, y_pred)``) and that no code after it
    reads: the notebook's results. Those lines leave the package, so ``run()`` returns
    the values instead, where they can be compared with the notebook's."""
    read_after: set[str] = set()
    found: dict[str, None] = {}
    for c in reversed(cells):
        assert c.defuse is not None
        shown = [
            n.id
            for s, kind in stmts(c)
            if kind in (k.DISPLAY, k.PLOT)
            for n in ast.walk(s)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        ]
        for name in shown:
            if name in data and name not in read_after:
                found.setdefault(name)
        read_after |= set(c.defuse.reads)
    return list(reversed(found))


_LEFT_OUT = {"CV001", "CV013"}


_TIMED = {"time", "timeit"}
_TIMEIT_VALUE_OPTIONS = {"-n", "-r", "-p"}


def _unwrap_timed(p: ParsedCell, path: str, findings: list[Finding]) -> ParsedCell:
    """``%time stmt`` runs ``stmt`` in the notebook: keep the statement, drop the timing."""
    timed = [
        m for m in p.magics if m.kind == "line_magic" and m.name in _TIMED and m.line == m.end_line
    ]
    if not timed:
        return p
    lines = p.cell.source.split("\n")
    for m in timed:
        words = m.text.split(" ")[1:]
        while words and words[0].startswith("-"):
            words = words[2:] if words[0] in _TIMEIT_VALUE_OPTIONS else words[1:]
        body = " ".join(words).strip()
        if not body:
            continue
        try:
            ast.parse(body)
        except SyntaxError:
            continue
        indent = lines[m.line - 1][: m.col]
        lines[m.line - 1] = indent + body
        msg = f"`%{m.name}` dropped, the statement it timed kept"
        findings.append(finding("CV003", path, p.cell, m.line, m.col, msg))
    cell = dataclasses.replace(p.cell, source="\n".join(lines))
    return dataclasses.replace(parse_cell(cell), cell=p.cell)


# -- module level or local ----------------------------------------------------------------


def _module_level(
    cells: list[CellPlan], params: set[str]
) -> tuple[set[str], dict[str, FunctionInfo], set[str]]:
    """(module-level def names, their infos, notebook variables)."""
    code_binds: set[str] = set(params)
    import_binds: set[str] = set()
    def_counts: dict[str, int] = {}
    infos: dict[str, FunctionInfo] = {}
    for c in cells:
        assert c.defuse is not None
        for s, kind in stmts(c):
            if kind == k.CODE:
                code_binds |= k.binds(s)
            elif kind == k.IMPORT:
                import_binds |= k.binds(s)
            elif kind == k.DEF:
                name = s.name  # type: ignore[attr-defined]
                def_counts[name] = def_counts.get(name, 0) + 1
                infos[name] = c.defuse.functions[name]
    for c in cells:  # in-place changes of notebook variables (not of modules or functions)
        assert c.defuse is not None
        code_binds |= set(c.defuse.mutates) - import_binds - set(def_counts)
    candidates = {
        n for n, count in def_counts.items() if count == 1 and n not in code_binds | import_binds
    }
    data = code_binds | (set(def_counts) - candidates)
    changed = True
    while changed:
        changed = False
        module_infos = {n: infos[n] for n in candidates}
        for n in sorted(candidates):
            info = infos[n]
            reads = set(info.def_reads)
            if info.is_class:
                reads |= set(function_closure(n, module_infos)[0])
            if reads & data:
                candidates.discard(n)
                data.add(n)
                changed = True
                break
    return candidates, {n: infos[n] for n in candidates}, data


def _injections(
    module_defs: set[str], infos: dict[str, FunctionInfo], data: set[str]
) -> dict[str, list[str]]:
    out = {}
    for name in sorted(module_defs):
        if infos[name].is_class:
            continue
        reads = function_closure(name, infos)[0]
        needed = sorted(n for n in reads if n in data)
        if needed:
            out[name] = needed
    return out


# -- steps ---------------------------------------------------------------------------------


def _steps(
    nb: Notebook,
    cells: list[CellPlan],
    params: list[Param],
    data: set[str],
    module_defs: set[str],
    exports: Sequence[str] = (),
    optional: Sequence[str] = (),
    env_reads: Sequence[EnvRead] = (),
) -> tuple[list[StepPlan], list[str]]:
    by_index = {c.index: c for c in cells}
    step_cells = {c.index for c in cells if k.CODE in c.kinds}
    groups = group_cells(nb.cells, step_cells, _joins(cells, data))

    facts = [_step_facts([by_index[i] for i in g.cells], data) for g in groups]
    # The last step that reads each name: a step hands on what a later one reads (a dict,
    # not a set per step: memory linear in the notebook).
    last_read: dict[str, int] = {}
    for i, fact in enumerate(facts):
        last_read.update(dict.fromkeys(fact[0], i))
    last_read.update(dict.fromkeys([*exports, *optional], len(groups)))  # read by run()'s caller

    import_names: set[str] = set()
    for c in cells:
        assert c.defuse is not None
        import_names |= set(c.defuse.imports)
    env: dict[str, str] = {p.name: f"_cfg.{p.field}" for p in params}
    env.update({e.name: pipeline_expr(e.env) for e in env_reads})
    code = {p.name: p.code_name for p in params}  # constants step code reads by their field
    plans: list[StepPlan] = []
    results: list[str] = []
    outputs_all = []
    for reads, changes, maybe, deleted in facts:
        here = len(outputs_all)
        outputs = [n for n in changes if last_read.get(n, -1) > here and n not in deleted]
        outputs_all.append(outputs)
        inputs = [
            n
            for n in reads
            if n in data and (n in env or n in import_names) and n not in module_defs
        ]
        inputs += [n for n in outputs if n in maybe and n in env and n not in inputs]
        args = [(code.get(n, n), env.get(n, f"_steps.{n}")) for n in inputs]
        inputs = [code.get(n, n) for n in inputs]  # never rebound: always from _cfg
        for n in deleted:
            env.pop(n, None)
        for n in outputs:
            env[n] = n
            if n not in results:
                results.append(n)
        plans.append(StepPlan("", None, [], inputs, outputs, args))
    for n in exports:
        if n not in results:
            raise ExportNotKept(n, nb.path)
    taken = RESERVED | data | module_defs | import_names | BUILTINS | set(code.values())
    imports = collect_imports(c.parsed.tree for c in cells if c.parsed.tree is not None)
    produced = [
        _produced(plan.outputs, [by_index[i] for i in g.cells], data, imports)
        for plan, g in zip(plans, groups, strict=True)
    ]
    names = step_names(groups, produced, taken)
    for plan, group, name in zip(plans, groups, names, strict=True):
        plan.name, plan.title, plan.cells = name, group.title, group.cells
    return plans, results


def _produced(
    outputs: list[str], cells: list[CellPlan], data: set[str], imports: dict[str, str]
) -> StepFacts:
    """What names a step (steps.step_names): what it hands on, defines, changes and reads,
    and its code."""
    defined: dict[str, None] = {}
    mutated: dict[str, None] = {}
    reads: dict[str, None] = {}
    body: list[ast.stmt] = []
    for c in cells:
        assert c.defuse is not None
        defined.update(dict.fromkeys(n for n in c.defuse.defines if n in data))
        mutated.update(dict.fromkeys(n for n in c.defuse.mutates if n in data))
        reads.update(dict.fromkeys(n for n in c.defuse.reads if n in data))
        body += [s for s, kind in stmts(c) if kind == k.CODE]
    changed = [n for n in mutated if n not in defined]
    return StepFacts(list(outputs), list(defined), changed, list(reads), body, imports)


def _joins(cells: list[CellPlan], data: set[str]) -> Callable[[list[int], int], bool]:
    """For grouping by data flow: does a cell join the step before it? Yes when it feeds
    nothing forward (prints, plots), or when it is the only reader of what that step
    hands on (the intermediate values stay inside one step)."""
    changes = {c.index: set(c.defuse.changes) & data for c in cells if c.defuse}
    reads = {c.index: set(c.defuse.reads) & data for c in cells if c.defuse}
    last_read: dict[str, int] = {}  # name -> the last cell reading it (memory: linear)
    for c in cells:
        last_read.update(dict.fromkeys(reads.get(c.index, ()), c.index))

    def read_after(names: set[str], cell: int) -> bool:
        return any(last_read.get(n, -1) > cell for n in names)

    def joins(group: list[int], cell: int) -> bool:
        if not read_after(changes[cell], cell):
            return True
        made = set().union(*(changes[i] for i in group))
        return bool(reads[cell] & made) and not read_after(made, cell)

    return joins


def _step_facts(
    cells: list[CellPlan], data: set[str]
) -> tuple[list[str], list[str], set[str], set[str]]:
    """(names read from before the step, names changed, maybe-bound at the end, deleted at
    the end) of a group of cells, in first-use order."""
    reads: dict[str, None] = {}
    changes: dict[str, None] = {}
    bound: set[str] = set()
    maybe: set[str] = set()
    deleted: set[str] = set()
    for c in cells:
        du = c.defuse
        assert du is not None
        for n in du.reads:
            if n not in bound:
                reads.setdefault(n)
        # A function kept in the step closes over the step's variables: it needs them now.
        for s, kind in stmts(c):
            if kind == k.CODE and isinstance(
                s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
            ):
                info = du.functions.get(s.name)
                for n in info.reads if info else ():
                    if n in data and n not in bound and n != s.name:
                        reads.setdefault(n)
        for n in du.changes:
            changes.setdefault(n)
        definite = set(du.defines) - du.maybe - du.deleted
        bound |= definite
        maybe = (maybe - definite) | du.maybe
        deleted = (deleted - set(du.defines)) | du.deleted
        bound -= du.deleted
    return list(reads), [n for n in changes if n in data], maybe, deleted
