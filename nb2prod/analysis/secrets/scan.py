"""The whole notebook's scan: every hard-coded secret in code, markdown, outputs and
metadata, with the format catalogue narrowed to the keywords the notebook holds."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from nb2prod.analysis.secrets.clients import imports_clients
from nb2prod.analysis.secrets.code_cells import CodeContext, scan_python
from nb2prod.analysis.secrets.formats import Catalogue, catalogue
from nb2prod.analysis.secrets.model import SecretHit
from nb2prod.analysis.secrets.text import (
    cell_output_texts,
    may_hold_metadata_secrets,
    scan_code_text,
    scan_metadata,
    scan_outputs,
    scan_prose,
)
from nb2prod.analysis.secrets.urls import may_hold_url_secrets

if TYPE_CHECKING:
    from nb2prod.analysis.context import Analysis
    from nb2prod.notebook.model import Cell


def find_secrets(an: Analysis) -> list[SecretHit]:
    """Every hard-coded secret in the notebook, in notebook order."""
    nb = an.nb
    outputs = {c.index: cell_output_texts(c) for c in nb.cells if c.outputs}
    full = catalogue(an.settings["extra-secret-patterns"])
    metadata = _cells_metadata(nb.cells, full)
    parts = [c.source for c in nb.cells]
    parts += [text for texts in outputs.values() for _, _, text in texts]
    parts += [text for _, text in metadata]
    parts.append(json.dumps(nb.metadata))
    cat = full.restricted("\0".join(parts))
    hits: list[SecretHit] = []
    parsed = {p.cell.index: p for p in an.parsed}
    imports = an.imports
    context = CodeContext(imports, [tree for _, tree in an.trees], imports_clients(imports))
    # Prose and outputs are read for provider formats and URL credentials only: a text
    # holding none of the notebook's format keywords (``cat`` is narrowed to them) and
    # no URL's marks (see may_hold_url_secrets) is not scanned.
    formats = bool(cat.by_keyword or cat.unguarded)
    for cell in nb.cells:
        if cell.cell_type == "code":
            p = parsed.get(cell.index)
            if p is not None and p.tree is not None:
                hits.extend(scan_python(p, cat, context))
            else:
                hits.extend(scan_code_text(cell, cat))
            texts = outputs.get(cell.index)
            if texts:
                texts = [
                    t
                    for t in texts
                    if may_hold_url_secrets(t[2]) or (formats and cat.candidates(t[2]))
                ]
            if texts:
                hits.extend(scan_outputs(cell, texts, cat))
        elif cell.source and (
            may_hold_url_secrets(cell.source) or (formats and cat.candidates(cell.source))
        ):
            hits.extend(scan_prose(cell, cat))
    for cell, text in metadata:
        hits.extend(scan_metadata(cell.metadata, text, cell, cat))
    hits.extend(scan_metadata(nb.metadata, parts[-1], None, cat))
    hits.sort(key=lambda h: h.cell.index if h.cell else len(nb.cells) + 1)
    return hits


def _cells_metadata(cells: list[Cell], cat: Catalogue) -> list[tuple[Cell, str]]:
    """The cells whose metadata may hold a secret, with their metadata as JSON. One dump of
    all the metadata worth reading is tested first: ``json.dumps`` writes a list's items
    as it writes each alone, so when that dump holds nothing :func:`scan_metadata` looks
    for, no cell's does (nor has a format keyword to add to the notebook's)."""
    cells = [c for c in cells if _worth_reading(c.metadata)]
    if not cells or not may_hold_metadata_secrets(json.dumps([c.metadata for c in cells]), cat):
        return []
    return [(c, json.dumps(c.metadata)) for c in cells]


def _worth_reading(metadata: dict[str, Any]) -> bool:
    """Cell metadata beyond the usual flags (tags, collapsed, scrolled ...)."""
    return not _PLAIN_CELL_METADATA.issuperset(metadata)


_PLAIN_CELL_METADATA = frozenset({"tags", "collapsed", "scrolled", "deletable", "editable"})
