"""``nb2prod init``: what a team needs to adopt nb2prod in a repository — ``[tool.nb2prod]``
in pyproject.toml, ``.pre-commit-config.yaml`` with the nb2prod hooks and a GitHub Actions
job. Also the hooks themselves (``HOOKS``), as ``.pre-commit-hooks.yaml`` publishes them.

Nothing is clobbered: an existing ``[tool.nb2prod]`` table is kept, the table is added to an
existing pyproject.toml, and existing pre-commit or workflow files are replaced only with
``force``. Everything is checked before anything is written. Returns what it did; never
prints.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nb2prod import __version__
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


@dataclass(slots=True)
class InitResult:
    written: list[str] = field(default_factory=list)  # files created or replaced
    updated: list[str] = field(default_factory=list)  # files the table was added to
    kept: list[str] = field(default_factory=list)  # pyproject.toml whose table was there


def run(folder: Path, *, force: bool = False, repo: str | None = None) -> InitResult:
    """Write the files into ``folder``. ``repo``: the URL of nb2prod's hooks repository, for
    a ``.pre-commit-config.yaml`` that uses it at ``REV``; without it the hooks are local
    ones that install the running nb2prod version. Raises :class:`InputError` (nothing
    written) for existing files without ``force`` or an unreadable pyproject.toml."""
    if not folder.is_dir():
        raise InputError("no such folder", str(folder))
    existing = [name for name in (PRE_COMMIT, WORKFLOW) if (folder / name).exists()]
    if existing and not force:
        raise InputError(f"{' and '.join(existing)} already exist (--force replaces them)")
    result = InitResult()
    pyproject = folder / "pyproject.toml"
    new_pyproject = _with_table(pyproject)
    files = {PRE_COMMIT: pre_commit_config(repo), WORKFLOW: workflow(repo)}
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


def pre_commit_config(repo: str | None = None) -> str:
    """``.pre-commit-config.yaml``: nb2prod-lint at each commit, nb2prod-fix on demand."""
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
            items = [*hook.items(), ("additional_dependencies", [install_spec()])]
            if hook["id"] == "nb2prod-fix":
                items.append(("stages", ["manual"]))
            for i, (key, value) in enumerate(items):
                body.append(f"      {'- ' if i == 0 else '  '}{key}: {_yaml(value)}")
    return "\n".join(head + body) + "\n"


def install_spec(repo: str | None = None) -> str:
    """What pip installs: this nb2prod version from the package index, or ``repo`` at
    ``REV``."""
    return f"nb2prod @ git+{repo}@{REV}" if repo else f"nb2prod=={__version__}"


def workflow(repo: str | None = None) -> str:
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
      - run: pip install "{install_spec(repo)}"
      - name: Lint notebooks
        run: nb2prod lint --format github .
"""
