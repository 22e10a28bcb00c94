"""Rename the notebook's constants that became settings to their snake_case field names.

DESCRIPTION: ``TEST_SIZE`` -> ``test_size`` wherever the code reads the variable, in every
scope (step bodies, nested functions, lambdas, comprehensions, f-strings); attributes
(``cfg.TEST_SIZE``), keyword labels (``f(TEST_SIZE=1)``), imports and the names that
``def``/``class``/parameters/``global`` declare are left alone.

Safe by construction (see ``settings_params``): a renamed constant is bound once in the whole
notebook, by the statement that leaves for the settings, so every variable of that name is
that constant; and the new name is no identifier of the notebook, so nothing is captured or
shadowed.
"""

from __future__ import annotations

import libcst as cst


class RenameConstants(cst.CSTTransformer):
    def __init__(self, renames: dict[str, str]) -> None:
        super().__init__()
        self.renames = renames

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        new = self.renames.get(updated.value)
        return updated.with_changes(value=new) if new else updated

    # Names that are not variables, or that declare one: put back as written.
    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        return updated.with_changes(attr=original.attr)

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(keyword=original.keyword)

    def leave_Param(self, original: cst.Param, updated: cst.Param) -> cst.Param:
        return updated.with_changes(name=original.name)

    def leave_FunctionDef(
        self, original: cst.FunctionDef, updated: cst.FunctionDef
    ) -> cst.FunctionDef:
        return updated.with_changes(name=original.name)

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        return updated.with_changes(name=original.name)

    def leave_MatchKeywordElement(
        self, original: cst.MatchKeywordElement, updated: cst.MatchKeywordElement
    ) -> cst.MatchKeywordElement:
        return updated.with_changes(key=original.key)

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Global(self, node: cst.Global) -> bool:
        return False

    def visit_Nonlocal(self, node: cst.Nonlocal) -> bool:
        return False
