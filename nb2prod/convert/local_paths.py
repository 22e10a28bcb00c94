"""Local file paths of the notebook, routed through the generated package's ``paths`` module.

A notebook reads ``pd.read_csv("data/passengers.csv")`` relative to its own folder. In the
package, the path argument of every file access that lint's IO analysis finds
(:mod:`nb2prod.analysis.io`, the catalogue ``rules/io_calls.toml``) is wrapped in a call of
the generated ``paths`` module: ``paths.data(...)`` for what is read, ``paths.output(...)``
for what is written, ``paths.update(...)`` for what is changed in place, ``paths.folder(...)``
for folders made. A read resolves under the data root (a setting, by default the notebook's
folder), a write under the output folder (a setting); a file written and then read in the
same run is read from where it was written, as in the notebook. ``!mkdir -p DIR`` becomes
``paths.makedirs("DIR")``. Paths that turn out to be URLs or absolute pass through unchanged
at run time, so wrapping a path whose value is unknown is safe.

The rewrite is textual, on the masked Python source of each cell (positions from ``ast``),
so the rest of the conversion sees ordinary code that reads the name :data:`ALIAS`.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from nb2prod.notebook.model import Notebook
from nb2prod.notebook.parse import ParsedCell

ALIAS = "_paths"
IMPORT = f"from . import paths as {ALIAS}"

_UPDATE_CALLS = frozenset({"sqlite3.connect", "duckdb.connect", "shelve.open", "dbm.open"})
_FOLDER_CALLS = frozenset({"os.makedirs", "os.mkdir", ".mkdir", "distutils.dir_util.mkpath"})
_REMOVE_CALLS = frozenset(
    {"os.remove", "os.unlink", "os.rmdir", "os.removedirs", "shutil.rmtree", ".unlink", ".rmdir"}
)
_COPY_CALLS = frozenset(
    {"shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.unpack_archive"}
)
_MOVE_CALLS = frozenset({"os.rename", "os.renames", "os.replace", "shutil.move"})
_FS_PATH_KEYWORDS = {"src": 0, "dst": 1, "path": 0, "name": 0, "filename": 0, "extract_dir": 1}


@dataclass(slots=True)
class RoutedPaths:
    """What the rewrite did: how many path arguments it wrapped, shell lines it replaced
    (cell index, line), and how far up (``..``) the notebook's relative paths climb."""

    wrapped: int = 0
    shell_lines: list[tuple[int, int]] = dataclasses.field(default_factory=list)
    climb: int = 0

    @property
    def used(self) -> bool:
        return bool(self.wrapped or self.shell_lines)


def route_local_paths(
    nb: Notebook, parsed: list[ParsedCell]
) -> tuple[list[ParsedCell], RoutedPaths]:
    """``parsed`` with the local path arguments wrapped (cells re-parsed), and a summary."""
    from nb2prod.analysis.io import CHDIR, FS, LIST, READ, WRITE
    from nb2prod.analysis.values import ENV, LOCAL, UNKNOWN

    routed = RoutedPaths()
    edits: dict[int, list[tuple[int, int, str]]] = {}  # cell index -> (line, byte col, text)
    for event in _events(nb, parsed):
        if event.kind == CHDIR or event.value.kind not in (LOCAL, UNKNOWN, ENV):
            continue
        if event.value.kind == LOCAL and event.value.text:
            routed.climb = max(routed.climb, _climb(event.value.text))
        targets: list[tuple[ast.expr, str]] = []
        if event.kind == FS:
            targets = _fs_targets(event.node, event.call, event.arg)
        elif event.arg is not None:
            if event.kind in (READ, LIST):
                how = "update" if event.call in _UPDATE_CALLS else "data"
            elif event.kind == WRITE:
                how = "update" if _appends(event.node) else "output"
            else:
                continue
            targets = [(event.arg, how)]
        for node, how in targets:
            if isinstance(node, ast.Starred):
                continue
            index = event.cell.cell.index
            todo = edits.setdefault(index, [])
            todo.append((node.end_lineno or node.lineno, node.end_col_offset or 0, ")"))
            todo.append((node.lineno, node.col_offset, f"{ALIAS}.{how}("))
            routed.wrapped += 1
    out = []
    for p in parsed:
        shell = _mkdir_lines(p)
        todo = edits.get(p.cell.index, [])
        if not todo and not shell:
            out.append(p)
            continue
        out.append(_rewrite(p, todo, shell))
        routed.shell_lines += [(p.cell.index, m.line) for m, _ in shell]
    return out, routed


def _events(nb: Notebook, parsed: list[ParsedCell]):  # noqa: ANN202 - IOEvent list
    from nb2prod.analysis.context import Analysis
    from nb2prod.config import Settings, defaults

    an = Analysis(nb, Settings(defaults()))
    an.__dict__["parsed"] = parsed  # the cells as convert sees them (``%time`` unwrapped)
    return an.io_events.events


def _climb(text: str) -> int:
    """How many folders above the notebook's a relative path reaches (``../../x`` -> 2)."""
    if os.path.isabs(text) or "://" in text:
        return 0
    depth = lowest = 0
    for part in Path(text.replace("\\", "/")).parts:
        if part == "..":
            depth -= 1
            lowest = min(lowest, depth)
        elif part not in (".", ""):
            depth += 1
    return -lowest


def _appends(call: ast.Call) -> bool:
    """``open(p, "a")`` / ``"r+"``: the file is changed, not replaced."""
    modes = [*call.args[1:2], *(k.value for k in call.keywords if k.arg == "mode")]
    for m in modes:
        if isinstance(m, ast.Constant) and isinstance(m.value, str):
            return "a" in m.value or ("+" in m.value and "w" not in m.value)
    return False


def _fs_targets(call: ast.Call, name: str, arg: ast.expr | None) -> list[tuple[ast.expr, str]]:
    """The path arguments of a file-system call, each with how it is routed."""
    if name in _FOLDER_CALLS or name.endswith(".mkdir"):
        return [(arg, "folder")] if arg is not None else []
    if name in _REMOVE_CALLS or name.endswith((".unlink", ".rmdir")):
        return [(arg, "update")] if arg is not None else []
    if name.startswith("."):  # a pathlib method on its receiver: rename/replace/symlink
        return [(arg, "update")] if arg is not None else []
    first = "data" if name in _COPY_CALLS else "update" if name in _MOVE_CALLS else None
    if first is None:
        return []
    positions: dict[int, ast.expr] = dict(enumerate(call.args[:2]))
    for kw in call.keywords:
        if kw.arg in _FS_PATH_KEYWORDS:
            positions.setdefault(_FS_PATH_KEYWORDS[kw.arg], kw.value)
    out = []
    if 0 in positions:
        out.append((positions[0], first))
    if 1 in positions:
        out.append((positions[1], "output"))
    return out


def _mkdir_lines(p: ParsedCell) -> list[tuple[object, list[str]]]:
    """``!mkdir [-p] DIR...`` lines with plain folder names: (magic, folders)."""
    found = []
    for m in p.magics:
        if m.kind != "shell" or m.name != "mkdir" or m.line != m.end_line or m.assigned_to:
            continue
        if any(ch in m.text for ch in "${}`;&|<>*?"):
            continue  # interpolated or compound: left to CV004
        try:
            words = shlex.split(m.text)[1:]
        except ValueError:
            continue
        folders = [w for w in words if not w.startswith("-")]
        if folders and all(w in ("-p", "--parents") for w in words if w.startswith("-")):
            found.append((m, folders))
    return found


def _rewrite(
    p: ParsedCell, edits: list[tuple[int, int, str]], shell: list[tuple[object, list[str]]]
) -> ParsedCell:
    lines = [line.encode() for line in p.python.split("\n")]
    for line, col, text in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        raw = lines[line - 1]
        lines[line - 1] = raw[:col] + text.encode() + raw[col:]
    replaced = set()
    for m, folders in shell:
        line = m.line  # type: ignore[attr-defined]
        indent = lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]
        calls = "; ".join(f"{ALIAS}.makedirs({f!r})" for f in folders)
        lines[line - 1] = indent + calls.encode()
        replaced.add(line)
    python = "\n".join(raw.decode() for raw in lines)
    try:
        tree = ast.parse(python)
    except SyntaxError:  # never expected: the edits wrap expressions in a call
        return p
    magics = [m for m in p.magics if m.line not in replaced]
    return dataclasses.replace(p, python=python, tree=tree, magics=magics)


def notebook_climb(path: str | Path) -> int:
    """How many folders above its own the notebook at ``path`` reads or writes (``..``);
    0 when it cannot be read (its run fails on its own, with its own error)."""
    from nb2prod.errors import InputError
    from nb2prod.notebook.load import load_notebook
    from nb2prod.notebook.parse import parse_notebook

    try:
        nb = load_notebook(path)
    except InputError:
        return 0
    return route_local_paths(nb, parse_notebook(nb))[1].climb
