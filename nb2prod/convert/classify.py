"""Sort each top-level statement of a cell: where it goes in the package, or why it leaves.

Also the per-cell checks that make a conversion unfaithful (exec/eval, get_ipython, top-level
await) and the verdict on each IPython magic or shell line.
"""

from __future__ import annotations

import ast
import re

from nb2prod.analysis.defuse import PURE_METHODS
from nb2prod.lint.rules.nb_shell_install import is_install
from nb2prod.notebook.magics import Magic

IMPORT, DEF, PARAM, DISPLAY, MAGIC, DROP, CODE = (
    "import", "def", "param", "display", "magic", "drop", "code"
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


def is_display_only(e: ast.expr) -> bool:
    """An expression whose evaluation only shows something: no call with effects."""
    if isinstance(e, ast.Constant | ast.Name):
        return True
    if isinstance(e, ast.Attribute):
        return is_display_only(e.value)
    if isinstance(e, ast.Subscript):
        return is_display_only(e.value) and is_display_only(e.slice)
    if isinstance(e, ast.Slice):
        return all(is_display_only(x) for x in (e.lower, e.upper, e.step) if x is not None)
    if isinstance(e, ast.Tuple | ast.List | ast.Set):
        return all(is_display_only(x) for x in e.elts)
    if isinstance(e, ast.Compare):
        return is_display_only(e.left) and all(is_display_only(x) for x in e.comparators)
    if isinstance(e, ast.BinOp):
        return is_display_only(e.left) and is_display_only(e.right)
    if isinstance(e, ast.UnaryOp):
        return is_display_only(e.operand)
    if isinstance(e, ast.BoolOp):
        return all(is_display_only(x) for x in e.values)
    if isinstance(e, ast.JoinedStr):
        return all(
            is_display_only(v.value) if isinstance(v, ast.FormattedValue) else True
            for v in e.values
        )
    if isinstance(e, ast.Call):
        args_ok = all(is_display_only(a) for a in e.args) and all(
            is_display_only(k.value) for k in e.keywords
        )
        if isinstance(e.func, ast.Name):
            # display(...) only shows its argument, whatever computes it.
            return e.func.id in DISPLAY_FUNCTIONS and (args_ok or e.func.id == "display")
        if isinstance(e.func, ast.Attribute):
            return e.func.attr in DISPLAY_METHODS and args_ok and is_display_only(e.func.value)
    return False


def classify(tree: ast.Module, magic_lines: set[int], param_nodes: set[int]) -> list[str]:
    """One kind per statement of ``tree.body``."""
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
        elif isinstance(s, ast.Expr) and is_display_only(s.value):
            kinds.append(DISPLAY)
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
