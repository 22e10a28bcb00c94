"""Names across scopes: the free names of a function, lambda, class or comprehension
(:func:`scope_free`), which Python binds locally (a name bound anywhere in a function body
is local to it), and what a class body reads when it runs."""

from __future__ import annotations

import ast

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
COMPS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def scope_free(node: ast.AST) -> tuple[dict[str, int], dict[str, int]]:
    """(free names read, names written under ``global``) of a def, lambda, class or
    comprehension, including its nested scopes. Python's rule: a name bound anywhere in a
    function body is local to it (unless declared ``global``/``nonlocal``)."""
    loads: dict[str, int] = {}
    bound: set[str] = set()
    declared: set[str] = set()
    nested_free: dict[str, int] = {}
    writes: dict[str, int] = {}

    def visit(n: ast.AST) -> None:
        if isinstance(n, ast.Name):
            if isinstance(n.ctx, ast.Load):
                loads.setdefault(n.id, n.lineno)
            else:
                bound.add(n.id)
                if n.id in declared:
                    writes.setdefault(n.id, n.lineno)
            return
        if isinstance(n, ast.Global | ast.Nonlocal):
            declared.update(n.names)
            return
        if isinstance(n, ast.alias):
            if n.name != "*":
                bound.add(n.asname or n.name.split(".", 1)[0])
            return
        if isinstance(n, ast.arg):
            bound.add(n.arg)
            if n.annotation:
                visit(n.annotation)
            return
        if isinstance(n, ast.ExceptHandler) and n.name:
            bound.add(n.name)
        if isinstance(n, ast.MatchAs | ast.MatchStar) and n.name:
            bound.add(n.name)
        if isinstance(n, ast.MatchMapping) and n.rest:
            bound.add(n.rest)
        if isinstance(n, (*_SCOPES, *COMPS)):
            _nested(n)
            return
        for child in ast.iter_child_nodes(n):
            visit(child)

    def _nested(n: ast.AST) -> None:
        # What the enclosing scope evaluates: decorators, defaults, bases, first iterable.
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(n.name)
            for d in n.decorator_list:
                visit(d)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            for d in [*n.args.defaults, *[k for k in n.args.kw_defaults if k]]:
                visit(d)
        if isinstance(n, ast.ClassDef):
            for b in [*n.bases, *(k.value for k in n.keywords)]:
                visit(b)
        if isinstance(n, COMPS):
            visit(n.generators[0].iter)
        free, w = own_free(n)
        for name, ln in free.items():
            nested_free.setdefault(name, ln)
        for name, ln in w.items():
            writes.setdefault(name, ln)

    for child in _scope_body(node):
        visit(child)
    free = {n: ln for n, ln in loads.items() if n not in bound or n in declared}
    is_class = isinstance(node, ast.ClassDef)  # methods do not see class-level names
    for n, ln in nested_free.items():
        if is_class or n not in bound or n in declared:
            free.setdefault(n, ln)
    return free, writes


def _scope_body(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        a = node.args
        params = [*a.posonlyargs, *a.args, *a.kwonlyargs, *[x for x in (a.vararg, a.kwarg) if x]]
        body = [node.body] if isinstance(node, ast.Lambda) else node.body
        return [*(ast.Name(p.arg, ast.Store(), lineno=node.lineno) for p in params), *body]
    if isinstance(node, ast.ClassDef):
        return list(node.body)
    if isinstance(node, COMPS):
        parts: list[ast.AST] = []
        for i, gen in enumerate(node.generators):
            parts.append(gen.target)
            if i:
                parts.append(gen.iter)
            parts.extend(gen.ifs)
        if isinstance(node, ast.DictComp):
            parts += [node.key, node.value]
        else:
            parts.append(node.elt)
        return parts
    return [node]


def own_free(node: ast.AST) -> tuple[dict[str, int], dict[str, int]]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        args = node.args
        arg_nodes = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        arg_nodes += [a for a in (args.vararg, args.kwarg) if a]
        # Defaults were evaluated by the enclosing scope; only the body is ours.
        body_free, writes = scope_free(node)
        names = {a.arg for a in arg_nodes}
        return {n: ln for n, ln in body_free.items() if n not in names}, writes
    if isinstance(node, ast.ClassDef):
        # Methods do not see class-level names; the class body reads as a scope of its own.
        return scope_free(node)
    if isinstance(node, COMPS):
        free, writes = scope_free(node)
        return free, writes
    return {}, {}


def class_body_reads(cls: ast.ClassDef) -> dict[str, int]:
    """Names the class body itself reads when it runs (not its methods' bodies)."""
    bound: set[str] = set()
    reads: dict[str, int] = {}
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            nodes = [*stmt.decorator_list]
            if not isinstance(stmt, ast.ClassDef):
                nodes += [*stmt.args.defaults, *(k for k in stmt.args.kw_defaults if k)]
            else:
                nodes += stmt.bases
            for n in nodes:
                for sub in ast.walk(n):
                    if isinstance(sub, ast.Name) and sub.id not in bound:
                        reads.setdefault(sub.id, sub.lineno)
            bound.add(stmt.name)
            continue
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Name):
                if isinstance(sub.ctx, ast.Load):
                    if sub.id not in bound:
                        reads.setdefault(sub.id, sub.lineno)
                else:
                    bound.add(sub.id)
    return reads
