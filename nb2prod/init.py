"""``nb2prod init``: what a team needs to adopt nb2prod in a repository — ``[tool.nb2prod]``
in pyproject.toml, ``.pre-commit-config.yaml`` with the nb2prod hooks and a GitHub Actions
job. Also the hooks themselves (``HOOKS``), as ``.pre-commit-hooks.yaml`` publishes them.

The hooks and the job install nb2prod from where the running one came from (:func:`source`,
from its PEP 610 ``direct_url.json``): a package index, a VCS URL, a git work tree's remote
at its commit. When nothing tells where CI could get it (a folder without a git remote, an
archive file), init refuses rather than write a spec that cannot install.

Nothing is clobbered: an existing ``[tool.nb2prod]`` table is kept, the table is added to an
existing pyproject.toml, and existing pre-commit or workflow files are replaced only with
``force``. Everything is checked before anything is written. Returns what it did; never
prints.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from urllib.request import url2pathname

from nb2prod.errors import InputError

REV = "v0.2.0"  # the release tag the docs name (`rev:` of the hooks repository)
CHECKPOINTS = r"(^|/)\.ipynb_checkpoints/"
HOOKS: list[dict[str, Any]] = [
    {
        "id": "nb2prod-lint",
        "name": "nb2prod lint",
        "description": "Check Jupyter notebooks against production standards (IO, SEC, NB and"
        " PY rules).",
        "entry": "nb2prod lint",
        "args": ["--force-exclude"],
        "language": "python",
        "types": ["jupyter"],
        "exclude": CHECKPOINTS,
        "require_serial": False,
    },
    {
        "id": "nb2prod-fix",
        "name": "nb2prod fix",
        "description": "Rewrite what nb2prod lint --fix can (local files to S3, secrets to"
        " environment variables), then lint what is left.",
        "entry": "nb2prod lint",
        "args": ["--fix", "--force-exclude"],
        "language": "python",
        "types": ["jupyter"],
        "exclude": CHECKPOINTS,
        "require_serial": False,
    },
]
PRE_COMMIT = ".pre-commit-config.yaml"
WORKFLOW = ".github/workflows/nb2prod.yml"
TABLE_OPTIONS = ("select", "ignore", "extend-exclude")  # written with their defaults
GIT_TIMEOUT = 10  # seconds for each git call (all local: nothing is fetched)
# One requirement or URL that fits, unquoted, in the job's `pip install "..."` and in YAML:
# no quotes, `$`, backticks or backslashes (the shell), no ": " or " #" (YAML, pip comments).
_SPEC = re.compile(r"[A-Za-z0-9._~:/?#\[\]@!&()*+,;=%<> -]+")


@dataclass(slots=True)
class InitResult:
    written: list[str] = field(default_factory=list)  # files created or replaced
    updated: list[str] = field(default_factory=list)  # files the table was added to
    kept: list[str] = field(default_factory=list)  # pyproject.toml whose table was there
    spec: str = ""  # what the hooks and the job pip-install
    notes: list[str] = field(default_factory=list)  # what the user must know about it


def run(
    folder: Path, *, force: bool = False, repo: str | None = None, spec: str | None = None
) -> InitResult:
    """Write the files into ``folder``. ``repo``: the URL of nb2prod's hooks repository, for
    a ``.pre-commit-config.yaml`` that uses it at ``REV``; ``spec``: what pip installs;
    without either, local hooks and a job that install nb2prod from where the running one
    came from (:func:`source`). Raises :class:`InputError` (nothing written) for existing
    files without ``force``, an unreadable pyproject.toml, or no source CI could use."""
    if not folder.is_dir():
        raise InputError("no such folder", str(folder))
    existing = [name for name in (PRE_COMMIT, WORKFLOW) if (folder / name).exists()]
    if existing and not force:
        raise InputError(f"{' and '.join(existing)} already exist (--force replaces them)")
    pyproject = folder / "pyproject.toml"
    new_pyproject = _with_table(pyproject)
    found = source(repo=repo, spec=spec)
    result = InitResult(spec=found.spec, notes=list(found.notes))
    files = {PRE_COMMIT: pre_commit_config(found.spec, repo), WORKFLOW: workflow(found.spec)}
    if new_pyproject is None:
        result.kept.append("pyproject.toml")
    else:
        (result.updated if pyproject.exists() else result.written).append("pyproject.toml")
        files = {"pyproject.toml": new_pyproject, **files}
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        if name != "pyproject.toml":
            result.written.append(name)
    return result


def _with_table(pyproject: Path) -> str | None:
    """pyproject.toml's text with ``[tool.nb2prod]`` added (None: it has one already)."""
    old = ""
    if pyproject.exists():
        try:
            old = pyproject.read_text(encoding="utf-8")
            doc = tomllib.loads(old)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"cannot read it ({exc})", str(pyproject)) from None
        if "nb2prod" in doc.get("tool", {}):
            return None
    sep = "" if not old else "\n" if old.endswith("\n") else "\n\n"
    new = old + sep + table()
    try:
        tomllib.loads(new)
    except tomllib.TOMLDecodeError as exc:  # e.g. ``tool`` written as an inline table
        raise InputError(f"cannot add [tool.nb2prod] to it ({exc})", str(pyproject)) from None
    return new


def table() -> str:
    """The ``[tool.nb2prod]`` table: the main options with their defaults."""
    from nb2prod.config import option_table

    options = option_table()
    lines = [
        "[tool.nb2prod]",
        "# Written by `nb2prod init`. Every option: `nb2prod lint --help` and nb2prod's",
        "# docs/configuration.md.",
        *(f"{name} = {json.dumps(options[name]['default'])}" for name in TABLE_OPTIONS),
        "force-exclude = true  # skip excluded notebooks even when pre-commit names them",
        '# data-uri = "s3://bucket/prefix"  # where `nb2prod lint --fix` moves local files',
    ]
    return "\n".join(lines) + "\n"


def _yaml(value: Any) -> str:
    """A scalar or a flow list as YAML (strings that YAML would read otherwise quoted)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    return str(value)


def hooks_yaml() -> str:
    """``.pre-commit-hooks.yaml``: the hooks nb2prod publishes."""
    lines = [
        "# pre-commit hooks published by nb2prod (generated from nb2prod/init.py: HOOKS).",
        "# In a project's .pre-commit-config.yaml (or run `nb2prod init`):",
        "#",
        "#   - repo: <this repository's URL>",
        f"#     rev: {REV}",
        "#     hooks:",
        "#       - id: nb2prod-lint",
        "#       - id: nb2prod-fix",
        "#         stages: [manual]   # pre-commit run nb2prod-fix --hook-stage manual",
        "#",
        "# pre-commit passes the staged notebooks (files of type jupyter) as arguments;",
        "# --force-exclude applies [tool.nb2prod] exclude / extend-exclude to them.",
    ]
    for hook in HOOKS:
        first = True
        for key, value in hook.items():
            lines.append(f"{'- ' if first else '  '}{key}: {_yaml(value)}")
            first = False
    return "\n".join(lines) + "\n"


def pre_commit_config(spec: str, repo: str | None = None) -> str:
    """``.pre-commit-config.yaml``: nb2prod-lint at each commit, nb2prod-fix on demand;
    hooks of ``repo`` at ``REV``, or local hooks that pip-install ``spec``."""
    head = [
        "# Written by `nb2prod init`. Once: `pip install pre-commit && pre-commit install`;",
        "# then each commit lints its staged notebooks. Rewrite what --fix can on demand:",
        "#   pre-commit run nb2prod-fix --hook-stage manual --all-files",
        "repos:",
    ]
    if repo:
        body = [
            f"  - repo: {repo}",
            f"    rev: {REV}",
            "    hooks:",
            "      - id: nb2prod-lint",
            "      - id: nb2prod-fix",
            "        stages: [manual]",
        ]
    else:
        body = ["  - repo: local", "    hooks:"]
        for hook in HOOKS:
            items = [*hook.items(), ("additional_dependencies", [json.dumps(spec)])]
            if hook["id"] == "nb2prod-fix":
                items.append(("stages", ["manual"]))
            for i, (key, value) in enumerate(items):
                body.append(f"      {'- ' if i == 0 else '  '}{key}: {_yaml(value)}")
    return "\n".join(head + body) + "\n"


def workflow(spec: str) -> str:
    """``.github/workflows/nb2prod.yml``: lint the notebooks of each pull request."""
    return f"""# Written by `nb2prod init`: lint the notebooks of each pull request and of main.
# Findings fail the job and are annotated on the pull request's diff.
name: nb2prod
on:
  pull_request:
  push:
    branches: [main]
jobs:
  nb2prod:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install "{spec}"
      - name: Lint notebooks
        run: nb2prod lint --format github .
"""


# -- where CI and the hooks get nb2prod ----------------------------------------------------
@dataclass(frozen=True, slots=True)
class Source:
    spec: str  # one requirement or URL for pip
    notes: tuple[str, ...] = ()


class _GitError(Exception):
    """A git call that failed; ``str``: why, in a few words."""


def installed() -> tuple[str, str | None] | None:
    """The installed nb2prod distribution: its version and its ``direct_url.json`` (PEP 610;
    None: installed from a package index). None: no distribution (run from source)."""
    from importlib import metadata

    try:
        dist = metadata.distribution("nb2prod")
    except metadata.PackageNotFoundError:
        return None
    return dist.version, dist.read_text("direct_url.json")


def source(*, repo: str | None = None, spec: str | None = None) -> Source:
    """What the hooks and the job pip-install: ``spec`` as given, ``repo`` at ``REV``, or
    where the running nb2prod came from. Raises :class:`InputError` when that is nowhere CI
    can reach (a folder without a git remote, an archive file)."""
    if spec is not None and repo:
        raise InputError("pass --repo or --install-spec, not both")
    if spec is not None:
        return Source(_checked(spec.strip(), "--install-spec"))
    if repo:
        return Source(_checked(f"nb2prod @ git+{repo}@{REV}", "--repo"))
    found = installed()
    if found is None:
        folder = Path(__file__).resolve().parent.parent
        return _from_git(folder, f"nb2prod runs from {folder} (not installed)")
    version, direct_url = found
    if direct_url is None:
        note = (
            f"CI and pre-commit install nb2prod=={version} from the package index pip is"
            " set up with; for a private index set PIP_INDEX_URL there, or pass --install-spec"
        )
        return Source(_checked(f"nb2prod=={version}", "the version"), (note,))
    return _from_direct_url(direct_url)


def _refuse(why: str) -> InputError:
    return InputError(
        f"cannot tell where CI can install nb2prod from: {why}; pass --install-spec SPEC"
        " (a requirement or URL pip can install, e.g. 'nb2prod @ git+https://HOST/REPO@REV')"
        " or --repo URL (nb2prod's git repository)"
    )


def _checked(spec: str, what: str) -> str:
    """``spec`` when it fits the job's ``pip install "..."`` line and YAML, else raises."""
    if not _SPEC.fullmatch(spec) or spec.startswith("-") or ": " in spec or " #" in spec:
        raise InputError(
            f"{what}: {spec!r} is not one requirement or URL pip can install (no quotes, $,"
            " backslashes, ': ' or ' #'; not an option)"
        )
    return spec


def _from_direct_url(text: str) -> Source:
    """The source a PEP 610 ``direct_url.json`` records: a VCS URL at its commit, an
    archive URL, or a local folder (its git remote at the checked-out commit)."""
    try:
        info = json.loads(text)
        url = info["url"]
        sub = info.get("subdirectory") or ""
        if not isinstance(url, str) or not isinstance(sub, str):
            raise TypeError(url)
    except (ValueError, KeyError, TypeError):
        raise _refuse("its direct_url.json (PEP 610) cannot be read") from None
    local = _local_path(url)
    if isinstance(info.get("vcs_info"), dict):
        vcs = info["vcs_info"].get("vcs", "git")
        commit = info["vcs_info"].get("commit_id")
        if local is not None and vcs == "git":
            return _from_git(local, f"it is installed from {local}", commit, sub)
        if local is not None or not commit:
            raise _refuse(f"it is installed from the {vcs} repository {local or url}")
        clean, notes = _without_credentials(url)
        return _source(f"nb2prod @ {vcs}+{clean}@{commit}", sub, notes)
    if "archive_info" in info:
        if local is not None:
            raise _refuse(f"it is installed from the archive file {local}")
        clean, notes = _without_credentials(url)
        return _source(f"nb2prod @ {clean}", sub, notes)
    if local is None:
        raise _refuse(f"it is installed from {url}, a kind of source init does not know")
    return _from_git(local, f"it is installed from {local}", None, sub)


def _source(spec: str, subdirectory: str, notes: list[str]) -> Source:
    fragment = f"#subdirectory={subdirectory.strip('/')}" if subdirectory.strip("/") else ""
    return Source(_checked(spec + fragment, "the detected install spec"), tuple(notes))


def _local_path(url: str) -> Path | None:
    """The path a ``file:`` URL (or a bare path) names; None for a URL CI could reach."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return Path(url2pathname(parts.path))
    return Path(url) if not parts.scheme or len(parts.scheme) == 1 else None


def _without_credentials(url: str) -> tuple[str, list[str]]:
    """``url`` without a password (nor, over http, a user name, often a token)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, []
    user, _, host = parts.netloc.rpartition("@")
    keep = user if parts.scheme.endswith("ssh") and ":" not in user else ""
    netloc = f"{keep}@{host}" if keep else host
    if keep:
        return urlunsplit(parts._replace(netloc=netloc)), []
    note = f"the URL's credentials are left out ({parts.scheme}://{host}): CI needs its own access"
    return urlunsplit(parts._replace(netloc=netloc)), [note]


def _pip_url(remote: str) -> str | None:
    """A git remote's URL as pip's ``git+`` URLs want it; None for a local path."""
    if "://" in remote:
        return None if remote.lower().startswith("file://") else remote
    scp = re.fullmatch(r"([^/@:]+@)?([^/:]{2,}):(.*)", remote)  # [user@]host:path
    if scp is None:
        return None
    return f"ssh://{scp[1] or ''}{scp[2]}/{scp[3].lstrip('/')}"


def _git(folder: Path, *args: str) -> str:
    """``git -C folder ARGS``'s output, stripped; raises :class:`_GitError`. Never prompts,
    never takes the index lock (``git status`` would refresh it)."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        proc = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=GIT_TIMEOUT,
            env=env,
        )
    except FileNotFoundError:
        raise _GitError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise _GitError(f"git took over {GIT_TIMEOUT} s") from None
    if proc.returncode:
        if "not a git repository" in proc.stderr:
            raise _GitError("not a git work tree")
        lines = proc.stderr.strip().splitlines()
        raise _GitError(lines[0].removeprefix("fatal: ")[:100] if lines else f"git {args[0]}")
    return proc.stdout.strip()


def _from_git(folder: Path, origin: str, commit: str | None = None, sub: str = "") -> Source:
    """The git remote of the work tree ``folder`` at ``commit`` (default: checked out)."""
    if not folder.is_dir():
        raise _refuse(f"{origin}, which is not there any more")
    try:
        prefix = _git(folder, "rev-parse", "--show-prefix")
        checked_out = commit is None
        commit = commit or _git(folder, "rev-parse", "--verify", "HEAD")
        remotes = _git(folder, "remote").split()
    except _GitError as exc:
        raise _refuse(f"{origin}: {exc}") from None
    if not remotes:
        raise _refuse(f"{origin}, a git work tree without a remote")
    if "origin" not in remotes and len(remotes) > 1:
        raise _refuse(f"{origin}, a git work tree with several remotes, none named origin")
    name = "origin" if "origin" in remotes else remotes[0]
    try:
        remote = _git(folder, "remote", "get-url", name)
    except _GitError as exc:
        raise _refuse(f"{origin}: {exc}") from None
    url = _pip_url(remote)
    if url is None:
        raise _refuse(f"{origin}, whose git remote {name} is a local path")
    url, notes = _without_credentials(url)
    notes.insert(0, _pushed(folder, name, url, commit))
    if urlsplit(url).scheme.endswith("ssh"):
        notes.append("CI clones it over ssh: the job needs a key (or an https --install-spec)")
    if checked_out and _git_or_empty(folder, "status", "--porcelain", "--untracked-files=no"):
        notes.append(f"uncommitted changes in {folder} are not part of that commit")
    return _source(f"nb2prod @ git+{url}@{commit}", prefix + sub, notes)


def _pushed(folder: Path, name: str, url: str, commit: str) -> str:
    """The note on ``commit``: it must be pushed to the remote ``name``; is it, as far as
    this clone's remote-tracking branches know (no fetch)?"""
    where = _git_or_empty(folder, "branch", "-r", "--contains", commit, "--list", f"{name}/*")
    seen = where.splitlines()[0].strip() if where else ""
    state = f"it is on {seen}" if seen else f"not on {name} as of the last fetch: push it"
    return (
        f"CI and pre-commit install nb2prod from {url} at commit {commit[:12]}: that commit"
        f" must be pushed there ({state})"
    )


def _git_or_empty(folder: Path, *args: str) -> str:
    try:
        return _git(folder, *args)
    except _GitError:
        return ""
