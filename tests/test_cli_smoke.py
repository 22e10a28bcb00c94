"""The installed ``nb2prod`` console script on the bundled sample notebooks.

Each sample notebook was written to break (or, for ``clean_pipeline``, to follow) the team's
standards in known places; the cells below are where a reviewer would put a comment.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, console_script

CHURN = SAMPLES / "churn_model.ipynb"
PRICING = SAMPLES / "pricing_regression.ipynb"
CLEAN = SAMPLES / "clean_pipeline.ipynb"
# Follows the standards in less obvious ways: S3 through boto3 into a BytesIO, a figure in a
# tempfile folder, secrets from os.environ in an f-string header, a run id (uuid) and a
# sha256 constant, a markdown cell that names the variables to set.
AB_TEST = SAMPLES / "ab_test_readout.ipynb"

# (cell, families any of which may report it): cells count all cells from 1.
EXPECTED = {
    CHURN: [
        (2, ("NB",)),  # !pip install xgboost
        (5, ("SEC",)),  # AWS key id, AWS secret, OpenAI key
        (7, ("IO",)),  # pd.read_csv("data/customers.csv")
        (7, ("NB",)),  # execution count 3 after 5
        (9, ("NB",)),  # stored KeyError traceback
        (10, ("NB",)),  # %%time
        (11, ("IO",)),  # plt.savefig("churn.png")
        (12, ("IO",)),  # joblib.dump(model, "model.joblib")
        (13, ("SEC",)),  # a GitHub token printed into the stored output
    ],
    PRICING: [
        (4, ("IO",)),  # os.chdir("/Users/maria/...")
        (5, ("IO", "NB")),  # %cd notebooks
        (6, ("IO",)),  # os.path.join(DATA_DIR, ...), f-string, read_excel("~/..."), open()
        (7, ("SEC",)),  # postgresql://analyst:<password>@...
        (8, ("SEC",)),  # Google API key
        (12, ("IO",)),  # to_csv(os.path.join(OUTPUT_DIR, ...))
        (13, ("IO",)),  # fig.savefig(f"{OUTPUT_DIR}/...")
        (14, ("NB",)),  # !aws s3 cp
    ],
}


def run(*args: str, cwd: Path = SAMPLES.parent) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [console_script(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def lint_json(path: Path) -> tuple[int, dict]:
    proc = run("lint", "--no-cache", "--format", "json", str(path))
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def family(code: str) -> str:
    return "PY" if code.startswith("PY") else code.rstrip("0123456789")


@pytest.mark.parametrize("path", list(EXPECTED), ids=lambda p: p.stem)
def test_messy_sample_exits_1_with_findings_where_expected(path: Path) -> None:
    rc, report = lint_json(path)
    assert rc == 1
    got = {(f["cell"], family(f["code"])) for f in report["findings"]}
    missing = [
        (cell, fams) for cell, fams in EXPECTED[path] if not any((cell, f) in got for f in fams)
    ]
    assert not missing, f"no finding at (cell, family): {missing}; got {sorted(got)}"


def test_churn_model_has_findings_of_every_nb2prod_family() -> None:
    rc, report = lint_json(CHURN)
    assert rc == 1
    assert {family(f["code"]) for f in report["findings"]} >= {"IO", "SEC", "NB"}
    assert report["summary"]["findings"] == len(report["findings"])
    assert report["errors"] == []


def test_secret_values_are_not_echoed_in_findings() -> None:
    """A report is shared in CI logs: it must not repeat the full secret it found."""
    text = CHURN.read_text(encoding="utf-8")
    secrets = re.findall(r"AKIA[A-Z2-7]{16}|sk-\w{20}T3BlbkFJ\w{20}|ghp_\w{36}", text)
    assert len(secrets) == 3
    _, report = lint_json(CHURN)
    assert any(f["code"].startswith("SEC") for f in report["findings"])
    for f in report["findings"]:
        if f["code"].startswith("SEC"):
            for secret in secrets:
                assert secret not in f["message"], f["message"]


@pytest.mark.parametrize("path", [CLEAN, AB_TEST], ids=lambda p: p.stem)
def test_notebooks_that_follow_the_standards_exit_0(path: Path) -> None:
    proc = run("lint", "--no-cache", str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr == ""
    rc, report = lint_json(path)
    assert rc == 0 and report["findings"] == [] and report["errors"] == []
    assert report["summary"]["files"] == 1


def test_text_output_names_cell_line_and_code() -> None:
    proc = run("lint", "--no-cache", str(CHURN))
    assert proc.returncode == 1
    assert re.search(r"churn_model\.ipynb:cell 2:1:\d+: NB001 ", proc.stdout), proc.stdout
    assert "!pip install xgboost" in proc.stdout  # the offending source line is shown


def test_exit_zero_and_select() -> None:
    assert run("lint", "--no-cache", "--exit-zero", str(CHURN)).returncode == 0
    rc = run("lint", "--no-cache", "--select", "NB001", "--format", "json", str(CHURN))
    assert rc.returncode == 1
    assert {f["code"] for f in json.loads(rc.stdout)["findings"]} == {"NB001"}


def test_sarif_and_github_formats() -> None:
    sarif = run("lint", "--no-cache", "--format", "sarif", str(CHURN))
    assert sarif.returncode == 1, sarif.stderr
    doc = json.loads(sarif.stdout)
    assert doc["version"] == "2.1.0" and doc["runs"][0]["results"]
    github = run("lint", "--no-cache", "--format", "github", str(CHURN))
    assert github.returncode == 1, github.stderr
    lines = github.stdout.splitlines()
    assert lines and all(ln.startswith(("::error", "::warning", "::notice")) for ln in lines)


def test_rules_lists_codes_of_every_family() -> None:
    proc = run("rules")
    assert proc.returncode == 0, proc.stderr
    codes = re.findall(r"^([A-Z]+\d{3})\s", proc.stdout, re.MULTILINE)
    assert {family(c) for c in codes} >= {"IO", "SEC", "NB"}
    assert "IO001" in codes and "NB001" in codes
    assert re.search(r"^PY", proc.stdout, re.MULTILINE)


def test_rule_explains_io001() -> None:
    proc = run("rule", "IO001")
    assert proc.returncode == 0, proc.stderr
    for section in ("What it does", "Why is this bad?", "Example", "Use instead"):
        assert section in proc.stdout
    assert proc.stdout.startswith("IO001")


def test_unknown_rule_code_exits_2_with_one_line() -> None:
    proc = run("rule", "XX999")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "XX999" in lines[0] and "Traceback" not in proc.stderr


def test_unreadable_inputs_exit_2_with_one_line_each(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.ipynb"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    truncated = tmp_path / "truncated.ipynb"
    truncated.write_text(CLEAN.read_text(encoding="utf-8")[:500], encoding="utf-8")
    missing = tmp_path / "missing.ipynb"
    proc = run("lint", "--no-cache", str(garbage), str(truncated), str(missing), str(CLEAN))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    for bad in (garbage, truncated, missing):
        assert len([ln for ln in lines if str(bad) in ln]) == 1, proc.stderr
    assert len(lines) == 3, proc.stderr


def test_bad_option_exits_2() -> None:
    proc = run("lint", "--format", "yaml", str(CLEAN))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
