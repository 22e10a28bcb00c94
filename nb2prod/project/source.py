"""The notebook as read once: what is converted, and the analysis every part shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nb2prod.notebook.model import Notebook

if TYPE_CHECKING:
    from nb2prod.analysis.context import Analysis
    from nb2prod.config import Settings
    from nb2prod.fix.model import FixResult


@dataclass(slots=True)
class Source:
    """``nb`` is what is converted: the notebook, or its ``lint --fix`` rewrite in memory
    (``fix`` holds those rewrites; the file is never changed). It keeps the file's path, so
    its folder and configuration still count."""

    nb: Notebook
    fix: FixResult | None = None
    _analysis: Analysis | None = field(default=None, repr=False)

    @property
    def path(self) -> str:
        return self.nb.path

    @property
    def fixed(self) -> bool:
        return self.fix is not None

    @property
    def analysis(self) -> Analysis:
        """Lint's analysis of ``nb`` with the settings of the notebook's folder (the
        defaults when they cannot be read), made on first use and shared: lint findings,
        IO events, the model finder and the planner all read it."""
        if self._analysis is None:
            from nb2prod.analysis.context import Analysis
            from nb2prod.config import notebook_settings

            self._analysis = Analysis(self.nb, notebook_settings(self.nb.path))
        return self._analysis


def read_source(path: str | Path | Notebook | Source, fix: Settings | None = None) -> Source:
    """Read the notebook at ``path`` (its file is opened once); with ``fix`` (lint
    settings), apply the ``lint --fix`` rewrites in memory. A loaded notebook or a source
    is taken as it is. Raises a one-line :class:`InputError` for a bad notebook."""
    from nb2prod.notebook.load import load_notebook, load_notebook_text

    if isinstance(path, Source):
        return path
    nb = path if isinstance(path, Notebook) else load_notebook(path)
    if fix is None:
        return Source(nb)
    from nb2prod.fix.engine import fix_notebook

    result = fix_notebook(nb, fix, write=False)
    return Source(load_notebook_text(result.text, nb.path) if result.text else nb, result)
