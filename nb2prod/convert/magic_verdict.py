"""IPython's own lines and names, which a script does not have: the verdict on each masked
magic or shell line (:func:`magic_verdict`: dropped quietly, dropped with a note, or dropped
although the package needs its effects) and the names of IPython's output history
(:data:`HISTORY`)."""

from __future__ import annotations

import re

from nb2prod.lint.rules.nb_shell_install import is_install
from nb2prod.notebook.magics import Magic

_HARMLESS_MAGICS = frozenset(
    [
        "matplotlib",
        "config",
        "load_ext",
        "reload_ext",
        "autoreload",
        "time",
        "timeit",
        "precision",
        "who",
        "whos",
        "who_ls",
        "pwd",
        "ls",
        "lsmagic",
        "pinfo",
        "pinfo2",
        "pdoc",
        "psource",
        "history",
        "pprint",
        "xmode",
        "pdb",
        "debug",
        "prun",
        "memit",
        "mprun",
        "watermark",
        "version_information",
        "capture",
        "notebook",
        "qtconsole",
        "magic",
        "quickref",
        "alias_magic",
        "colors",
        "page",
        "doctest_mode",
        "tb",
        "automagic",
        "autocall",
        "snakeviz",
        "px",
        "autopx",
    ]
)
_READ_ONLY_SHELL = frozenset(
    [
        "ls",
        "pwd",
        "echo",
        "cat",
        "head",
        "tail",
        "nvidia-smi",
        "wc",
        "du",
        "df",
        "free",
        "which",
        "nproc",
        "lscpu",
        "whoami",
        "date",
        "hostname",
        "uname",
        "tree",
        "file",
        "type",
        "dir",
        "where",
        "nvcc",
    ]
)
HISTORY = re.compile(r"^(_{1,3}|_\d+|_i{1,3}|_i\d+|Out|In|_oh|_ih|_dh)$")


def magic_verdict(m: Magic) -> tuple[str | None, str]:
    """(code, message) for a masked magic or shell line; code None: nothing to say."""
    name = m.name
    shown = m.text if len(m.text) <= 60 else m.text[:57] + "..."
    prefix = "!" if m.kind == "shell" else "%" if m.kind == "line_magic" else "%%"
    if m.kind == "help":
        return "CV003", f"help request `{shown}` dropped"
    if m.assigned_to:
        return "CV004", (
            f"`{m.assigned_to} = {prefix}{shown}`: the notebook uses the command's output, "
            "which the package does not have"
        )
    if m.kind == "cell_magic":
        return "CV003", f"cell magic `%%{name}` dropped, its Python body kept"
    if (
        m.kind == "line_magic"
        and name in {"matplotlib", "pylab"}
        and m.text.strip()
        in {
            "matplotlib inline",
            "matplotlib notebook",
            "matplotlib widget",
        }
    ):
        return None, ""
    if is_install(name, m.text):
        return "CV003", f"`{prefix}{shown}` dropped; its packages are in pyproject.toml"
    if m.kind == "line_magic" and name in {"pip", "conda"}:
        return "CV003", f"`{prefix}{shown}` dropped"
    if m.kind == "line_magic" and name == "env":
        args = m.text.split(None, 1)[1:] or [""]
        if "=" not in args[0] and len(args[0].split()) <= 1:
            return "CV003", f"`%{shown}` dropped"
        return "CV004", f"`%{shown}` sets an environment variable; set it where the package runs"
    if m.kind == "line_magic" and name in _HARMLESS_MAGICS:
        return "CV003", f"`%{shown}` dropped"
    if m.kind == "shell" and (
        name in _READ_ONLY_SHELL or name in {"pip", "pip3", "conda"} and _pip_read_only(m.text)
    ):
        return "CV003", f"`!{shown}` dropped (it only shows something)"
    what = "shell command" if m.is_shell else "magic"
    return "CV004", f"{what} `{prefix}{shown}` dropped but it has effects the package needs"


def _pip_read_only(text: str) -> bool:
    words = text.split()
    return len(words) > 1 and words[1] in {"list", "freeze", "show", "--version", "-V"}
