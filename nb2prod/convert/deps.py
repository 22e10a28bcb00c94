"""Dependencies of the generated package: imports -> PyPI distributions, plus ``!pip install``.

A distribution is pinned (``name==version``) to the version installed where convert runs,
when it is installed there; a version the notebook's ``pip install`` line asks for wins.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from nb2prod.notebook.magics import Magic

_SKIP_VALUE = {
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
    "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root",
    "--upgrade-strategy", "--trusted-host", "--platform", "--python-version", "--src",
    "--channel", "--timeout", "--retries", "--cache-dir", "--progress-bar",
}  # fmt: skip
_REQ = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*((?:[<>=!~]=?|===)[^;\s]*)?$")
_NOT_DISTS = {"__future__", "__main__"}


@dataclass(slots=True)
class Requirement:
    name: str  # distribution name as written
    spec: str  # full requirement string for pyproject
    source: str  # "import" | "pip"


@dataclass(slots=True)
class PipLine:
    """What a ``!pip install`` line asks for; ``unusable`` holds words pyproject can't say."""

    requirements: list[str] = field(default_factory=list)
    unusable: list[str] = field(default_factory=list)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@cache
def _mapping() -> dict[str, str]:
    from nb2prod.resources import data_dir

    path = data_dir("rules") / "import_to_dist.toml"
    with path.open("rb") as fh:
        return dict(tomllib.load(fh).get("imports", {}))


@cache
def _packages_distributions() -> dict[str, list[str]]:
    from importlib import metadata  # 60 ms to import: only when needed

    try:
        return metadata.packages_distributions()
    except Exception:  # a broken installed package must not stop convert
        return {}


@cache
def installed_version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except (metadata.PackageNotFoundError, ValueError):
        return None


@cache
def distribution_for(module: str) -> str:
    """The PyPI distribution that provides the top-level import ``module``."""
    from importlib import metadata

    mapped = _mapping().get(module)
    if mapped:
        return mapped
    try:
        return metadata.distribution(module).metadata["Name"] or module
    except (metadata.PackageNotFoundError, ValueError):
        pass
    dists = _packages_distributions().get(module)
    if dists:
        return sorted(dists)[0]
    return module


def top_level_imports(nodes: Iterable[ast.stmt]) -> dict[str, ast.stmt]:
    """Absolute top-level module names of import statements -> first statement."""
    found: dict[str, ast.stmt] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.setdefault(alias.name.split(".", 1)[0], node)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.setdefault(node.module.split(".", 1)[0], node)
    return found


def is_third_party(module: str) -> bool:
    return module not in sys.stdlib_module_names and module not in _NOT_DISTS


@cache
def is_local_module(module: str, folder: Path) -> bool:
    """A module that sits next to the notebook (``utils.py``, ``helpers/``)."""
    return (folder / f"{module}.py").is_file() or (folder / module / "__init__.py").is_file()


def parse_pip(magic: Magic) -> PipLine:
    """Requirement strings of a ``pip install`` / ``conda install`` line."""
    words = magic.text.replace("\\", " ").split()
    out = PipLine()
    try:
        start = words.index("install") + 1
    except ValueError:
        return out
    skip = False
    for word in words[start:]:
        if skip:
            skip = False
            continue
        if word in {";", "&&", "||", "|"} or word.startswith((">", "2>", "&")):
            break
        if word.startswith("-"):
            if word in _SKIP_VALUE:
                skip = True
                if word in {"-r", "--requirement", "-e", "--editable"}:
                    out.unusable.append(word)
            continue
        req = word.strip("'\"")
        if not req or req.startswith(("$", "{")):
            out.unusable.append(req or word)
            continue
        if _REQ.match(req):
            out.requirements.append(req)
        else:
            out.unusable.append(req)
    return out


def requirements(modules: Iterable[str], pip_lines: Iterable[PipLine]) -> list[str]:
    """Sorted requirement strings: pip-specified versions win, else the installed version."""
    chosen: dict[str, str] = {}
    for line in pip_lines:
        for req in line.requirements:
            m = _REQ.match(req)
            assert m is not None
            name, extras, spec = m.group(1), m.group(2) or "", m.group(3) or ""
            key = canonical(name)
            if spec or key not in chosen:
                chosen[key] = f"{name}{extras}{spec}" if spec else _pinned(name, extras)
    for module in modules:
        dist = distribution_for(module)
        key = canonical(dist)
        if key not in chosen:
            chosen[key] = _pinned(dist, "")
    return [chosen[k] for k in sorted(chosen)]


def _pinned(dist: str, extras: str) -> str:
    version = installed_version(dist)
    return f"{dist}{extras}=={version}" if version else f"{dist}{extras}"
