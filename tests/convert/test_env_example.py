"""``.env.example`` beside a converted package: the names of the environment variables it
reads, each with a comment, never a value."""

from __future__ import annotations

from pathlib import Path

from nb2prod.convert import run
from tests.helpers import code, notebook, write

KEY_ID = "AKIAZ3MHALWQ7XK5NB4R"
SECRET = "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"
CELLS = [
    "import os\nN_ROWS = 3\n",
    'key = os.environ["OPENAI_API_KEY"]\n'
    f'aws_access_key_id = "{KEY_ID}"\n'
    f'aws_secret_access_key = "{SECRET}"\n'
    'uri = os.getenv("NB2PROD_DATA_URI", "s3://team-bucket/proj")\n'
    "print(N_ROWS, len(key), uri)\n",
]


def _assignments(text: str) -> dict[str, str]:
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_env_example_lists_names_without_values(tmp_path: Path) -> None:
    nb = write(tmp_path / "nb.ipynb", notebook([code(c) for c in CELLS]))
    result = run(nb, tmp_path / "out", name="pkg")
    assert result.exit_code == 0, result.findings
    assert ".env.example" in result.files
    text = (tmp_path / "out" / ".env.example").read_text()
    values = _assignments(text)
    assert list(values) == [
        "OPENAI_API_KEY",
        "NB2PROD_DATA_URI",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "PKG_N_ROWS",
    ]
    assert set(values.values()) == {""}
    for secret in (KEY_ID, SECRET, KEY_ID[:8], SECRET[:8], "team-bucket"):
        assert secret not in text
    lines = text.splitlines()
    for name in values:  # each name has its comment just above it
        assert lines[lines.index(f"{name}=") - 1].startswith("# ")
    assert "(required)" in lines[lines.index("OPENAI_API_KEY=") - 1]
    assert "secret" in lines[lines.index("AWS_ACCESS_KEY_ID=") - 1]


def test_lint_sec_and_io_findings_carried_as_warnings(tmp_path: Path) -> None:
    cells = [*CELLS, 'import pandas as pd\ndf = pd.read_csv("data/rows.csv")\n']
    nb = write(tmp_path / "nb.ipynb", notebook([code(c) for c in cells]))
    result = run(nb, tmp_path / "out", name="pkg")
    assert result.exit_code == 0  # lint findings do not stop the conversion
    carried = {(f.code[:2], f.severity) for f in result.findings if not f.code.startswith("CV")}
    assert carried == {("SE", "warning"), ("IO", "warning")}
    readme = (tmp_path / "out" / "README.md").read_text()
    assert "SEC001" in readme and SECRET not in readme and KEY_ID not in readme


def test_env_example_is_deterministic(tmp_path: Path) -> None:
    nb = write(tmp_path / "nb.ipynb", notebook([code(c) for c in CELLS]))
    run(nb, tmp_path / "a", name="pkg")
    run(nb, tmp_path / "b", name="pkg")
    a, b = (tmp_path / d / ".env.example" for d in "ab")
    assert a.read_text() == b.read_text()
