"""``Analysis``: one notebook plus every analysis of it, each computed once on first use.

Rules, ``--fix`` and convert all read from the same object, so they never disagree about
what a cell reads, writes or leaks.
"""

from __future__ import annotations

import ast
from functools import cached_property
from typing import TYPE_CHECKING

from nb2prod.analysis.names import collect_imports, qualified
from nb2prod.notebook.parse import ParsedCell, parse_notebook

if TYPE_CHECKING:
    from nb2prod.analysis.io import IOFacts
    from nb2prod.analysis.secrets import SecretHit
    from nb2prod.analysis.secrets.masker import Masker
    from nb2prod.config import Settings
    from nb2prod.notebook.model import Notebook


class Analysis:
    def __init__(self, nb: Notebook, settings: Settings) -> None:
        self.nb = nb
        self.settings = settings

    @cached_property
    def parsed(self) -> list[ParsedCell]:
        """Code cells in file order, with masked source and ``ast`` tree."""
        return parse_notebook(self.nb)

    @cached_property
    def trees(self) -> list[tuple[ParsedCell, ast.Module]]:
        """The cells that parsed, with their trees."""
        return [(p, p.tree) for p in self.parsed if p.tree is not None]

    @cached_property
    def imports(self) -> dict[str, str]:
        """Local name -> dotted origin, over all cells (see :func:`collect_imports`)."""
        return collect_imports(tree for _, tree in self.trees)

    def qualname(self, node: ast.AST) -> str | None:
        """Dotted name of a Name/Attribute chain, resolved through the notebook's imports."""
        return qualified(node, self.imports)

    @cached_property
    def io_events(self) -> IOFacts:
        """File reads, writes, listings and cwd changes (``IOEvent``), with the values of
        their paths, in program order; plus absolute path literals (``.literals``)."""
        from nb2prod.analysis.io import analyse

        return analyse(self)

    @cached_property
    def secrets(self) -> list[SecretHit]:
        """Hard-coded secrets in code, markdown, outputs and metadata (``SecretHit``, always
        masked), in notebook order."""
        from nb2prod.analysis.secrets import find_secrets

        return find_secrets(self)

    @cached_property
    def masker(self) -> Masker:
        """Masks this notebook's secrets (and any provider format) in a text: every text
        that leaves nb2prod about this notebook goes through it."""
        from nb2prod.analysis.secrets.masker import masker_of

        return masker_of(self.secrets, self.settings["extra-secret-patterns"])
