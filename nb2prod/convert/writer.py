"""Render the package from templates/package, format it with ruff, write it atomically.

Templates are plain jinja2 files (StrictUndefined); a ``{pkg}`` folder name becomes the
package name and the ``.j2`` suffix goes. The whole tree is written to a temporary folder
next to the target, formatted there, then renamed into place: a reader never sees half a
package, and an existing folder is replaced only with ``force``.
"""

from __future__ import annotations

import ast
import json
import os
import posixpath
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import NamedTuple

from nb2prod.convert.model import PackagePlan, StepsSource
from nb2prod.errors import InputError
from nb2prod.resources import data_dir


@cache
def template_environment(root: Path):  # noqa: ANN201 - jinja2 is imported lazily
    """The jinja2 environment of a template folder (strict: an undefined name is an error)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["py"] = py_literal
    return env


def py_literal(value: object) -> str:
    """A Python literal for a template: None, True, "text", ["a", "b"], {"k": 0}."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def render(
    plan: PackagePlan,
    code: StepsSource,
    source: str,
    exports: Sequence[str] = (),
    fixed: bool = False,
) -> dict[str, str]:
    """Relative path -> file text, for every template. ``source`` is the notebook's path
    relative to the package folder, recorded in its pyproject.toml."""
    root = data_dir("templates") / "package"
    env = template_environment(root)
    context = {
        "package": plan.package,
        "distribution": plan.distribution,
        "notebook": plan.notebook,
        "source": source,
        "exports": list(exports),
        "fixed": fixed,
        "python_version": f"{sys.version_info.major}.{sys.version_info.minor}",
        "requirements": plan.requirements,
        "dependencies": plan.dependencies,  # compatible ranges (pyproject.toml)
        "locked": plan.requirements,  # exact pins (requirements.lock)
        "params": plan.params,
        "env_prefix": plan.package.upper() + "_",
        "steps": plan.steps,
        "results": plan.results,
        "findings": plan.findings,
        "code": code,
        "example": _example(plan),
        "flags": _flags(plan),
        "env_vars": env_vars(plan),
        "paths_used": plan.paths.used,
        "data_root": posixpath.dirname(source) or ".",
    }
    context.update(_env_context(plan))
    files: dict[str, str] = {}
    for path in sorted(root.rglob("*.j2")):
        rel = path.relative_to(root).as_posix()
        if rel == "src/{pkg}/env.py.j2" and not context["env_module"]:
            continue
        if rel == "src/{pkg}/paths.py.j2" and not plan.paths.used:
            continue
        text = env.get_template(rel).render(**context)
        files[rel[: -len(".j2")].replace("{pkg}", plan.package)] = text.rstrip("\n") + "\n"
    files["tests/golden.json"] = golden_layout(plan)
    return files


def carry_golden(layout_text: str, recorded_text: str | None) -> str:
    """``tests/golden.json`` of a re-rendered package (``layout_text``) with the values an
    earlier ``--verify`` recorded (``recorded_text``) carried over: for each step with the
    same name and cells, the names it still returns; the printed lines (and the hashes of
    the secrets masked in them) as they were."""
    import json

    try:
        old = json.loads(recorded_text) if recorded_text else None
    except ValueError:
        old = None
    if not isinstance(old, dict) or not old.get("recorded"):
        return layout_text
    new = json.loads(layout_text)
    before = {s["name"]: s["cells"] for s in old.get("steps", [])}
    for key in ("values", "unstable"):
        new[key] = {
            step["name"]: kept
            for step in new["steps"]
            if before.get(step["name"]) == step["cells"]
            and (kept := _only(old.get(key, {}).get(step["name"]), _kept_names(step)))
        }
    new["recorded"], new["printed"] = True, old.get("printed")
    new["secrets"] = old.get("secrets", [])  # the hashes the masked texts above need
    return json.dumps(new, indent=1, allow_nan=False) + "\n"


def _kept_names(step: dict) -> list[str]:
    """The names a step's golden values are recorded under: what it returns, and the files
    it writes (``file:<path>``)."""
    return [*step["outputs"], *(f"file:{f}" for f in step.get("files", []))]


def _only(found: dict | list | None, names: list[str]) -> dict | list | None:
    if isinstance(found, dict):
        return {n: v for n, v in found.items() if n in names}
    if isinstance(found, list):
        return [n for n in found if n in names]
    return None


def golden_layout(plan: PackagePlan) -> str:
    """``tests/golden.json`` before any recording: which names each step returns and from
    which cells. ``nb2prod convert --verify`` fills in the notebook's values."""
    layout = {
        "notebook": plan.notebook,
        "recorded": False,
        "tolerance": {"rel": 1e-6, "abs": 1e-9},
        "steps": [{"name": s.name, "cells": s.cells, "outputs": s.outputs} for s in plan.steps],
        "values": {},
        "unstable": {},
        "printed": None,
        "secrets": [],
    }
    return json.dumps(layout, indent=1) + "\n"


_ENV_CALLS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault", "os.environ.pop"})
_DATA_URI_ENV = "NB2PROD_DATA_URI"


def env_vars(plan: PackagePlan) -> list[tuple[str, str]]:
    """(name, what it is) of each environment variable the package reads, for
    ``.env.example``: names the code reads (``os.environ["X"]``, ``os.getenv("X")``), the
    secrets lint found hard-coded (to be moved there), then the settings. No values."""
    from nb2prod.analysis.names import collect_imports, qualified

    trees = [c.parsed.tree for c in plan.cells if c.parsed.tree is not None]
    imports = collect_imports(trees)
    out: dict[str, str] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
                target, key, has_default = node.value, node.slice, False
                if qualified(target, imports) != "os.environ":
                    continue
            elif isinstance(node, ast.Call) and node.args:
                if qualified(node.func, imports) not in _ENV_CALLS:
                    continue
                key, has_default = node.args[0], len(node.args) > 1 or bool(node.keywords)
            else:
                continue
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value:
                if key.value == _DATA_URI_ENV:
                    what = "where the data lives: base URI of its files (s3://bucket/prefix)"
                else:
                    what = "read by the code" + (
                        " (optional: it has a default)" if has_default else " (required)"
                    )
                out.setdefault(key.value, what)
    for f in plan.findings:
        env = f.extra.get("env") if f.code.startswith("SEC") else None
        if env and env not in out:
            where = f"cell {f.cell}" if f.cell is not None else "notebook metadata"
            out[env] = f"secret hard-coded in the notebook ({where}): move it here, rotate it"
    prefix = plan.package.upper() + "_"
    for p in plan.params:
        out.setdefault(prefix + p.field.upper(), f"optional: overrides the setting `{p.field}`")
    return list(out.items())


def _env_context(plan: PackagePlan) -> dict[str, object]:
    """``env_module``: the package reads environment variables it requires (the generated
    ``env`` module names them, ``__main__`` answers a missing one with one line);
    ``uses_env``: the pipeline reads some of them when it calls a step (env_reads)."""
    from nb2prod.convert.env_reads import ALIAS, required_variables

    uses_env = any(expr.startswith(ALIAS + ".") for step in plan.steps for _, expr in step.args)
    required = required_variables(c.parsed.tree for c in plan.cells if c.parsed.tree)
    needed_by: dict[str, list[str]] = {}  # variable -> steps the pipeline reads it for
    for step in plan.steps:
        for _, expr in step.args:
            if expr.startswith(ALIAS + ".") and '"' in expr:
                needed_by.setdefault(expr.split('"')[1], []).append(step.name)
    return {
        "uses_env": uses_env,
        "env_module": bool(uses_env or required),
        "required_env": required,
        "env_needed_by": needed_by,
    }


def _flags(plan: PackagePlan) -> dict[str, str]:
    """Settings field -> its one command-line option (``--n-rows`` for ``n_rows``)."""
    return {p.field: "--" + p.field.replace("_", "-") for p in plan.params}


def _example(plan: PackagePlan) -> dict[str, str] | None:
    """A setting with another value than its default, as text and as Python source."""
    for p in plan.params:
        v = p.value
        if isinstance(v, bool):
            other: object = not v
        elif isinstance(v, int | float):
            other = v + 1
        elif isinstance(v, str):
            other = v + "_x"
        else:
            continue
        return {"name": p.field, "text": str(other), "value": repr(other)}
    return None


def format_tree(folder: Path) -> str | None:
    """``ruff format`` over the generated files (isolated from any config around them),
    within the ``subprocess-timeout`` setting's default. None when they are formatted,
    else one line saying why they stay as rendered (still valid Python)."""
    from nb2prod.lint.ruff import default_timeout, ruff_binary

    timeout = default_timeout()
    try:
        proc = subprocess.run(
            [ruff_binary(), "format", "--isolated", "--no-cache", "--quiet"]
            + ["--line-length", "100", "."],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return f"ruff format did not finish within {timeout:g} s (setting subprocess-timeout)"
    except OSError as exc:
        return f"cannot run ruff format ({exc.strerror or exc})"
    if proc.returncode != 0:
        return f"ruff format failed: exit {proc.returncode}"
    return None


def stage_tree(files: dict[str, str], folder: Path) -> str | None:
    """Write ``files`` (relative path -> text) under ``folder`` and format them; return
    why they could not be formatted (:func:`format_tree`), or None."""
    for rel, text in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
    return format_tree(folder)


def check_target(out_dir: Path, force: bool) -> None:
    """Refuse an existing, non-empty output folder unless ``force``."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("exists and is not a folder", str(out_dir))
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        raise InputError("output folder exists and is not empty (use --force)", str(out_dir))


class Written(NamedTuple):
    files: list[str]  # the relative paths written
    unformatted: str | None  # why ruff format left the files as rendered (None: formatted)


def write_tree(files: dict[str, str], out_dir: Path, force: bool) -> Written:
    """Write ``files`` under ``out_dir`` atomically."""
    check_target(out_dir, force)
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=parent))
    old: Path | None = None
    try:
        unformatted = stage_tree(files, tmp)
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=parent))
            os.rename(out_dir, old / "previous")
        os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and (old / "previous").exists() and not out_dir.exists():
            os.rename(old / "previous", out_dir)  # put the previous package back
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return Written(sorted(files), unformatted)
