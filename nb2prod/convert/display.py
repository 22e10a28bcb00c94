"""Display-only expressions: evaluating them changes no value, so a bare one only shows
something and leaves the pipeline (:func:`is_display_only`; the notes in
:mod:`nb2prod.convert.classify` say how conservative that is), and display calls whose
arguments have effects, rewritten to keep them (:func:`unwrap_display`)."""

from __future__ import annotations

import ast
import dataclasses

from nb2prod.analysis.defuse import PURE_METHODS
from nb2prod.analysis.names import qualified
from nb2prod.convert.draw_calls import plot_function
from nb2prod.convert.randomness import random_use
from nb2prod.convert.scope import NO_CONTEXT, Context, module_function
from nb2prod.notebook.parse import ParsedCell

# Bare calls of these only show something: they leave the pipeline.
_PRINTS_OR_DRAWS = {"print", "format", "plot", "hist", "boxplot", "scatter", "info", "summary"}
DISPLAY_METHODS = (PURE_METHODS - _PRINTS_OR_DRAWS) | {
    "show",
    "display",
    "_repr_html_",
    "style",
}
DISPLAY_FUNCTIONS = frozenset({"display", "HTML", "Markdown", "Image"})

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


def effect_free(e: ast.AST | None, ctx: Context) -> bool:
    """Evaluating ``e`` changes no value: no binding, and no call that mutates, draws random
    numbers, writes, prints or runs the notebook's own functions."""
    if e is None or isinstance(e, ast.Constant | ast.Name):
        return True
    if isinstance(e, ast.Call):
        return _call_effect_free(e, ctx)
    if isinstance(e, ast.NamedExpr | ast.Await | ast.Yield | ast.YieldFrom):
        return False
    if isinstance(e, ast.Lambda):
        return effect_free(e.body, ctx)
    if isinstance(e, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) and any(
        isinstance(g.iter, ast.Name) for g in e.generators
    ):
        return False  # may consume a generator
    return all(effect_free(c, ctx) for c in ast.iter_child_nodes(e) if _is_part(c))


def _is_part(node: ast.AST) -> bool:
    return isinstance(node, ast.expr | ast.comprehension | ast.keyword)


def _call_effect_free(e: ast.Call, ctx: Context) -> bool:
    if not arguments_effect_free(e, ctx):
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
    function = module_function(func, ctx)
    if function is not None:
        return _pure_function(function)
    if isinstance(func, ast.Attribute):
        return func.attr in _PURE_METHODS and effect_free(func.value, ctx)
    return False


def arguments_effect_free(e: ast.Call, ctx: Context) -> bool:
    """No random draw, no ``inplace=``/``out=``, arguments without effects, and none of the
    notebook's functions handed over (``df.agg(my_func)`` runs it)."""
    if random_use(e, ctx.imports) is not None:
        return False
    if any(k.arg in ("inplace", "out") and not _falsy(k.value) for k in e.keywords):
        return False
    args = [*e.args, *(k.value for k in e.keywords)]
    if not all(effect_free(a, ctx) for a in args):
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
        return not plot_function(name)
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


def is_display_only(e: ast.expr, ctx: Context | None = None) -> bool:
    """An expression whose evaluation only shows something: it changes no value (see the
    notes in :mod:`nb2prod.convert.classify`: no mutation, no random draw, no output)."""
    return effect_free(e, ctx or NO_CONTEXT)


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
        kept = [a for a in args if not effect_free(a, ctx)]
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
        and effect_free(func.value, ctx)
    )


def _source(python: str, node: ast.expr) -> str:
    """The source of an expression, parenthesised when it would not stand alone as a
    statement (spanning lines, a bare generator expression)."""
    text = ast.get_source_segment(python, node) or ast.unparse(node)
    if "\n" in text or (isinstance(node, ast.GeneratorExp) and not text.startswith("(")):
        return f"({text})"
    return text
