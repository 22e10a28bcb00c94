"""Adding a rule touches two files: the rule module and its cases (docs/architecture.md).

A new rule module is dropped into the rules package's search path (in a subprocess, so no
other test sees it) with a cases file beside it; nothing else is edited. The registry,
``nb2prod lint --select``, ``nb2prod rules``, ``nb2prod rule CODE``, the generated
catalogue (docs/rules.md) and the case runner must all pick it up.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

RULE = '''
"""NB098: a ``breakpoint()`` left in a cell (an example rule for the discovery test)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from nb2prod.analysis.context import Analysis
from nb2prod.lint.findings import Finding
from nb2prod.lint.rule import Rule


class LeftBreakpoint(Rule):
    """## What it does
    Flags calls of `breakpoint()`.

    ## Why is this bad?
    A scheduled job has nobody at the debugger prompt: it hangs.

    ## Example
    ```python
    breakpoint()
    ```

    ## Use instead
    ```python
    # nothing: remove it
    ```
    """

    code = "NB098"
    name = "left-breakpoint"
    message = "breakpoint() left in the notebook"
    severity = "warning"

    def check(self, an: Analysis) -> Iterator[Finding]:
        for parsed, tree in an.trees:
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "breakpoint"
                ):
                    yield self.at_node(an, parsed.cell, node)
'''

CASES = """# codes: NB098
# %%
x = 1
# ruleid: NB098
breakpoint()
# %%
def breakpoint_free():
    # ok: NB098
    return x
"""

SCRIPT = """
import io, json, sys
from contextlib import redirect_stdout
from pathlib import Path

import nb2prod.lint.rules as rules

rules.__path__.append(sys.argv[1])  # the new module sits in the package's search path

from typer.testing import CliRunner

from nb2prod import docs
from nb2prod.cli import app
from nb2prod.lint.registry import all_rules
from tests.rules.test_rule_cases import check_case

tmp = Path(sys.argv[2])
out = {"registered": "NB098" in all_rules()}
runner = CliRunner()
lint = runner.invoke(app, ["lint", "--select", "NB098", "--no-cache", sys.argv[3]])
out["lint"] = [lint.exit_code, lint.output]
out["rules"] = runner.invoke(app, ["rules"]).output
out["rule"] = runner.invoke(app, ["rule", "NB098"]).output
out["catalogue"] = docs.render_rules()
try:
    check_case(Path(sys.argv[4]), tmp)
    out["case"] = "passed"
except AssertionError as exc:
    out["case"] = f"failed: {exc}"
print(json.dumps(out))
"""


def test_a_new_rule_module_and_its_cases_are_all_it_takes(tmp_path: Path) -> None:
    from tests.helpers import from_percent, write

    package = tmp_path / "more_rules"
    package.mkdir()
    (package / "nb_left_breakpoint.py").write_text(textwrap.dedent(RULE), encoding="utf-8")
    cases = tmp_path / "NB098_left_breakpoint.py"
    cases.write_text(CASES, encoding="utf-8")
    nb = write(tmp_path / "debugging.ipynb", from_percent(CASES))
    work = tmp_path / "work"
    work.mkdir()
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(package), str(work), str(nb), str(cases)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["registered"]
    code, output = got["lint"]
    assert code == 1 and "NB098" in output and "cell 1" in output, output
    assert "NB098   left-breakpoint" in got["rules"]
    assert "A scheduled job has nobody at the debugger prompt" in got["rule"]
    assert "[NB098](#nb098-left-breakpoint)" in got["catalogue"]
    assert "### Why is this bad?" in got["catalogue"].split("NB098")[-1]
    assert got["case"] == "passed", got["case"]


def test_the_case_runner_catches_a_wrong_annotation(tmp_path: Path) -> None:
    """The discovery test's case check can fail: a case marking the wrong line fails."""
    from tests.rules.test_rule_cases import check_case

    wrong = tmp_path / "NB007_wrong.py"
    wrong.write_text("# codes: NB007\n# %%\n# ruleid: NB007\nx = 1\n", encoding="utf-8")
    try:
        check_case(wrong, tmp_path)
    except AssertionError as exc:
        assert "not flagged" in str(exc)
    else:
        raise AssertionError("a case with a wrong annotation passed")
