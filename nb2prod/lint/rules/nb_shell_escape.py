"""NB002: shell commands run from inside the notebook."""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule
from nb2prod.lint.rules.nb_shell_install import is_install, script_installs
from nb2prod.notebook.magics import Magic
from nb2prod.notebook.parse import ParsedCell

# Cell magics that hand the cell body to another program (IPython's script magics).
SCRIPT_CELL_MAGICS = frozenset(
    {"bash", "sh", "script", "perl", "ruby", "python2", "python3", "pypy", "cmd", "powershell"}
)
# Line magics that run a shell command: %system/%sx and IPython's default shell aliases
# (also reached as automagic ``ls``, ``mkdir`` ...); %pip/%conda when not installing.
SHELL_LINE_MAGICS = frozenset(
    {"system", "sx", "sc", "pip", "conda", "mamba", "micromamba"}
    | {"cat", "cp", "ls", "mkdir", "mv", "rm", "rmdir", "ldir", "lf", "lk", "ll", "lx"}
    | {"less", "more", "man", "clear"}
)


def shell_magic(m: Magic) -> bool:
    """True for an IPython construct that runs a program on the machine (not an install)."""
    if m.kind == "shell":
        return not is_install(m.name, m.text)
    if m.kind == "cell_magic":
        return m.name in SCRIPT_CELL_MAGICS
    if m.kind == "line_magic":
        return m.name in SHELL_LINE_MAGICS and not is_install(m.name, m.text)
    return False


class ShellEscape(Rule):
    """## What it does
    Flags shell commands run from a cell: `!cmd` lines, `x = !cmd` captures, `%system` /
    `%sx` and shell-alias magics (`%ls`, `%mkdir` ...), and cells handed to another program
    with `%%bash`, `%%sh`, `%%script` (and the other script magics). Package installs are
    NB001's.

    ## Why is this bad?
    The command runs on whatever machine hosts the kernel, with its tools, files and
    credentials: a dependency nobody declared. Production code runs in a container where
    those tools may be missing, and `.py` files cannot run `!` lines at all.

    ## Example
    ```python
    !wget https://example.com/data.zip && unzip data.zip
    files = !ls data/
    ```

    ## Use instead
    ```python
    import fsspec

    files = fsspec.filesystem("s3").ls("s3://acme-data/raw/")
    ```
    """

    code = "NB002"
    name = "shell-escape"
    message = "Shell command inside the notebook; a hidden dependency on the machine"
    severity = "warning"

    def check(self, an: Analysis) -> Iterator[Finding]:
        for parsed in an.parsed:
            for m in parsed.magics:
                if shell_magic(m) and not (m.kind == "cell_magic" and _only_installs(parsed)):
                    yield self.at(an, parsed.cell, m.line, m.col, _message(m))


def _only_installs(parsed: ParsedCell) -> bool:
    """A ``%%bash`` cell that only installs packages is NB001's alone."""
    commands = [
        ln
        for ln in parsed.cell.lines[parsed.not_python.line if parsed.not_python else 0 :]
        if ln.strip() and not ln.lstrip().startswith("#") and not ln.rstrip().endswith("\\")
    ]
    return bool(commands) and len(commands) == sum(1 for _ in script_installs(parsed))


def _message(m: Magic) -> str:
    what = m.text.strip()
    what = what if len(what) <= 60 else what[:57] + "..."
    if m.kind == "cell_magic":
        return (
            f"Cell run by `%%{m.name}` outside Python; "
            "a hidden dependency on the machine's shell and tools"
        )
    if m.assigned_to:
        return (
            f"Shell command output captured into `{m.assigned_to}` (`{what}`); "
            "a hidden dependency on the machine"
        )
    prefix = "!" if m.kind == "shell" else "%"
    return f"Shell command `{prefix}{what}` inside the notebook; a hidden dependency on the machine"
