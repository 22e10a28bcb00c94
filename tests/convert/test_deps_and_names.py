"""A package an engineer would merge: dependencies as compatible ranges plus a pinned lock
file, every runtime import declared (pandas' engines, fsspec filesystems), a missing
environment variable answered in one line, and step names that say what a step does."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from nb2prod.config import load_settings
from nb2prod.convert import render_package, run
from nb2prod.convert.deps import compatible_range, satisfies
from nb2prod.convert.env_reads import find_env_reads
from nb2prod.convert.steps import MODULE_NAMES
from nb2prod.notebook.load import load_notebook
from nb2prod.notebook.parse import parse_notebook
from tests.helpers import CORPUS, code, markdown, notebook, write

# -- dependencies: ranges in pyproject.toml, exact pins in requirements.lock ------------


def _project(files: dict[str, str]) -> list[str]:
    return tomllib.loads(files["pyproject.toml"])["project"]["dependencies"]


def _lock(files: dict[str, str]) -> dict[str, str]:
    lines = [ln for ln in files["requirements.lock"].splitlines() if ln and ln[0] != "#"]
    return dict(ln.split("  #")[0].partition("==")[::2] for ln in lines)


@pytest.mark.parametrize(
    ("installed", "expected"),
    [
        ("2.1.4", ">=2.1,<3"),
        ("0.13.2", ">=0.13,<1"),
        ("5", ">=5,<6"),
        ("1.26.4.post1", ">=1.26,<2"),
        ("2.1.0+cpu", ">=2.1,<3"),
        ("1.0.0rc1", ">=1.0.0rc1,<2"),  # a pre-release: its own version is the floor
        ("2024.2.0", ">=2024.2"),  # calendar versioning: next year is no new API
    ],
)
def test_compatible_range_from_the_installed_version(installed, expected):
    assert compatible_range(installed) == expected


@pytest.mark.parametrize(
    ("installed", "spec", "ok"),
    [("4.66.1", ">=4", True), ("4.66.1", ">=4,<4.5", False), ("1.2.3", "~=1.2", True)]
    + [("1.3", "~=1.2.0", False), ("2.0", "==2.*", False), ("2.0", "!=2.0", False)],
)
def test_satisfies_reads_release_clauses(installed, spec, ok):
    assert satisfies(installed, spec) is ok


def test_pyproject_has_ranges_and_the_lock_pins_what_is_installed(tmp_path):
    nb = write(
        tmp_path / "deps.ipynb",
        notebook(
            [
                code("!pip install -q 'requests==2.31.0' 'tqdm>=4' nb2prod-not-a-dist\nimport os"),
                code("import pandas as pd\nimport numpy as np\nimport requests\nimport tqdm"),
                code("print(pd.Series(np.arange(3)).sum(), os.sep)"),
            ]
        ),
    )
    plan, files = render_package(nb)
    deps = _project(files)
    pandas, numpy = version("pandas"), version("numpy")
    major, minor = (int(p) for p in pandas.split(".")[:2])
    assert f"pandas>={major}.{minor},<{major + 1}" in deps
    assert any(d.startswith("numpy>=") and ",<" in d for d in deps)
    assert "requests>=2.31,<3" in deps  # the notebook's pin becomes a range ...
    assert "tqdm>=4" in deps  # ... its own range stays as written
    assert not any("==" in d for d in deps)
    lock = _lock(files)
    assert lock["pandas"] == pandas and lock["numpy"] == numpy
    assert lock["requests"] == "2.31.0"  # ... and the lock keeps the notebook's pin
    assert lock["nb2prod-not-a-dist"] == ""  # not installed here: named, not pinned
    assert "nb2prod-not-a-dist  # not installed" in files["requirements.lock"]
    locked = [ln.split("  #")[0] for ln in files["requirements.lock"].splitlines()]
    assert plan.requirements == [ln for ln in locked if ln[0] != "#"]
    header = "\n".join(ln for ln in files["requirements.lock"].splitlines() if ln[0] == "#")
    assert "pip install -r requirements.lock ." in header and "pip freeze" in header
    assert "requirements.lock" in files["README.md"]


def _needs(tmp_path: Path, *cells: str, name: str = "io") -> list[str]:
    nb = write(tmp_path / f"{name}.ipynb", notebook([code(c) for c in cells]))
    plan, files = render_package(nb)
    assert plan.dependencies == _project(files)
    return [d.split(">")[0].split("=")[0] for d in plan.dependencies]


def test_runtime_needs_of_pandas_io_come_from_the_io_events(tmp_path):
    got = _needs(
        tmp_path,
        "import pandas as pd",
        'old = pd.read_excel("data/old.xls")\nnew = pd.read_excel("data/new.XLSX")\n'
        'both = pd.concat([old, new])\nboth.to_parquet("out/both.parquet")\n'
        'table = pd.read_html("https://example.com/t.html")\nax = both.plot.bar()\n'
        "print(len(both), len(table), ax)",
    )
    assert got == ["lxml", "matplotlib", "openpyxl", "pandas", "pyarrow", "xlrd"]


def test_remote_uris_need_fsspec_and_the_schemes_filesystem(tmp_path):
    got = _needs(
        tmp_path,
        "import pandas as pd",
        'a = pd.read_csv("s3://acme/sales.csv")\nb = pd.read_json("gs://acme/events.json")\n'
        'c = pd.read_csv("az://container/logs.csv")\nprint(len(a), len(b), len(c))',
    )
    assert got == ["adlfs", "fsspec", "gcsfs", "pandas", "s3fs"]


def test_local_files_and_engines_given_need_nothing_more(tmp_path):
    got = _needs(
        tmp_path,
        "import pandas as pd\nimport numpy as np",
        'df = pd.read_csv("data/a.csv")\nwb = pd.read_excel("data/b.xls", engine="openpyxl")\n'
        "x = np.arange(3)\nprint(len(df), len(wb), x.sum())",
    )
    assert got == ["numpy", "openpyxl", "pandas"]  # no xlrd, fsspec, s3fs, matplotlib


def test_convert_fix_to_s3_adds_fsspec_and_s3fs(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.nb2prod]\ndata-uri = "s3://acme-data/sales"\n', encoding="utf-8"
    )
    nb = write(
        tmp_path / "sales.ipynb",
        notebook(
            [code("import pandas as pd"), code('df = pd.read_csv("data/sales.csv")\nprint(df)')]
        ),
    )
    plain = _project(render_package(nb)[1])
    assert not any(d.startswith(("fsspec", "s3fs")) for d in plain)
    out = tmp_path / "pkg"
    result = run(nb, out, fix_settings=load_settings(start=tmp_path))
    assert result.exit_code == 0, result.findings
    steps = (out / "src" / "sales" / "steps.py").read_text()
    assert "NB2PROD_DATA_URI" in steps  # the read goes to the data URI now
    names = {
        d.split(">")[0]
        for d in tomllib.loads((out / "pyproject.toml").read_text())["project"]["dependencies"]
    }
    assert {"fsspec", "s3fs", "pandas"} <= names


# -- a missing environment variable: one line, only when the secret is used -----------------

ENV = "NB2PROD_TEST_API_TOKEN"
UNUSED = "NB2PROD_TEST_UNUSED_TOKEN"


def _run_package(out: Path, package: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in (ENV, UNUSED, "AWS_SECRET_ACCESS_KEY")}
    clean.update(env, PYTHONPATH=str(out / "src"), MPLBACKEND="Agg")
    return subprocess.run(
        [sys.executable, "-m", package], cwd=out, env=clean, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def test_missing_variable_is_one_line_when_the_step_that_uses_it_runs(tmp_path):
    nb = write(
        tmp_path / "tokens.ipynb",
        notebook(
            [
                code(f'import os\nTOKEN = os.environ["{ENV}"]\nNEVER = os.environ["{UNUSED}"]'),
                markdown("## Count"),
                code("total = sum(range(4))\nprint('total', total)"),
                markdown("## Call the API"),
                code("print('token length', len(TOKEN) + total)"),
            ]
        ),
    )
    out = tmp_path / "pkg"
    result = run(nb, out)
    assert result.exit_code == 0, result.findings
    missing = _run_package(out, result.package, {})
    assert missing.returncode == 2
    assert missing.stdout == "total 6\n"  # the steps before the one that needs it ran
    (line,) = missing.stderr.splitlines()
    assert ENV in line and ".env.example" in line and "Traceback" not in missing.stderr
    ok = _run_package(out, result.package, {ENV: "abc"})  # UNUSED is never needed
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == "total 6\ntoken length 9\n"
    env_example = (out / ".env.example").read_text()
    assert f"{ENV}=\n" in env_example and "count_step" not in env_example
    pipeline = (out / "src" / result.package / "pipeline.py").read_text()
    assert f'TOKEN=_env.require("{ENV}")' in pipeline and UNUSED not in pipeline
    assert "TOKEN" not in (out / "src" / result.package / "steps.py").read_text().split("def ")[1]


def test_secret_moved_by_fix_is_read_when_used(tmp_path):
    secret = "q8Zr3LmN0vXbT5kYw2Hj7PaD9sEuFgC1iRoK4nMt"
    nb = write(
        tmp_path / "upload.ipynb",
        notebook(
            [
                code(f'import os\nAWS_SECRET_ACCESS_KEY = "{secret}"'),
                markdown("## Rows"),
                code("rows = [1, 2, 3]\nprint(len(rows))"),
                markdown("## Sign"),
                code("print('signing with', len(AWS_SECRET_ACCESS_KEY), rows)"),
            ]
        ),
    )
    out = tmp_path / "pkg"
    result = run(nb, out, fix_settings=load_settings(start=tmp_path))
    assert result.exit_code == 0, result.findings
    assert secret not in (out / "src" / "upload" / "steps.py").read_text()
    missing = _run_package(out, "upload", {})
    assert (missing.returncode, missing.stdout) == (2, "3\n"), missing.stderr
    assert "AWS_SECRET_ACCESS_KEY" in missing.stderr and len(missing.stderr.splitlines()) == 1
    ok = _run_package(out, "upload", {"AWS_SECRET_ACCESS_KEY": "x" * 40})
    assert ok.returncode == 0 and ok.stdout == "3\nsigning with 40 [1, 2, 3]\n", ok.stderr


def test_other_key_errors_keep_their_traceback(tmp_path):
    nb = write(
        tmp_path / "lookup.ipynb",
        notebook(
            [
                code(f'import os\nTOKEN = os.environ["{ENV}"]'),
                code('d = {"a": 1}\nprint(d["b"], TOKEN)'),
            ]
        ),
    )
    out = tmp_path / "pkg"
    assert run(nb, out).exit_code == 0
    got = _run_package(out, "lookup", {ENV: "set"})
    assert got.returncode == 1 and "Traceback" in got.stderr and "KeyError: 'b'" in got.stderr


def test_only_reads_that_cannot_change_are_deferred(tmp_path):
    cells = [
        code('import os\nA = os.environ["A"]\nB = os.environ["B"]\nB = B.strip()'),
        code('if A:\n    C = os.environ["C"]\nprint(A, B)'),
    ]
    nb = load_notebook(write(tmp_path / "a.ipynb", notebook(cells)))
    assert [(e.name, e.env) for e in find_env_reads(parse_notebook(nb))] == [("A", "A")]
    cells.append(code('os.environ["A"] = "changed"'))
    nb = load_notebook(write(tmp_path / "b.ipynb", notebook(cells)))
    assert find_env_reads(parse_notebook(nb)) == []  # the notebook changes the environment


# -- step names -----------------------------------------------------------------------------


def _names(tmp_path: Path, cells: list[dict], name: str = "nb") -> list[str]:
    plan, _ = render_package(write(tmp_path / f"{name}.ipynb", notebook(cells)))
    return [s.name for s in plan.steps]


def test_steps_are_named_by_what_their_calls_do(tmp_path):
    names = _names(
        tmp_path,
        [
            code(
                "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
                "from sklearn.linear_model import LinearRegression"
            ),
            code('df = pd.read_csv("data.csv")'),
            code('X_train, X_test, y_train, y_test = train_test_split(df[["x"]], df["y"])'),
            code("model = LinearRegression()\nmodel.fit(X_train, y_train)"),
            code("print(model.score(X_test, y_test), len(df))"),
        ],
    )
    assert names[:3] == ["load_df", "split_train_test", "fit_model"]


def test_in_place_changes_read_as_cleaning(tmp_path):
    names = _names(
        tmp_path,
        [
            code("import pandas as pd\ndf = pd.DataFrame({'a': [1.0, None]})"),
            code("df.dropna(inplace=True)\ndf['b'] = df['a'] * 2"),
            code("print(df)"),
        ],
    )
    assert names[:2] == ["make_df", "clean_df"]


def test_same_verb_and_names_told_apart_by_the_model(tmp_path):
    names = _names(
        tmp_path,
        [
            code(
                "from sklearn.linear_model import LinearRegression, Ridge\nX, y = [[0], [1]], [0, 1]"
            ),
            code("model = LinearRegression().fit(X, y)\nprint(model.coef_)"),
            code("model = Ridge(alpha=1.0).fit(X, y)\nprint(model.coef_)"),
            code("print(model.intercept_)"),
        ],
    )
    assert names[1:] == ["fit_model_linear_regression", "fit_model_ridge"]


def test_headings_never_name_a_module_and_repeats_take_the_enclosing_heading(tmp_path):
    names = _names(
        tmp_path,
        [
            code("import pandas as pd"),
            markdown("# Pipeline"),
            code('df = pd.DataFrame({"x": [1, 2]})'),
            markdown("## Settings"),
            code('df["y"] = df["x"] * 2'),
            markdown("# Matplotlib style\n## Set title"),
            code("print(df.x.sum())"),
            markdown("# Object style\n\n## Set title"),
            code("print(df.y.sum())"),
            markdown("## Long heading of a step and"),
            code("print(df)"),
        ],
    )
    assert names == [
        "pipeline_step",
        "settings_step",
        "matplotlib_style_set_title",
        "object_style_set_title",
        "long_heading_of_a_step",  # no dangling "and"
    ]


def test_a_heading_taken_by_a_variable_gets_the_verb(tmp_path):
    names = _names(
        tmp_path,
        [
            code("import pandas as pd"),
            markdown("## Data"),
            code('data = pd.read_csv("data.csv")'),
            markdown("## Summary"),
            code("print(data.describe())"),
        ],
    )
    assert names == ["load_data", "summary"]


RUNNABLE = sorted((CORPUS / "runnable").glob("*.ipynb"))


@pytest.mark.skipif(not RUNNABLE, reason="needs ../shared/corpus/runnable")
def test_corpus_step_names_are_unique_and_never_a_module_name():
    numbered = total = 0
    for path in RUNNABLE:
        plan, _ = render_package(path)
        names = [s.name for s in plan.steps]
        assert len(set(names)) == len(names), path.name
        assert not set(names) & MODULE_NAMES, path.name
        assert all(n.isidentifier() for n in names), path.name
        total += len(names)
        numbered += sum(n.rsplit("_", 1)[-1].isdigit() for n in names)
    assert numbered <= total // 20, (numbered, total)  # numbers are the last resort


# -- the generated package installs and runs in a fresh virtual environment ------------------


def test_generated_package_installs_and_runs_in_a_fresh_venv(tmp_path):
    """`pip install ./project` in a new venv brings every distribution the package needs at
    run time: here openpyxl, which pandas' read_excel/to_excel need but nothing imports."""
    nb = write(
        tmp_path / "scores.ipynb",
        notebook(
            [
                code("import pandas as pd"),
                code(
                    'scores = pd.DataFrame({"name": ["a", "b", "c"], "score": [3, 1, 2]})\n'
                    'scores.to_excel("scores.xlsx", index=False)'
                ),
                code('back = pd.read_excel("scores.xlsx")\nprint(back["score"].sum())'),
            ]
        ),
    )
    project = tmp_path / "project"
    result = run(nb, project)
    assert result.exit_code == 0, result.findings
    assert "openpyxl" in {d.split(">")[0] for d in _project_file(project)}
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(project)],
        capture_output=True, text=True, timeout=900, env=env,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr
    ran = subprocess.run(
        [str(python), "-m", "scores"], cwd=project, capture_output=True, text=True,
        timeout=300, env=env,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "6\n"
    assert "ImportError" not in ran.stderr


def _project_file(project: Path) -> list[str]:
    return tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"]
