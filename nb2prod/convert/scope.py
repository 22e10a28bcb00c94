"""Names in the notebook's scope, as sorting statements sees them: what a top-level statement
binds (:func:`binds`, :func:`bindings`, :func:`loop_variables`), the notebook-wide
:class:`Context` of names (built by :func:`nb2prod.convert.plots.context`), and how a call
resolves against it (:func:`module_function`)."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator

from nb2prod.analysis.names import qualified


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


NO_CONTEXT = Context()


def module_function(func: ast.expr, ctx: Context) -> str | None:
    """The qualified name of ``func`` when it is an imported module's function (not a
    method of a notebook variable): ``np.mean`` -> ``numpy.mean``."""
    root = func
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name) or root.id not in ctx.imports or root.id in ctx.bound:
        return None
    return qualified(func, ctx.imports)


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


def statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of the notebook's scope at any depth (not inside functions or classes)."""
    for s in body:
        yield s
        if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for name in ("body", "orelse", "finalbody"):
            yield from statements(getattr(s, name, []))
        for h in getattr(s, "handlers", []):
            yield from statements(h.body)
        for case in getattr(s, "cases", []):
            yield from statements(case.body)


def bindings(s: ast.stmt) -> list[tuple[str, ast.expr | None]]:
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
    for s in statements(tree.body):
        for name, _ in bindings(s):
            (loops if isinstance(s, ast.For | ast.AsyncFor) else other).add(name)
    return loops - other


def _stored(target: ast.expr) -> list[str]:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name) and n.ctx != ast.Load()]
