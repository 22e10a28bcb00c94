"""The secret detectors added for recall: command lines, strings joined from constants,
positional client arguments, credential files and URL paths. Each is tested on its own,
and the findings are checked to stay masked in every report format. Values are made up."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nb2prod.analysis.context import Analysis
from nb2prod.analysis.secrets import credential_name, scan_urls
from nb2prod.analysis.secrets.clients import client_signatures
from nb2prod.analysis.secrets.joined import joined_text, module_constants
from nb2prod.analysis.secrets.shell import scan_header_text, scan_shell
from nb2prod.cli import app
from nb2prod.config import load_settings
from nb2prod.fix.engine import fix_notebook
from nb2prod.notebook.load import load_notebook
from tests.helpers import code, notebook, write

PASSWORD = "Zx9qLw2pRt7v"
TOKEN = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
WANDB = "8c3f5e7a9b1d2f4a6c8e0b2d4f6a8c0e2b4d6f8a"


# -- command lines ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f"curl -u admin:{PASSWORD} https://x", PASSWORD),
        (f"!curl -uadmin:{PASSWORD} https://x", PASSWORD),
        (f"/usr/bin/curl --user=admin:{PASSWORD} https://x", PASSWORD),
        (f'curl -H "Authorization: Bearer {TOKEN}" https://x', TOKEN),
        (f"curl --header 'PRIVATE-TOKEN: {TOKEN}' https://x", TOKEN),
        (f"wget --http-password={PASSWORD} https://x", PASSWORD),
        (f"python run.py --api-key {TOKEN}", TOKEN),
        (f"!wandb login {WANDB}", WANDB),
        (f"sudo ngrok config add-authtoken {TOKEN}", TOKEN),
        ("curl -u admin:$PASSWORD https://x", None),
        ("curl -u {user}:{pw} https://x", None),
        ("git log -u admin:hunter2hunter2", None),  # -u is curl's only for curl
        ("docker run -u 1000:1000 img", None),
        ('curl -H "Authorization: Bearer <your token>" https://x', None),
        ('curl -H "Content-Type: application/json" https://x', None),
        ("python run.py --max-tokens 512 --token-file secrets/t.txt", None),
        ("wandb login --relogin", None),
    ],
)
def test_scan_shell(line: str, secret: str | None) -> None:
    found = scan_shell(line)
    assert [m.secret for m in found] == ([secret] if secret else [])
    for m in found:
        assert line[m.start : m.end] == m.secret  # offsets point at the secret


def test_scan_shell_offsets_on_later_lines() -> None:
    text = f"echo start\ncurl -u etl:{PASSWORD} https://x\n"
    (m,) = scan_shell(text)
    assert text[m.start : m.end] == PASSWORD and m.env == "PASSWORD"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"Authorization: Bearer {TOKEN}", TOKEN),
        (f"X-API-Key: {TOKEN}", TOKEN),
        ("Authorization: Bearer {}", None),
        ("Password: ", None),
        (f"Content-Type: {TOKEN}", None),
        (f"Authorization: Bearer {TOKEN}\nAccept: */*\n", None),  # one header line only
    ],
)
def test_scan_header_text(text: str, secret: str | None) -> None:
    assert [m.secret for m in scan_header_text(text)] == ([secret] if secret else [])


# -- strings joined from constants ---------------------------------------------------------------
def test_joined_text_of_constants_and_constant_names() -> None:
    constants = module_constants(
        [ast.parse("BODY = 'abc'\nBODY2 = 'x'\nBODY2 = 'y'\nN: str = 'n'\nZ = 1")]
    )
    assert constants == {"BODY": "abc", "N": "n"}  # bound twice differently, or not a str: out
    joined = joined_text(ast.parse("'sk-' + BODY + f'{N}!'", mode="eval").body, constants)
    assert joined is not None and joined.text == "sk-abcn!"
    assert joined.pieces == ((0, 3), (3, 6), (6, 7), (7, 8))
    for source in ("'a' + x", "f'{BODY:>10}'", "'only one piece'", "'a' * 2", "f'{BODY!r}x'"):
        assert joined_text(ast.parse(source, mode="eval").body, constants) is None


def test_a_deep_chain_of_pieces_is_not_joined() -> None:
    node = ast.parse(" + ".join(["'a'"] * 500), mode="eval").body
    assert joined_text(node, {}) is None


# -- positional client arguments, URL paths -------------------------------------------------------
def test_client_signatures_are_well_formed() -> None:
    signatures = client_signatures()
    assert signatures["twilio.rest.Client"] == ("twilio_account_sid", "twilio_auth_token")
    for qual, names in signatures.items():
        assert any(n and credential_name(n) for n in names), qual  # each names a credential


def test_scan_url_paths() -> None:
    url = "https://maker.ifttt.com/trigger/done/with/key/dR4kZ9wQ2xLm7Np3Vb6Tc?x=1"
    (m,) = scan_urls(url)
    assert m.secret == "dR4kZ9wQ2xLm7Np3Vb6Tc" and url[m.start : m.end] == m.secret
    assert m.env == "API_KEY" and m.pattern_id == "url-path"
    assert scan_urls("https://auth.example.com/oauth/token/refresh") == []
    assert scan_urls("/key/dR4kZ9wQ2xLm7Np3Vb6Tc") == []  # not in a URL


# -- the findings stay masked, and --fix leaves what it cannot rewrite ----------------------------
SECRETS = [
    PASSWORD,
    TOKEN,
    WANDB,
    "AAtZ5WqdZrukTMalZrLfAlf_07b_cGc4HnD",
    "cC1jsDXOwFUQzBsAntCKer6MWMs491eb7XuOaFz0tH2efsaK",
    "f3a9c2e7b1d04f5a8e6c9b2d7a1f4e3c",
    "K7QX2M9WPL4RZT8VNB3J",
    "q8Zt+3nRwX5vLp2Ks9Jd/Ym7Hc4Bf6Ga1Ne0Tu8W",
    "3f9a8c7e6d5b4a39281706f5e4d3c2b1",
    "dR4kZ9wQ2xLm7Np3Vb6Tc",
]
CELLS = [
    f"!curl -u admin:{PASSWORD} https://x && wandb login {WANDB}",
    f'!curl -H "Authorization: Bearer {TOKEN}" https://x',
    "%%bash\n" + f"curl -u etl:{PASSWORD} https://x",
    "import requests, json, os\nfrom twilio.rest import Client\nfrom minio import Minio\n"
    f'requests.get("https://api.telegram.org/bot5731739572:{SECRETS[3]}/getMe")\n'
    f'key = "sk-" + "{SECRETS[4]}"\n'
    f'c = Client("AC8f2e4d6c1b3a5978e0d2c4b6a8f1e3d5", "{SECRETS[5]}")\n'
    f'm = Minio("minio.internal:9000", "{SECRETS[6]}", "{SECRETS[7]}")\n'
    f'json.dump({{"username": "jdoe", "key": "{SECRETS[8]}"}}, open("kaggle.json", "w"))\n'
    f'hook = "https://maker.ifttt.com/trigger/done/with/key/{SECRETS[9]}"\n'
    f'os.system("curl -u admin:{PASSWORD} https://x")\n',
]


def _notebook(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.nb2prod]\ncache = false\n", encoding="utf-8")
    return write(tmp_path / "n.ipynb", notebook([code(c) for c in CELLS]))


def test_every_new_detection_is_found(tmp_path: Path) -> None:
    nb = _notebook(tmp_path)
    an = Analysis(load_notebook(str(nb)), load_settings(start=tmp_path))
    lines = {(h.cell.index, h.line) for h in an.secrets if h.cell is not None}
    assert {(1, 1), (2, 1), (3, 2)} <= lines
    assert {(4, n) for n in range(4, 11)} <= lines


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_findings_never_show_a_secret_in_full(tmp_path: Path, fmt: str) -> None:
    nb = _notebook(tmp_path)
    out = CliRunner().invoke(app, ["lint", str(nb), "--format", fmt, "--select", "SEC"])
    assert out.exit_code == 1, out.output
    assert "…(" in out.stdout
    for secret in SECRETS:
        assert secret not in out.stdout, secret


def test_hits_fix_cannot_rewrite_are_marked_not_fixable(tmp_path: Path) -> None:
    nb = _notebook(tmp_path)
    out = CliRunner().invoke(app, ["lint", str(nb), "--format", "json", "--select", "SEC"])
    findings = json.loads(out.stdout)["findings"]
    fixable = {(f["cell"], f["line"]): f["fixable"] for f in findings if f["code"] != "SEC003"}
    assert fixable[(1, 1)] is False and fixable[(3, 2)] is False  # a shell line, %%bash
    assert fixable[(4, 5)] is False  # joined from pieces
    assert fixable[(4, 6)] is True  # a plain literal: os.environ[...]
    settings = load_settings(start=tmp_path)
    fix_notebook(nb, settings)
    source = json.loads(nb.read_text(encoding="utf-8"))["cells"][3]["source"]
    text = "".join(source) if isinstance(source, list) else source
    assert SECRETS[5] not in text and '"sk-" + ' in text  # rewritten; left for a person


# -- credentials named in a comment's words -------------------------------------------------------
@pytest.mark.parametrize(
    ("comment", "found"),
    [
        (f"# api key: {PASSWORD}", True),  # the name as words, nothing else in the cell
        (f"# my secret access key = {PASSWORD}", True),
        (f"# the password is {PASSWORD}", True),
        ("# the api key is required", False),  # prose, no value
        (f"# step 3: {PASSWORD}", False),  # a value, but no credential named
    ],
)
def test_a_comment_alone_naming_a_credential(tmp_path: Path, comment: str, found: bool) -> None:
    nb = write(tmp_path / "n.ipynb", notebook([code(f"{comment}\nresult = score(df)\n")]))
    an = Analysis(load_notebook(str(nb)), load_settings(start=tmp_path))
    assert (PASSWORD in {h.secret for h in an.secrets}) is found
