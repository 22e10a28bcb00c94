"""NB001: packages installed from inside the notebook."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule
from nb2prod.notebook.parse import ParsedCell

_SHELL_SEPARATORS = re.compile(r"&&|\|\||;")
_INSTALLERS = {"pip", "pip3", "conda", "mamba", "micromamba", "uv", "poetry", "apt", "apt-get"}


def is_install(name: str, text: str) -> bool:
    """``pip install x``, ``python -m pip install x``, ``conda install x`` ..."""
    words = text.replace("\\", " ").split()
    if words[:1] == ["sudo"]:  # sudo apt-get install ..., sudo -H pip install ...
        words = words[1:]
        while words and words[0].startswith("-"):
            words = words[1:]
    if not words:
        return False
    if words[0] in {"python", "python3", "sys.executable", "{sys.executable}"}:
        words = words[2:] if words[1:2] == ["-m"] else words[1:]
    if words and words[0] == "uv" and words[1:2] == ["pip"]:
        words = words[1:]
    return (
        bool(words)
        and words[0].rstrip("3") in _INSTALLERS | {"pip"}
        and any(w in {"install", "add", "update", "upgrade"} for w in words[1:3])
    )


def script_installs(parsed: ParsedCell) -> Iterator[tuple[int, int, str]]:
    """(line, col, command) of installs in the body of a ``%%bash`` / ``%%sh`` cell."""
    magic = parsed.not_python
    if magic is None or magic.name not in {"bash", "sh", "script"}:
        return
    lines = parsed.cell.source.split("\n")
    number = magic.line
    while number < len(lines):
        start, text = number, lines[number]
        while text.rstrip().endswith("\\") and number + 1 < len(lines):
            number += 1
            text = text.rstrip()[:-1] + " " + lines[number]
        number += 1
        for command in _SHELL_SEPARATORS.split(text.strip()):
            if is_install("", command.strip()):
                yield start + 1, len(text) - len(text.lstrip()), " ".join(command.split())
                break


class ShellInstall(Rule):
    """## What it does
    Flags package installs run from a cell: `!pip install`, `%pip install`, `!conda install`,
    `%conda install`, automagic `pip install`, `!apt-get install`, and install lines in a
    `%%bash` / `%%sh` cell.

    ## Why is this bad?
    The notebook's environment is then whatever the last run installed, unpinned and
    invisible to the engineers who have to deploy it. Production builds install from a
    pinned dependency file, once, before any code runs.

    ## Example
    ```python
    !pip install xgboost
    import xgboost as xgb
    ```

    ## Use instead
    ```python
    # requirements.txt / pyproject.toml: xgboost==2.1.1
    import xgboost as xgb
    ```
    """

    code = "NB001"
    name = "shell-install"
    message = "Package install inside the notebook; pin it in the project's dependencies"
    severity = "warning"

    def check(self, an: Analysis) -> Iterator[Finding]:
        for parsed in an.parsed:
            for m in parsed.magics:
                if m.kind in {"shell", "line_magic"} and is_install(m.name, m.text):
                    yield self.at(
                        an,
                        parsed.cell,
                        m.line,
                        m.col,
                        f"Package install inside the notebook (`{m.text[:60]}`); "
                        "pin it in the project's dependencies",
                    )
            for line, col, text in script_installs(parsed):
                yield self.at(
                    an,
                    parsed.cell,
                    line,
                    col,
                    f"Package install inside the notebook (`{text[:60]}`); "
                    "pin it in the project's dependencies",
                )
