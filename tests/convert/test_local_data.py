"""Notebooks that read local files by relative path: the package reads them through its
data root, ``--verify`` runs the notebook in a copy of its folder, and ``python -m <pkg>``
and the generated tests pass from the project folder, leaving the notebook's folder as it
was. Corpus: ``../shared/corpus/local-data`` (a subset here; all of them in
``benchmarks/convert_bench.py --corpus ../shared/corpus/local-data``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nb2prod.convert import run
from nb2prod.convert.local_paths import notebook_climb
from nb2prod.convert.magic_output import cleaned, framed_sources
from nb2prod.convert.scratch import notebook_scratch
from nb2prod.convert.verify import has_nbclient, record_golden, verify
from tests.convert.helpers import run_package
from tests.convert.local_notebooks.make_churn import make
from tests.helpers import CORPUS, code, notebook, write

LOCAL_DATA = CORPUS / "local-data"
needs_kernel = pytest.mark.skipif(
    not has_nbclient(sys.executable), reason="nbclient/ipykernel missing"
)


def _tree(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_size
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {**env, "MPLBACKEND": "Agg"}


def _python_m(project: Path, package: str, *args: str) -> subprocess.CompletedProcess:
    return run_package(project, package, *args, cwd=project, timeout=300)


def _generated_tests(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=project,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


# -- the rewrite -------------------------------------------------------------------------


def _steps_source(project: Path, package: str) -> str:
    return (project / "src" / package / "steps.py").read_text(encoding="utf-8")


def test_local_reads_and_writes_go_through_the_paths_module(tmp_path):
    nb = write(
        tmp_path / "nb.ipynb",
        notebook(
            [
                code("import pandas as pd\nfrom pathlib import Path\nimport os"),
                code("df = pd.read_csv('data/x.csv')\ntext = Path('notes.txt').read_text()"),
                code("!mkdir -p out/figures\nos.makedirs('models', exist_ok=True)"),
                code("df.to_csv('out/clean.csv')\nback = pd.read_csv('out/clean.csv')"),
                code("remote = pd.read_csv('s3://bucket/key.csv')\nprint(len(back), len(remote))"),
            ]
        ),
    )
    res = run(nb, tmp_path / "pkg")
    assert res.exit_code == 0, [f.message for f in res.findings]
    src = _steps_source(tmp_path / "pkg", res.package)
    assert "pd.read_csv(_paths.data('data/x.csv'))" in src.replace('"', "'")
    assert "_paths.data(Path('notes.txt')).read_text()" in src.replace('"', "'")
    assert "_paths.makedirs('out/figures')" in src.replace('"', "'")
    assert "os.makedirs(_paths.folder('models'), exist_ok=True)" in src.replace('"', "'")
    assert "df.to_csv(_paths.output('out/clean.csv'))" in src.replace('"', "'")
    assert "pd.read_csv(_paths.data('out/clean.csv'))" in src.replace('"', "'")
    assert "pd.read_csv('s3://bucket/key.csv')" in src.replace('"', "'")  # not local: as is
    assert "CV004" not in {f.code for f in res.findings}  # mkdir is no longer refused
    settings = (tmp_path / "pkg" / "src" / res.package / "settings.py").read_text()
    assert "data_root: str" in settings and "output_dir: str" in settings


def test_paths_module_resolves_reads_writes_and_written_then_read(tmp_path):
    (tmp_path / "nb" / "data").mkdir(parents=True)
    nb = write(
        tmp_path / "nb" / "nb.ipynb",
        notebook([code("import pandas as pd\ndf = pd.read_csv('data/x.csv')")]),
    )
    res = run(nb, tmp_path / "project" / "pkg")
    assert res.exit_code == 0
    sys.path.insert(0, str(tmp_path / "project" / "pkg" / "src"))
    try:
        import importlib

        paths = importlib.import_module(f"{res.package}.paths")
        settings = importlib.import_module(f"{res.package}.settings")
        cfg = settings.Settings()
        paths.configure(cfg.data_root, str(tmp_path / "out"))
        # default data root: the notebook's folder, relative to the project folder
        assert paths.data("data/x.csv") == str((tmp_path / "nb" / "data" / "x.csv").resolve())
        assert paths.data(Path("data/x.csv")) == (tmp_path / "nb" / "data" / "x.csv").resolve()
        assert paths.data("s3://b/k.csv") == "s3://b/k.csv"
        assert paths.data("/abs/x.csv") == "/abs/x.csv"
        written = paths.output("data/x.csv")
        assert written == str((tmp_path / "out" / "data" / "x.csv").resolve())
        assert (tmp_path / "out" / "data").is_dir()
        assert paths.data("data/x.csv") == written  # read after write: the written copy
        assert paths.output("../up.csv").endswith(os.path.join("out", "__up__", "up.csv"))
        env_cfg = settings.load_settings(["--data-root", "/elsewhere"])
        assert env_cfg.data_root == "/elsewhere"
    finally:
        sys.path.remove(str(tmp_path / "project" / "pkg" / "src"))
        # the package is "nb": a bare prefix test would unload nb2prod itself
        for name in [m for m in sys.modules if m == res.package or m.startswith(res.package + ".")]:
            del sys.modules[name]


# -- verify in a copy of the notebook's folder ----------------------------------------------


def test_scratch_copy_climbs_for_parent_paths_and_skips_checkpoints(tmp_path):
    top = tmp_path / "repo"
    (top / "shared" / "data").mkdir(parents=True)
    (top / "shared" / "data" / "x.csv").write_text("a\n1\n")
    (top / "nbs" / "ch1" / ".ipynb_checkpoints").mkdir(parents=True)
    (top / "nbs" / "ch1" / ".ipynb_checkpoints" / "old.ipynb").write_text("{}")
    nb = write(
        top / "nbs" / "ch1" / "nb.ipynb",
        notebook([code("import pandas as pd\ndf = pd.read_csv('../../shared/data/x.csv')")]),
    )
    assert notebook_climb(nb) == 2
    here = notebook_scratch(nb, tmp_path / "scratch", 2)
    assert here == tmp_path / "scratch" / "nbs" / "ch1"
    assert (here / "../../shared/data/x.csv").resolve().read_text() == "a\n1\n"
    assert not (here / ".ipynb_checkpoints").exists()


def test_magic_and_shell_output_is_not_expected_output():
    sources, special = framed_sources(
        [(1, "x = 1\n!ls -la\nprint('kept')"), (2, "%%time\nprint('body')"), (3, "%%timeit\n1")]
    )
    assert special == {2: "time", 3: "quiet"}
    framed = sources[1].split("\n")
    assert framed[0] == "x = 1" and framed[2] == "!ls -la" and framed[-1] == "print('kept')"
    listing = "total 8\ndrwxr-xr-x 2 root root 4096 .\n"
    text = f"{eval(framed[1][6:-1])}\n{listing}{eval(framed[3][6:-1])}\nkept\n"
    assert cleaned(text) == "kept\n"
    assert cleaned("body\nCPU times: user 2 ms, sys: 0 ns\nWall time: 3 ms\n", "time") == "body\n"
    assert cleaned("1\n1\n", "quiet") == ""


@needs_kernel
def test_realistic_churn_notebook_converts_verifies_and_runs_from_the_project(tmp_path):
    folder = tmp_path / "analysis"
    nb = make(folder)
    before = _tree(folder)
    project = tmp_path / "churn_pkg"
    res = run(nb, project)
    assert res.exit_code == 0, [(f.code, f.message) for f in res.findings]
    result = verify(nb, project, sys.executable, timeout=300)
    assert result.error is None, result.error
    assert result.faithful, (result.mismatches[:5], result.stderr_tail)
    assert result.expected_lines >= 2  # the shape and the accuracy lines, no timings
    assert record_golden(project, result) is not None
    assert _tree(folder) == before  # verify wrote nothing beside the notebook

    ran = _python_m(project, res.package)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert "accuracy" in ran.stdout
    assert (project / "output" / "models" / "churn.joblib").is_file()
    assert _tree(folder) == before

    tests = _generated_tests(project)
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert "passed" in tests.stdout


@needs_kernel
def test_a_data_root_elsewhere_is_taken_from_the_environment(tmp_path):
    nb = make(tmp_path / "analysis", rows=200)
    project = tmp_path / "pkg"
    res = run(nb, project)
    assert res.exit_code == 0
    moved = tmp_path / "moved"
    (tmp_path / "analysis").rename(moved)
    missing = _python_m(project, res.package)
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
    err = missing.stderr.strip().splitlines()
    assert len(err) == 1 and "customers.csv: no such file" in err[0]
    assert f"{res.package.upper()}_DATA_ROOT" in err[0]
    env_name = res.package.upper() + "_DATA_ROOT"
    os.environ[env_name] = str(moved)
    try:
        found = _python_m(project, res.package)
    finally:
        del os.environ[env_name]
    assert found.returncode == 0, found.stderr[-2000:]
    flag = _python_m(project, res.package, "--data-root", str(moved))
    assert flag.returncode == 0, flag.stderr[-2000:]


# -- real notebooks with their data ----------------------------------------------------------

SUBSET = [
    "mgtut__ExerciseLogisticRegressionSolution/ExerciseLogisticRegressionSolution.ipynb",
    "hoda__ch_09_exercise_1/solutions/ch_09/exercise_1.ipynb",  # reads ../../ch_09/data
    "mgtut__ExportCSVExcel/ExportCSVExcel.ipynb",  # writes CSV and XLSX beside itself
    "pmlwp__linear_regression/linear_regression.ipynb",
]


@needs_kernel
@pytest.mark.skipif(not LOCAL_DATA.is_dir(), reason=f"corpus not found at {CORPUS}")
@pytest.mark.parametrize("name", SUBSET, ids=lambda n: n.split("/")[0])
def test_local_data_notebook_end_to_end(name, tmp_path):
    pytest.importorskip("openpyxl")
    nb = LOCAL_DATA / name
    project = tmp_path / "pkg"
    res = run(nb, project)
    assert res.exit_code == 0, [(f.code, f.message) for f in res.findings if f.severity == "error"]
    result = verify(nb, project, sys.executable, timeout=300)
    assert result.error is None, result.error
    assert result.faithful, (result.mismatches[:5], result.stderr_tail)
    assert record_golden(project, result) is not None
    ran = _python_m(project, res.package)
    assert ran.returncode == 0, ran.stderr[-2000:]
    tests = _generated_tests(project)
    assert tests.returncode == 0, tests.stdout[-3000:]
