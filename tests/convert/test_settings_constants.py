"""Parameters found where they are (issue 10): literal constants of any cell become typed
settings with one spelling each (field ``test_size``, option ``--test-size``, environment
``<PKG>_TEST_SIZE``); steps receive them as snake_case parameters and never return them; a
constant that is rebound or changed stays ordinary code; the package reproduces the notebook.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nb2prod.convert import render_package, run
from nb2prod.convert.settings_params import assign_fields, snake_case
from tests.convert.helpers import run_cells_as_script, run_package
from tests.helpers import code, markdown, notebook, write

IMPORTS = (
    "import pandas as pd\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "from sklearn.model_selection import train_test_split"
)
CONSTANTS = (
    "SEED = 42\n"
    "TEST_SIZE = 0.25\n"
    'DATA_FILE = "data/customers.csv"\n'
    'FEATURES = ["tenure", "charges"]\n'
    'TARGET = "churned"\n'
    "MAX_ITER: int = 200"
)
LOAD = "df = pd.read_csv(DATA_FILE)\nprint(df.shape)"
SPLIT = (
    "X_train, X_test, y_train, y_test = train_test_split(\n"
    "    df[FEATURES], df[TARGET], test_size=TEST_SIZE, random_state=SEED\n"
    ")\n"
    "print(len(X_train), len(X_test))"
)
TRAIN = (
    "model = LogisticRegression(max_iter=MAX_ITER, random_state=SEED)\n"
    "model.fit(X_train, y_train)\n"
    'print(f"accuracy {model.score(X_test, y_test):.4f}")\n'
    "print(model.coef_.round(4).tolist())"
)
CHURN_CELLS = [IMPORTS, CONSTANTS, LOAD, SPLIT, TRAIN]


def _churn_notebook(folder: Path) -> Path:
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    rows = ["tenure,charges,churned"]
    for i in range(40):
        tenure, charges = (i * 7) % 23, 20 + (i * 13) % 57
        rows.append(f"{tenure},{charges},{int(tenure * 3 + (i % 5) * 4 < charges)}")
    (data / "customers.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    cells = [
        markdown("# Churn"),
        code(IMPORTS),
        code(CONSTANTS),
        markdown("## Load"),
        code(LOAD),
        markdown("## Split"),
        code(SPLIT),
        markdown("## Train"),
        code(TRAIN),
    ]
    return write(folder / "churn.ipynb", notebook(cells))


def _functions(steps_source: str) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(steps_source)
    return {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}


def _step_calling(functions: dict[str, ast.FunctionDef], call: str) -> ast.FunctionDef:
    """The one step whose body calls ``call`` (step names are not this test's business)."""
    (found,) = [
        f
        for f in functions.values()
        if any(isinstance(n, ast.Call) and ast.unparse(n.func).endswith(call) for n in ast.walk(f))
    ]
    return found


def _signature(func: ast.FunctionDef) -> list[tuple[str, str | None]]:
    return [(a.arg, ast.unparse(a.annotation) if a.annotation else None) for a in func.args.args]


def _returned_names(func: ast.FunctionDef) -> set[str]:
    return {
        n.id
        for r in ast.walk(func)
        if isinstance(r, ast.Return) and r.value is not None
        for n in ast.walk(r.value)
        if isinstance(n, ast.Name)
    }


def _options(help_text: str) -> list[str]:
    return re.findall(r"--[A-Za-z0-9_-]+", help_text.split("options:", 1)[1])


def _python(out: Path, source: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(out / "src"), **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", source],
        cwd=out,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def churn(tmp_path):
    pytest.importorskip("pandas")
    pytest.importorskip("sklearn")
    nb = _churn_notebook(tmp_path)
    out = tmp_path / "pkg"
    result = run(nb, out)
    assert result.exit_code == 0, [(f.code, f.message) for f in result.findings]
    expected = run_cells_as_script(CHURN_CELLS, tmp_path)
    assert expected.returncode == 0, expected.stderr
    return nb, out, result.package, expected.stdout


def test_constants_after_the_imports_become_typed_snake_case_settings(churn):
    nb, out, pkg, _ = churn
    plan, files = render_package(nb)
    assert [(p.name, p.field, p.annotation) for p in plan.params] == [
        ("SEED", "seed", "int"),
        ("TEST_SIZE", "test_size", "float"),
        ("DATA_FILE", "data_file", "str"),
        ("FEATURES", "features", "list[str]"),
        ("TARGET", "target", "str"),
        ("MAX_ITER", "max_iter", "int"),
    ]
    got = _python(
        out,
        f"import dataclasses\nfrom {pkg}.settings import Settings\n"
        "for f in dataclasses.fields(Settings):\n"
        "    print(f.name, f.type, repr(getattr(Settings(), f.name)))",
    )
    assert got.returncode == 0, got.stderr
    fields = got.stdout.splitlines()
    assert fields[:6] == [
        "seed int 42",
        "test_size float 0.25",
        "data_file str 'data/customers.csv'",
        "features list[str] ['tenure', 'charges']",
        "target str 'churned'",
        "max_iter int 200",
    ]
    assert not any(re.match(r"[A-Z]", line) for line in fields)


def test_steps_receive_settings_as_hinted_parameters_and_never_return_them(churn):
    _, out, pkg, _ = churn
    steps = (out / "src" / pkg / "steps.py").read_text(encoding="utf-8")
    functions = _functions(steps)
    assert _signature(_step_calling(functions, "read_csv")) == [("data_file", "str")]
    assert _signature(_step_calling(functions, "train_test_split")) == [
        ("df", None),
        ("features", "list[str]"),
        ("target", "str"),
        ("test_size", "float"),
        ("seed", "int"),
    ]
    assert ("max_iter", "int") in _signature(_step_calling(functions, "LogisticRegression"))
    constants = {"SEED", "TEST_SIZE", "DATA_FILE", "FEATURES", "TARGET", "MAX_ITER"}
    settings = {"seed", "test_size", "data_file", "features", "target", "max_iter"}
    for func in functions.values():
        assert not _returned_names(func) & (constants | settings), func.name
        assert not {a.arg for a in func.args.args} & constants, func.name
    assert not {n.id for n in ast.walk(ast.parse(steps)) if isinstance(n, ast.Name)} & constants
    assert "random_state=seed" in steps and "test_size=test_size" in steps
    assert "SEED = 42" not in steps
    pipeline = (out / "src" / pkg / "pipeline.py").read_text(encoding="utf-8")
    assert "seed=_cfg.seed" in pipeline and "test_size=_cfg.test_size" in pipeline


def test_one_spelling_per_option_in_help_and_environment(churn):
    _, out, pkg, _ = churn
    helped = run_package(out, pkg, "--help", cwd=out)
    assert helped.returncode == 0, helped.stderr
    options = _options(helped.stdout)
    expected = ["--seed", "--test-size", "--data-file", "--features", "--target", "--max-iter"]
    assert [o for o in options if o in expected] == expected
    assert len(options) == len(set(options))  # each option listed once
    assert not [o for o in options if "_" in o or o != o.lower()]
    assert f"{pkg.upper()}_TEST_SIZE" in helped.stdout
    for wrong in ("--TEST_SIZE", "--TEST-SIZE", "--test_size", "--test"):
        rejected = run_package(out, pkg, wrong, "0.5", cwd=out)
        assert rejected.returncode == 2, wrong
    got = _python(
        out,
        f"from {pkg}.settings import load_settings\n"
        f"s = load_settings(['--test-size', '0.5'], environ={{}})\n"
        f"e = load_settings([], environ={{'{pkg.upper()}_TEST_SIZE': '0.4',"
        f" '{pkg.upper()}_FEATURES': \"['tenure']\"}})\n"
        f"old = load_settings([], environ={{'{pkg.upper()}_test_size': '0.4'}})\n"
        "print(s.test_size, e.test_size, e.features, old.test_size)",
    )
    assert got.returncode == 0, got.stderr
    assert got.stdout == "0.5 0.4 ['tenure'] 0.25\n"


def test_package_reproduces_the_notebook_and_settings_override_it(churn):
    _, out, pkg, expected = churn
    assert expected.splitlines()[:2] == ["(40, 3)", "30 10"]
    default = run_package(out, pkg, cwd=out)
    assert default.returncode == 0, default.stderr
    assert default.stdout == expected
    prefix = pkg.upper()
    from_env = run_package(out, pkg, env={f"{prefix}_TEST_SIZE": "0.5"}, cwd=out)
    assert from_env.returncode == 0, from_env.stderr
    assert from_env.stdout.splitlines()[1] == "20 20"
    cli_wins = run_package(
        out, pkg, "--test-size", "0.75", env={f"{prefix}_TEST_SIZE": "0.5"}, cwd=out
    )
    assert cli_wins.stdout.splitlines()[1] == "10 30", cli_wins.stderr
    seeded = run_package(out, pkg, "--seed", "7", cwd=out)
    assert seeded.returncode == 0 and seeded.stdout != expected


PARAMETERS_CELL = 'DATA_URI = "data"\nn_rows = 4\nLIMIT = 3\nTHRESHOLD = 0.5'
TAGGED_CELLS = [
    "import statistics",
    PARAMETERS_CELL,
    "SCALE = 10",
    "values = [i * SCALE for i in range(n_rows)]\n"
    "print(DATA_URI, statistics.mean(values), THRESHOLD)",
    "LIMIT = LIMIT * 2\nprint([v for v in values if v > LIMIT])",
    "print(LIMIT, len(values))",
]


def test_parameters_cell_keeps_its_literals_and_constants_elsewhere_join_them(tmp_path):
    cells = [code(s) for s in TAGGED_CELLS]
    cells[1]["metadata"] = {"tags": ["parameters"]}
    nb = write(tmp_path / "tagged.ipynb", notebook(cells))
    out = tmp_path / "pkg"
    result = run(nb, out)
    assert result.exit_code == 0, [(f.code, f.message) for f in result.findings]
    plan, _ = render_package(nb)
    by_name = {p.name: p for p in plan.params}
    assert list(by_name) == ["DATA_URI", "n_rows", "LIMIT", "THRESHOLD", "SCALE"]
    assert [p.field for p in plan.params] == ["data_uri", "n_rows", "limit", "threshold", "scale"]
    # LIMIT is rebound later: a setting (tagged), but the step code keeps the notebook name
    assert by_name["LIMIT"].code_name == "LIMIT" and not by_name["LIMIT"].constant
    assert by_name["SCALE"].code_name == "scale" and by_name["SCALE"].constant
    steps = (out / "src" / result.package / "steps.py").read_text(encoding="utf-8")
    assert "data_uri: str" in steps and "scale: int" in steps and "LIMIT: int" in steps
    helped = run_package(out, result.package, "--help", cwd=out)
    options = _options(helped.stdout)
    assert options.count("--data-uri") == 1
    assert not {"--DATA-URI", "--DATA_URI", "--data_uri"} & set(options)
    expected = run_cells_as_script(TAGGED_CELLS, tmp_path)
    assert expected.returncode == 0, expected.stderr
    got = run_package(out, result.package, cwd=out)
    assert got.returncode == 0, got.stderr
    assert got.stdout == expected.stdout
    changed = run_package(out, result.package, "--limit", "5", "--n-rows", "3", cwd=out)
    assert changed.stdout.splitlines()[1:] == ["[20]", "10 3"], changed.stderr


REBOUND_CELLS = [
    "import math",
    "BATCH = 10\n"
    'COLUMNS = ["a", "b"]\n'
    "WEIGHTS = [0.5, 0.25]\n"
    "TOTAL = 0\n"
    'NAMES = ["x", "y"]\n'
    "results = []\n"
    f"POINTS = {list(range(40))}\n"
    'data = ["p", "q"]\n'
    "EPS = 1e-9",
    'BATCH = 20\nCOLUMNS.append("c")\nWEIGHTS[0] = 1.0\nTOTAL += 5\nlast = NAMES.pop()',
    "for p in POINTS:\n    results.append(p * 2)",
    "print(BATCH, COLUMNS, WEIGHTS, TOTAL, last, NAMES, sum(results), data, math.isclose(1, 1 + EPS))",
]


def test_rebound_mutated_and_data_literals_stay_code(tmp_path):
    nb = write(tmp_path / "rebound.ipynb", notebook([code(s) for s in REBOUND_CELLS]))
    out = tmp_path / "pkg"
    result = run(nb, out)
    assert result.exit_code == 0, [(f.code, f.message) for f in result.findings]
    plan, _ = render_package(nb)
    assert [p.name for p in plan.params] == ["EPS"]
    steps = (out / "src" / result.package / "steps.py").read_text(encoding="utf-8")
    assert "BATCH = 10" in steps and 'COLUMNS = ["a", "b"]' in steps and "TOTAL = 0" in steps
    assert "EPS = " not in steps
    expected = run_cells_as_script(REBOUND_CELLS, tmp_path)
    assert expected.returncode == 0, expected.stderr
    got = run_package(out, result.package, cwd=out)
    assert got.returncode == 0, got.stderr
    assert got.stdout == expected.stdout


RENAME_CELLS = [
    "import types",
    'SEED = 3\nSCALE = 2.0\nLABEL = "n"\nOFFSET = 1',
    "ns = types.SimpleNamespace(SEED=SEED + 1)\n"
    "def grow(x):\n"
    "    scale = x * SCALE\n"
    "    return scale\n"
    "shift = lambda v: v + OFFSET\n"
    "print(ns.SEED, SEED, grow(3), [shift(i) for i in range(SEED)])\n"
    'print(f"{LABEL=}", f"{OFFSET}")',
]


def test_renaming_never_touches_attributes_keywords_or_other_names(tmp_path):
    nb = write(tmp_path / "rename.ipynb", notebook([code(s) for s in RENAME_CELLS]))
    out = tmp_path / "pkg"
    result = run(nb, out)
    assert result.exit_code == 0, [(f.code, f.message) for f in result.findings]
    plan, _ = render_package(nb)
    assert {p.name: (p.field, p.code_name) for p in plan.params} == {
        "SEED": ("seed", "seed"),
        "SCALE": ("scale", "SCALE"),  # `scale` is a local variable of grow(): not renamed
        "LABEL": ("label", "LABEL"),  # f"{LABEL=}" prints the name itself
        "OFFSET": ("offset", "offset"),
    }
    steps = (out / "src" / result.package / "steps.py").read_text(encoding="utf-8")
    assert "SimpleNamespace(SEED=seed + 1)" in steps and "ns.SEED" in steps
    assert "x * SCALE" in steps and 'f"{LABEL=}"' in steps and "v + offset" in steps
    expected = run_cells_as_script(RENAME_CELLS, tmp_path)
    assert expected.returncode == 0, expected.stderr
    got = run_package(out, result.package, cwd=out)
    assert got.returncode == 0, got.stderr
    assert got.stdout == expected.stdout == "4 3 6.0 [1, 2, 3]\nLABEL='n' 1\n"
    changed = run_package(out, result.package, "--scale", "3", "--label", "m", cwd=out)
    assert changed.stdout == "4 3 9.0 [1, 2, 3]\nLABEL='m' 1\n", changed.stderr


COLLISION_CELLS = [
    'seed = 1\nSEED = 2\nnEstimators = 5\nHELP = "usage"\nOUTPUT_DIR = "out"',
    "print(seed, SEED, nEstimators, HELP, OUTPUT_DIR)",
]


def test_fields_that_collide_get_deterministic_numbered_names(tmp_path):
    nb = write(tmp_path / "collide.ipynb", notebook([code(s) for s in COLLISION_CELLS]))
    plan, files = render_package(nb)
    assert [(p.name, p.field) for p in plan.params] == [
        ("seed", "seed"),
        ("SEED", "seed_2"),
        ("nEstimators", "n_estimators"),
        ("HELP", "help_2"),
        ("OUTPUT_DIR", "output_dir_2"),
    ]
    assert render_package(nb)[1] == files  # the same files every time
    out = tmp_path / "pkg"
    result = run(nb, out)
    assert result.exit_code == 0, [(f.code, f.message) for f in result.findings]
    helped = run_package(out, result.package, "--help", cwd=out)
    assert helped.returncode == 0, helped.stderr
    options = _options(helped.stdout)
    assert {"--seed", "--seed-2", "--n-estimators", "--help-2", "--output-dir-2"} <= set(options)
    got = run_package(out, result.package, "--seed-2", "9", cwd=out)
    assert got.stdout == "1 9 5 usage out\n", got.stderr


def test_snake_case_and_field_assignment():
    assert snake_case("TEST_SIZE") == "test_size"
    assert snake_case("nEstimators") == "n_estimators"
    assert snake_case("HTTPPort") == "http_port"
    assert snake_case("_SEED") == "seed"
    assert snake_case("MAXLAGS") == "maxlags"
    assert assign_fields(["SEED", "seed", "Seed"]) == {
        "seed": "seed",
        "SEED": "seed_2",
        "Seed": "seed_3",
    }
    assert assign_fields(["CLASS", "DATA_ROOT"]) == {"CLASS": "class_2", "DATA_ROOT": "data_root_2"}


@pytest.mark.skipif(
    not __import__("nb2prod.convert.verify", fromlist=["has_nbclient"]).has_nbclient(
        sys.executable
    ),
    reason="nbclient/ipykernel not importable",
)
def test_verify_is_faithful_and_the_generated_tests_pass(tmp_path):
    pytest.importorskip("pandas")
    pytest.importorskip("sklearn")
    from nb2prod.convert.verify import record_golden, verify

    nb = _churn_notebook(tmp_path)
    out = tmp_path / "pkg"
    assert run(nb, out).exit_code == 0
    checked = verify(nb, out, sys.executable, timeout=120)
    assert (checked.error, checked.mismatches) == (None, [])
    assert checked.faithful and checked.expected_lines == 4
    assert record_golden(out, checked) is not None
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=out,
        env={**os.environ, "PYTHONPATH": str(out / "src"), "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert " passed" in tests.stdout and "failed" not in tests.stdout


SECRET_CELLS = [
    "import hashlib",
    'API_KEY = "a81bc81b-dead-4e5d-abad-90d2b1d1aa11x9Qz"\n'
    'AWS_ACCESS_KEY_ID = "AKIANC7JYS3TO52GFOFQ"\n'
    'DB_URL = "postgresql://admin:Xq9vR2mT7pLw@db.internal:5432/sales"\n'
    'REGION = "eu-west-1"',
    "print(REGION, len(API_KEY), AWS_ACCESS_KEY_ID[:4], DB_URL.split('@')[1])",
]


def test_credentials_never_become_settings(tmp_path):
    nb = write(tmp_path / "secrets.ipynb", notebook([code(s) for s in SECRET_CELLS]))
    plan, files = render_package(nb)
    assert [p.name for p in plan.params] == ["REGION"]
    settings = files[f"src/{plan.package}/settings.py"]
    readme = files["README.md"]
    for secret in ("AKIANC7JYS3TO52GFOFQ", "Xq9vR2mT7pLw", "90d2b1d1aa11x9Qz"):
        assert secret not in settings and secret not in readme
        assert secret not in files["tests/test_pipeline.py"]
