"""Nothing leaks: a secret planted in a notebook never appears in anything nb2prod prints or
writes — lint in every format, ``-o`` files, ``--statistics``, ``--diff``, the ``--fix``
report, convert's report and every file it generates, scaffold's files. Each test also
checks that the masked form (``AKIA…(20 chars)``) is there, so a secret the scan missed
(and that would then be printed in clear) fails it too.

The secrets are made here, at run time, from random characters in the providers' formats
(AWS, GitHub, Stripe, Slack, OpenAI, Hugging Face, GitLab, Google), and planted by
hypothesis in code, path strings, ``!pip`` lines, error and stream outputs, markdown,
comments, f-strings, lines ruff quotes, function bodies.
"""

from __future__ import annotations

import io
import json
import random
import string
import subprocess
from pathlib import Path

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from nb2prod.analysis.secrets import mask
from nb2prod.config import Settings, defaults
from nb2prod.fix.engine import fix_notebook
from nb2prod.fix.report import render_text
from nb2prod.lint.engine import lint_paths
from nb2prod.lint.findings import FileResult
from nb2prod.notebook.model import join_source
from nb2prod.report.output import emit
from tests.conftest import console_script
from tests.helpers import code, markdown, notebook, write

UPPER_DIGITS = string.ascii_uppercase + string.digits
ALNUM = string.ascii_letters + string.digits

# kind -> (prefix, length of the random part, its alphabet); Slack has its own shape.
FORMATS: dict[str, tuple[str, int, str]] = {
    "aws": ("AKIA", 16, UPPER_DIGITS),
    "github": ("ghp_", 36, ALNUM),
    "stripe": ("sk_live_", 30, ALNUM),
    "openai": ("sk-proj-", 40, ALNUM),
    "huggingface": ("hf_", 34, ALNUM),
    "gitlab": ("glpat-", 20, ALNUM),
    "google": ("AIza", 35, ALNUM),
    "slack": ("xoxb-", 0, ""),
}


def make_secret(kind: str, seed: int) -> str:
    """A token in ``kind``'s format, random (so never an example or a placeholder)."""
    rng = random.Random(seed)
    if kind == "slack":
        digits = "".join(rng.choices(string.digits, k=12))
        more = "".join(rng.choices(string.digits, k=13))
        return f"xoxb-{digits}-{more}-" + "".join(rng.choices(ALNUM, k=24))
    prefix, size, alphabet = FORMATS[kind]
    return prefix + "".join(rng.choices(alphabet, k=size))


def error_output(text: str) -> dict:
    return {
        "output_type": "error",
        "ename": "HTTPError",
        "evalue": f"401 Unauthorized for url: https://api.example.com/v1?token={text}",
        "traceback": ["HTTPError Traceback (most recent call last)", f"HTTPError: {text}"],
    }


def stream_output(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": [f"environ: KEY={text}\n"]}


# Where a secret is planted: name -> cell factory. ``{s}`` is the secret.
POSITIONS = {
    "constant": lambda s: code(f'API_KEY = "{s}"\nclient = make_client(API_KEY)\n', count=2),
    "path": lambda s: code(f'df = pd.read_csv("/home/ana/{s}/customers.csv")\n', count=3),
    "pip": lambda s: code(f"!pip install git+https://{s}@github.com/acme/lib.git\n", count=4),
    "error": lambda s: code("resp = call()\n", outputs=[error_output(s)], count=5),
    "stream": lambda s: code(
        "print(os.environ)\n",
        outputs=[stream_output("x"), stream_output(s), stream_output("y")],
        count=6,
    ),
    "markdown": lambda s: markdown(f"## Access\nOur team key is {s} (do not share)."),
    "comment": lambda s: code(f"# my key: {s}\nresult = score(df)\n", count=7),
    "fstring": lambda s: code(
        f'name = "churn"\nurl = f"https://api.x.com/v1?key={s}&q={{name}}"\nprint(url)\n',
        count=8,
    ),
    "ruff": lambda s: code(f'headers = {{"Authorization": "Bearer {s}"}}; n = 1\n', count=9),
    "function": lambda s: code(
        f'def fetch(q):\n    token = "{s}"\n    return q\n\nfetch("a")\n', count=10
    ),
}
HEADER = code("import os\nimport pandas as pd\n", count=1)


def planted(secrets: list[tuple[str, str]]) -> dict:
    """A notebook with each (position, secret) planted, after a header cell; executed
    in order (convert judges out-of-order runs elsewhere)."""
    cells = [HEADER, *(POSITIONS[where](s) for where, s in secrets)]
    for n, cell in enumerate(c for c in cells if c["cell_type"] == "code"):
        cell["execution_count"] = n + 1
    return notebook(cells)


def lint_outputs(path: Path) -> str:
    """Everything lint prints for ``path``, in every format, and ``--statistics``."""
    settings = Settings(defaults())
    results = lint_paths([str(path)], settings, jobs=1, use_cache=False)
    out = []
    for fmt in ("text", "json", "sarif", "github"):
        buf = io.StringIO()
        emit(_copy(results), fmt, stream=buf)
        out.append(buf.getvalue())
    buf = io.StringIO()
    emit(_copy(results), "text", stream=buf, statistics=True)
    out.append(buf.getvalue())
    return "\n".join(out)


def _copy(results: list[FileResult]) -> list[FileResult]:
    return [FileResult.from_dict(r.to_dict()) for r in results]


def fix_outputs(path: Path) -> str:
    """The ``--diff`` / ``--fix`` report (nothing written)."""
    result = fix_notebook(path, Settings(defaults()), write=False)
    return render_text(result, diff=True)


def assert_masked(text: str, secrets: list[str], where: str) -> None:
    for secret in secrets:
        assert secret not in text, f"{where}: the secret {secret[:4]}… leaked"
        for piece in (secret[:12], secret[-12:]):
            assert piece not in text, f"{where}: a piece of the secret {secret[:4]}… leaked"


kinds = st.sampled_from(sorted(FORMATS))
seeds = st.integers(min_value=0, max_value=2**32)
plantings = st.lists(
    st.tuples(st.sampled_from(sorted(POSITIONS)), kinds, seeds), min_size=1, max_size=4
)


@hsettings(max_examples=60)
@given(plantings)
def test_lint_and_fix_never_print_a_planted_secret(tmp_path_factory, plants) -> None:
    secrets = [(where, make_secret(kind, seed)) for where, kind, seed in plants]
    path = write(tmp_path_factory.mktemp("nb") / "planted.ipynb", planted(secrets))
    values = [s for _, s in secrets]
    report = lint_outputs(path)
    assert_masked(report, values, "lint")
    for secret in values:
        assert mask(secret) in report, f"{secret[:4]}… was not found (its mask is missing)"
    assert_masked(fix_outputs(path), values, "--fix report")


@hsettings(max_examples=25)
@given(plantings)
def test_convert_never_writes_a_planted_secret(tmp_path_factory, plants) -> None:
    from nb2prod.project.plan import plan_project
    from nb2prod.report import text

    secrets = [(where, make_secret(kind, seed)) for where, kind, seed in plants]
    path = write(tmp_path_factory.mktemp("nb") / "planted.ipynb", planted(secrets))
    values = [s for _, s in secrets]
    plan = plan_project(path)
    buf = io.StringIO()
    text.render([FileResult(str(path), plan.package.findings)], buf, color=False)
    assert_masked(buf.getvalue(), values, "convert's report")
    for rel, content in plan.files.items():
        assert_masked(content, values, rel)
        if rel.endswith(".py"):
            compile(content, rel, "exec")  # still Python
    code_secrets = [s for where, s in secrets if where in ("constant", "fstring", "function")]
    steps = next(c for rel, c in plan.files.items() if rel.endswith("/steps.py"))
    for secret in code_secrets:
        assert "os.environ[" in steps, "a secret in code is read from the environment"
        assert any(f.code == "CV019" and mask(secret) in f.message for f in plan.package.findings)


# -- the command line, end to end, on one realistic notebook --------------------------------

AWS = make_secret("aws", 1)
GITHUB = make_secret("github", 2)
STRIPE = make_secret("stripe", 3)
ALL = [AWS, GITHUB, STRIPE]


def realistic(tmp: Path) -> Path:
    """A churn notebook with an AWS key, a GitHub token and a Stripe key where people
    leave them, and a fitted model (for scaffold)."""
    cells = [
        markdown(f"# Churn model\nCredentials for the bucket: `{AWS}`."),
        code(
            "import os\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
        ),
        code(
            f'AWS_ACCESS_KEY_ID = "{AWS}"\n'
            f'df = pd.read_csv("/home/ana/{GITHUB}/customers.csv")\n'
            "df = df.dropna()\n",
            count=2,
        ),
        code(f"!pip install git+https://{GITHUB}@github.com/acme/features.git\n", count=3),
        code(
            f"# token = {GITHUB}\n"
            f'url = f"https://api.stripe.com/v1/charges?key={STRIPE}&n={{len(df)}}"\n',
            outputs=[error_output(STRIPE)],
            count=4,
        ),
        code(
            'X = df[["tenure", "monthly"]]\ny = df["churned"]\n'
            "model = LogisticRegression().fit(X, y)\n"
            f'h = {{"Authorization": "Bearer {STRIPE}"}}; score = model.score(X, y)\n',
            count=5,
        ),
    ]
    folder = tmp / "project"
    folder.mkdir()
    (folder / "pyproject.toml").write_text(
        '[tool.nb2prod]\ndata-uri = "s3://acme-data/churn"\n', encoding="utf-8"
    )
    return write(folder / "churn.ipynb", notebook(cells))


def run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [console_script(), *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def test_every_lint_output_of_the_command_line_is_masked(tmp_path: Path) -> None:
    nb = realistic(tmp_path)
    folder = nb.parent
    seen = []
    for fmt in ("text", "json", "sarif", "github"):
        proc = run("lint", "--no-cache", "-f", fmt, nb.name, cwd=folder)
        assert proc.returncode == 1, proc.stderr
        seen += [proc.stdout, proc.stderr]
        out = folder / f"report.{fmt}"
        proc = run("lint", "--no-cache", "-f", fmt, "-o", out.name, nb.name, cwd=folder)
        seen += [out.read_text(encoding="utf-8"), proc.stdout, proc.stderr]
    json.loads(seen[5]), json.loads(seen[7])  # the JSON reports are valid JSON
    for extra in (["--statistics"], ["--diff"], ["--show-fixes"], ["-q"]):
        proc = run("lint", "--no-cache", *extra, nb.name, cwd=folder)
        seen += [proc.stdout, proc.stderr]
    proc = run("lint", "-", "--stdin-filename", nb.name, cwd=folder, stdin=nb.read_text())
    seen += [proc.stdout, proc.stderr]
    for _ in range(2):  # the second run reads the cache
        proc = run("lint", "-f", "json", nb.name, cwd=folder)
        seen += [proc.stdout, proc.stderr]
    everything = "\n".join(seen)
    assert_masked(everything, ALL, "lint")
    for secret in ALL:
        assert mask(secret) in everything
    # The text report names the lines whose findings quoted the secrets: masked there too.
    text = seen[0]
    for code_ in ("IO001", "NB001", "NB006", "PYE702"):
        assert code_ in text


def test_fix_report_and_rerun_are_masked(tmp_path: Path) -> None:
    nb = realistic(tmp_path)
    proc = run("lint", "--no-cache", "--fix", "--show-fixes", nb.name, cwd=nb.parent)
    assert_masked(proc.stdout + proc.stderr, ALL, "--fix")
    assert "fixed" in proc.stderr and mask(AWS) in proc.stderr
    fixed = nb.read_text(encoding="utf-8")
    assert AWS not in fixed and STRIPE not in fixed  # literal, comment, f-string, output
    assert "{os.environ['STRIPE_API_KEY']}" in join_source(json.loads(fixed)["cells"][4]["source"])
    again = run("lint", "--fix", nb.name, cwd=nb.parent)  # with the cache this time
    assert_masked(again.stdout + again.stderr, ALL, "--fix again")


def test_convert_and_scaffold_write_no_secret(tmp_path: Path) -> None:
    nb = realistic(tmp_path)
    out = tmp_path / "build"
    proc = run("convert", nb.name, "-o", str(out), "--allow-partial", cwd=nb.parent)
    assert proc.returncode == 0, proc.stderr
    proc2 = run("scaffold", str(out), cwd=nb.parent)
    assert proc2.returncode == 0, proc2.stderr
    assert_masked(proc.stdout + proc.stderr + proc2.stdout + proc2.stderr, ALL, "reports")
    assert "CV019" in proc.stderr
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 10
    for p in files:
        assert_masked(p.read_text(encoding="utf-8", errors="replace"), ALL, str(p))
    steps = (out / "src" / "churn" / "steps.py").read_text(encoding="utf-8")
    assert 'os.environ["AWS_ACCESS_KEY_ID"]' in steps or "AWS_ACCESS_KEY_ID" in steps
    assert "{os.environ['STRIPE_API_KEY']}" in steps
    assert mask(GITHUB) in steps  # the comment keeps the masked form
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert mask(GITHUB) in readme  # the findings it lists quote the path, masked
    proc3 = run("convert", nb.name, "-o", str(tmp_path / "fixed"), "--fix", cwd=nb.parent)
    assert_masked(proc3.stdout + proc3.stderr, ALL, "convert --fix")
    for p in (tmp_path / "fixed").rglob("*"):
        if p.is_file():
            assert_masked(p.read_text(encoding="utf-8", errors="replace"), ALL, str(p))
