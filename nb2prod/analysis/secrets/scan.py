"""The whole notebook's scan: every hard-coded secret in code, markdown, outputs and
metadata, with the format catalogue narrowed to the keywords the notebook holds."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from nb2prod.analysis.secrets.clients import imports_clients
from nb2prod.analysis.secrets.code_cells import CodeContext, scan_python
from nb2prod.analysis.secrets.formats import catalogue
from nb2prod.analysis.secrets.model import SecretHit
from nb2prod.analysis.secrets.text import (
    cell_output_texts,
    scan_code_text,
    scan_metadata,
    scan_outputs,
    scan_prose,
)
from nb2prod.analysis.secrets.urls import may_hold_url_secrets

if TYPE_CHECKING:
    from nb2prod.analysis.context import Analysis


def find_secrets(an: Analysis) -> list[SecretHit]:
    """Every hard-coded secret in the notebook, in notebook order."""
    nb = an.nb
    outputs = {c.index: cell_output_texts(c) for c in nb.cells if c.outputs}
    metadata = [(c, json.dumps(c.metadata)) for c in nb.cells if _worth_reading(c.metadata)]
    parts = [c.source for c in nb.cells]
    parts += [text for texts in outputs.values() for _, _, text in texts]
    parts += [text for _, text in metadata]
    parts.append(json.dumps(nb.metadata))
    cat = catalogue(an.settings["extra-secret-patterns"]).restricted("\0".join(parts))
    hits: list[SecretHit] = []
    parsed = {p.cell.index: p for p in an.parsed}
    imports = an.imports
    context = CodeContext(imports, [tree for _, tree in an.trees], imports_clients(imports))
    # Without a format keyword anywhere in the notebook, prose and outputs can only hold
    # URL credentials: the texts without a URL's marks are not scanned.
    formats = bool(cat.by_keyword or cat.unguarded)
    for cell in nb.cells:
        if cell.cell_type == "code":
            p = parsed.get(cell.index)
            if p is not None and p.tree is not None:
                hits.extend(scan_python(p, cat, context))
            else:
                hits.extend(scan_code_text(cell, cat))
            texts = outputs.get(cell.index)
            if texts and not formats:
                texts = [t for t in texts if may_hold_url_secrets(t[2])]
            if texts:
                hits.extend(scan_outputs(cell, texts, cat))
        elif cell.source and (formats or may_hold_url_secrets(cell.source)):
            hits.extend(scan_prose(cell, cat))
    for cell, text in metadata:
        hits.extend(scan_metadata(cell.metadata, text, cell, cat))
    hits.extend(scan_metadata(nb.metadata, parts[-1], None, cat))
    hits.sort(key=lambda h: h.cell.index if h.cell else len(nb.cells) + 1)
    return hits


def _worth_reading(metadata: dict[str, Any]) -> bool:
    """Cell metadata beyond the usual flags (tags, collapsed, scrolled ...)."""
    return any(k not in _PLAIN_CELL_METADATA for k in metadata)


_PLAIN_CELL_METADATA = frozenset({"tags", "collapsed", "scrolled", "deletable", "editable"})
