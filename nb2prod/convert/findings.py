"""What convert could not carry over faithfully, as findings located at cells (codes CV...).

``error`` findings make convert exit 1 without writing (unless ``allow_partial``);
``warning`` and ``info`` findings are reported and the package is written.
"""

from __future__ import annotations

from nb2prod.lint.findings import Finding
from nb2prod.notebook.model import Cell

# code -> (severity, short name, what it means). The messages are built where the finding is
# made; docs/convert-findings.md is generated from this table (``python -m nb2prod.docs``).
CATALOGUE: dict[str, tuple[str, str, str]] = {
    "CV001": (
        "error",
        "cell-syntax-error",
        "A cell that does not parse as Python (or `return`/`yield` outside a function) is "
        "left out; it fails in the notebook too.",
    ),
    "CV002": (
        "error",
        "cell-not-python",
        "A cell magic such as `%%bash` or `%%sql` makes the cell another language; it is "
        "left out of the package.",
    ),
    "CV003": (
        "info",
        "magic-dropped",
        "A magic with no effect on the results (`%matplotlib`, `%time`, `%%html`) is "
        "dropped; the timed statement of `%time stmt` is kept.",
    ),
    "CV004": (
        "error",
        "effectful-magic-dropped",
        "A magic or shell line that changes state (`%cd`, `!wget`, `%run`) cannot be "
        "carried into Python code.",
    ),
    "CV005": (
        "error",
        "exec-or-eval",
        "`exec()` / `eval()` run code that static analysis cannot see, so the steps' inputs "
        "and outputs cannot be known.",
    ),
    "CV006": (
        "error",
        "get-ipython",
        "`get_ipython()` exists only in an IPython kernel.",
    ),
    "CV007": (
        "error",
        "out-of-order-execution",
        "A cell executed out of file order that, run top to bottom, would read another "
        "value and change something from it (a variable another cell reads or the notebook "
        "keeps, a random generator): the notebook's results came from another order than "
        "the package's. Judged by def/use; see CV017 for the harmless cases.",
    ),
    "CV008": (
        "error",
        "used-before-defined",
        "A name read in a cell above the one that defines it: it worked only because of "
        "an earlier run.",
    ),
    "CV009": (
        "error",
        "global-write-in-function",
        "A function assigns a notebook variable through `global`; in the package it would "
        "assign a module global that no step reads.",
    ),
    "CV010": (
        "error",
        "output-history",
        "`_`, `__`, `Out[n]`, `_n` read IPython's output history, which a script does not have.",
    ),
    "CV011": (
        "error",
        "local-module-import",
        "An import of a module that lives beside the notebook: the package would not find it.",
    ),
    "CV012": (
        "warning",
        "requirement-not-pinned",
        "A `!pip install` argument that cannot go into pyproject.toml (a URL, a local path, "
        "an option); add it by hand.",
    ),
    "CV013": (
        "error",
        "top-level-await",
        "Top-level `await` needs the kernel's running event loop; the cell is left out.",
    ),
    "CV014": (
        "warning",
        "undefined-name",
        "A name that no cell defines and that is not a builtin: the package raises "
        "NameError where the notebook relied on something else.",
    ),
    "CV015": (
        "error",
        "stale-closure",
        "A function kept in a step closes over a variable that a later step rebinds before "
        "calling it: the step would see the old value.",
    ),
    "CV016": (
        "warning",
        "unseeded-randomness",
        "Random numbers drawn without a seed: no package can reproduce the notebook's "
        "numbers, and `--verify` leaves out what changes between runs.",
    ),
    "CV017": (
        "warning",
        "out-of-order-same-values",
        "A cell executed out of file order that reads and changes the same values in file "
        "order (a `!pip install`, `%matplotlib` or import cell run late, a display re-run), "
        "or that only shows something and showed another state: the package runs it in "
        "file order and computes the same values.",
    ),
    "CV018": (
        "warning",
        "features-not-replayable",
        "With `--service`: the notebook's feature code cannot be replayed on the records a "
        "client sends (it draws random numbers per batch, splits without a `random_state`, "
        "reads no table or reads data another way than a pandas reader, or reads a name "
        "defined elsewhere), so the service takes the model's input matrix instead of raw "
        "records. `python -m <pkg>.train` may find more reasons when it runs the code.",
    ),
    "CV019": (
        "warning",
        "secret-read-from-environment",
        "A secret hard-coded in the notebook is not copied into the generated code: where it "
        "stood in a string, the code reads it from an environment variable "
        '(`os.environ["NAME"]`, named in `.env.example`), which must be set where the '
        "package runs; anywhere else (a docstring, a comment) it is masked. "
        "`convert --fix` moves it in the notebook's own code first.",
    ),
}
CODES: dict[str, tuple[str, str]] = {code: (s, n) for code, (s, n, _) in CATALOGUE.items()}


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
