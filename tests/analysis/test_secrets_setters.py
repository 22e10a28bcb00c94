"""Credentials given to key/value setters (``.option("password", ...)``), named by the word
before them on a command line (``aws configure set aws_secret_access_key ...``), among a
JDBC URL's ``;name=value`` properties, and constants reported once (where assigned, not
where an f-string uses them). Values are made up."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nb2prod.analysis.context import Analysis
from nb2prod.analysis.secrets import ASSIGNMENT, URL, scan_urls
from nb2prod.analysis.secrets.bindings import setter_methods
from nb2prod.analysis.secrets.joined import joined_text
from nb2prod.analysis.secrets.shell import scan_shell
from nb2prod.cli import app
from nb2prod.config import load_settings
from nb2prod.fix.engine import fix_notebook
from nb2prod.notebook.load import load_notebook
from tests.helpers import code, notebook, write

PASSWORD = "Falcon7031-jqa"
AWS_SECRET = "Zq8Jd0kPz3LmN7vR2sT5wX9yB1cE4fG6hI8jK0lM"
TOKEN = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"


# -- a credential name, then its value, on a command line ----------------------------------------
@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f"!aws configure set aws_secret_access_key {AWS_SECRET}", AWS_SECRET),
        (f"aws configure set aws_secret_access_key {AWS_SECRET} --profile etl", AWS_SECRET),
        (f"dvc remote modify --local origin password {PASSWORD}", PASSWORD),
        (f"git config --global github.token {TOKEN}", TOKEN),
        ("aws configure set aws_secret_access_key $AWS_SECRET_ACCESS_KEY", None),
        ('aws configure set aws_secret_access_key "${AWS_SECRET_ACCESS_KEY}"', None),
        ("aws configure set aws_secret_access_key <your-secret-access-key>", None),
        ("dvc remote modify origin password changeme", None),  # a placeholder
        ("dvc remote modify origin password hunter", None),  # a plain word: an argument
        ("dvc remote modify origin credentialpath ~/.gcp/key.json", None),  # a path
        ("echo $TOKEN | docker login -u bot --password-stdin registry.example.com", None),
        ("pip install google-auth google-auth-oauthlib", None),
        ("apt-get install -y pass gnupg2", None),
        (f"password {PASSWORD}", None),  # the command's own name is not a credential name
        (f"aws configure set aws_access_key_id {TOKEN}", None),  # an id is not a secret
    ],
)
def test_a_value_after_a_credential_name(line: str, secret: str | None) -> None:
    found = scan_shell(line)
    assert [m.secret for m in found] == ([secret] if secret else [])
    for m in found:
        assert line[m.start : m.end] == m.secret and m.kind == ASSIGNMENT


def test_a_named_value_is_reported_once() -> None:
    line = f"ngrok authtoken {TOKEN}"  # a login form whose command word names a credential
    assert [m.secret for m in scan_shell(line)] == [TOKEN]


# -- JDBC URL properties ------------------------------------------------------------------------
def test_a_jdbc_password_property_is_a_url_credential() -> None:
    url = f"jdbc:sqlserver://sql01:1433;databaseName=crm;user=sa;password={PASSWORD};encrypt=true"
    (m,) = scan_urls(url)
    assert m.secret == PASSWORD and url[m.start : m.end] == PASSWORD
    assert m.kind == URL and m.env == "DATABASE_URL"
    assert scan_urls("jdbc:sqlserver://sql01:1433;user=sa;password={pw}") == []
    assert scan_urls("jdbc:sqlserver://sql01:1433;user=sa;password=${DB_PASSWORD}") == []
    assert scan_urls(f"timeout=30;password={PASSWORD}") == []  # not in a URL
    assert scan_urls(f"see jdbc:sqlserver://sql01 ;password={PASSWORD}") == []  # after it


# -- setters --------------------------------------------------------------------------------------
def test_setter_methods_are_data() -> None:
    assert {"option", "config", "set", "putenv"} <= setter_methods()


def _secrets(tmp_path: Path, *cells: str) -> dict[str, tuple[int, int, str]]:
    """secret -> (cell, line, kind) of every hit."""
    nb = write(tmp_path / "n.ipynb", notebook([code(c) for c in cells]))
    an = Analysis(load_notebook(str(nb)), load_settings(start=tmp_path))
    return {h.secret: (h.cell.index if h.cell else 0, h.line, h.kind) for h in an.secrets}


@pytest.mark.parametrize(
    ("call", "found"),
    [
        (f'df = spark.read.option("password", "{PASSWORD}").load()', True),
        (f'spark.conf.set("fs.azure.account.key.acme.dfs.core.windows.net", "{AWS_SECRET}")', True),
        (f'builder.config("spark.hadoop.fs.s3a.secret.key", "{AWS_SECRET}")', True),
        (f'os.putenv("API_TOKEN", "{TOKEN}")', True),
        (f'cfg.set("default", "db_password", "{PASSWORD}")', True),  # ConfigParser.set
        (f'df = spark.read.option("header", "{PASSWORD}").load()', False),
        (f'df = spark.read.option("password", "{PASSWORD}", "x", "y").load()', False),
        (f'cfg.set(section, "db_password", "{PASSWORD}")', False),
        (f'df = spark.read.option("password", os.environ["PW"]).load({PASSWORD!r})', False),
        (f'df = spark.read.load("password", "{PASSWORD}")', False),  # not a setter
    ],
)
def test_a_setter_value_is_bound_to_its_name(tmp_path: Path, call: str, found: bool) -> None:
    secrets = _secrets(tmp_path, "import os\n" + call)
    assert (PASSWORD in secrets or AWS_SECRET in secrets or TOKEN in secrets) is found


# -- a constant reported where it is assigned, not again where it is used -----------------------
def test_joined_pieces_know_their_constants() -> None:
    joined = joined_text(ast.parse("f'token {T}!' + 'x'", mode="eval").body, {"T": TOKEN})
    assert joined is not None
    start = joined.text.find(TOKEN)
    assert joined.constant_holding(start, start + len(TOKEN)) == ("T", TOKEN)
    assert joined.constant_holding(0, start + 2) is None  # spans a literal piece
    assert joined.constant_holding(start + len(TOKEN), len(joined.text)) is None  # literals


def test_a_flagged_constant_is_not_reported_again_where_used(tmp_path: Path) -> None:
    other = "k7J9dLq0Xz8Wv7Ut6Sr5"
    secrets = _secrets(
        tmp_path,
        f'API_TOKEN = "{TOKEN}"\nbuild = "{other}"\n',
        'h = {"Authorization": f"Bearer {API_TOKEN}"}\n'
        'g = {"Authorization": "Bearer " + API_TOKEN}\n'
        'b = {"Authorization": f"Bearer {build}"}\n',
    )
    assert secrets[TOKEN] == (1, 1, ASSIGNMENT)  # where the literal is, once
    assert secrets[other] == (2, 3, ASSIGNMENT)  # not flagged where assigned: where it is used


# -- masked in reports; --fix rewrites a setter's literal ----------------------------------------
CELLS = [
    f"!aws configure set aws_secret_access_key {AWS_SECRET}",
    f'import os\ndf = spark.read.option("password", "{PASSWORD}").load()',
    f'url = "jdbc:sqlserver://sql01:1433;databaseName=crm;user=sa;password={TOKEN}"',
]


def test_new_findings_stay_masked_and_a_setter_literal_is_fixed(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.nb2prod]\ncache = false\n", encoding="utf-8")
    nb = write(tmp_path / "n.ipynb", notebook([code(c) for c in CELLS]))
    out = CliRunner().invoke(app, ["lint", str(nb), "--format", "json", "--select", "SEC"])
    findings = json.loads(out.stdout)["findings"]
    assert {(f["cell"], f["line"], f["code"]) for f in findings} == {
        (1, 1, "SEC002"),
        (2, 2, "SEC002"),
        (3, 1, "SEC003"),
    }
    for secret in (AWS_SECRET, PASSWORD, TOKEN):
        assert secret not in out.stdout
    fix_notebook(nb, load_settings(start=tmp_path))
    source = json.loads(nb.read_text(encoding="utf-8"))["cells"][1]["source"]
    text = "".join(source) if isinstance(source, list) else source
    assert PASSWORD not in text and '.option("password", os.environ["PASSWORD"])' in text
