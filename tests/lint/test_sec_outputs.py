"""SEC rules on what percent-format case files cannot express: saved outputs, notebook and
cell metadata, other kernels, cell magics, settings. Every token here is fake: random
characters in a provider's format."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from nb2prod.config import load_settings
from nb2prod.errors import InputError
from nb2prod.lint.engine import lint_file
from nb2prod.lint.findings import Finding
from tests.helpers import code, markdown, notebook, write

AWS_ID = "AKIAFQNGIQ6I54K4Y3ML"
GITHUB = "ghp_4OOF8Q2YHt44hHZWnyojttOkdWhywW3FumfK"
HF = "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"
PASSWORD = "S3cr3tPw"
R_KERNEL = {"kernelspec": {"name": "ir", "display_name": "R", "language": "R"}}


def lint(tmp_path: Path, cells: list[dict], select: str = "SEC", **options) -> list[Finding]:
    nb = write(tmp_path / "nb.ipynb", notebook(cells, options.pop("metadata", None)))
    settings = load_settings(
        start=tmp_path, overrides={"select": [select], "cache": False, **options}
    )
    result = lint_file(str(nb), settings)
    assert result.error is None, result.error
    return result.findings


def where(findings: list[Finding]) -> list[tuple[int | None, int, str]]:
    return sorted(((f.cell, f.line, f.code) for f in findings), key=str)


def leaks(findings: list[Finding], *secrets: str) -> list[str]:
    """Secrets that appear anywhere in the findings' JSON (message, source line, extra)."""
    dumped = json.dumps([f.to_dict() for f in findings])
    return [s for s in secrets if s in dumped]


def stream(text: str, name: str = "stdout") -> dict:
    return {"output_type": "stream", "name": name, "text": text}


def result(data: dict) -> dict:
    return {"output_type": "execute_result", "execution_count": 1, "data": data, "metadata": {}}


def display(data: dict) -> dict:
    return {"output_type": "display_data", "data": data, "metadata": {}}


# -- SEC005 outputs ------------------------------------------------------------------------
def test_sec005_token_printed_to_stdout(tmp_path: Path) -> None:
    cells = [
        markdown("intro"),
        code("import os\nprint(os.environ['GITHUB_TOKEN'])", outputs=[stream(GITHUB + "\n")]),
    ]
    found = lint(tmp_path, cells)
    assert where(found) == [(2, 1, "SEC005")]
    assert "GitHub token" in found[0].message
    assert "output 1 (stdout)" in found[0].message
    assert found[0].source_line == "ghp_…(40 chars)"
    assert leaks(found, GITHUB) == []


def test_sec005_execute_result_and_error_traceback(tmp_path: Path) -> None:
    traceback = [
        "\x1b[0;31mOperationalError\x1b[0m: could not connect",
        f"\x1b[0;32mpostgresql://etl:{PASSWORD}@db.internal:5432/sales\x1b[0m",
    ]
    error = {
        "output_type": "error",
        "ename": "OperationalError",
        "evalue": "",
        "traceback": traceback,
    }
    cells = [
        code("cfg", outputs=[result({"text/plain": f"{{'key': '{AWS_ID}'}}"})]),
        code("engine.connect()", outputs=[error]),
    ]
    found = lint(tmp_path, cells)
    assert where(found) == [(1, 1, "SEC005"), (2, 1, "SEC005")]
    assert "output 1 (text/plain)" in found[0].message
    assert "Password in a postgresql:// URL" in found[1].message
    assert "output 1 (error)" in found[1].message
    assert leaks(found, AWS_ID, PASSWORD) == []


def test_sec005_one_finding_per_secret_and_cell(tmp_path: Path) -> None:
    outputs = [stream(f"token={HF}\n"), stream(f"again {HF}\n", "stderr"), stream(GITHUB)]
    found = lint(tmp_path, [code("run()", outputs=outputs)])
    assert where(found) == [(1, 1, "SEC005"), (1, 1, "SEC005")]
    assert sorted(f.extra["pattern"] for f in found) == ["github-token", "huggingface-token"]


def test_sec005_never_reads_images(tmp_path: Path) -> None:
    # a PNG whose base64 data holds provider formats must not raise an alarm
    png = base64.b64encode(b"\x89PNG\r\n" + f"{GITHUB} {AWS_ID} {HF}".encode()).decode()
    png_text = f"iVBORw0KGgo{GITHUB}{AWS_ID}"  # format-shaped text in the base64 itself
    outputs = [
        display({"image/png": png, "text/plain": "<Figure size 640x480 with 1 Axes>"}),
        display({"image/jpeg": png_text}),
    ]  # SVG, JSON, scripts and vendor types are text: tests/hardening/test_reproducers.py
    assert lint(tmp_path, [code("plot()", outputs=outputs)]) == []


def test_sec005_html_read_only_without_plain_text(tmp_path: Path) -> None:
    both = result({"text/plain": "df", "text/html": f"<td>{GITHUB}</td>"})
    html_only = display({"text/html": f"<pre>{AWS_ID}</pre>"})
    plot = display({"text/html": f"<div></div><script>Plotly.newPlot('{HF}')</script>"})
    found = lint(tmp_path, [code("df", outputs=[both]), code("show()", outputs=[html_only, plot])])
    assert where(found) == [(2, 1, "SEC005")]
    assert "output 1 (text/html)" in found[0].message


def test_sec005_jupyter_server_token_in_url(tmp_path: Path) -> None:
    text = (
        "http://localhost:8888/?token=c8de56fa4deed24899803e93c227592aef6538f93025fe01 :: /work\n"
    )
    found = lint(tmp_path, [code("!jupyter notebook list", outputs=[stream(text)])])
    assert where(found) == [(1, 1, "SEC005")]
    assert "`token` parameter in a URL" in found[0].message


@pytest.mark.parametrize(
    "text",
    [
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n",
        "token: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
        "postgresql://user:<password>@localhost/db\n",
        "run 3f2b8c1e-9d4a-4e6b-8c2f-1a7d9e0b5c3a at commit 9fceb02d0ae598e95dc970b74767f19372d61af8\n",
        "Epoch 1/10 - loss: 0.6931 - accuracy: 0.5012 - val_loss: 0.6925\n",
    ],
)
def test_sec005_placeholders_examples_and_ids_in_outputs(tmp_path: Path, text: str) -> None:
    assert lint(tmp_path, [code("run()", outputs=[stream(text)])]) == []


def test_sec005_and_sec001_report_code_and_output_apart(tmp_path: Path) -> None:
    cell = code(f'print("{GITHUB}")', outputs=[stream(GITHUB)])
    found = lint(tmp_path, [cell])
    assert where(found) == [(1, 1, "SEC001"), (1, 1, "SEC005")]
    assert leaks(found, GITHUB) == []


# -- SEC006 metadata -----------------------------------------------------------------------
def test_sec006_notebook_metadata_has_no_cell(tmp_path: Path) -> None:
    metadata = {"papermill": {"parameters": {"api_key": "9f8e7d6c5b4a39281706f5e4d3c2b1a0"}}}
    found = lint(tmp_path, [code("x = 1")], metadata=metadata)
    assert where(found) == [(None, 1, "SEC006")]
    assert "notebook metadata (metadata.papermill.parameters.api_key)" in found[0].message
    assert leaks(found, "9f8e7d6c5b4a39281706f5e4d3c2b1a0") == []


def test_sec006_cell_metadata(tmp_path: Path) -> None:
    cells = [
        markdown("intro"),
        code("x = 1", metadata={"tags": ["parameters"], "deploy": {"hook": GITHUB}}),
    ]
    found = lint(tmp_path, cells)
    assert where(found) == [(2, 1, "SEC006")]
    assert "cell metadata (metadata.deploy.hook)" in found[0].message
    assert found[0].cell_id == "cell-1"
    assert leaks(found, GITHUB) == []


def test_sec006_ordinary_metadata_is_quiet(tmp_path: Path) -> None:
    png = base64.b64encode(GITHUB.encode() * 20).decode()
    metadata = {
        "language_info": {"name": "python", "version": "3.11.7"},
        "widgets": {"state": {"m1": {"value": png, "_model_name": "ImageModel"}}},
        "toc": {"title_cell": "Table of Contents", "number_sections": True},
        "sagemaker": {"kms_key": "arn:aws:kms:us-west-2:000000000000:key/1234abcd"},
    }
    assert lint(tmp_path, [code("x = 1", metadata={"tags": ["token"]})], metadata=metadata) == []


# -- other kernels, cell magics, unparsable cells --------------------------------------------
def test_other_kernels_are_scanned_as_text(tmp_path: Path) -> None:
    source = (
        f'Sys.setenv(GITHUB_TOKEN = "{GITHUB}")\n'
        'db_password <- "Tr0ub4dor3x"\n'
        f'con <- dbConnect(RPostgres::Postgres(), "postgresql://etl:{PASSWORD}@db/sales")\n'
        "token <- Sys.getenv('HF_TOKEN')"
    )
    found = lint(tmp_path, [code(source)], metadata=R_KERNEL)
    # a provider token bound to a credential name is reported once, as SEC001
    assert where(found) == [(1, 1, "SEC001"), (1, 2, "SEC002"), (1, 3, "SEC003")]
    assert leaks(found, GITHUB, "Tr0ub4dor3x", PASSWORD) == []


def test_bash_cell_magic(tmp_path: Path) -> None:
    source = (
        "%%bash\n"
        "export AWS_SECRET_ACCESS_KEY=6dj0xqU+PUv/61lLWv6lCNKNK+3DOLqbUQUW4Di6\n"
        "export DB_PASSWORD=Tr0ub4dor3x\n"
        'export API_TOKEN="$(cat /run/secrets/token)"\n'
        "aws s3 ls"
    )
    found = lint(tmp_path, [code(source)])
    assert where(found) == [(1, 2, "SEC001"), (1, 3, "SEC002")]
    assert "AWS secret access key" in found[0].message


def test_cell_with_syntax_error_is_scanned_as_text(tmp_path: Path) -> None:
    found = lint(tmp_path, [code(f'token = "{GITHUB}"\nif x\n    pass')])
    assert where(found) == [(1, 1, "SEC001")]


# -- settings, noqa, masking ----------------------------------------------------------------
def test_extra_secret_patterns_setting(tmp_path: Path) -> None:
    extra = [{"name": "Acme deploy token", "regex": r"\bacme_[a-z0-9]{24}\b", "env": "ACME_TOKEN"}]
    cells = [code('deploy(token_value="acme_k3j9d8f7g6h5j4k3l2m1n0p9")')]
    assert lint(tmp_path, cells, "SEC001") == []
    found = lint(tmp_path, cells, "SEC001", **{"extra-secret-patterns": extra})
    assert where(found) == [(1, 1, "SEC001")]
    assert "Acme deploy token" in found[0].message
    assert found[0].extra["env"] == "ACME_TOKEN"


def test_extra_secret_pattern_with_bad_regex(tmp_path: Path) -> None:
    extra = [{"name": "broken", "regex": "acme_[a-z"}]
    with pytest.raises(InputError, match="broken"):
        lint(tmp_path, [code("x = 1")], "SEC001", **{"extra-secret-patterns": extra})


def test_noqa_silences_a_secret_finding(tmp_path: Path) -> None:
    source = f'a = "{GITHUB}"  # nb2prod: noqa: SEC001\nb = "{AWS_ID}"'
    assert where(lint(tmp_path, [code(source)])) == [(1, 2, "SEC001")]


def test_findings_never_carry_the_secret(tmp_path: Path) -> None:
    cells = [
        code(f'key = "{AWS_ID}"\npassword = "{PASSWORD}x"', outputs=[stream(AWS_ID)]),
        markdown(f"token {GITHUB}"),
        code(f'url = "mongodb://u:{PASSWORD}@h/db"', metadata={"x": {"secret": HF}}),
    ]
    found = lint(tmp_path, cells, metadata={"token": HF})
    assert {f.code for f in found} == {"SEC001", "SEC002", "SEC003", "SEC004", "SEC005", "SEC006"}
    assert leaks(found, AWS_ID, PASSWORD, GITHUB, HF) == []
    assert all(f.source_line for f in found)


def test_a_token_bound_to_a_credential_name_is_one_finding_unless_sec001_is_off(
    tmp_path: Path,
) -> None:
    cells = [code(f'GITHUB_TOKEN = "{GITHUB}"\ndb_password = "Tr0ub4dor3x"')]
    assert where(lint(tmp_path, cells)) == [(1, 1, "SEC001"), (1, 2, "SEC002")]
    assert where(lint(tmp_path, cells, ignore=["SEC001"])) == [(1, 1, "SEC002"), (1, 2, "SEC002")]
