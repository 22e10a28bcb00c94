"""Sort each top-level statement of a cell: where it goes in the package, or why it leaves.

Also the per-cell checks that make a conversion unfaithful (exec/eval, get_ipython, top-level
await). The ideas sorting draws on live in their own modules and are re-exported here:
names a statement binds (:mod:`~nb2prod.convert.scope`), display-only expressions
(:mod:`~nb2prod.convert.display`), plotting lines (:mod:`~nb2prod.convert.plots`), random
draws (:mod:`~nb2prod.convert.randomness`) and magic lines
(:mod:`~nb2prod.convert.magic_verdict`).
"""

from __future__ import annotations

import ast

from nb2prod.convert.display import (
    DISPLAY_FUNCTIONS,
    DISPLAY_METHODS,
    is_display_only,
    unwrap_display,
)
from nb2prod.convert.magic_verdict import HISTORY, is_install, magic_verdict
from nb2prod.convert.plots import context, is_plot
from nb2prod.convert.randomness import NUMPY_RANDOM, STDLIB_RANDOM, random_use
from nb2prod.convert.scope import Context, binds, loop_variables

__all__ = [
    "CODE",
    "DEF",
    "DISPLAY",
    "DISPLAY_FUNCTIONS",
    "DISPLAY_METHODS",
    "DROP",
    "HISTORY",
    "IMPORT",
    "MAGIC",
    "NUMPY_RANDOM",
    "PARAM",
    "PLOT",
    "STDLIB_RANDOM",
    "Context",
    "binds",
    "classify",
    "context",
    "is_display_only",
    "is_install",
    "is_plot",
    "loop_variables",
    "magic_verdict",
    "random_use",
    "scan",
    "unwrap_display",
]

IMPORT, DEF, PARAM, DISPLAY, PLOT, MAGIC, DROP, CODE = (
    "import", "def", "param", "display", "plot", "magic", "drop", "code"
)  # fmt: skip

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
