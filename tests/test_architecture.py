"""The shape docs/architecture.md promises: small modules, imports that point one way, and
one reading of the notebook per command."""

from __future__ import annotations

import ast
import os
import re
import sys
from pathlib import Path

import pytest

from tests.helpers import from_percent, write

PACKAGE = Path(__file__).resolve().parents[1] / "nb2prod"
MAX_LINES = 500


def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of nb2prod."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def test_no_module_is_over_500_lines() -> None:
    sizes = {name: len(p.read_text(encoding="utf-8").splitlines()) for name, p in modules().items()}
    big = {name: n for name, n in sizes.items() if n > MAX_LINES}
    assert not big, f"modules over {MAX_LINES} lines: {big}"
    assert len(sizes) > 50  # the walk found the package


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The nb2prod modules ``name`` imports, at module level or inside functions (imports
    only for type checkers are left out: they never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _is_type_checking(node)
        for n in ast.walk(node)
    }
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                parent = parent[: len(parent) - (node.level - 1)]
                base = ".".join([*parent, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                if full in known:
                    out.add(full)  # from package import module
                elif base in known:
                    out.add(base)
    return out - {name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_between_modules() -> None:
    mods = modules()
    graph = {name: imports_of(name, path, set(mods)) for name, path in mods.items()}
    assert sum(len(v) for v in graph.values()) > 100  # the imports were found
    assert not cycles(graph), cycles(graph)


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


# -- the notebook is read once per command ----------------------------------------------------

_WATCHED: list[Path] = []
_OPENS: list[str] = []


def _audit(event: str, args: tuple) -> None:
    if event != "open" or not _WATCHED or not args:
        return
    target = args[0]
    if isinstance(target, str | bytes | os.PathLike):
        try:
            if Path(os.fsdecode(target)).resolve() == _WATCHED[0]:
                _OPENS.append(event)
        except (OSError, ValueError):
            pass


sys.addaudithook(_audit)  # cannot be removed; it does nothing unless a test watches a file

MODEL = """# %%
import numpy as np
from sklearn.linear_model import LogisticRegression
DATA = "data.csv"
# %%
rng = np.random.default_rng(0)
X = rng.normal(size=(40, 2))
y = (X[:, 0] > 0).astype(int)
np.savetxt(DATA, X, delimiter=",")
# %%
X = np.loadtxt(DATA, delimiter=",")
model = LogisticRegression().fit(X, y)
acc = model.score(X, y)
"""


def _count_reads(nb: Path, args: list[str]) -> tuple[int, object]:
    from typer.testing import CliRunner

    from nb2prod.cli import app

    _WATCHED[:] = [nb.resolve()]
    _OPENS.clear()
    try:
        result = CliRunner().invoke(app, args)
    finally:
        _WATCHED.clear()
    return len(_OPENS), result


@pytest.mark.parametrize(
    "flags", [["--fix", "--service"], ["--service"], []], ids=["fix-service", "service", "plain"]
)
def test_convert_reads_the_notebook_once(tmp_path: Path, flags: list[str]) -> None:
    nb = write(tmp_path / "model.ipynb", from_percent(MODEL))
    out = tmp_path / "project"
    reads, result = _count_reads(nb, ["convert", str(nb), "-o", str(out), *flags])
    assert result.exit_code == 0, result.output
    assert (out / "src" / "model" / "steps.py").is_file()
    assert ("--service" in flags) == (out / "src" / "model" / "service" / "app.py").is_file()
    assert reads == 1


def test_scaffold_reads_the_notebook_once(tmp_path: Path) -> None:
    from nb2prod.convert import run

    nb = write(tmp_path / "model.ipynb", from_percent(MODEL))
    out = tmp_path / "project"
    assert run(nb, out).exit_code == 0
    reads, result = _count_reads(nb, ["scaffold", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "Dockerfile").is_file()
    assert reads == 1


def test_the_read_counter_counts(tmp_path: Path) -> None:
    nb = write(tmp_path / "model.ipynb", from_percent(MODEL))
    _WATCHED[:] = [nb.resolve()]
    _OPENS.clear()
    try:
        nb.read_bytes()
        with open(nb, encoding="utf-8") as fh:
            fh.read(1)
    finally:
        _WATCHED.clear()
    assert len(_OPENS) == 2


# -- docs/architecture.md's diagram is the code's import graph --------------------------------

DOC = PACKAGE.parent / "docs" / "architecture.md"
_EDGE = re.compile(r"^\s*(\w+)\s*-->\s*(\w+)\s*$")


def node_of(module: str) -> str | None:
    """The diagram node of a module (None: errors/resources, which everything may use)."""
    parts = module.split(".")
    if module in ("nb2prod.convert", "nb2prod.scaffold"):
        return "commands"  # the packages' entry points: convert.run, scaffold.run
    if len(parts) == 1 or parts[1] in ("errors", "resources"):
        return None
    if parts[1] == "__main__":
        return "cli"
    if parts[1] == "lint" and len(parts) > 2:
        return "rules" if parts[2] in ("registry", "rule", "findings", "noqa", "rules") else "lint"
    return parts[1]


def package_graph() -> dict[str, set[str]]:
    mods = modules()
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        here = node_of(name)
        if here is None:
            continue
        graph.setdefault(here, set())
        for target in imports_of(name, path, set(mods)):
            there = node_of(target)
            if there is not None and there != here:
                graph[here].add(there)
    return graph


def diagram_edges(text: str) -> set[tuple[str, str]]:
    block = text.split("<!-- import-graph: begin -->")[1].split("<!-- import-graph: end -->")[0]
    return {m.groups() for line in block.splitlines() if (m := _EDGE.match(line))}


def test_the_architecture_diagram_is_the_import_graph() -> None:
    graph = package_graph()
    code = {(a, b) for a, targets in graph.items() for b in targets}
    drawn = diagram_edges(DOC.read_text(encoding="utf-8"))
    assert len(code) > 20
    assert not code - drawn, f"imports missing from docs/architecture.md: {sorted(code - drawn)}"
    assert not drawn - code, f"arrows no import makes: {sorted(drawn - code)}"
    assert not cycles(graph), cycles(graph)


def test_the_diagram_check_sees_a_missing_arrow() -> None:
    text = "<!-- import-graph: begin -->\n    cli --> lint\n<!-- import-graph: end -->"
    assert diagram_edges(text) == {("cli", "lint")}
    assert diagram_edges(text.replace("cli --> lint", "")) == set()
