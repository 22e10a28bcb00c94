"""What keeps a conversion from being faithful, found over the plan's cells (CV findings)."""

from __future__ import annotations

import ast
from pathlib import Path

from nb2prod.analysis.defuse import BUILTINS, CellDefUse
from nb2prod.convert import classify as k
from nb2prod.convert import deps
from nb2prod.convert.findings import finding
from nb2prod.convert.model import CellPlan, StepPlan, stmts
from nb2prod.lint.findings import Finding
from nb2prod.notebook.parse import ParsedCell

_DISPLAY_CELL_MAGICS = {"javascript", "js", "html", "markdown", "latex", "svg"}


def cell_problems(path: str, parsed: list[ParsedCell]) -> list[Finding]:
    """Cells left out: syntax errors (CV001), other languages (CV002), display-only cell
    magics such as ``%%html`` (CV003)."""
    out = []
    for p in parsed:
        if p.not_python is not None:
            m = p.not_python
            if m.name in _DISPLAY_CELL_MAGICS:
                msg = f"cell magic `%%{m.name}` only shows something in the notebook; left out"
                out.append(finding("CV003", path, p.cell, m.line, m.col, msg))
                continue
            msg = f"cell magic `%%{m.name}`: the cell is not Python and is left out"
            out.append(finding("CV002", path, p.cell, m.line, m.col, msg))
        elif p.error is not None:
            msg = f"syntax error: {p.error.message}; the cell is left out"
            out.append(finding("CV001", path, p.cell, p.error.line, p.error.col, msg))
    return out


def order_problems(path: str, parsed: list[ParsedCell]) -> list[Finding]:
    """The first cell run before a cell above it (execution counts out of file order)."""
    highest, where = 0, None
    for p in parsed:
        count = p.cell.execution_count
        if count is None:
            continue
        if count < highest:
            msg = (
                f"executed before the cell above it (execution count {count} after {highest} "
                f"in cell {where}): the notebook's results came from another order"
            )
            return [finding("CV007", path, p.cell, 1, 0, msg)]
        highest, where = count, p.cell.index
    return []


def global_writes(path: str, cells: list[CellPlan]) -> list[Finding]:
    """Functions that assign notebook variables through ``global`` (CV009): in the package
    they would assign the steps module's globals, which no step reads."""
    out = []
    for c in cells:
        assert c.defuse is not None
        for name, info in c.defuse.functions.items():
            if info.writes:
                names = ", ".join(f"`{n}`" for n in info.writes)
                line = min(info.writes.values())
                msg = f"function `{name}` assigns notebook variable {names} through `global`"
                out.append(finding("CV009", path, c.parsed.cell, line, 0, msg))
    return out


def local_imports(path: str, cells: list[CellPlan], modules: dict[str, ast.stmt]) -> list[Finding]:
    folder = Path(path).parent
    local = {m for m in modules if deps.is_third_party(m) and deps.is_local_module(m, folder)}
    out = []
    for c in cells:
        for node in c.imports:
            if isinstance(node, ast.ImportFrom) and node.level:
                msg = "relative import: the package cannot see the notebook's folder"
            elif isinstance(node, ast.Import):
                tops = [a.name.split(".", 1)[0] for a in node.names]
                hit = [t for t in tops if t in local]
                if not hit:
                    continue
                msg = f"imports `{hit[0]}` from the notebook's folder; copy it into the package"
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in local:
                top = (node.module or "").split(".")[0]
                msg = f"imports `{top}` from the notebook's folder; copy it into the package"
            else:
                continue
            out.append(finding("CV011", path, c.parsed.cell, node.lineno, node.col_offset, msg))
    return out


def name_problems(path: str, cells: list[CellPlan], params: set[str]) -> list[Finding]:
    """Reads of names defined only further down (CV008), of IPython's output history (CV010),
    and of names defined nowhere (CV014)."""
    everywhere: set[str] = set(params)
    star = False
    for c in cells:
        assert c.defuse is not None
        everywhere |= set(c.defuse.defines)  # changed in place but never bound: undefined
        star = star or c.defuse.star_import
    out = []
    so_far: set[str] = set(params)
    reported: set[str] = set()
    below: list[set[str]] = []  # names defined (bound, not just changed) after each cell
    acc: set[str] = set()
    for c in reversed(cells):
        below.append(set(acc))
        acc |= set(c.defuse.defines) if c.defuse else set()
    below.reverse()
    star_before = False
    for i, c in enumerate(cells):
        du = c.defuse
        assert du is not None
        star_before = star_before or du.star_import
        for n, line in du.reads.items():
            if n in so_far or n in reported:
                continue
            if n in below[i] and n not in du.changes and not star_before:
                msg = f"`{n}` is read here but first defined in a later cell"
                out.append(finding("CV008", path, c.parsed.cell, line, 0, msg))
                reported.add(n)
            elif n not in everywhere and k.HISTORY.match(n):
                msg = f"`{n}` reads IPython's output history, which a script does not have"
                out.append(finding("CV010", path, c.parsed.cell, line, 0, msg))
                reported.add(n)
            elif (
                n not in everywhere
                and n not in BUILTINS
                and n not in {"get_ipython", "display"}
                and not star
                and n not in below[i]
            ):
                msg = f"`{n}` is never defined in the notebook"
                out.append(finding("CV014", path, c.parsed.cell, line, 0, msg))
                reported.add(n)
        so_far |= set(du.changes)
        if not star:  # names function bodies read that nothing defines (called or not)
            for info in du.functions.values():
                for n, line in info.reads.items():
                    if n not in everywhere and n not in BUILTINS and n not in reported:
                        msg = f"`{n}` (read by `{info.name}`) is never defined in the notebook"
                        out.append(finding("CV014", path, c.parsed.cell, line, 0, msg))
                        reported.add(n)
    return out


def stale_closures(
    path: str, cells: list[CellPlan], steps: list[StepPlan], data: set[str]
) -> list[Finding]:
    """A function kept inside its step closes over that step's variables: it goes stale when
    a later step rebinds one of them and then calls it (CV015)."""
    step_of = {i: n for n, s in enumerate(steps) for i in s.cells}
    by_step: dict[int, list[CellDefUse]] = {}
    for c in cells:
        if c.defuse is not None and c.index in step_of:
            by_step.setdefault(step_of[c.index], []).append(c.defuse)
    out = []
    for c in cells:
        du = c.defuse
        if du is None or c.index not in step_of:
            continue
        home = step_of[c.index]
        for s, kind in stmts(c):
            name = getattr(s, "name", None)
            if isinstance(s, ast.Assign) and isinstance(s.value, ast.Lambda):
                name = getattr(s.targets[0], "id", None)
            info = du.functions.get(name) if kind == k.CODE and name else None
            if info is None:
                continue
            free = set(info.reads) & data
            rebound: set[str] = set()
            for n in range(home + 1, len(steps)):
                for later in by_step.get(n, []):
                    if name in later.defines and later.cell != c.index:
                        break  # redefined: later calls use the new one
                    rebound |= free & set(later.defines)
                    if rebound and name in later.references:
                        names = ", ".join(f"`{v}`" for v in sorted(rebound))
                        msg = (
                            f"`{name}` stays inside its step and keeps the {names} it saw there, "
                            f"but cell {later.cell} calls it after a later step changed it"
                        )
                        out.append(finding("CV015", path, c.parsed.cell, s.lineno, 0, msg))
                        break
                else:
                    continue
                break
    return out


# Global generators that a seed call makes reproducible, and their seed calls.
_SEEDS = {"numpy.random.seed", "random.seed"}
_GLOBAL_DRAWS = ("numpy.random.", "random.")
_NOT_DRAWS = {
    "numpy.random.seed",
    "numpy.random.default_rng",
    "numpy.random.RandomState",
    "numpy.random.Generator",
    "numpy.random.SeedSequence",
    "numpy.random.get_state",
    "numpy.random.set_state",
    "random.seed",
    "random.Random",
    "random.SystemRandom",
    "random.getstate",
    "random.setstate",
}
_GENERATORS = {"numpy.random.default_rng", "numpy.random.RandomState", "random.Random"}


def unseeded_randomness(path: str, cells: list[CellPlan]) -> list[Finding]:
    """Random numbers drawn without a seed (CV016, a warning): the package cannot print or
    return the notebook's numbers; ``--verify`` leaves out what changes between runs.
    Reported once per cell: a draw from numpy's or the standard library's global generator
    before any seed call, or a generator made without a seed (``np.random.default_rng()``)."""
    from nb2prod.analysis.names import collect_imports, qualified

    trees = [c.parsed.tree for c in cells if c.parsed.tree is not None]
    imports = collect_imports(trees)
    seeded = False
    out = []
    for c in cells:
        if c.parsed.tree is None:
            continue
        calls = sorted(
            (n for n in ast.walk(c.parsed.tree) if isinstance(n, ast.Call)),
            key=lambda n: (n.lineno, n.col_offset),
        )
        reported = False
        for call in calls:
            name = qualified(call.func, imports) or ""
            if name in _SEEDS:
                seeded = True
                continue
            unseeded_generator = name in _GENERATORS and not (call.args or call.keywords)
            global_draw = name.startswith(_GLOBAL_DRAWS) and name not in _NOT_DRAWS and not seeded
            if (unseeded_generator or global_draw) and not reported:
                what = "a generator made without a seed" if unseeded_generator else "unseeded"
                msg = (
                    f"`{ast.unparse(call.func)}()` draws random numbers ({what}): the package"
                    " cannot reproduce the notebook's numbers; seed it"
                )
                out.append(finding("CV016", path, c.parsed.cell, call.lineno, call.col_offset, msg))
                reported = True
    return out
