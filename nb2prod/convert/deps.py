"""Dependencies of the generated package: imports -> PyPI distributions, plus ``!pip install``,
plus what the code needs at run time without importing it (``rules/runtime_deps.toml``:
pandas' optional engines, fsspec filesystems for ``s3://`` & co).

Each distribution has two forms (:class:`Dependency`):

* the *lock* (``requirements.lock``, :func:`requirements`): ``name==version`` as installed
  where convert runs; a version the notebook's ``pip install`` line pins wins;
* the *range* (``pyproject.toml``, :func:`dependencies`): compatible with that version,
  ``>=major.minor,<next major`` (``pandas>=2.1,<3``); calendar versions (``2024.2.0``) get
  no upper bound, a pre-release its own version as the lower bound; a range the ``pip
  install`` line asks for (``tqdm>=4``) is kept as written.

A distribution not installed where convert runs is named without a version in both.
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
from typing import TYPE_CHECKING

from nb2prod.notebook.magics import Magic

if TYPE_CHECKING:
    from nb2prod.notebook.model import Notebook

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


@dataclass(frozen=True, slots=True)
class Dependency:
    """One distribution of the generated package (see the module doc)."""

    name: str  # as written (the import's distribution, or the pip line's word)
    extras: str = ""  # "[s3]", or ""
    spec: str = ""  # what the pip line asked for ("==2.31.0", ">=4"), or ""
    version: str | None = None  # the exact version for the lock, when known

    @property
    def locked(self) -> str:
        """``name==version`` (the pip line's spec, or the bare name, when no version)."""
        if self.version is not None:
            return f"{self.name}{self.extras}=={self.version}"
        return f"{self.name}{self.extras}{self.spec}"

    @property
    def range(self) -> str:
        """The compatible range for ``[project].dependencies``."""
        if self.spec and not self.spec.startswith("=="):
            return f"{self.name}{self.extras}{self.spec}"  # the notebook's own range
        pinned = self.spec[2:] if self.spec.startswith("==") else self.version
        return f"{self.name}{self.extras}{compatible_range(pinned) if pinned else ''}"


def resolve(
    modules: Iterable[str], pip_lines: Iterable[PipLine], needed: Iterable[str] = ()
) -> list[Dependency]:
    """The package's distributions, sorted by name: from the ``pip install`` lines (their
    version wins), the imported ``modules``, and the ``needed`` distributions (see
    :func:`runtime_needs`)."""
    chosen: dict[str, Dependency] = {}
    for line in pip_lines:
        for req in line.requirements:
            m = _REQ.match(req)
            assert m is not None
            name, extras, spec = m.group(1), m.group(2) or "", m.group(3) or ""
            key = canonical(name)
            if spec or key not in chosen:
                chosen[key] = _dependency(name, extras, spec)
    for dist in [*(distribution_for(m) for m in modules), *needed]:
        key = canonical(dist)
        if key not in chosen:
            chosen[key] = _dependency(dist, "", "")
    return [chosen[k] for k in sorted(chosen)]


def requirements(
    modules: Iterable[str], pip_lines: Iterable[PipLine], needed: Iterable[str] = ()
) -> list[str]:
    """Sorted lock lines (``name==version``): pip-pinned versions win, else the installed one."""
    return [d.locked for d in resolve(modules, pip_lines, needed)]


def dependencies(
    modules: Iterable[str], pip_lines: Iterable[PipLine], needed: Iterable[str] = ()
) -> list[str]:
    """Sorted compatible ranges for ``pyproject.toml`` (``pandas>=2.1,<3``)."""
    return [d.range for d in resolve(modules, pip_lines, needed)]


def _dependency(name: str, extras: str, spec: str) -> Dependency:
    if spec.startswith("==") and not spec.startswith("===") and "*" not in spec:
        return Dependency(name, extras, spec, spec[2:])  # the notebook's pin locks
    version = installed_version(name)
    if version is not None and spec and not satisfies(version, spec):
        version = None  # installed here, but not what the notebook asks for
    return Dependency(name, extras, spec, version)


_VERSION = re.compile(r"^\s*v?(?:\d+!)?(\d+(?:\.\d+)*)(.*)$", re.IGNORECASE)
_PRE = re.compile(r"^[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)\d*|dev", re.IGNORECASE)
_CLAUSE = re.compile(r"^\s*(~=|==|!=|<=|>=|<|>)\s*([^\s,;]+)\s*$")
_CALENDAR = 1900  # a first release number this large is a year: calendar versioning


def _release(version: str) -> tuple[tuple[int, ...], str] | None:
    """(release numbers, the rest: pre/post/dev/local) of a PEP 440 version, else None."""
    m = _VERSION.match(version)
    if m is None:
        return None
    return tuple(int(p) for p in m.group(1).split(".")), m.group(2)


def compatible_range(version: str) -> str:
    """``>=2.1,<3`` for ``2.1.4``: any later release with the same major version (the
    one that may break the API). ``>=2024.2`` for a calendar version, ``==V`` for a
    version that is not PEP 440."""
    parsed = _release(version)
    if parsed is None:
        return f"=={version}"
    release, rest = parsed
    local_free = version.split("+", 1)[0]
    pre = _PRE.search(rest.split("+", 1)[0])
    lower = local_free if pre else ".".join(map(str, release[:2]))
    if release[0] >= _CALENDAR:
        return f">={lower}"
    return f">={lower},<{release[0] + 1}"


def satisfies(version: str, spec: str) -> bool:
    """Does ``version`` meet ``spec`` (``>=4,<5``)? Release numbers only; a clause this
    cannot read (wildcards, ``===``) counts as not met, so nothing wrong is locked."""
    parsed = _release(version)
    if parsed is None:
        return False
    have = parsed[0]
    for clause in spec.split(","):
        m = _CLAUSE.match(clause)
        other = _release(m.group(2)) if m and "*" not in m.group(2) else None
        if m is None or other is None:
            return False
        op, want = m.group(1), other[0]
        width = max(len(have), len(want))
        a, b = have + (0,) * (width - len(have)), want + (0,) * (width - len(want))
        ok = {
            "==": a == b,
            "!=": a != b,
            ">=": a >= b,
            "<=": a <= b,
            ">": a > b,
            "<": a < b,
            "~=": a >= b and a[: max(len(want) - 1, 1)] == b[: max(len(want) - 1, 1)],
        }[op]
        if not ok:
            return False
    return True


# -- what the code needs at run time without importing it ----------------------------------


@dataclass(frozen=True, slots=True)
class _Rule:
    functions: tuple[str, ...] = ()
    methods: frozenset[str] = frozenset()
    requires: str | None = None
    suffixes: tuple[str, ...] = ()
    default: bool = False
    engine: str | None = None
    engines: dict[str, tuple[str, ...]] = field(default_factory=dict)
    needs: tuple[str, ...] = ()

    def matches(self, qual: str | None, methods: list[str], imported: set[str]) -> bool:
        if qual and any(_under(qual, f) for f in self.functions):
            return True
        if self.requires is not None and self.requires not in imported:
            return False
        return any(m in self.methods for m in methods)

    def distributions(self, call: ast.Call) -> tuple[str, ...]:
        if self.engine is not None:
            for kw in call.keywords:
                if (
                    kw.arg == self.engine
                    and isinstance(kw.value, ast.Constant)
                    and isinstance(kw.value.value, str)
                    and kw.value.value in self.engines
                ):
                    return self.engines[kw.value.value]
        return self.needs


def _under(qual: str, pattern: str) -> bool:
    if pattern.endswith(".*"):
        return qual.startswith(pattern[:-1])
    return qual == pattern


def _rule(entry: dict) -> _Rule:
    return _Rule(
        functions=tuple(entry.get("functions", ())),
        methods=frozenset(entry.get("methods", ())),
        requires=entry.get("requires"),
        suffixes=tuple(s.lower() for s in entry.get("suffixes", ())),
        default=bool(entry.get("default", False)),
        engine=entry.get("engine"),
        engines={k: tuple(v) for k, v in entry.get("engines", {}).items()},
        needs=tuple(entry.get("needs", ())),
    )


@cache
def _runtime_rules() -> tuple[tuple[_Rule, ...], _Rule, dict[str, tuple[str, ...]]]:
    """(call rules, the fsspec rule, scheme -> filesystem distributions)."""
    from nb2prod.resources import data_dir

    with (data_dir("rules") / "runtime_deps.toml").open("rb") as fh:
        doc = tomllib.load(fh)
    fs = doc.get("fsspec", {})
    schemes = {k.lower(): tuple(v) for k, v in fs.get("schemes", {}).items()}
    return tuple(_rule(e) for e in doc.get("call", [])), _rule(fs), schemes


_URI_SCHEME = re.compile(r"^([A-Za-z][\w+.\-]*(?:::[A-Za-z][\w+.\-]*)*)://")
_ENV_LOOKUPS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})


def _scheme(text: str | None) -> str | None:
    m = _URI_SCHEME.match(text or "")
    return m.group(1).rsplit("::", 1)[-1].lower() if m else None


def _suffix(text: str | None) -> str | None:
    """The extension of a path's last part (``.xlsx``), when its end is known text."""
    from nb2prod.analysis.values import HOLE

    if not text or text.endswith(HOLE):
        return None
    last = text.replace("\\", "/").rstrip("/").rpartition("/")[2]
    stem, dot, ext = last.rpartition(".")
    return f".{ext.lower()}" if dot and stem and ext else ""


def _chain(func: ast.expr) -> tuple[list[str], ast.expr]:
    """Attribute names of ``a.b.c`` from the outermost (``["c", "b"]``), and its root."""
    names: list[str] = []
    while isinstance(func, ast.Attribute):
        names.append(func.attr)
        func = func.value
    return names, func


def runtime_needs(
    nb: Notebook, kept: Iterable[tuple[int, ast.stmt]], modules: Iterable[str]
) -> list[str]:
    """Distributions the ``kept`` statements ((cell index, statement) of the package's
    code) need at run time without importing them (``rules/runtime_deps.toml``), given
    the notebook's top-level imported ``modules``. The IO events of the notebook
    (:mod:`nb2prod.analysis.io`) tell each call's path: its extension and URI scheme."""
    from nb2prod.analysis.names import collect_imports, dotted, qualified
    from nb2prod.analysis.values import REMOTE

    kept = list(kept)
    rules, fs_rule, schemes = _runtime_rules()
    imported = set(modules)
    imports = collect_imports(ast.Module([s], []) for _, s in kept)
    events = {}
    env_schemes: dict[str, str] = {}
    for event in _io_events(nb):
        key = (event.cell.cell.index, event.node.lineno, dotted(event.node.func))
        events.setdefault(key, event)
    for _, stmt in kept:  # NAME = os.getenv("X", "s3://bucket/prefix"): NAME may be s3://
        for node in ast.walk(stmt):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                scheme = _env_default_scheme(node.value, imports)
                if isinstance(target, ast.Name) and scheme:
                    env_schemes[target.id] = scheme
    out: dict[str, None] = {}
    for index, stmt in kept:
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Call):
                continue
            qual = qualified(node.func, imports)
            methods, root = _chain(node.func)
            if isinstance(root, ast.Name) and root.id in imports:
                methods = []  # a module's function (plt.hist), not a method of an object
            event = events.get((index, node.lineno, dotted(node.func)))
            text = event.value.prefix or event.value.text if event is not None else None
            suffix = _suffix(event.value.text) if event is not None else None
            matched = [r for r in rules if r.matches(qual, methods, imported)]
            by_suffix = [r for r in matched if suffix and suffix in r.suffixes]
            chosen = by_suffix or [r for r in matched if r.default or not r.suffixes]
            for rule in chosen:
                out.update(dict.fromkeys(rule.distributions(node)))
            if event is None or not fs_rule.matches(qual, methods[:1], imported):
                continue
            scheme = _scheme(text) if event.value.kind == REMOTE else None
            if scheme is None and event.arg is not None:
                scheme = next(
                    (
                        s
                        for n in ast.walk(event.arg)
                        if (s := _env_default_scheme(n, imports))
                        or (isinstance(n, ast.Name) and (s := env_schemes.get(n.id)))
                    ),
                    None,
                )
            if scheme in schemes:
                out.update(dict.fromkeys(fs_rule.needs))
                out.update(dict.fromkeys(schemes[scheme]))
    return list(out)


def _env_default_scheme(node: ast.AST, imports: dict[str, str]) -> str | None:
    """The URI scheme of the literal default of an environment lookup
    (``os.environ.get("DATA_URI", "s3://bucket/x")`` -> ``s3``)."""
    from nb2prod.analysis.names import qualified

    if not isinstance(node, ast.Call) or len(node.args) < 2:
        return None
    default = node.args[1]
    if not (isinstance(default, ast.Constant) and isinstance(default.value, str)):
        return None
    if qualified(node.func, imports) not in _ENV_LOOKUPS:
        return None
    return _scheme(default.value)


def _io_events(nb: Notebook) -> list:
    """The notebook's IO events, with the remote schemes of the nearest configuration."""
    from nb2prod.analysis.context import Analysis
    from nb2prod.config import Settings, defaults, load_settings
    from nb2prod.errors import InputError

    try:
        settings = load_settings(start=Path(nb.path).resolve().parent)
    except InputError:
        settings = Settings(defaults())
    try:
        return list(Analysis(nb, settings).io_events)
    except RecursionError:
        return []
