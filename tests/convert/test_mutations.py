"""Mutation tests of the generated tests: a change to a generated step that changes what
the notebook computed (a dropped ``fillna`` or row filter, another hyper-parameter, an
unfitted model saved, a shuffled column) must make the generated tests fail.

Each notebook is converted, verified (its values recorded as golden values) once; every
mutation edits a copy of the project's ``steps.py`` and runs the project's own tests."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nb2prod.convert import run
from nb2prod.convert.verify import has_nbclient, record_golden, verify
from tests.convert.local_notebooks.make_churn import make
from tests.helpers import CORPUS

LOCAL_DATA = CORPUS / "local-data"

pytestmark = pytest.mark.skipif(
    not has_nbclient(sys.executable), reason="nbclient/ipykernel missing"
)

# notebook -> [(mutation id, pattern, replacement)]; each pattern must occur in steps.py.
MUTATIONS: dict[str, list[tuple[str, str, str]]] = {
    "churn": [
        ("drop-fillna", r"\.fillna\([^()]*\([^()]*\)\)", ""),
        ("hyper-parameter", r"C=0\.5", "C=5.0"),
        ("unfitted-model-saved", r"joblib\.dump\(model,", "joblib.dump(LogisticRegression(),"),
        (
            "shuffled-column",
            r"(\n(\s+)X = pd\.get_dummies)",
            r"\n\2df['tenure_years'] = df['tenure_years'].sample(frac=1, random_state=3)"
            r".to_numpy()\1",
        ),
    ],
    "mgtut__ExerciseLogisticRegressionSolution": [
        ("drop-row-filter", r"df = df\.loc\[~df\[\"Age\"\]\.isnull\(\), :\]", "pass"),
        ("hyper-parameter", r"LogisticRegression\(\)", "LogisticRegression(C=0.001)"),
    ],
    "mlwp__KNN_Classification": [
        (
            "hyper-parameter",
            r"KNeighborsClassifier\(n_neighbors=1\)",
            "KNeighborsClassifier(n_neighbors=7)",
        ),
    ],
}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {**env, "MPLBACKEND": "Agg"}


def _project_tests(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=project,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """notebook id -> (verified project with golden values, package name)."""
    out: dict[str, tuple[Path, str]] = {}
    base = tmp_path_factory.mktemp("mutations")
    for key in MUTATIONS:
        if key == "churn":
            nb = make(base / "churn-notebook")
        else:
            if not LOCAL_DATA.is_dir():
                continue
            nb = next((LOCAL_DATA / key).glob("*.ipynb"))
        project = base / key
        res = run(nb, project)
        assert res.exit_code == 0, [(f.code, f.message) for f in res.findings]
        result = verify(nb, project, sys.executable, timeout=300)
        assert result.faithful, (result.error, result.mismatches[:3], result.stderr_tail)
        assert record_golden(project, result) is not None
        out[key] = (project, res.package or "")
    return out


CASES = [(nb, *m) for nb, ms in MUTATIONS.items() for m in ms]


@pytest.mark.parametrize("notebook", list(MUTATIONS))
def test_unmutated_project_passes_its_tests(converted, notebook):
    if notebook not in converted:
        pytest.skip(f"corpus not found at {CORPUS}")
    project, _ = converted[notebook]
    done = _project_tests(project)
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.mark.parametrize(
    ("notebook", "mutation", "pattern", "replacement"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_a_mutated_step_fails_the_generated_tests(
    converted, tmp_path, notebook, mutation, pattern, replacement
):
    if notebook not in converted:
        pytest.skip(f"corpus not found at {CORPUS}")
    source, package = converted[notebook]
    project = tmp_path / "project"
    shutil.copytree(source, project)
    steps = project / "src" / package / "steps.py"
    text = steps.read_text(encoding="utf-8")
    mutated, count = re.subn(pattern, replacement, text)
    assert count >= 1, f"{mutation}: pattern not in the generated steps"
    steps.write_text(mutated, encoding="utf-8")
    done = _project_tests(project)
    assert done.returncode != 0, f"{mutation} went unnoticed:\n{done.stdout[-2000:]}"
    assert "failed" in done.stdout or "error" in done.stdout.lower()
