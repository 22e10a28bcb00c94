"""What keeps a conversion from being faithful, found over the plan's cells (CV findings)."""

from __future__ import annotations

import ast
import dataclasses
import itertools
from pathlib import Path

from nb2prod.analysis.defuse import BUILTINS, CellDefUse, analyze
from nb2prod.convert import classify as k
from nb2prod.convert import deps
from nb2prod.convert import randomness as r
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
    """Cells executed out of file order, each reported once: an error (CV007) only where
    running the cells top to bottom would compute another value, else a warning (CV017).

    The notebook's history is its executed cells sorted by execution count (the last run
    of each; earlier runs are unknown), the package's the same cells in file order. Both
    are replayed over def/use (:mod:`nb2prod.analysis.defuse`: the names each cell reads
    before binding them, also through the functions it calls, and those it binds or
    changes in place), with numpy's and the standard library's global random generators as
    two more variables that a draw reads and changes and a seed call sets. A value is named
    by the cell that made it and the values that cell read: a cell re-run on the same
    inputs makes the same value, and a name an import binds is one value throughout. The
    lines that only show or draw (see :func:`classify.classify`) read but change nothing.

    * A cell *sees another state* when a name it reads has another value in the two
      orders: it ran before a cell above it changed the name (a stale cell below a re-run
      one), after a cell below it changed it (a late cell), or from a value made of other
      values (the difference carried along). Error when its lines with effects read another
      value and it changes something that counts: a variable another cell reads, a result
      the notebook keeps (a model, a metric; not imports, figures, loop variables, ``_``) or
      a random generator another cell draws from. Warning when only what it shows (a
      display, a print, a plot) or changes nothing that counts: the output shown there
      would differ, no value.
    * A name two cells change that ends with another value in the two orders, and that no
      cell reads further down, is a warning: the kernel's last value is not the package's.
    * Every other out-of-order cell (off the longest run of cells whose counts rise in
      file order) is reported too: an error when it made a cell see another state with an
      error, otherwise a warning: it reads and changes the same values in both orders (a
      ``!pip install``, ``%matplotlib`` or import cell run late, a display re-run later).

    Cells without an execution count or that are not Python take no part: the notebook's
    outputs do not come from them.
    """
    ran = [p for p in parsed if p.cell.execution_count is not None and p.tree is not None]
    count = {p.cell.index: p.cell.execution_count or 0 for p in ran}
    if all(a <= b for a, b in itertools.pairwise(count.values())):
        return []
    cells = _order_facts(parsed)
    file_order = list(count)
    history = sorted(file_order, key=lambda i: count[i])  # stable: ties keep file order
    tokens: dict[object, int] = {}
    seen_h, end_h = _replay(history, cells, tokens)
    seen_f, end_f = _replay(file_order, cells, tokens)
    late = _out_of_order(file_order, count)
    by_index = {p.cell.index: p for p in ran}

    def where(cell: int | None, notebook: bool) -> str:
        if cell is None:
            return "a run the notebook no longer shows" if notebook else "no cell above it"
        return f"cell {cell} (execution count {count[cell]})"

    out: list[Finding] = []
    errors: set[int] = set()
    causes: dict[int, tuple[int, str]] = {}  # out-of-order cell -> (cell it misled, name)
    for i in file_order:
        c = cells[i]
        acting = [n for n in c.reads if seen_h[i][n][0] != seen_f[i][n][0]]
        shown = [n for n in c.shows if seen_h[i][n][0] != seen_f[i][n][0]]
        if not shown:
            continue
        error = bool(acting and c.effects)
        n = (acting if error else shown)[0]
        (_, wh), (_, wf) = seen_h[i][n], seen_f[i][n]
        if wh == wf and i not in late:
            if error:
                errors.add(i)
            continue  # carried along from a cell reported above: one finding at the root
        name = _shown(n)
        sources = (
            f"in the notebook as {where(wh, True)} left it, top to bottom as {where(wf, False)} "
            f"leaves it{' after running on other values' if wh == wf else ''}"
        )
        head = f"cells ran out of file order (this one at execution count {count[i]}): "
        if error:
            msg = (
                f"{head}it reads `{name}` {sources}, so the package would compute it from "
                "another value. Run the notebook top to bottom (restart the kernel, run all) "
                "and save it, or move the cells into the order they ran"
            )
            errors.add(i)
            for w in (wh, wf):
                if w is not None and w != i and w in late:
                    causes.setdefault(w, (i, name))
        else:
            msg = (
                f"{head}it shows `{name}` {sources}; it changes nothing that counts, so only "
                "what the notebook shows here differs"
            )
        out.append(finding("CV007" if error else "CV017", path, by_index[i].cell, 1, 0, msg))
        late.discard(i)
    for n in sorted(set(end_h) & set(end_f)):
        (vh, wh), (vf, wf) = end_h[n], end_f[n]
        if vh == vf or wh == wf or wh is None or wf is None or {wh, wf} & errors:
            continue
        at = wh if wh in late else wf
        if at not in late or at in causes or n not in cells[wh].effects:
            continue
        if any(r > max(wh, wf) for r in cells[wh].read_by.get(n, ())):  # indexes: file order
            continue  # read further down: those of its readers that ran are judged above
        name = _shown(n)
        msg = (
            f"executed out of file order ({_relation(at, file_order, count)}); cells {wh} and "
            f"{wf} both change `{name}`: the notebook ended with cell {wh}'s, the package "
            f"ends with cell {wf}'s. No cell reads it afterwards; if it is a result you keep, "
            "run the notebook top to bottom and save it"
        )
        out.append(finding("CV017", path, by_index[at].cell, 1, 0, msg))
        late.discard(at)
    for i in sorted(late):
        relation = _relation(i, file_order, count)
        if i in causes:
            cell, name = causes[i]
            code = "CV007"
            msg = (
                f"executed out of file order ({relation}): cell {cell} reads the `{name}` it "
                "changes, and would read another value top to bottom (see there)"
            )
        else:
            code = "CV017"
            msg = (
                f"executed out of file order ({relation}): it reads and changes the same "
                "values in file order, so the package runs it there"
            )
        out.append(finding(code, path, by_index[i].cell, 1, 0, msg))
    return out


@dataclasses.dataclass(slots=True)
class _OrderFacts:
    """What replaying a cell needs: names its lines with effects read (``reads``), all the
    names it reads (``shows``), what it changes, the imports among them, and what of its
    changes counts (``effects``); ``read_by`` (shared): name -> cells that read it."""

    reads: list[str]
    shows: list[str]
    writes: list[str]
    imports: set[str]
    effects: set[str]
    read_by: dict[str, set[int]]


def _order_facts(parsed: list[ParsedCell]) -> dict[int, _OrderFacts]:
    cells = [(p.cell.index, p.tree) for p in parsed if p.tree is not None]
    ctx = k.context([t for _, t in cells])
    everything = analyze(cells).cells
    acting = analyze(
        (
            i,
            ast.Module(
                [
                    s
                    for s, kind in zip(t.body, k.classify(t, set(), set(), ctx), strict=True)
                    if kind not in (k.DISPLAY, k.PLOT)
                ],
                [],
            ),
        )
        for i, t in cells
    ).cells
    read_by: dict[str, set[int]] = {}
    out: dict[int, _OrderFacts] = {}
    for (i, tree), du, act in zip(cells, everything, acting, strict=True):
        draws, seeds = _random_effects(tree, ctx.imports)
        writes = [n for n in act.changes if n in act.imports or n not in ctx.imports]
        writes += seeds  # a module's settings changed in place (plt.rcParams[...]) are no value
        out[i] = _OrderFacts(
            [*act.reads, *draws], [*du.reads, *draws], writes, set(act.imports), set(), read_by
        )
        for n in out[i].shows:
            read_by.setdefault(n, set()).add(i)
    for (i, tree), c in zip(cells, out.values(), strict=True):
        loops = k.loop_variables(tree) | {"_"}
        c.effects = {
            n
            for n in c.writes
            if n not in ctx.plot_objects
            and n not in c.imports
            and (read_by.get(n, set()) - {i} or (n not in loops and not n.startswith("<")))
        }
    return out


def _replay(
    order: list[int], cells: dict[int, _OrderFacts], tokens: dict[object, int]
) -> tuple[dict[int, dict[str, tuple[int, int | None]]], dict[str, tuple[int, int | None]]]:
    """Run ``order`` symbolically: the (value, cell that made it) of each name each cell
    reads, and of each name at the end. A value is a number standing for the cell that
    made it and the values it read (``tokens``, shared between replays, numbers them); a
    name bound by an import is the import, one value throughout."""

    def token(key: object) -> int:
        return tokens.setdefault(key, len(tokens))

    imported = set().union(*(c.imports for c in cells.values()))
    state: dict[str, tuple[int, int | None]] = {}
    seen = {}
    for i in order:
        c = cells[i]
        ins = {
            n: state.get(n, (token(("import" if n in imported else "before", n)), None))
            for n in c.shows
        }
        seen[i] = ins
        made = token((i, tuple(ins[n][0] for n in c.reads)))
        for n in c.writes:
            state[n] = (token(("import", n) if n in c.imports else (made, n)), i)
    return seen, state


def _shown(name: str) -> str:
    """A variable's name, or the global random generator a pseudo-variable stands for."""
    return f"{name[1:-1]} (global random state)" if name.startswith("<") else name


def _random_effects(tree: ast.Module, imports: dict[str, str]) -> tuple[list[str], list[str]]:
    """The global random generators a cell draws from before seeding them (reads), and
    those it draws from or seeds (changes), as ``<numpy.random>`` and ``<random>``."""
    calls = sorted(
        (n for n in ast.walk(tree) if isinstance(n, ast.Call)),
        key=lambda n: (n.lineno, n.col_offset),
    )
    reads: dict[str, None] = {}
    changes: dict[str, None] = {}
    for call in calls:
        use = r.random_use(call, imports)
        if use is None:
            continue
        name = f"<{use[0]}>"
        if use[1] == "draw" and name not in changes:
            reads[name] = None
        changes[name] = None
    return list(reads), list(changes)


def _out_of_order(cells: list[int], count: dict[int, int]) -> set[int]:
    """The cells off one longest run whose execution counts rise in file order: the fewest
    cells that, run elsewhere, explain the notebook's counts. Between runs as long, the one
    with the lower counts is kept: the cells run last are the ones re-run out of order."""
    best: list[tuple[int, int]] = []  # per cell: (length of the run ending there, -count)
    back: list[int | None] = []
    for j, c in enumerate(cells):
        options = [(best[i], i) for i in range(j) if count[cells[i]] < count[c]]
        (length, _), prev = max(options, default=((0, 0), None))
        best.append((length + 1, -count[c]))
        back.append(prev)
    j: int | None = max(range(len(cells)), key=best.__getitem__) if cells else None
    keep = set()
    while j is not None:
        keep.add(cells[j])
        j = back[j]
    return set(cells) - keep


def _relation(i: int, cells: list[int], count: dict[int, int]) -> str:
    """How cell ``i`` ran out of order: before a cell above it, or after one below it."""
    at = cells.index(i)
    above = max(cells[:at], key=count.__getitem__, default=None)
    if above is not None and count[above] > count[i]:
        return f"execution count {count[i]}, before cell {above} above it ran at {count[above]}"
    below = min(cells[at + 1 :], key=count.__getitem__, default=None)
    assert below is not None
    return f"execution count {count[i]}, after cell {below} below it ran at {count[below]}"


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
    # Where each name is last defined (bound, not just changed): ``n`` is defined below cell
    # ``i`` when that is after ``i`` (not a set per cell: memory linear in the notebook).
    last: dict[str, int] = {}
    for i, c in enumerate(cells):
        for n in c.defuse.defines if c.defuse else ():
            last[n] = i
    star_before = False
    for i, c in enumerate(cells):
        du = c.defuse
        assert du is not None
        star_before = star_before or du.star_import
        for n, line in du.reads.items():
            if n in so_far or n in reported:
                continue
            defined_below = last.get(n, -1) > i
            if defined_below and n not in du.changes and not star_before:
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
                and not defined_below
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
            if name in r.SEEDS:
                seeded = True
                continue
            unseeded_generator = name in r.GENERATORS and not (call.args or call.keywords)
            global_draw = name.startswith(r.GLOBAL_DRAWS) and name not in r.NOT_DRAWS and not seeded
            if (unseeded_generator or global_draw) and not reported:
                what = "a generator made without a seed" if unseeded_generator else "unseeded"
                msg = (
                    f"`{ast.unparse(call.func)}()` draws random numbers ({what}): the package"
                    " cannot reproduce the notebook's numbers; seed it"
                )
                out.append(finding("CV016", path, c.parsed.cell, call.lineno, call.col_offset, msg))
                reported = True
    return out
