"""Group code cells into pipeline steps and name them.

By markdown headings when they split the code into two sections or more; otherwise by
data flow: a cell starts a new step unless ``joins(step so far, cell)`` says it belongs to
the step before it (see ``plan._joins``).

**Names** (:func:`step_names`). A step's markdown heading, as a slug (``## Load the data``
-> ``load_the_data``), when it has one; else a verb for what happens to what the step
produces, from its calls (``ast``, resolved through the imports; :func:`call_verb`):
``load_df`` when ``df`` comes from a read (``pd.read_csv``, ``load_iris``),
``split_train_test`` for ``train_test_split``, ``fit_model`` when ``model.fit`` is called,
``predict_...``, ``evaluate_...`` for metrics, ``clean_df`` when the step only changes
``df`` in place, ``plot_df`` / ``inspect_df`` for a step that only draws or shows what it
reads. A name that is taken (a variable, an import, a module of the generated package such
as ``pipeline`` or ``settings``) or that two steps would get is told apart by what differs:
the verb before a heading (``plot_scatter_matrix``), the enclosing heading, the model or
function the step calls (``fit_model_ols``), its other names; numbers come last.
"""

from __future__ import annotations

import ast
import keyword
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from nb2prod.analysis.names import qualified
from nb2prod.notebook.model import Cell

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)
_FENCE = re.compile(r"^\s*(```|~~~).*?^\s*\1", re.MULTILINE | re.DOTALL)
_HTML_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.IGNORECASE | re.DOTALL)
_MARKUP = re.compile(r"<[^>]+>|\[([^\]]*)\]\([^)]*\)|\\(.)|[*_`~]")
_NUMBERING = re.compile(r"^(?:step\s+)?(?:\d+(?:\.\d+)*[.):]?|[ivxIVX]+[.):])\s+", re.IGNORECASE)
_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")
MAX_NAME = 40


@dataclass(slots=True)
class Group:
    title: str | None
    cells: list[int] = field(default_factory=list)  # Cell.index of code cells in the step
    parents: list[str] = field(default_factory=list)  # enclosing headings, outermost first


def heading(cell: Cell) -> str | None:
    """The last heading of a markdown cell (the most specific one), without markup."""
    found = headings(cell)
    return found[-1][1] if found else None


def headings(cell: Cell) -> list[tuple[int, str]]:
    """(level, text without markup) of each heading of a markdown cell, in order."""
    if cell.cell_type != "markdown":
        return []
    text = _FENCE.sub("", cell.source)
    found = [(m.start(), len(m.group(1)), m.group(2)) for m in _HEADING.finditer(text)]
    found += [(m.start(), int(m.group(0)[2]), m.group(1)) for m in _HTML_HEADING.finditer(text)]
    out = []
    for _, level, title in sorted(found):
        clean = _MARKUP.sub(lambda m: m.group(1) or m.group(2) or "", title).strip()
        if _NON_WORD.sub("", clean):
            out.append((level, clean))
    return out


def group_cells(
    cells: Sequence[Cell], step_cells: set[int], joins: Callable[[list[int], int], bool]
) -> list[Group]:
    """Groups of ``step_cells`` (Cell.index) in file order."""
    by_heading: list[Group] = [Group(None)]
    outline: list[tuple[int, str]] = []  # the headings above, one per level
    for cell in cells:
        found = headings(cell)
        if found:
            for level, text in found:
                outline = [h for h in outline if h[0] < level] + [(level, text)]
            title, parents = found[-1][1], [text for _, text in outline[:-1]]
            if by_heading[-1].cells:
                by_heading.append(Group(title, parents=parents))
            else:
                by_heading[-1].title, by_heading[-1].parents = title, parents
        elif cell.index in step_cells:
            by_heading[-1].cells.append(cell.index)
    sections = [g for g in by_heading if g.cells]
    if len(sections) >= 2:
        return sections
    groups: list[Group] = []
    for cell in cells:
        if cell.index not in step_cells:
            continue
        if groups and joins(groups[-1].cells, cell.index):
            groups[-1].cells.append(cell.index)
        else:
            groups.append(Group(None, [cell.index]))
    if len(groups) == 1 and sections:
        groups[0].title = sections[0].title  # else the lone title names the notebook
        groups[0].parents = sections[0].parents
    return groups


def slug(text: str) -> str:
    """A lower-case identifier from free text ('' when nothing usable is left)."""
    text = _NUMBERING.sub("", text.strip())
    words = [w for w in _NON_WORD.split(text.lower()) if w]
    name = ""
    for w in words:
        candidate = f"{name}_{w}" if name else w
        if len(candidate) > MAX_NAME and name:
            break
        name = candidate[:MAX_NAME]
    parts = name.split("_")
    while len(parts) > 1 and parts[-1] in _TRAILING:  # cut after "testing_set_and"
        parts.pop()
    name = "_".join(parts)
    if name and name[0].isdigit():
        name = f"step_{name}"
    return name


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TRAILING = _words("a an and as at by for from in into of on or over the to via vs with without")


@dataclass(slots=True)
class StepFacts:
    """What a step does, for its name: the notebook variables it hands on to later steps,
    binds, changes in place (without binding) and reads; its statements; the notebook's
    imports (local name -> dotted origin)."""

    outputs: list[str] = field(default_factory=list)
    defined: list[str] = field(default_factory=list)
    mutated: list[str] = field(default_factory=list)
    reads: list[str] = field(default_factory=list)
    body: list[ast.stmt] = field(default_factory=list)
    imports: dict[str, str] = field(default_factory=dict)


# Modules of the generated package (and its entry points): a step of that name would read
# as the module (`pipeline` beside pipeline.py).
MODULE_NAMES = _words(
    "pipeline settings steps paths env train service batch report main run golden tests"
)

# What happens, strongest first: a step that loads and cleans ``df`` is ``load_df``; one
# that splits the data and fits a model is ``fit_model``.
VERBS = (
    "fit", "split", "load", "generate", "predict", "evaluate", "merge", "aggregate", "encode",
    "transform", "clean", "update", "make", "save", "plot", "configure", "inspect",
)  # fmt: skip
# What a step as a whole does, when no name it makes says it (a plot, a saved file ...).
_STEP_WIDE = frozenset(
    {"fit", "split", "load", "generate", "predict", "evaluate", "save", "plot", "configure"}
)
_WEAK = frozenset(
    {"update", "make", "compute", "configure", "inspect"}
)  # say little next to a heading
_RANK = {v: i for i, v in enumerate(VERBS)}

_FIT = _words(
    "fit fit_transform fit_predict fit_resample partial_fit fit_regularized fit_generator "
    "iterative_fit"
)
_PREDICT = _words(
    "predict predict_proba predict_log_proba decision_function forecast get_forecast "
    "get_prediction score_samples"
)
_EVALUATE = _words(
    "score cross_val_score cross_validate cross_val_predict classification_report confusion_matrix"
)
_LOAD = re.compile(r"^(?:read|load|fetch|open)(?:_\w+)?$|^get_rdataset$|^loadtxt$|^genfromtxt$")
_SAVE = _words(
    "to_csv to_excel to_json to_parquet to_pickle to_feather to_hdf to_sql savefig dump save "
    "savetxt savez savez_compressed save_model write_csv write_parquet"
)
_RANDOM_MODULES = ("sklearn.datasets.make_", "numpy.random.", "random.")
_RANDOM = _words(
    "rand randn randint random_sample integers normal uniform standard_normal binomial "
    "multivariate_normal poisson exponential lognormal"
)
_MERGE = _words("merge join concat combine_first merge_asof")
_AGGREGATE = _words("groupby agg aggregate pivot_table pivot crosstab resample rolling")
_ENCODE = _words("get_dummies factorize one_hot")
_TRANSFORM = _words("transform inverse_transform")
_CLEAN = _words(
    "dropna fillna drop_duplicates drop replace astype rename interpolate to_datetime "
    "to_numeric clip set_index reset_index sort_values sort_index ffill bfill "
    "infer_objects convert_dtypes"
)
_PLOT = _words(
    "plot hist boxplot scatter bar barh pie imshow contour contourf heatmap legend violinplot "
    "errorbar fill_between axhline axvline set_title set_xlabel set_ylabel tight_layout "
    "subplots suptitle annotate"
)
_PLOT_MODULES = ("matplotlib", "seaborn", "plotly", "pandas.plotting", "statsmodels.graphics")
_INSPECT = _words("print display describe info head tail summary value_counts")
_CONFIGURE = _words(
    "set_option seed filterwarnings use set_theme set_style set_context set_printoptions "
    "simplefilter rc"
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def call_verb(call: ast.Call, imports: dict[str, str]) -> tuple[str, str] | None:
    """(verb, what is called: a class or function name in snake_case) for one call, or None
    when the call says nothing about what the step does."""
    qual = qualified(call.func, imports) or ""
    chain: list[str] = []
    node: ast.expr = call.func
    while isinstance(node, ast.Attribute):
        chain.append(node.attr)
        node = node.value
    last = chain[0] if chain else qual.rpartition(".")[2]
    module_call = isinstance(node, ast.Name) and node.id in imports
    token = _callee(node if chain else call.func, imports) if last in _FIT else snake(last)
    if last in _FIT:
        return "fit", token
    if qual.startswith("sklearn.model_selection.") and "split" in last:
        return "split", snake(last)
    if qual.startswith(_RANDOM_MODULES) and last not in _CONFIGURE:
        return ("generate", snake(last)) if last not in {"default_rng", "RandomState"} else None
    if last == "rvs" or (last in _RANDOM and chain and not module_call):  # rng.normal(...)
        return "generate", snake(last)
    if _LOAD.match(last) and (module_call or not chain or last.startswith("load_")):
        return "load", snake(last)
    if last in _SAVE:
        return "save", snake(last)
    if last in _PREDICT:
        return "predict", token
    if (qual.startswith("sklearn.metrics.") and ".pairwise" not in qual) or last in _EVALUATE:
        return "evaluate", snake(last)
    if last in _MERGE:
        return "merge", snake(last)
    if last in _AGGREGATE:
        return "aggregate", snake(last)
    if last in _ENCODE:
        return "encode", snake(last)
    if last in _TRANSFORM:
        return "transform", token
    if last in _CLEAN:
        return "clean", snake(last)
    if last in _CONFIGURE and (module_call or not chain):
        return "configure", (qual.split(".", 1)[0] if module_call else snake(last))
    if qual.startswith(_PLOT_MODULES) or last in _PLOT or last.startswith("plot_"):
        return "plot", snake(last)
    if last in _INSPECT:
        return "inspect", snake(last)
    if last[:1].isupper():
        return "make", snake(last)
    return None


def _callee(receiver: ast.expr, imports: dict[str, str]) -> str:
    """For ``X(...).fit()``: ``x``; for ``model.fit()``: ``model``."""
    if isinstance(receiver, ast.Call):
        qual = qualified(receiver.func, imports)
        return snake(qual.rpartition(".")[2]) if qual else ""
    if isinstance(receiver, ast.Name):
        return snake(receiver.id)
    return ""


def snake(name: str) -> str:
    """``LinearRegression`` -> ``linear_regression``; ``X_train`` -> ``x_train``."""
    return _NON_WORD.sub("_", _CAMEL.sub("_", name)).strip("_").lower()


def _best(found: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    return min(found, key=lambda v: _RANK[v[0]], default=None)


def _calls(node: ast.AST) -> Iterator[ast.Call]:
    """The calls of a statement or expression, not those inside functions it defines."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Call):
            yield n
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        stack.extend(ast.iter_child_nodes(n))


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def name_verbs(body: Sequence[ast.stmt], imports: dict[str, str]) -> dict[str, tuple[str, str]]:
    """For each name the statements bind or change: the strongest (verb, callee) of the
    expressions that do it (``model.fit(X)`` fits ``model``; ``df["x"] = ...`` cleans
    ``df`` unless the value says more, e.g. a prediction)."""
    out: dict[str, list[tuple[str, str]]] = {}

    def add(name: str | None, value: ast.AST | None, default: str | None) -> None:
        if name is None:
            return
        verbs = [
            v for c in (_calls(value) if value is not None else ()) if (v := call_verb(c, imports))
        ]
        best = _best(verbs) or ((default, "") if default else None)
        if best is not None:
            out.setdefault(name, []).append(best)

    for stmt in body:
        for node in _statements(stmt):
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for t in ast.walk(target):
                        if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store):
                            add(t.id, node.value, None)
                    if isinstance(target, ast.Attribute | ast.Subscript):
                        add(_root(target), node.value, "update")  # df["x"] = ...
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                func = node.value.func
                if isinstance(func, ast.Attribute):
                    verb = call_verb(node.value, imports)
                    inplace = any(k.arg == "inplace" for k in node.value.keywords)
                    if verb and (verb[0] == "fit" or inplace):
                        add(_root(func.value), node.value, None)
    return {name: best for name, verbs in out.items() if (best := _best(verbs))}


def _statements(stmt: ast.stmt) -> Iterator[ast.stmt]:
    """``stmt`` and the statements nested in its blocks (not in functions or classes)."""
    stack = [stmt]
    while stack:
        s = stack.pop()
        yield s
        if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for name in ("body", "orelse", "finalbody", "handlers"):
            stack.extend(reversed(getattr(s, name, None) or []))


def _meaningful(names: Iterable[str]) -> list[str]:
    return [n for n in names if len(n) > 1 and not n.startswith("_")]


def _objects(names: Sequence[str]) -> str:
    """What a name says the step produced: ``df``; ``x_y`` for X and y; ``train_test`` for
    X_train, X_test, y_train, y_test (the parts that differ)."""
    lowered = [snake(n) or n.lower() for n in names]
    ends = list(dict.fromkeys(n.rpartition("_")[2] for n in lowered if "_" in n))
    if len(lowered) > 2 and all("_" in n for n in lowered) and 1 < len(ends) < len(lowered):
        return "_".join(ends[:3])
    return "_".join(lowered[:2])


@dataclass(slots=True)
class _Described:
    verb: str
    objects: str
    details: list[str]  # what tells it from another step with the same verb and objects


def describe(facts: StepFacts) -> _Described | None:
    """A verb and its objects for the step (see the module doc), or None when nothing
    says what it does."""
    verbs = name_verbs(facts.body, facts.imports)
    defined, mutated = _meaningful(facts.defined), _meaningful(facts.mutated)
    only_changes = not facts.outputs and not defined
    verbs = {  # df["x"] = ...: cleaning, when that is all the step does
        n: ("clean", v[1]) if v[0] == "update" else v
        for n, v in verbs.items()
        if v[0] != "update" or only_changes
    }
    calls = [v for s in facts.body for c in _calls(s) if (v := call_verb(c, facts.imports))]
    handles = {n for n, v in verbs.items() if v[0] == "plot"}  # fig, ax = plt.subplots()
    reads = [n for n in _meaningful(facts.reads) if n not in handles]
    extra = [snake(n) for n in dict.fromkeys([*facts.outputs, *facts.defined, *facts.mutated])]
    for names in (facts.outputs, defined, mutated):  # what it hands on says most
        best = _best(verbs[n] for n in names if n in verbs)
        if best is None:
            continue
        chosen = [n for n in names if n in verbs and verbs[n][0] == best[0]]
        callees = [best[1], *(verbs[n][1] for n in chosen)]
        if best[0] == "split":  # train_test_split -> split_train_test
            what = best[1].replace("split", "").strip("_") or _objects(chosen)
            return _Described("split", what, callees + extra)
        if best[0] == "plot" and all(n in handles for n in chosen):
            return _Described("plot", _objects(reads) if reads else best[1], callees)
        return _Described(best[0], _objects(chosen), callees + extra)
    names = facts.outputs or defined or mutated
    step_verb = _best(v for v in calls if v[0] in _STEP_WIDE)
    if step_verb is not None and step_verb[0] == "configure":
        modules = dict.fromkeys(v[1] for v in calls if v[0] == "configure")
        return _Described("configure", "_".join(list(modules)[:2]), [])
    if names:
        verb = step_verb[0] if step_verb else "clean" if only_changes else "compute"
        return _Described(verb, _objects(names), [step_verb[1]] if step_verb else extra)
    step_verb = _best(calls)
    if step_verb is None:
        return _Described("inspect", _objects(reads), []) if reads else None
    return _Described(step_verb[0], _objects(reads) if reads else step_verb[1], [step_verb[1]])


def step_names(
    groups: Sequence[Group], facts: Sequence[StepFacts], taken: Iterable[str]
) -> list[str]:
    """Unique, valid function names, one per group (see the module doc)."""
    taken = set(taken) | MODULE_NAMES
    candidates: list[tuple[list[str], list[str]]] = []
    for n, (group, f) in enumerate(zip(groups, facts, strict=True), start=1):
        d = describe(f)
        from_calls = slug(f"{d.verb} {d.objects}") if d else ""
        options: list[str] = []
        apart: list[str] = []  # what tells apart two steps of the same heading
        if group.title and (base := slug(group.title)):
            options.append(base)
            apart = [slug(f"{p} {base}") for p in reversed(group.parents)]
            if d and d.verb not in _WEAK:
                if d.verb not in base.split("_"):
                    options.append(slug(f"{d.verb} {base}"))
                options.append(from_calls)
            options.append(f"{base}_step")
        elif from_calls:
            words = set(from_calls.split("_"))
            details = [x for x in dict.fromkeys(d.details if d else ()) if x not in words]
            options += [from_calls] + [slug(f"{from_calls} {x}") for x in details]
        else:
            options.append(f"step_{n}")
        valid = [_valid(o) for o in options if o]
        candidates.append((list(dict.fromkeys(valid)), [_valid(o) for o in apart if o]))
    return _choose(candidates, taken)


def _valid(name: str) -> str:
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return name + "_step"
    return name


def _choose(candidates: list[tuple[list[str], list[str]]], taken: set[str]) -> list[str]:
    """Each step's first option that is free, that tells it apart from the steps with the
    same first option (none of them has it; the enclosing headings first), and that is no
    other step's first option; else its first free option numbered (``fit_model_2``)."""
    firsts = Counter(c[0][0] for c in candidates)
    used: set[str] = set()
    names: list[str] = []
    for i, (options, apart) in enumerate(candidates):
        rivals = [
            [*c[0], *c[1]] for j, c in enumerate(candidates) if j != i and c[0][0] == options[0]
        ]
        ordered = [options[0], *apart, *options[1:]] if rivals else options
        name = next(
            (
                o
                for k, o in enumerate(ordered)
                if o not in taken
                and o not in used
                and not any(o in r for r in rivals)
                and (k == 0 or not firsts[o])
            ),
            None,
        )
        if name is None:
            base = next((o for o in options if o not in taken), options[0])
            name, k = base, 2
            while name in taken or name in used:
                name, k = f"{base}_{k}", k + 1
        used.add(name)
        names.append(name)
    return names
