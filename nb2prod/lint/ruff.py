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
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from nb2prod.errors import InputError
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


@dataclass
class RuffRun:
    """ruff started in the background on copies of notebooks; :meth:`results` waits."""

    proc: subprocess.Popen[bytes] | None = None
    copies: dict[str, str] = field(default_factory=dict)  # copy -> original path
    folder: tempfile.TemporaryDirectory[str] | None = None

    def results(self) -> dict[str, list[Finding]]:
        """Findings by original path; the copies are removed."""
        if self.proc is None:
            return {}
        out, _ = self.proc.communicate()
        if self.folder is not None:
            self.folder.cleanup()
        found: dict[str, list[Finding]] = {}
        for copy, findings in parse_output(out, list(self.copies)).items():
            path = self.copies.get(copy, copy)
            for f in findings:
                f.path = path
            found[path] = findings
        return found


def _write_copies(run: RuffRun, documents: dict[str, str]) -> None:
    """Each document under its own file name in ``run.folder`` (a sub-folder per repeat)."""
    assert run.folder is not None
    taken: set[str] = set()
    for i, (path, text) in enumerate(documents.items()):
        name = os.path.basename(path)  # kept: ruff's rules may look at the file name
        folder = run.folder.name
        if name in taken:
            folder = os.path.join(folder, str(i))
            os.mkdir(folder)
        taken.add(name)
        copy = os.path.join(folder, name)
        with open(copy, "w", encoding="utf-8") as fh:
            fh.write(text)
        run.copies[copy] = path


def start_documents(documents: dict[str, str], select: list[str], ignore: list[str]) -> RuffRun:
    """Start ruff on notebook JSON texts (path -> text) without waiting: each is written
    under its own file name to a temporary folder, and findings come back by the original
    path (see :meth:`RuffRun.results`)."""
    if not documents or not select:
        return RuffRun()
    # In memory where there is a tmpfs: creating files on a disk-backed /tmp costs more
    # than ruff takes to check them. A full tmpfs (containers often give 64 MB) falls back
    # to the usual temporary folder.
    shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    for where in dict.fromkeys([shm, None]):
        run = RuffRun(folder=tempfile.TemporaryDirectory(prefix="nb2prod-ruff-", dir=where))
        try:
            _write_copies(run, documents)
            break
        except OSError as exc:
            run.folder.cleanup()
            if where is None:
                reason = exc.strerror or str(exc)
                raise InputError(
                    f"cannot write the notebook copies ruff reads ({reason})"
                ) from None
    run.proc = subprocess.Popen(
        [*_command(select, ignore), "--", *run.copies],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    return run


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
