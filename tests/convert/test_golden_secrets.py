"""No secret in golden.json: what the notebook printed or computed at run time is recorded
masked, and the generated tests mask the package's output alike before comparing."""

from __future__ import annotations

import json
import string

import pytest
from typer.testing import CliRunner

from nb2prod.analysis.secrets.masker import Masker
from nb2prod.cli import app
from nb2prod.console import project as console
from nb2prod.convert.golden_secrets import GoldenMasker, secrets_in
from nb2prod.convert.verify import golden_support, has_nbclient
from tests.convert.helpers import VERIFY_PYTHON, run_package_tests

G = golden_support()
CHARS = string.ascii_letters + string.digits
TOKEN = "ghp_" + "".join(CHARS[(7 * i + 3) % len(CHARS)] for i in range(36))  # as the notebook
OTHER = "ghp_" + "".join(CHARS[(7 * i + 4) % len(CHARS)] for i in range(36))
PASSWORD = "hunter2-Kestrel"  # a secret the notebook's own scan found


def _masker() -> GoldenMasker:
    return GoldenMasker(Masker([PASSWORD]), iterations=1000)


def test_masked_texts_hold_no_secret_and_the_package_side_masks_alike():
    hider = _masker()
    line = f"user x pw {PASSWORD} token {TOKEN}, again {TOKEN} rows 3"
    masked, alike = hider.text(line)
    assert alike and TOKEN not in masked and PASSWORD not in masked
    assert masked == "user x pw hunt…(15 chars) token ghp_…(40 chars), again ghp_…(40 chars) rows 3"
    assert secrets_in(line, masked) == [PASSWORD, TOKEN, TOKEN]
    entries = hider.entries
    assert [e["masked"] for e in entries] == ["ghp_…(40 chars)", "hunt…(15 chars)"]
    assert all(TOKEN not in json.dumps(e) and PASSWORD not in json.dumps(e) for e in entries)

    same = G.printed_differences([masked], [], line + "\n", secrets=entries)
    assert same == []
    for other in (line.replace(TOKEN, OTHER), line.replace("rows 3", "rows 4"), "nothing"):
        assert G.printed_differences([masked], [], other + "\n", secrets=entries) != []
    assert G.printed_differences([masked], [], line + "\n") != []  # without the hashes


def test_values_are_masked_and_compared_masked():
    hider = _masker()
    fp = G.fingerprint({"token": TOKEN, "n": 3})
    masked, alike = hider.value(fp)
    assert alike and TOKEN not in json.dumps(masked)
    assert (
        G.differences(masked, G.fingerprint({"token": TOKEN, "n": 3}), secrets=hider.entries) == []
    )
    assert G.differences(masked, G.fingerprint({"token": OTHER, "n": 3}), secrets=hider.entries)


def test_a_secret_that_cannot_be_located_is_masked_and_not_comparable():
    hider = _masker()
    cut = f"pw {PASSWORD[:11]}... end"  # a piece of a known secret, cut by a truncation
    masked, alike = hider.text(cut)
    assert PASSWORD[:11] not in masked and not alike
    assert hider.text("a …(3 chars) b") == ("a …(3 chars) b", True)  # nothing masked
    assert secrets_in("plain", "pl…(5 chars)") is None


NOTEBOOK = """
# %% [markdown]
# # Make
# %%
import string
chars = string.ascii_letters + string.digits
token = "ghp_" + "".join(chars[(7 * i + 3) % len(chars)] for i in range(36))
# %% [markdown]
# # Report
# %%
print("token", token, "rows", 3)
print("length", len(token))
"""

PYTHON = VERIFY_PYTHON


@pytest.mark.skipif(not has_nbclient(PYTHON), reason=f"nbclient/ipykernel missing in {PYTHON}")
def test_a_token_printed_at_run_time_is_never_recorded(make_notebook, tmp_path, capsys):
    nb = make_notebook(NOTEBOOK)
    assert TOKEN[4:] not in nb.read_text()  # the saved notebook never holds it
    out = tmp_path / "pkg"
    cli = CliRunner().invoke(
        app, ["convert", str(nb), "-o", str(out), "--verify", "--python", PYTHON]
    )
    assert cli.exit_code == 0, cli.output
    assert "faithful" in cli.stdout and TOKEN not in cli.output
    text = (out / "tests" / "golden.json").read_text(encoding="utf-8")
    assert TOKEN not in text and TOKEN[4:20] not in text
    golden = json.loads(text)
    assert golden["printed"]["lines"] == ["token ghp_…(40 chars) rows 3", "length 40"]
    assert golden["printed"]["unstable"] == []
    assert [e["masked"] for e in golden["secrets"]] == ["ghp_…(40 chars)"]
    value = golden["values"]["make"]["token"]
    assert value == {"kind": "str", "value": "ghp_…(40 chars)"}

    passing = run_package_tests(out)
    assert passing.returncode == 0, passing.stdout
    assert "skipped" not in passing.stdout and "4 passed" in passing.stdout

    steps = out / "src" / "analysis" / "steps.py"
    source = steps.read_text(encoding="utf-8")
    assert "(7 * i + 3)" in source
    steps.write_text(source.replace("(7 * i + 3)", "(7 * i + 4)"), encoding="utf-8")
    failing = run_package_tests(out)
    assert failing.returncode == 1
    assert (
        "FAILED tests/test_pipeline.py::test_pipeline_prints_what_the_notebook_printed"
        in failing.stdout
    )
    assert (
        "FAILED tests/test_pipeline.py::test_step_returns_what_the_notebook_computed[make]"
        in failing.stdout
    )

    steps.write_text(source.replace('"rows"', '"lines"'), encoding="utf-8")
    failing = run_package_tests(out)
    assert failing.returncode == 1
    assert (
        "FAILED tests/test_pipeline.py::test_pipeline_prints_what_the_notebook_printed"
        in failing.stdout
    )
    assert "test_step_returns_what_the_notebook_computed" not in failing.stdout

    # verify's own report of the mismatch masks both tokens too
    steps.write_text(source.replace("(7 * i + 3)", "(7 * i + 4)"), encoding="utf-8")
    assert console.verify(nb, out, PYTHON, 60) == 1
    shown = capsys.readouterr()
    assert "ghp_…(40 chars)" in shown.out and "not faithful" in shown.out
    assert TOKEN not in shown.out + shown.err and OTHER not in shown.out + shown.err


def test_a_re_rendered_package_keeps_the_hashes_of_its_masked_texts():
    from nb2prod.convert.writer import carry_golden

    layout = {"steps": [{"name": "make", "cells": [1], "outputs": ["token"]}], "secrets": []}
    entry = {"masked": "ghp_…(40 chars)", "length": 40, "salt": "00", "iterations": 1, "hash": "h"}
    recorded = {
        **layout,
        "recorded": True,
        "values": {"make": {"token": {"kind": "str", "value": "ghp_…(40 chars)"}}},
        "printed": {"lines": ["ghp_…(40 chars)"], "unstable": []},
        "secrets": [entry],
    }
    carried = json.loads(carry_golden(json.dumps(layout), json.dumps(recorded)))
    assert carried["secrets"] == [entry] and carried["printed"] == recorded["printed"]
