"""NB003: IPython magics and help lines that only run inside IPython."""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule
from nb2prod.lint.rules.nb_shell_escape import shell_magic
from nb2prod.lint.rules.nb_shell_install import is_install
from nb2prod.notebook.magics import Magic

# Reported by other rules: installs (NB001), shell commands (NB002), %cd (IO004).
_ELSEWHERE = frozenset({"cd", "pushd", "popd"})

# Why a magic matters in production, for the ones with a specific reason.
_REASONS: dict[str, str] = {
    "run": "runs another file in this namespace: a hidden dependency; import it as a module",
    "writefile": "writes the cell to a local file; keep that file in the project instead",
    "file": "writes the cell to a local file; keep that file in the project instead",
    "load": "pastes a local file into the cell; import it as a module instead",
    "store": "passes variables between notebooks through IPython's database: hidden state",
    "env": "sets environment variables from the notebook; configure the deployment instead",
    "set_env": "sets environment variables from the notebook; configure the deployment instead",
    "pylab": "star-imports numpy and matplotlib into the namespace; import them explicitly",
    "time": "timing only works in IPython; log `time.perf_counter()` instead",
    "timeit": "re-runs the statement many times (side effects too); benchmark outside the job",
    "prun": "profiling only works in IPython; profile outside the job",
    "capture": "hides the cell's output; use logging instead",
    "debug": "opens an interactive debugger, which would hang a job",
    "pdb": "opens an interactive debugger, which would hang a job",
    "reset": "wipes the namespace: the code after it depends on run order",
    "xdel": "deletes names from the namespace: the code after it depends on run order",
}


def magic_finding_message(m: Magic) -> str:
    prefix = {"cell_magic": "%%", "line_magic": "%"}.get(m.kind, "")
    if m.kind == "help":
        return f"Help lookup `{m.text.strip()}` only works in IPython; remove it"
    if m.kind == "autocall":
        return f"IPython autocall `{m.text.strip()[:60]}` only works in IPython; write the call"
    reason = _REASONS.get(m.name, "only runs in IPython, not in a Python module or job")
    if m.name == "run" and m.text.split()[1:]:
        reason = f"runs `{m.text.split()[-1]}` in this namespace: a hidden dependency; import it"
    return f"IPython magic `{prefix}{m.name}` {reason}"


class IPythonMagic(Rule):
    """## What it does
    Flags IPython magics (`%time`, `%%capture`, `%run other.ipynb`, `%%writefile`,
    `%store`, `%env` ...), help lines (`obj?`, `obj??`) and autocall lines (`/f x`).
    Installs are NB001's, shell commands NB002's, and `%cd` / `%pushd` / `%popd` IO004's.
    Magics in the `allowed-magics` setting (default: `matplotlib`, `config`, `load_ext`,
    `autoreload`, `reload_ext`: display and reload set-up that convert drops) are accepted,
    as line and as cell magics.

    Timing magics are flagged too: they are not Python, and `%timeit` runs the statement
    many times over, side effects included. Add `time` to `allowed-magics` to accept it.

    ## Why is this bad?
    A magic is not Python: a `.py` module or a job cannot run it, and several hide
    dependencies (`%run` another notebook, `%store` variables) or write local files
    (`%%writefile`) that exist only on the author's machine.

    ## Example
    ```python
    %run prepare_data.ipynb
    %store -r features
    %timeit model.fit(X, y)
    ```

    ## Use instead
    ```python
    from churn.prepare import load_features

    features = load_features()
    model.fit(X, y)
    ```
    """

    code = "NB003"
    name = "ipython-magic"
    message = "IPython magic only runs in IPython, not in a Python module or job"
    severity = "warning"

    def check(self, an: Analysis) -> Iterator[Finding]:
        allowed = {a.lstrip("%") for a in an.settings["allowed-magics"]}
        for parsed in an.parsed:
            for m in parsed.magics:
                if m.kind == "autocall" and not m.name:
                    continue  # a lone `;` only hides the cell's output, as `x;` does
                if m.kind not in {"help", "autocall"} and (
                    m.kind == "shell"
                    or m.name in _ELSEWHERE
                    or m.name in allowed
                    or shell_magic(m)
                    or is_install(m.name, m.text)
                ):
                    continue
                yield self.at(an, parsed.cell, m.line, m.col, magic_finding_message(m))
