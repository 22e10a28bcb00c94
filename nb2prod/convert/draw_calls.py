"""Which calls draw: module functions that plot (matplotlib, seaborn, statsmodels graphics,
pandas plotting, scikit-learn displays), methods called on figures, axes and plots, and the
calls that read a figure back out (exports such as ``savefig``, state reads such as
``plt.ylim()``). Whether a plotting line may leave the pipeline is
:mod:`nb2prod.convert.plots`' business."""

from __future__ import annotations

import ast

from nb2prod.convert.scope import Context, module_function

# Calls that read a figure back out: exports to a file, a buffer or HTML.
FIGURE_EXPORTS = frozenset(
    {"savefig", "imsave", "print_figure", "print_png", "tostring_rgb", "tostring_argb"}
    | {"buffer_rgba", "to_html5_video", "to_jshtml"}
)

# pyplot functions that return the current figure's state (limits, ticks) when called.
_STATE_READS = frozenset(
    {"xlim", "ylim", "xticks", "yticks", "axis", "clim", "get_fignums", "getp", "findobj"}
    | {"ginput", "waitforbuttonpress", "thetagrids", "rgrids"}
)


def plot_function(name: str) -> bool:
    """A module's function (qualified name) that draws."""
    last = name.rpartition(".")[2]
    if name.startswith("matplotlib.pyplot."):
        return last not in FIGURE_EXPORTS | {"close", "switch_backend", "imread"}
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


def plot_call(e: ast.Call, ctx: Context) -> bool:
    """A call that draws (its result is a figure, axes or artist)."""
    func = e.func
    name = module_function(func, ctx)
    if name is not None:
        return plot_function(name)
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr in FIGURE_EXPORTS or func.attr.startswith(("get_", "to_", "save", "write")):
        return False
    receiver = func.value
    if func.attr in {"plot", "hist", "boxplot"} or (
        isinstance(receiver, ast.Attribute) and receiver.attr == "plot"
    ):
        return True  # pandas: df.plot(...), df.plot.bar(...), s.hist()
    return plot_rooted(receiver, ctx)


def plot_rooted(e: ast.expr, ctx: Context) -> bool:
    """``e`` is, or is taken from, a figure, axes or plot: ``plt.subplots()``, ``axes[0]``,
    ``sns.heatmap(...)``, ``df.plot(...)``."""
    while isinstance(e, ast.Attribute | ast.Subscript | ast.Starred):
        e = e.value
    if isinstance(e, ast.Name):
        return e.id in ctx.plot_objects
    if isinstance(e, ast.Tuple | ast.List):
        return bool(e.elts) and all(plot_rooted(x, ctx) for x in e.elts)
    if not isinstance(e, ast.Call):
        return False
    name = module_function(e.func, ctx) or ""
    if name.startswith("matplotlib.pyplot.") and name.rpartition(".")[2] in _STATE_READS:
        return False  # b, t = plt.ylim(): numbers read from the figure, not a figure
    return plot_call(e, ctx)
