"""Pass notebook variables to the module-level functions that read them.

DESCRIPTION: ``f(x)`` -> ``f(x, df=df)`` and ``map(f, xs)`` -> ``map(functools.partial(f,
df=df), xs)`` for every function ``f`` in ``injected`` (function -> notebook variables it
reads); ``def f(x):`` -> ``def f(x, *, df):``.
"""

from __future__ import annotations

import libcst as cst

_DEFAULT = cst.MaybeSentinel.DEFAULT


def add_parameters(stmt: cst.BaseStatement, injected: dict[str, list[str]]) -> cst.BaseStatement:
    """A module-level function that reads notebook variables gets them as keyword-only
    parameters (and loses the ``global`` declarations of those names)."""
    names = injected.get(stmt.name.value) if isinstance(stmt, cst.FunctionDef) else None
    if isinstance(stmt, cst.FunctionDef) and names:
        params = stmt.params
        star = params.star_arg
        if not isinstance(star, cst.Param | cst.ParamStar):
            star = cst.ParamStar()
        extra = [cst.Param(cst.Name(n)) for n in names]
        stmt = stmt.with_changes(
            params=params.with_changes(
                star_arg=star, kwonly_params=[*params.kwonly_params, *extra]
            ),
            body=stmt.body.visit(_DropGlobals(set(names))),
        )
    return stmt


class _DropGlobals(cst.CSTTransformer):
    """``global x`` goes when ``x`` becomes a parameter (the function only reads it)."""

    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # a nested function's own declarations

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def leave_Global(self, original: cst.Global, updated: cst.Global) -> cst.BaseSmallStatement:
        kept = [n for n in updated.names if n.name.value not in self.names]
        if not kept:
            return cst.Pass()
        kept[-1] = kept[-1].with_changes(comma=_DEFAULT)
        return updated.with_changes(names=kept)


class PassNotebookVariables(cst.CSTTransformer):
    """Pass notebook variables to module-level functions that read them."""

    def __init__(self, injected: dict[str, list[str]]) -> None:
        super().__init__()
        self.injected = injected
        self.uses_partial = False

    def _extra(self, names: list[str]) -> list[cst.Arg]:
        return [
            cst.Arg(
                cst.Name(n),
                keyword=cst.Name(n),
                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
            )
            for n in names
        ]

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = updated.func
        if isinstance(func, cst.Name) and func.value in self.injected:
            args = list(updated.args)
            if args and args[-1].comma is _DEFAULT:
                args[-1] = args[-1].with_changes(
                    comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                )
            return updated.with_changes(args=[*args, *self._extra(self.injected[func.value])])
        return updated

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        value = updated.value
        if isinstance(value, cst.Name) and value.value in self.injected:
            return updated.with_changes(value=self._partial(value.value))
        return updated

    def _value(self, updated):  # noqa: ANN001, ANN202 - any node with a ``value`` expression
        value = updated.value
        if isinstance(value, cst.Name) and value.value in self.injected:
            return updated.with_changes(value=self._partial(value.value))
        return updated

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        return self._value(updated)

    def leave_Element(self, original: cst.Element, updated: cst.Element) -> cst.Element:
        return self._value(updated)

    def leave_DictElement(self, original: cst.DictElement, updated: cst.DictElement):  # noqa: ANN201
        return self._value(updated)

    def leave_Return(self, original: cst.Return, updated: cst.Return) -> cst.Return:
        return self._value(updated)

    def _partial(self, name: str) -> cst.BaseExpression:
        self.uses_partial = True
        kwargs = ", ".join(f"{n}={n}" for n in self.injected[name])
        return cst.parse_expression(f"functools.partial({name}, {kwargs})")
