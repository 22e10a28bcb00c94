"""A representative subset of ``../shared/corpus/runnable``, end to end on every CI run:
convert, ``--verify`` (notebook executed with nbclient, package run twice), golden values
recorded, then the generated tests pass in the generated project. All 58 notebooks:
``benchmarks/convert_bench.py``.

The subset covers: statsmodels summaries (a clock in the output, so lines that change
between runs), wide frames (pandas wraps them as Jupyter does), fitted statsmodels results and scikit-learn
estimators and pipelines as step values, pandas frames, matplotlib figures."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from nb2prod.convert import run
from nb2prod.convert.verify import has_nbclient, record_golden, verify
from tests.helpers import CORPUS

RUNNABLE = CORPUS / "runnable"
SUBSET = [
    "statsmodels__ols.ipynb",
    "statsmodels__glm.ipynb",
    "sklearn__plot_feature_selection_pipeline.ipynb",
    "sklearn__plot_cv_predict.ipynb",
    "sklearn__plot_target_encoder_cross_val.ipynb",
]

pytestmark = [
    pytest.mark.skipif(not RUNNABLE.is_dir(), reason=f"corpus not found at {CORPUS}"),
    pytest.mark.skipif(not has_nbclient(sys.executable), reason="nbclient/ipykernel missing"),
]


@pytest.mark.parametrize("name", SUBSET)
def test_runnable_notebook_converts_faithfully_and_its_tests_pass(name, tmp_path):
    notebook = RUNNABLE / name
    out = tmp_path / "pkg"
    converted = run(notebook, out)
    assert converted.exit_code == 0, [f.message for f in converted.findings]

    result = verify(notebook, out, sys.executable, timeout=300)
    assert result.error is None and result.returncode == 0, result.stderr_tail
    assert result.faithful, result.mismatches[:5]
    assert result.expected_lines + result.compared_values > 0  # something was compared
    assert record_golden(out, result) is not None

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=out,
        env={**env, "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout[-2000:]
    assert " passed" in tests.stdout and "skipped" not in tests.stdout
