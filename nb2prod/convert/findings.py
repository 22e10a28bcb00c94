"""What convert could not carry over faithfully, as findings located at cells (codes CV...).

``error`` findings make convert exit 1 without writing (unless ``allow_partial``);
``warning`` and ``info`` findings are reported and the package is written.
"""

from __future__ import annotations

from nb2prod.lint.findings import Finding
from nb2prod.notebook.model import Cell

# code -> (severity, short name). The messages are built where the finding is made.
CODES: dict[str, tuple[str, str]] = {
    "CV001": ("error", "cell-syntax-error"),
    "CV002": ("error", "cell-not-python"),
    "CV003": ("info", "magic-dropped"),
    "CV004": ("error", "effectful-magic-dropped"),
    "CV005": ("error", "exec-or-eval"),
    "CV006": ("error", "get-ipython"),
    "CV007": ("error", "out-of-order-execution"),
    "CV008": ("error", "used-before-defined"),
    "CV009": ("error", "global-write-in-function"),
    "CV010": ("error", "output-history"),
    "CV011": ("error", "local-module-import"),
    "CV012": ("warning", "requirement-not-pinned"),
    "CV013": ("error", "top-level-await"),
    "CV014": ("warning", "undefined-name"),
    "CV015": ("error", "stale-closure"),
    "CV016": ("warning", "unseeded-randomness"),
}


def finding(code: str, path: str, cell: Cell | None, line: int, col: int, message: str) -> Finding:
    """A convert finding at (1-based) ``line`` and (0-based) ``col`` of ``cell``."""
    severity = CODES[code][0]
    return Finding(
        code=code,
        message=message,
        path=path,
        cell=cell.index if cell is not None else None,
        line=line,
        col=col + 1,
        severity=severity,
        cell_id=cell.id if cell is not None else None,
        source_line=cell.line(line) if cell is not None else "",
    )


def blocking(findings: list[Finding]) -> bool:
    """True when some finding means the package would not behave like the notebook."""
    return any(f.severity == "error" for f in findings)
