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

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from nb2prod.errors import InputError, printable
from nb2prod.lint.findings import Finding

_RULE_CODE = re.compile(r"^[A-Z]+[0-9]+$")
_UNCHECKED = "PY rules not checked"


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


def default_timeout() -> float:
    """The ``subprocess-timeout`` setting's default: seconds a ruff run may take."""
    from nb2prod.config import defaults

    return float(defaults()["subprocess-timeout"])


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
    """ruff started in the background on copies of notebooks; :meth:`results` waits.

    A notebook ruff could not check (it cannot read the copy, it fails, or it runs over
    ``timeout`` seconds) is never reported clean: it gets a one-line reason in
    :attr:`errors` (by original path) once :meth:`results` has run."""

    proc: subprocess.Popen[bytes] | None = None
    copies: dict[str, str] = field(default_factory=dict)  # copy -> original path
    folder: tempfile.TemporaryDirectory[str] | None = None
    command: list[str] = field(default_factory=list)
    timeout: float = 0.0
    deadline: float = 0.0
    errors: dict[str, str] = field(default_factory=dict)

    def results(self) -> dict[str, list[Finding]]:
        """Findings by original path; the copies are removed."""
        if self.proc is None and not self.errors:
            return {}
        try:
            found, problems = self._collect()
        finally:
            if self.folder is not None:
                self.folder.cleanup()
        out: dict[str, list[Finding]] = {}
        for copy, findings in found.items():
            path = self.copies.get(copy, copy)
            for f in findings:
                f.path = path
            out[path] = findings
        for copy, reason in problems.items():
            path = self.copies.get(copy, copy)
            self.errors[path] = printable(f"{path}: {reason}; {_UNCHECKED}")
            out.pop(path, None)
        return out

    def _collect(self) -> tuple[dict[str, list[Finding]], dict[str, str]]:
        if self.proc is None:
            return {}, {}
        copies = list(self.copies)
        done = _finish(self.proc, max(self.deadline - time.monotonic(), 0.0))
        if done is not None:
            return _read(*done, copies)
        if len(copies) == 1:
            return {}, {copies[0]: self._late()}
        found: dict[str, list[Finding]] = {}
        problems: dict[str, str] = {}
        for copy in copies:  # which notebook takes so long: each alone, the others are kept
            try:
                proc = _start([*self.command, "--", copy])
            except OSError as exc:
                problems[copy] = f"cannot run ruff ({exc.strerror or exc})"
                continue
            alone = _finish(proc, self.timeout)
            if alone is None:
                problems[copy] = self._late()
                continue
            more, failed = _read(*alone, [copy])
            found.update(more)
            problems.update(failed)
        return found, problems

    def _late(self) -> str:
        return f"ruff did not finish within {self.timeout:g} s (setting subprocess-timeout)"


def _start(cmd: list[str]) -> subprocess.Popen[bytes]:
    """``cmd`` in its own process group (so a timeout stops whatever it started too)."""
    return subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=os.name == "posix",
    )


def _finish(proc: subprocess.Popen[bytes], timeout: float) -> tuple[bytes, bytes, int] | None:
    """(stdout, stderr, exit code) of ``proc``, or None when it is still running after
    ``timeout`` seconds (it is then killed)."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if os.name == "posix":
            with contextlib.suppress(OSError):  # already gone
                os.killpg(proc.pid, signal.SIGKILL)
        proc.kill()
        proc.communicate()
        return None
    return out, err, proc.returncode


def _read(
    out: bytes, err: bytes, code: int, copies: list[str]
) -> tuple[dict[str, list[Finding]], dict[str, str]]:
    """What one finished ruff run says about ``copies``: findings, and the copies it could
    not check with the reason."""
    if code != 0:
        said = " ".join(err.decode("utf-8", "replace").split())  # ruff's message, one line
        reason = f"ruff failed (exit {code}: {said[:300] or 'no message'})"
        return {}, dict.fromkeys(copies, reason)
    found, problems = read_output(out, copies)
    if found is None:
        return {}, dict.fromkeys(copies, "ruff's output is not the JSON expected")
    return found, problems


def _copy_name(path: str, i: int) -> str:
    """The file name of ``path``'s copy: the same name (ruff's rules may look at it), unless
    ruff could not report it back exactly (not UTF-8, control characters)."""
    name = os.path.basename(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return f"notebook-{i}.ipynb"
    if not name.isprintable() or not name.endswith(".ipynb"):
        return f"notebook-{i}.ipynb"
    return name


def _write_copies(run: RuffRun, documents: dict[str, bytes]) -> None:
    """Each document under its own file name in ``run.folder`` (a sub-folder per repeat)."""
    assert run.folder is not None
    taken: set[str] = set()
    for i, (path, text) in enumerate(documents.items()):
        name = _copy_name(path, i)
        folder = run.folder.name
        if name in taken:
            folder = os.path.join(folder, str(i))
            os.mkdir(folder)
        taken.add(name)
        copy = os.path.join(folder, name)
        with open(copy, "wb") as fh:
            fh.write(text)
        run.copies[copy] = path


def start_documents(
    documents: dict[str, bytes],
    select: list[str],
    ignore: list[str],
    timeout: float | None = None,
) -> RuffRun:
    """Start ruff on notebook JSON documents (path -> UTF-8 JSON) without waiting: each is written
    under its own file name to a temporary folder, and findings come back by the original
    path (see :meth:`RuffRun.results`). ``timeout``: seconds ruff may take from now (the
    ``subprocess-timeout`` setting when not given)."""
    if not documents or not select:
        return RuffRun()
    timeout = default_timeout() if timeout is None else timeout
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
    run.command, run.timeout = _command(select, ignore), timeout
    run.deadline = time.monotonic() + timeout
    try:
        run.proc = _start([*run.command, "--", *run.copies])
    except OSError as exc:
        run.folder.cleanup()
        reason = f"cannot run ruff ({exc.strerror or exc}); {_UNCHECKED}"
        run.errors = {path: printable(f"{path}: {reason}") for path in documents}
    return run


def parse_output(raw: bytes, files: list[str] = ()) -> dict[str, list[Finding]]:
    """ruff's JSON output -> findings by file name, as given in ``files`` (ruff itself
    reports absolute paths)."""
    found, _ = read_output(raw, list(files))
    return found or {}


def read_output(
    raw: bytes, files: list[str]
) -> tuple[dict[str, list[Finding]] | None, dict[str, str]]:
    """ruff's JSON output -> (findings by file name as given in ``files``, or None when the
    output is not ruff's JSON; the files ruff could not read, with ruff's reason)."""
    try:
        items = json.loads(raw or b"[]")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None, {}
    if not isinstance(items, list):
        return None, {}
    given = {os.path.realpath(f): f for f in files} | {os.path.abspath(f): f for f in files}
    by_file: dict[str, list[Finding]] = defaultdict(list)
    problems: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        filename = str(item.get("filename", ""))
        filename = given.get(filename) or given.get(os.path.realpath(filename), filename)
        code = item.get("code")
        if not isinstance(code, str) or not _RULE_CODE.match(code):
            if item.get("cell") is None:  # not a cell's syntax error (NB007): the file
                problems.setdefault(filename, _unreadable(item))
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
    return dict(by_file), problems


def _unreadable(item: dict) -> str:
    message = " ".join(str(item.get("message") or item.get("code") or "no message").split())
    return f"ruff cannot check the notebook ({message[:200]})"
