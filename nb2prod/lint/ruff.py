"""The PY family: ruff's diagnostics on the notebook, as nb2prod findings.

## What it does
Runs ruff (a dependency, not re-implemented) on each notebook with the selection in the
``ruff-select`` / ``ruff-ignore`` settings, and reports every diagnostic as ``PY`` + ruff's
code (``PYF401`` is ruff's F401) at the same cell and line.

## Why is this bad?
Undefined names, unused imports and redefinitions are the bugs that make a notebook
work only in the kernel it was written in.

## Example
```python
import os
df = pd.read_csv(path)  # pd is never imported
```

## Use instead
```python
import pandas as pd
df = pd.read_csv(path)
```
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from nb2prod.lint.findings import Finding

_RULE_CODE = re.compile(r"^[A-Z]+[0-9]+$")


def ruff_binary() -> str:
    """The ruff executable installed with nb2prod (falls back to ``ruff`` on PATH)."""
    exe = Path(sys.executable).parent / ("ruff.exe" if os.name == "nt" else "ruff")
    if exe.exists():
        return str(exe)
    try:
        from ruff.__main__ import find_ruff_bin

        return str(find_ruff_bin())
    except Exception:  # pragma: no cover - ruff is a dependency
        return "ruff"


@dataclass
class RuffJob:
    """A ruff run started in the background; :meth:`results` waits for it."""

    proc: subprocess.Popen[bytes] | None
    files: list[str]

    def results(self) -> dict[str, list[Finding]]:
        if self.proc is None:
            return {}
        out, _ = self.proc.communicate()
        return parse_output(out, self.files)


def _command(select: list[str], ignore: list[str]) -> list[str]:
    cmd = [
        ruff_binary(),
        "check",
        "--isolated",
        "--no-cache",
        "--exit-zero",
        "--output-format",
        "json",
    ]
    if select:
        cmd += ["--select", ",".join(select)]
    if ignore:
        cmd += ["--ignore", ",".join(ignore)]
    return cmd


def start(files: list[str], select: list[str], ignore: list[str]) -> RuffJob:
    """Start ruff on ``files`` (notebook paths) without waiting for it."""
    if not files or not select:
        return RuffJob(None, files)
    proc = subprocess.Popen(
        [*_command(select, ignore), "--", *files],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    return RuffJob(proc, files)


def run_text(text: str, path: str, select: list[str], ignore: list[str]) -> list[Finding]:
    """Run ruff on notebook JSON ``text`` through stdin (used for up-converted files)."""
    if not select:
        return []
    proc = subprocess.run(
        [*_command(select, ignore), "--stdin-filename", path, "-"],
        input=text.encode(),
        capture_output=True,
        check=False,
    )
    return parse_output(proc.stdout, [path]).get(path, [])


def parse_output(raw: bytes, files: list[str] = ()) -> dict[str, list[Finding]]:
    """ruff's JSON output -> findings by file name, as given in ``files`` (ruff itself
    reports absolute paths)."""
    try:
        items = json.loads(raw or b"[]")
    except json.JSONDecodeError:
        return {}
    given = {os.path.realpath(f): f for f in files} | {os.path.abspath(f): f for f in files}
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for item in items:
        filename = item.get("filename", "")
        filename = given.get(filename) or given.get(os.path.realpath(filename), filename)
        code = item.get("code")
        if not code or not _RULE_CODE.match(code):  # syntax errors ("invalid-syntax"): NB007
            continue
        loc = item.get("location") or {}
        end = item.get("end_location") or {}
        by_file[filename].append(
            Finding(
                code=f"PY{code}",
                message=item.get("message", ""),
                path=filename,
                cell=item.get("cell"),
                line=loc.get("row", 1),
                col=loc.get("column", 1),
                severity="warning",
                end_line=end.get("row"),
                end_col=end.get("column"),
                fixable=bool(item.get("fix")),
                extra={"url": item.get("url")} if item.get("url") else {},
            )
        )
    return by_file
