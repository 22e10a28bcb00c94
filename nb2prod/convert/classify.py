"""Sort each top-level statement of a cell: where it goes in the package, or why it leaves.

Also the per-cell checks that make a conversion unfaithful (exec/eval, get_ipython, top-level
await) and the verdict on each IPython magic or shell line.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterator

from nb2prod.analysis.defuse import PURE_METHODS
from nb2prod.analysis.names import collect_imports, qualified
from nb2prod.lint.rules.nb_shell_install import is_install
from nb2prod.notebook.magics import Magic
from nb2prod.notebook.parse import ParsedCell

IMPORT, DEF, PARAM, DISPLAY, PLOT, MAGIC, DROP, CODE = (
    "import", "def", "param", "display", "plot", "magic", "drop", "code"
)  # fmt: skip

# Bare calls of these only show something: they leave the pipeline.
_PRINTS_OR_DRAWS = {"print", "format", "plot", "hist", "boxplot", "scatter", "info", "summary"}
DISPLAY_METHODS = (PURE_METHODS - _PRINTS_OR_DRAWS) | {
    "show",
    "display",
    "_repr_html_",
    "style",
}
DISPLAY_FUNCTIONS = frozenset({"display", "HTML", "Markdown", "Image"})

_HARMLESS_MAGICS = frozenset(
    [
        "matplotlib",
        "config",
        "load_ext",
        "reload_ext",
        "autoreload",
        "time",
        "timeit",
        "precision",
        "who",
        "whos",
        "who_ls",
        "pwd",
        "ls",
        "lsmagic",
        "pinfo",
        "pinfo2",
        "pdoc",
        "psource",
        "history",
        "pprint",
        "xmode",
        "pdb",
        "debug",
        "prun",
        "memit",
        "mprun",
        "watermark",
        "version_information",
        "capture",
        "notebook",
        "qtconsole",
        "magic",
        "quickref",
        "alias_magic",
        "colors",
        "page",
        "doctest_mode",
        "tb",
        "automagic",
        "autocall",
        "snakeviz",
        "px",
        "autopx",
    ]
)
_READ_ONLY_SHELL = frozenset(
    [
        "ls",
        "pwd",
        "echo",
        "cat",
        "head",
        "tail",
        "nvidia-smi",
        "wc",
        "du",
        "df",
        "free",
        "which",
        "nproc",
        "lscpu",
        "whoami",
        "date",
        "hostname",
        "uname",
        "tree",
        "file",
        "type",
        "dir",
        "where",
        "nvcc",
    ]
)
HISTORY = re.compile(r"^(_{1,3}|_\d+|_i{1,3}|_i\d+|Out|In|_oh|_ih|_dh)$")


def magic_verdict(m: Magic) -> tuple[str | None, str]:
    """(code, message) for a masked magic or shell line; code None: nothing to say."""
    name = m.name
    shown = m.text if len(m.text) <= 60 else m.text[:57] + "..."
    prefix = "!" if m.kind == "shell" else "%" if m.kind == "line_magic" else "%%"
    if m.kind == "help":
        return "CV003", f"help request `{shown}` dropped"
    if m.assigned_to:
        return "CV004", (
            f"`{m.assigned_to} = {prefix}{shown}`: the notebook uses the command's output, "
            "which the package does not have"
        )
    if m.kind == "cell_magic":
        return "CV003", f"cell magic `%%{name}` dropped, its Python body kept"
    if (
        m.kind == "line_magic"
        and name in {"matplotlib", "pylab"}
        and m.text.strip()
        in {
            "matplotlib inline",
            "matplotlib notebook",
            "matplotlib widget",
        }
    ):
        return None, ""
    if is_install(name, m.text):
        return "CV003", f"`{prefix}{shown}` dropped; its packages are in pyproject.toml"
    if m.kind == "line_magic" and name in {"pip", "conda"}:
        return "CV003", f"`{prefix}{shown}` dropped"
    if m.kind == "line_magic" and name == "env":
        args = m.text.split(None, 1)[1:] or [""]
        if "=" not in args[0] and len(args[0].split()) <= 1:
            return "CV003", f"`%{shown}` dropped"
        return "CV004", f"`%{shown}` sets an environment variable; set it where the package runs"
    if m.kind == "line_magic" and name in _HARMLESS_MAGICS:
        return "CV003", f"`%{shown}` dropped"
    if m.kind == "shell" and (
        name in _READ_ONLY_SHELL or name in {"pip", "pip3", "conda"} and _pip_read_only(m.text)
    ):
        return "CV003", f"`!{shown}` dropped (it only shows something)"
    what = "shell command" if m.is_shell else "magic"
    return "CV004", f"{what} `{prefix}{shown}` dropped but it has effects the package needs"


def _pip_read_only(text: str) -> bool:
    words = text.split()
    return len(words) > 1 and words[1] in {"list", "freeze", "show", "--version", "-V"}


# -- what a bare expression does: shows, draws, or computes something kept ----------------
#
# A top-level expression statement leaves the pipeline when evaluating it changes no value
# (DISPLAY: ``df.head()``, ``df.describe()``, ``model.score(X, y)``, ``len(df)``,
# ``confusion_matrix(y, p)``) or when it only draws (PLOT: ``plt.title(...)``,
# ``sns.countplot(...)``, ``coefs.plot(...)``, ``ax.set_xlabel(...)``). Conservative on
# purpose, since a line wrongly left out changes results:
#
# * "changes no value" is proved, not guessed: names, constants, operators, and calls of
#   known pure methods (pandas/numpy/str/fitted-estimator methods, without ``inplace``)
#   on such expressions, of pure module functions (numpy but ``numpy.random``, pandas
#   constructors and reshaping, ``sklearn.metrics`` scores, ``math``, some ``scipy.stats``
#   tests) and of builtins; a function the notebook defines, or a name it binds over an
#   import, is never taken as pure, nor is a call that is handed one of its functions.
# * Anything drawing from a global random generator is kept, even if it only shows
#   something: ``df.sample(5)`` (no integer ``random_state``), ``np.random.rand(3)``,
#   ``random.choice(x)``, seaborn's jittered/bootstrapped plots (``stripplot``,
#   ``barplot``, ``regplot`` ...), ``pandas.plotting.bootstrap_plot``: after a seed,
#   leaving one out changes every later draw.
# * Plots leave only when no code reads a figure back: if anything calls ``savefig`` (or
#   another figure export) or uses a figure, axes or plot result in a computed value
#   (``ax.get_xlim()``, ``print(ax.get_title())``), every plotting line is kept. Drawing
#   changes nothing else (matplotlib state only); arguments with effects keep the line.
# * Only top-level expression statements are sorted; an assignment (``fig, ax =
#   plt.subplots()``) or a loop that plots stays in its step as it is.
#
# Display calls with arguments that have effects (``display(model.fit(X, y))``,
# ``plt.show(plot_acf(x))``) are rewritten before all this, by :func:`unwrap_display`.

# Methods that compute a new value from their receiver (pandas, numpy, str, fitted
# estimators) when called without ``inplace=True``: a discarded call changes nothing. Names
# that other libraries use for actions are not here: ``drop`` (a database table),
# ``rename``/``replace`` (pathlib moves a file), ``query``, ``merge``, ``join`` (a thread).
_PURE_METHODS = DISPLAY_METHODS | {
    *("groupby", "agg", "aggregate", "sort_values", "sort_index", "nlargest", "nsmallest"),
    *("reset_index", "set_index", "dropna", "fillna", "drop_duplicates", "duplicated"),
    *("astype", "select_dtypes", "to_frame", "pivot", "pivot_table", "melt", "quantile"),
    *("skew", "kurt", "kurtosis", "mode", "abs", "cumsum", "cumprod", "cummax", "cummin"),
    *("pct_change", "diff", "rank", "clip", "idxmax", "idxmin", "argmax", "argmin", "all"),
    *("any", "isin", "between", "round", "memory_usage", "transpose", "stack", "unstack"),
    *("explode", "corrwith", "to_numpy", "tolist", "to_list", "to_dict", "ravel", "reshape"),
    *("flatten", "squeeze", "prod", "sem", "first", "last", "nth", "get_group", "rolling"),
    *("expanding", "resample", "ewm", "shift", "interpolate", "bfill", "ffill", "where"),
    *("mask", "combine_first", "lower", "upper", "strip", "split", "contains", "startswith"),
    *("endswith", "len", "title", "decision_function", "score_samples", "predict_log_proba"),
    "get_feature_names_out",
}
# Builtins without effects; those that consume an iterator have effects when handed a bare
# name or iterate one in a comprehension (it may be a generator that later code iterates).
_PURE_BUILTINS = frozenset(
    {
        *("len", "type", "repr", "str", "int", "float", "bool", "complex", "round", "abs"),
        *("divmod", "pow", "hash", "id", "isinstance", "issubclass", "callable", "format"),
        *("bin", "hex", "oct", "ord", "chr", "range", "slice", "dir"),
    }
)
_CONSUMING_BUILTINS = frozenset(
    {
        *("min", "max", "sum", "sorted", "list", "tuple", "set", "frozenset", "dict", "zip"),
        *("enumerate", "reversed", "any", "all", "map", "filter"),
    }
)
_PANDAS_PURE = frozenset(
    {
        *("DataFrame", "Series", "Index", "crosstab", "pivot_table", "pivot", "concat"),
        *("merge", "merge_asof", "get_dummies", "cut", "qcut", "to_datetime", "to_numeric"),
        *("to_timedelta", "isna", "isnull", "notna", "notnull", "unique", "value_counts"),
        *("melt", "date_range", "Timestamp", "Timedelta", "factorize", "wide_to_long"),
    }
)
_NUMPY_IMPURE = frozenset(
    {
        *("save", "savez", "savez_compressed", "savetxt", "tofile", "copyto", "put"),
        *("put_along_axis", "place", "putmask", "fill_diagonal", "info", "show_config"),
        *("show_runtime", "set_printoptions", "printoptions", "seterr", "seterrcall"),
        *("setbufsize", "set_string_function", "errstate", "source", "lookfor"),
    }
)
_SCIPY_STATS_PURE = frozenset(
    {
        *("pearsonr", "spearmanr", "kendalltau", "pointbiserialr", "ttest_ind", "ttest_rel"),
        *("ttest_1samp", "chi2_contingency", "chisquare", "shapiro", "normaltest", "skew"),
        *("kurtosis", "describe", "zscore", "mannwhitneyu", "wilcoxon", "kruskal", "f_oneway"),
        *("linregress", "kstest", "anderson", "levene", "bartlett", "iqr", "sem", "entropy"),
    }
)

# Random numbers: calls on the global generators that are no draw.
_NOT_DRAWS = frozenset(
    {
        "numpy.random.seed",
        "numpy.random.default_rng",
        "numpy.random.RandomState",
        "numpy.random.Generator",
        "numpy.random.SeedSequence",
        "numpy.random.BitGenerator",
        "numpy.random.PCG64",
        "numpy.random.MT19937",
        "numpy.random.get_state",
        "numpy.random.set_state",
        "random.seed",
        "random.Random",
        "random.SystemRandom",
        "random.getstate",
        "random.setstate",
    }
)
# Plotting functions that may draw from a global generator: seaborn's jitter (strip plots,
# regression plots) and, in older seaborn, its bootstrapped confidence intervals; pandas'
# bootstrap_plot (the standard library's generator).
_RANDOM_PLOTS = frozenset(
    [
        *(
            f"seaborn.{n}"
            for n in (
                *("barplot", "pointplot", "lineplot", "relplot", "catplot", "factorplot"),
                *("stripplot", "regplot", "lmplot", "residplot", "tsplot", "jointplot"),
                "pairplot",
            )
        ),
        "pandas.plotting.bootstrap_plot",
    ]
)
# Draw with numpy's global generator unless given an integer random_state.
_SHUFFLES = frozenset({"sample", "shuffle", "train_test_split"})
NUMPY_RANDOM, STDLIB_RANDOM = "numpy.random", "random"


def random_use(call: ast.Call, imports: dict[str, str]) -> tuple[str, str] | None:
    """``(generator, "seed" | "draw")`` when ``call`` seeds or draws from a global random
    generator: numpy's (``np.random.*``; ``df.sample()``, ``shuffle(X, y)`` and
    ``train_test_split`` without an integer ``random_state``; seaborn's jittered or
    bootstrapped plots) or the standard library's (``random.*``, ``bootstrap_plot``)."""
    name = qualified(call.func, imports) or ""
    if name in ("numpy.random.seed", "random.seed"):
        return (NUMPY_RANDOM if name.startswith("numpy") else STDLIB_RANDOM), "seed"
    if name.startswith("numpy.random.") and name not in _NOT_DRAWS:
        return NUMPY_RANDOM, "draw"
    if name.startswith("random.") and name not in _NOT_DRAWS and name.count(".") == 1:
        return STDLIB_RANDOM, "draw"
    if name in _RANDOM_PLOTS:
        return (STDLIB_RANDOM if name.startswith("pandas") else NUMPY_RANDOM), "draw"
    last = call.func.attr if isinstance(call.func, ast.Attribute) else name.rpartition(".")[2]
    if last in _SHUFFLES and not name.startswith(("numpy.", "random.")) and not _int_seed(call):
        return NUMPY_RANDOM, "draw"
    return None


def _int_seed(call: ast.Call) -> bool:
    """``random_state=<int>`` (``df.sample(5, random_state=0)``): a fresh generator."""
    for kw in call.keywords:
        if kw.arg == "random_state":
            v = kw.value
            return isinstance(v, ast.Constant) and type(v.value) is int
    return False


@dataclasses.dataclass(slots=True)
class Context:
    """What sorting a statement needs to know of the whole notebook: the names its imports
    bind (``pd`` -> ``pandas``), the names its code binds (a notebook's own ``display`` is
    not IPython's), its functions, the names bound only to figures, axes and plots, and
    whether some code reads a figure back (then no plotting line leaves)."""

    imports: dict[str, str] = dataclasses.field(default_factory=dict)
    bound: set[str] = dataclasses.field(default_factory=set)
    functions: set[str] = dataclasses.field(default_factory=set)
    plot_objects: set[str] = dataclasses.field(default_factory=set)
    keep_plots: bool = True


_FIGURE_EXPORTS = frozenset(
    {"savefig", "imsave", "print_figure", "print_png", "tostring_rgb", "tostring_argb"}
    | {"buffer_rgba", "to_html5_video", "to_jshtml"}
)


def context(trees: list[ast.Module]) -> Context:
    """The notebook-wide :class:`Context` of the cells' trees."""
    ctx = Context(imports=collect_imports(trees), keep_plots=False)
    values: dict[str, list[ast.expr | None]] = {}  # name -> what each binding assigns
    for tree in trees:
        for s in _statements(tree.body):
            for name, value in _bindings(s):
                values.setdefault(name, []).append(value)
            if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef) or (
                isinstance(s, ast.Assign) and isinstance(s.value, ast.Lambda)
            ):
                ctx.functions |= binds(s)
    ctx.bound = set(values)
    changed = True
    while changed:  # names all bindings of which are figures, axes, plots
        changed = False
        for name, vals in values.items():
            if name not in ctx.plot_objects and all(
                v is not None and _plot_rooted(v, ctx) for v in vals
            ):
                ctx.plot_objects.add(name)
                changed = True
    ctx.keep_plots = any(_reads_figures(tree, ctx) for tree in trees)
    return ctx


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of the notebook's scope at any depth (not inside functions or classes)."""
    for s in body:
        yield s
        if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for name in ("body", "orelse", "finalbody"):
            yield from _statements(getattr(s, name, []))
        for h in getattr(s, "handlers", []):
            yield from _statements(h.body)
        for case in getattr(s, "cases", []):
            yield from _statements(case.body)


def _bindings(s: ast.stmt) -> list[tuple[str, ast.expr | None]]:
    """(name, value assigned or None) for the names ``s`` itself binds (not its body's)."""
    if isinstance(s, ast.Import | ast.ImportFrom):
        return []
    if isinstance(s, ast.Assign | ast.AnnAssign):
        targets = s.targets if isinstance(s, ast.Assign) else [s.target]
        return [(n, s.value) for t in targets for n in _stored(t)]
    if isinstance(s, ast.For | ast.AsyncFor):
        return [(n, s.iter) for n in _stored(s.target)]
    if isinstance(s, ast.With | ast.AsyncWith):
        return [(n, None) for i in s.items if i.optional_vars for n in _stored(i.optional_vars)]
    if isinstance(s, ast.Try | ast.TryStar):
        return [(h.name, None) for h in s.handlers if h.name]
    if isinstance(s, ast.If | ast.While | ast.Match):
        return []
    return [(n, None) for n in binds(s)]


def loop_variables(tree: ast.Module) -> set[str]:
    """Names the cell binds only as ``for`` targets (in the notebook's scope)."""
    loops: set[str] = set()
    other: set[str] = set()
    for s in _statements(tree.body):
        for name, _ in _bindings(s):
            (loops if isinstance(s, ast.For | ast.AsyncFor) else other).add(name)
    return loops - other


def _stored(target: ast.expr) -> list[str]:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name) and n.ctx != ast.Load()]


def _plot_rooted(e: ast.expr, ctx: Context) -> bool:
    """``e`` is, or is taken from, a figure, axes or plot: ``plt.subplots()``, ``axes[0]``,
    ``sns.heatmap(...)``, ``df.plot(...)``."""
    while isinstance(e, ast.Attribute | ast.Subscript | ast.Starred):
        e = e.value
    if isinstance(e, ast.Name):
        return e.id in ctx.plot_objects
    if isinstance(e, ast.Tuple | ast.List):
        return bool(e.elts) and all(_plot_rooted(x, ctx) for x in e.elts)
    if not isinstance(e, ast.Call):
        return False
    name = _module_function(e.func, ctx) or ""
    if name.startswith("matplotlib.pyplot.") and name.rpartition(".")[2] in _STATE_READS:
        return False  # b, t = plt.ylim(): numbers read from the figure, not a figure
    return _plot_call(e, ctx)


# pyplot functions that return the current figure's state (limits, ticks) when called.
_STATE_READS = frozenset(
    {"xlim", "ylim", "xticks", "yticks", "axis", "clim", "get_fignums", "getp", "findobj"}
    | {"ginput", "waitforbuttonpress", "thetagrids", "rgrids"}
)


def _plot_function(name: str) -> bool:
    """A module's function (qualified name) that draws."""
    last = name.rpartition(".")[2]
    if name.startswith("matplotlib.pyplot."):
        return last not in _FIGURE_EXPORTS | {"close", "switch_backend", "imread"}
    if name.startswith("seaborn."):
        return last not in {"load_dataset", "get_dataset_names", "get_data_home"}
    if name.startswith(("statsmodels.graphics.", "statsmodels.api.graphics.")):
        return True
    if name in {"statsmodels.api.qqplot", "statsmodels.api.qqplot_2samples"}:
        return True
    if name.startswith("pandas.plotting."):
        return True
    if name.startswith("sklearn."):
        return "Display." in name or last.startswith("plot_")
    return False


def _plot_call(e: ast.Call, ctx: Context) -> bool:
    """A call that draws (its result is a figure, axes or artist)."""
    func = e.func
    name = _module_function(func, ctx)
    if name is not None:
        return _plot_function(name)
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr in _FIGURE_EXPORTS or func.attr.startswith(("get_", "to_", "save", "write")):
        return False
    receiver = func.value
    if func.attr in {"plot", "hist", "boxplot"} or (
        isinstance(receiver, ast.Attribute) and receiver.attr == "plot"
    ):
        return True  # pandas: df.plot(...), df.plot.bar(...), s.hist()
    return _plot_rooted(receiver, ctx)


def _module_function(func: ast.expr, ctx: Context) -> str | None:
    """The qualified name of ``func`` when it is an imported module's function (not a
    method of a notebook variable): ``np.mean`` -> ``numpy.mean``."""
    root = func
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name) or root.id not in ctx.imports or root.id in ctx.bound:
        return None
    return qualified(func, ctx.imports)


def _reads_figures(tree: ast.Module, ctx: Context) -> bool:
    """Does some code other than drawing read a figure back: an export (``savefig``), or a
    figure, axes or plot used in a value (``ax.get_xlim()``, ``print(ax.get_title())``)?"""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _FIGURE_EXPORTS
        ):
            return True
    for s in _statements(tree.body):
        if isinstance(s, ast.Expr) and (
            isinstance(s.value, ast.Call) and _plot_call(s.value, ctx) or _effect_free(s.value, ctx)
        ):
            continue  # draws, or shows: its value is discarded
        if isinstance(s, ast.Assign | ast.AnnAssign) and s.value is not None:
            targets = s.targets if isinstance(s, ast.Assign) else [s.target]
            if _plot_rooted(s.value, ctx) or any(_plot_rooted(t, ctx) for t in targets):
                continue  # binds a figure or axes, or sets one's property
            parts: list[ast.AST] = [s.value, *targets]
        elif isinstance(s, ast.For | ast.AsyncFor):
            parts = [] if _plot_rooted(s.iter, ctx) else [s.iter]
        else:
            parts = [c for c in ast.iter_child_nodes(s) if isinstance(c, ast.expr)]
        for part in parts:
            for n in ast.walk(part):
                if isinstance(n, ast.Name) and n.id in ctx.plot_objects:
                    return True
                if isinstance(n, ast.Call) and _plot_call(n, ctx):
                    return True
    return False


def _effect_free(e: ast.AST | None, ctx: Context) -> bool:
    """Evaluating ``e`` changes no value: no binding, and no call that mutates, draws random
    numbers, writes, prints or runs the notebook's own functions."""
    if e is None or isinstance(e, ast.Constant | ast.Name):
        return True
    if isinstance(e, ast.Call):
        return _call_effect_free(e, ctx)
    if isinstance(e, ast.NamedExpr | ast.Await | ast.Yield | ast.YieldFrom):
        return False
    if isinstance(e, ast.Lambda):
        return _effect_free(e.body, ctx)
    if isinstance(e, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) and any(
        isinstance(g.iter, ast.Name) for g in e.generators
    ):
        return False  # may consume a generator
    return all(_effect_free(c, ctx) for c in ast.iter_child_nodes(e) if _is_part(c))


def _is_part(node: ast.AST) -> bool:
    return isinstance(node, ast.expr | ast.comprehension | ast.keyword)


def _call_effect_free(e: ast.Call, ctx: Context) -> bool:
    if not _arguments_effect_free(e, ctx):
        return False
    func = e.func
    if isinstance(func, ast.Name):
        name = func.id
        if name in ctx.bound:
            return False  # the notebook's own function
        if name in ctx.imports:
            return _pure_function(qualified(func, ctx.imports) or "")
        if name in _CONSUMING_BUILTINS:
            return not any(isinstance(a, ast.Name) for a in e.args)
        return name in _PURE_BUILTINS or name in DISPLAY_FUNCTIONS
    module_function = _module_function(func, ctx)
    if module_function is not None:
        return _pure_function(module_function)
    if isinstance(func, ast.Attribute):
        return func.attr in _PURE_METHODS and _effect_free(func.value, ctx)
    return False


def _arguments_effect_free(e: ast.Call, ctx: Context) -> bool:
    """No random draw, no ``inplace=``/``out=``, arguments without effects, and none of the
    notebook's functions handed over (``df.agg(my_func)`` runs it)."""
    if random_use(e, ctx.imports) is not None:
        return False
    if any(k.arg in ("inplace", "out") and not _falsy(k.value) for k in e.keywords):
        return False
    args = [*e.args, *(k.value for k in e.keywords)]
    if not all(_effect_free(a, ctx) for a in args):
        return False
    return not any(
        isinstance(n, ast.Name) and n.id in ctx.functions for a in args for n in ast.walk(a)
    )


def _falsy(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and not node.value


def _pure_function(name: str) -> bool:
    """A module's function (qualified name) that only computes a value."""
    head, _, last = name.rpartition(".")
    if name.startswith("sklearn.metrics."):
        return not _plot_function(name)
    if name.startswith(("numpy.random.", "numpy.testing.", "numpy.ctypeslib.")):
        return False
    if name.startswith("numpy."):
        return last not in _NUMPY_IMPURE
    if head == "pandas":
        return last in _PANDAS_PURE
    if head in {"math", "statistics", "cmath"}:
        return True
    if head == "scipy.stats":
        return last in _SCIPY_STATS_PURE
    if name == "matplotlib.pyplot.show":
        return True  # shows the figures, changes none
    return head == "IPython.display" and last in DISPLAY_FUNCTIONS


def _draws_only(e: ast.expr, ctx: Context) -> bool:
    """A plotting call (or chain of them: ``sns.heatmap(c).set_title(t)``) whose receivers
    and arguments change no value."""
    if isinstance(e, ast.Name):
        return True
    if isinstance(e, ast.Attribute):
        return _draws_only(e.value, ctx)
    if isinstance(e, ast.Subscript):
        return _draws_only(e.value, ctx) and _effect_free(e.slice, ctx)
    if isinstance(e, ast.Call) and _plot_call(e, ctx):
        if not _arguments_effect_free(e, ctx):
            return False
        return _module_function(e.func, ctx) is not None or _draws_only(e.func, ctx)
    return _effect_free(e, ctx)


_NO_CONTEXT = Context()


def is_display_only(e: ast.expr, ctx: Context | None = None) -> bool:
    """An expression whose evaluation only shows something: it changes no value (see the
    notes above: no mutation, no random draw, no output)."""
    return _effect_free(e, ctx or _NO_CONTEXT)


def is_plot(e: ast.expr, ctx: Context | None = None) -> bool:
    """A call that only draws, in a notebook where no code reads a figure back."""
    ctx = ctx or _NO_CONTEXT
    return (
        not ctx.keep_plots
        and isinstance(e, ast.Call)
        and _plot_call(e, ctx)
        and _draws_only(e, ctx)
    )


def unwrap_display(p: ParsedCell, ctx: Context) -> ParsedCell:
    """Display calls lose the display and keep what their arguments do: a statement
    ``display(model.fit(X, y))`` or ``plt.show(plot_acf(x))`` becomes ``model.fit(X, y)``,
    ``plot_acf(x)``; inside a block (a loop, a function), a display of values without
    effects becomes ``pass`` (a script has no display; IPython's would print instead).
    The rewrite is textual on the masked source, keeping line numbers, and the cell is
    parsed again."""
    tree = p.tree
    if tree is None or "\r" in p.python:
        return p
    top = {id(s) for s in tree.body}
    edits: list[tuple[ast.stmt, str]] = []
    for s in ast.walk(tree):
        if not isinstance(s, ast.Expr) or not _display_call(s.value, ctx):
            continue
        call = s.value
        assert isinstance(call, ast.Call)
        args = [*call.args, *(k.value for k in call.keywords)]
        if any(isinstance(a, ast.Starred) for a in call.args) or any(
            k.arg is None for k in call.keywords
        ):
            continue
        kept = [a for a in args if not _effect_free(a, ctx)]
        if not kept and id(s) in top:
            continue  # left out whole (DISPLAY)
        edits.append((s, "; ".join(_source(p.python, a) for a in kept) or "pass"))
    if not edits:
        return p
    lines = [line.encode() for line in p.python.split("\n")]
    for s, text in sorted(edits, key=lambda e: (e[0].lineno, e[0].col_offset), reverse=True):
        first, last = s.lineno - 1, (s.end_lineno or s.lineno) - 1
        merged = lines[first][: s.col_offset] + text.encode() + lines[last][s.end_col_offset :]
        new = merged.split(b"\n")
        lines[first : last + 1] = new + [b""] * (last + 1 - first - len(new))
    python = "\n".join(raw.decode() for raw in lines)
    try:
        new_tree = ast.parse(python)
    except SyntaxError:
        return p
    return dataclasses.replace(p, python=python, tree=new_tree)


def _display_call(e: ast.expr, ctx: Context) -> bool:
    """``display(...)``, ``HTML(...)``, ``plt.show(...)``, ``fig.show(...)``."""
    if not isinstance(e, ast.Call):
        return False
    func = e.func
    if isinstance(func, ast.Name):
        if func.id in ctx.bound or func.id not in DISPLAY_FUNCTIONS:
            return False
        origin = ctx.imports.get(func.id)
        return (
            origin is None
            or origin == f"IPython.display.{func.id}"
            or (origin == f"IPython.core.display.{func.id}")
        )
    return (
        isinstance(func, ast.Attribute)
        and func.attr in {"show", "display"}
        and _effect_free(func.value, ctx)
    )


def _source(python: str, node: ast.expr) -> str:
    """The source of an expression, parenthesised when it would not stand alone as a
    statement (spanning lines, a bare generator expression)."""
    text = ast.get_source_segment(python, node) or ast.unparse(node)
    if "\n" in text or (isinstance(node, ast.GeneratorExp) and not text.startswith("(")):
        return f"({text})"
    return text


def classify(
    tree: ast.Module, magic_lines: set[int], param_nodes: set[int], ctx: Context | None = None
) -> list[str]:
    """One kind per statement of ``tree.body``; ``ctx`` (the notebook's :func:`context`)
    lets pure module functions and plots leave the pipeline too."""
    kinds = []
    for s in tree.body:
        if id(s) in param_nodes:
            kinds.append(PARAM)
        elif isinstance(s, ast.Import | ast.ImportFrom) or _import_guard(s):
            kinds.append(IMPORT)
        elif isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            kinds.append(DEF)
        elif isinstance(s, ast.Pass) and s.lineno in magic_lines:
            kinds.append(MAGIC)
        elif isinstance(s, ast.Global):
            kinds.append(DROP)
        elif isinstance(s, ast.Expr) and is_display_only(s.value, ctx):
            kinds.append(DISPLAY)
        elif isinstance(s, ast.Expr) and is_plot(s.value, ctx):
            kinds.append(PLOT)
        else:
            kinds.append(CODE)
    return kinds


def _import_guard(s: ast.stmt) -> bool:
    """``try: import x`` / ``except ImportError: ...`` made only of imports and constants."""
    if not isinstance(s, ast.Try) or not any(
        isinstance(b, ast.Import | ast.ImportFrom) for b in s.body
    ):
        return False
    for node in ast.walk(s):
        if isinstance(node, ast.stmt) and not isinstance(
            node, ast.Try | ast.Import | ast.ImportFrom | ast.Pass | ast.Assign | ast.Expr
        ):
            return False
        if isinstance(node, ast.Assign) and not isinstance(node.value, ast.Constant | ast.Name):
            return False
        if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant | ast.Call):
            return False
    return True


def scan(tree: ast.Module) -> tuple[list[tuple[str, ast.AST, str]], list[ast.stmt]]:
    """One walk over a cell: what makes it unfaithful (exec/eval, get_ipython(), top-level
    await) as (code, node, message), and its import statements at any depth."""
    out: list[tuple[str, ast.AST, str]] = []
    imports: list[ast.stmt] = []
    awaits = returns = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in {"exec", "eval"}:
                out.append(("CV005", node, f"`{node.func.id}()` runs code convert cannot see"))
            elif node.func.id == "get_ipython":
                out.append(("CV006", node, "`get_ipython()` needs an IPython kernel"))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            imports.append(node)
        elif isinstance(node, ast.Await | ast.AsyncFor | ast.AsyncWith):
            awaits = True
        elif isinstance(node, ast.Return | ast.Yield | ast.YieldFrom):
            returns = True
    if awaits:
        for node in _outside_functions(tree, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
            out.append(
                (
                    "CV013",
                    node,
                    "top-level `await` needs a running event loop; the cell is left out",
                )
            )
    if returns:
        for node in _outside_functions(tree, (ast.Return, ast.Yield, ast.YieldFrom)):
            word = "return" if isinstance(node, ast.Return) else "yield"
            msg = f"`{word}` outside a function: the cell fails in the notebook too; left out"
            out.append(("CV001", node, msg))
    return out, imports


def _outside_functions(tree: ast.AST, kinds: tuple[type, ...]) -> list[ast.AST]:
    """The first node of ``kinds`` that is not inside a function (or lambda)."""
    found = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, kinds):
            found.append(node)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))[:1]


def binds(stmt: ast.stmt) -> set[str]:
    """Names a top-level statement binds in the notebook's scope (nested scopes apart)."""
    out: set[str] = set()
    _binds(stmt, out)
    return out


def _binds(s: ast.stmt, out: set[str]) -> None:
    if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        out.add(s.name)
        return
    if isinstance(s, ast.Import | ast.ImportFrom):
        out.update(a.asname or a.name.split(".", 1)[0] for a in s.names if a.name != "*")
        return
    targets: list[ast.AST] = []
    if isinstance(s, ast.Assign):
        targets = [*s.targets]
    elif isinstance(s, ast.AugAssign | ast.AnnAssign | ast.For | ast.AsyncFor):
        targets = [s.target]
    elif isinstance(s, ast.Delete):
        targets = [*s.targets]
    elif isinstance(s, ast.With | ast.AsyncWith):
        targets = [i.optional_vars for i in s.items if i.optional_vars is not None]
    for t in targets:
        for n in ast.walk(t):
            if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
                out.add(n.id)
    for field in ("body", "orelse", "finalbody"):
        for child in getattr(s, field, ()):
            _binds(child, out)
    for h in getattr(s, "handlers", ()):
        if h.name:
            out.add(h.name)
        for child in h.body:
            _binds(child, out)
    if isinstance(s, ast.Match):
        for case in s.cases:
            for n in ast.walk(case.pattern):
                if isinstance(n, ast.MatchAs | ast.MatchStar) and n.name:
                    out.add(n.name)
                elif isinstance(n, ast.MatchMapping) and n.rest:
                    out.add(n.rest)
            for child in case.body:
                _binds(child, out)
