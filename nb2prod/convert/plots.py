"""Plotting lines: a bare call that only draws leaves the pipeline (:func:`is_plot`) unless
some code reads a figure back (an export such as ``savefig``, or a figure, axes or plot
used in a computed value); :func:`context` builds the notebook-wide
:class:`~nb2prod.convert.scope.Context` that decides it. Which calls draw is
:mod:`nb2prod.convert.draw_calls`."""

from __future__ import annotations

import ast

from nb2prod.analysis.names import collect_imports
from nb2prod.convert.display import arguments_effect_free, effect_free
from nb2prod.convert.draw_calls import FIGURE_EXPORTS, plot_call, plot_rooted
from nb2prod.convert.scope import NO_CONTEXT, Context, bindings, binds, module_function, statements


def context(trees: list[ast.Module]) -> Context:
    """The notebook-wide :class:`Context` of the cells' trees."""
    ctx = Context(imports=collect_imports(trees), keep_plots=False)
    values: dict[str, list[ast.expr | None]] = {}  # name -> what each binding assigns
    for tree in trees:
        for s in statements(tree.body):
            for name, value in bindings(s):
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
                v is not None and plot_rooted(v, ctx) for v in vals
            ):
                ctx.plot_objects.add(name)
                changed = True
    ctx.keep_plots = any(_reads_figures(tree, ctx) for tree in trees)
    return ctx


def _reads_figures(tree: ast.Module, ctx: Context) -> bool:
    """Does some code other than drawing read a figure back: an export (``savefig``), or a
    figure, axes or plot used in a value (``ax.get_xlim()``, ``print(ax.get_title())``)?"""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in FIGURE_EXPORTS
        ):
            return True
    for s in statements(tree.body):
        if isinstance(s, ast.Expr) and (
            isinstance(s.value, ast.Call) and plot_call(s.value, ctx) or effect_free(s.value, ctx)
        ):
            continue  # draws, or shows: its value is discarded
        if isinstance(s, ast.Assign | ast.AnnAssign) and s.value is not None:
            targets = s.targets if isinstance(s, ast.Assign) else [s.target]
            if plot_rooted(s.value, ctx) or any(plot_rooted(t, ctx) for t in targets):
                continue  # binds a figure or axes, or sets one's property
            parts: list[ast.AST] = [s.value, *targets]
        elif isinstance(s, ast.For | ast.AsyncFor):
            parts = [] if plot_rooted(s.iter, ctx) else [s.iter]
        else:
            parts = [c for c in ast.iter_child_nodes(s) if isinstance(c, ast.expr)]
        for part in parts:
            for n in ast.walk(part):
                if isinstance(n, ast.Name) and n.id in ctx.plot_objects:
                    return True
                if isinstance(n, ast.Call) and plot_call(n, ctx):
                    return True
    return False


def _draws_only(e: ast.expr, ctx: Context) -> bool:
    """A plotting call (or chain of them: ``sns.heatmap(c).set_title(t)``) whose receivers
    and arguments change no value."""
    if isinstance(e, ast.Name):
        return True
    if isinstance(e, ast.Attribute):
        return _draws_only(e.value, ctx)
    if isinstance(e, ast.Subscript):
        return _draws_only(e.value, ctx) and effect_free(e.slice, ctx)
    if isinstance(e, ast.Call) and plot_call(e, ctx):
        if not arguments_effect_free(e, ctx):
            return False
        return module_function(e.func, ctx) is not None or _draws_only(e.func, ctx)
    return effect_free(e, ctx)


def is_plot(e: ast.expr, ctx: Context | None = None) -> bool:
    """A call that only draws, in a notebook where no code reads a figure back."""
    ctx = ctx or NO_CONTEXT
    return (
        not ctx.keep_plots and isinstance(e, ast.Call) and plot_call(e, ctx) and _draws_only(e, ctx)
    )
