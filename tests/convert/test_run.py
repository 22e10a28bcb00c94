"""``nb2prod.convert.run``: exit codes, findings at cells, writing rules, determinism."""

from __future__ import annotations

import json

import pytest

from nb2prod.convert import render_package, run
from tests.helpers import code, markdown, notebook, write


def _nb(tmp_path, *cells, name="nb"):
    return write(tmp_path / f"{name}.ipynb", notebook(list(cells)))


def _codes(result):
    return {(f.code, f.cell, f.line) for f in result.findings}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("x = eval('1 + 1')", ("CV005", 1, 1)),
        ("exec('y = 2')", ("CV005", 1, 1)),
        ("a = 1\nget_ipython().run_line_magic('time', '')", ("CV006", 1, 2)),
        ("await something()", ("CV013", 1, 1)),
        ("!wget http://example.com/data.csv", ("CV004", 1, 1)),
        ("%cd /data", ("CV004", 1, 1)),
        ("print(_)", ("CV010", 1, 1)),
        ("print(Out[3])", ("CV010", 1, 1)),
        ("def f(x)\n    return x", ("CV001", 1, 1)),
        ("%%bash\nls", ("CV002", 1, 1)),
    ],
)
def test_unfaithful_cells_exit_1_and_write_nothing(tmp_path, source, expected):
    nb = _nb(tmp_path, code(source))
    out = tmp_path / "out"
    result = run(nb, out)
    assert expected in _codes(result)
    assert result.exit_code == 1
    assert not out.exists() and result.files == []
    partial = run(nb, out, allow_partial=True)
    assert partial.exit_code == 0 and partial.written and out.is_dir()


def test_out_of_order_execution_is_reported_at_the_cell(tmp_path):
    nb = _nb(tmp_path, code("a = 1", count=2), code("b = a", count=3), code("c = b", count=1))
    result = run(nb, tmp_path / "out")
    assert result.exit_code == 1
    assert ("CV007", 3, 1) in _codes(result)


def test_used_before_defined_is_reported(tmp_path):
    nb = _nb(tmp_path, code("print(total)"), code("total = 3"))
    result = run(nb, tmp_path / "out")
    assert ("CV008", 1, 1) in _codes(result)
    assert result.exit_code == 1


def test_global_write_in_function_is_reported(tmp_path):
    nb = _nb(tmp_path, code("n = 0\ndef bump():\n    global n\n    n += 1"), code("bump()"))
    result = run(nb, tmp_path / "out")
    assert ("CV009", 1, 4) in _codes(result)


def test_harmless_magics_do_not_block(tmp_path):
    nb = _nb(
        tmp_path, code("%matplotlib inline\n%load_ext autoreload\n!ls\nx = 1"), code("print(x)")
    )
    result = run(nb, tmp_path / "out")
    assert result.exit_code == 0
    assert {c for c, _, _ in _codes(result)} == {"CV003"}
    assert not any("matplotlib" in f.message for f in result.findings)


def test_unreadable_notebook_exits_2(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    result = run(bad, tmp_path / "out")
    assert result.exit_code == 2
    assert "bad.ipynb" in result.error and "\n" not in result.error
    assert run(tmp_path / "missing.ipynb", tmp_path / "o").exit_code == 2


def test_non_python_kernel_exits_2(tmp_path):
    doc = notebook([code("print 1")], metadata={"kernelspec": {"language": "swift"}})
    doc["metadata"]["language_info"] = {"name": "swift"}
    result = run(write(tmp_path / "s.ipynb", doc), tmp_path / "out")
    assert result.exit_code == 2 and "swift" in result.error


def test_refuses_to_overwrite_without_force(tmp_path):
    nb = _nb(tmp_path, code("x = 1"), code("print(x)"))
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = run(nb, out)
    assert result.exit_code == 2 and "--force" in result.error
    assert (out / "keep.txt").read_text() == "mine"
    forced = run(nb, out, force=True)
    assert forced.exit_code == 0
    assert not (out / "keep.txt").exists()
    assert (out / "pyproject.toml").is_file()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    assert leftovers == []


def test_empty_output_folder_is_used(tmp_path):
    nb = _nb(tmp_path, code("x = 1"))
    out = tmp_path / "out"
    out.mkdir()
    assert run(nb, out).exit_code == 0


def test_same_input_gives_the_same_bytes(tmp_path):
    """Two processes with different hash seeds write the same bytes."""
    import os
    import subprocess
    import sys

    nb = _nb(
        tmp_path,
        markdown("# Title"),
        code("import json, os\nLIMIT = 3\nrows = [1, 2, 3]\nSCALE = 1.5"),
        markdown("## Filter"),
        code("def keep(r):\n    return r < LIMIT and r * SCALE > lo\nlo, hi, mid = 0, 9, 4"),
        code("kept = list(filter(keep, rows))\nrows.append(4)\nprint(json.dumps(kept))"),
        markdown("## Report"),
        code("print(kept, rows, hi, mid, os.sep)"),
    )
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        script = (
            f"from nb2prod.convert import run; assert run({str(nb)!r}, {str(out)!r}).exit_code == 0"
        )
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=60)
        outputs.append(out)
    first, second = outputs
    files_a = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert files_a == files_b and len(files_a) == 12  # with requirements.lock
    for rel in files_a:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_package_name_from_file_and_option(tmp_path):
    nb = _nb(tmp_path, code("import json\nx = 1"), name="01 My Analysis-v2")
    plan, files = render_package(nb)
    assert plan.package == "nb_01_my_analysis_v2"
    assert "src/nb_01_my_analysis_v2/steps.py" in files
    nb2 = _nb(tmp_path, code("import json\nx = 1"), name="json")
    assert render_package(nb2)[0].package == "json_pipeline"
    assert run(nb, tmp_path / "o", name="not valid").exit_code == 2
    assert run(nb, tmp_path / "o2", name="json").exit_code == 2
    assert run(nb, tmp_path / "o3", name="good_name").package == "good_name"


def test_parameters_cell_tag_and_constants_elsewhere(tmp_path):
    nb = _nb(
        tmp_path,
        code("a = 1"),
        code("B = 'two'\nC = [1, 2]\nD = B.upper()", metadata={"tags": ["parameters"]}),
        code("A = 3\nprint(a, A, B, C, D)"),
    )
    plan, files = render_package(nb)
    # the tagged cell's literals and the constants of other cells (D is no literal)
    assert [p.name for p in plan.params] == ["a", "B", "C", "A"]
    settings = files[f"src/{plan.package}/settings.py"]
    assert "b: str = 'two'" in settings
    assert "c: list[int] = dataclasses.field(default_factory=lambda: [1, 2])" in settings
    assert "a: int = 1" in settings and "a_2: int = 3" in settings  # A collides with a
    assert [p.code_name for p in plan.params] == ["a", "b", "c", "A"]


def test_pyproject_dependencies(tmp_path):
    nb = _nb(
        tmp_path,
        code("!pip install -q 'requests==2.31.0' tqdm --upgrade\nimport sklearn, cv2\nimport os"),
        code("from PIL import Image\nimport jinja2\nimport requests"),
    )
    plan, files = render_package(nb)
    reqs = plan.requirements
    assert "requests==2.31.0" in reqs
    assert "scikit-learn" in {r.split("==")[0] for r in reqs}
    assert "opencv-python" in {r.split("==")[0] for r in reqs}
    assert "pillow" in {r.split("==")[0] for r in reqs}
    from importlib.metadata import version

    assert f"Jinja2=={version('jinja2')}" in reqs  # installed here: pinned
    assert not any(r.startswith("os") for r in reqs)
    assert any(r.startswith("tqdm") for r in reqs)
    assert '"requests>=2.31,<3",' in files["pyproject.toml"]  # a range; the lock pins
    assert "requests==2.31.0\n" in files["requirements.lock"]


def test_findings_are_data_located_at_cells(tmp_path):
    nb = _nb(tmp_path, markdown("# t"), code("x = 1"), code("y = eval('x')"))
    result = run(nb, tmp_path / "out")
    (f,) = [f for f in result.findings if f.code == "CV005"]
    assert (f.cell, f.line, f.col, f.severity) == (3, 1, 5, "error")
    assert f.source_line == "y = eval('x')"
    json.dumps(f.to_dict())


def test_local_module_and_unusable_pip_lines(tmp_path):
    (tmp_path / "helpers.py").write_text("X = 1\n")
    nb = _nb(tmp_path, code("!pip install -r requirements.txt git+https://x/y.git\nimport helpers"))
    result = run(nb, tmp_path / "out")
    codes = _codes(result)
    assert ("CV011", 1, 2) in codes
    assert ("CV012", 1, 1) in codes
    assert result.exit_code == 1


def test_display_in_a_loop_loses_the_display(tmp_path):
    # A script has no display: IPython's display() would print there, which the notebook
    # did not (its output was a display). The loop stays, its display becomes `pass`.
    nb = _nb(tmp_path, code("for i in range(2):\n    display(i)\ndisplay(3)"))
    plan, files = render_package(nb)
    steps = files[f"src/{plan.package}/steps.py"]
    assert "for i in range(2):\n        pass" in steps
    assert "display(" not in steps and "IPython" not in steps
    assert not any(r.lower().startswith("ipython") for r in plan.requirements)


def test_display_cell_magics_are_dropped_without_blocking(tmp_path):
    nb = _nb(
        tmp_path,
        code("%%javascript\nIPython.OutputArea.auto_scroll_threshold = 9999;"),
        code("x = 1"),
    )
    result = run(nb, tmp_path / "out")
    assert result.exit_code == 0
    assert ("CV003", 1, 1) in _codes(result)


@pytest.mark.parametrize(
    ("source", "code_"),
    [("return 3", "CV001"), ("x = yield 1", "CV001"), ("r = await f()", "CV013")],
)
def test_cells_a_function_cannot_hold_are_left_out(tmp_path, source, code_):
    nb = _nb(tmp_path, code("a = 1"), code(source), code("print(a)"))
    result = run(nb, tmp_path / "out", allow_partial=True)
    assert (code_, 2, 1) in _codes(result)
    steps = next((tmp_path / "out" / "src").iterdir()) / "steps.py"
    compile(steps.read_text(), str(steps), "exec")
    assert source not in steps.read_text()


def test_generated_test_lists_results_in_python_order(tmp_path):
    cells = [markdown("## A"), code("lr, X, y = abs(1), abs(2), abs(3)"), markdown("## B")]
    nb = _nb(tmp_path, *cells, code("print(lr, X, y)"))
    plan, files = render_package(nb)
    assert '["X", "lr", "y"]' in files["tests/test_pipeline.py"].replace("'", '"')


def test_function_kept_in_its_step_going_stale_is_reported(tmp_path):
    redefined = "def f():\n    return name * 2"
    stale = _nb(
        tmp_path,
        markdown("# A"),
        code("name = str(1)\ndef f():\n    return name"),
        markdown("# B"),
        code("name = str(2)\nprint(f())"),
        markdown("# C"),
        code(redefined),
        name="stale",
    )
    result = run(stale, tmp_path / "out")
    assert ("CV015", 2, 2) in _codes(result)
    assert result.exit_code == 1
    fresh = _nb(
        tmp_path,
        markdown("# A"),
        code("name = str(1)\ndef f():\n    return name\nname = str(3)\nprint(f())"),
        markdown("# B"),
        code(redefined + "\nprint(f())"),
        name="fresh",
    )
    assert not any(f.code == "CV015" for f in run(fresh, tmp_path / "out2").findings)


def test_shell_output_assigned_to_a_name_blocks(tmp_path):
    nb = _nb(tmp_path, code("files = !ls\nprint(files)"))
    result = run(nb, tmp_path / "out")
    assert ("CV004", 1, 1) in _codes(result)
    assert result.exit_code == 1


def test_lambda_kept_in_its_step_going_stale_is_reported(tmp_path):
    nb = _nb(
        tmp_path,
        markdown("# A"),
        code("k = abs(2)\ntimes = lambda x: x * k"),
        markdown("# B"),
        code("k = abs(3)\nprint(times(1))"),
    )
    assert ("CV015", 2, 2) in _codes(run(nb, tmp_path / "out"))


def test_notebook_without_code_gives_an_empty_pipeline_that_runs(tmp_path):
    import subprocess
    import sys

    nb = _nb(tmp_path, markdown("# Only words"))
    out = tmp_path / "out"
    result = run(nb, out)
    assert result.exit_code == 0
    env = {"PYTHONPATH": str(out / "src")}
    proc = subprocess.run(
        [sys.executable, "-m", result.package], cwd=tmp_path, env=env, capture_output=True
    )
    assert proc.returncode == 0, proc.stderr


def test_exports_are_returned_by_run_and_recorded_in_pyproject(tmp_path):
    nb = _nb(
        tmp_path,
        code("data = [3, 1, 2]\nmodel = sorted(data)"),
        code("print(len(data))"),
    )
    plain, files = render_package(nb)
    assert plain.results == []
    plan, files = render_package(nb, exports=["model"], source="../nb.ipynb")
    assert plan.results == ["model"]
    assert 'return {"model": model}' in files["src/nb/pipeline.py"]
    assert 'notebook = "../nb.ipynb"' in files["pyproject.toml"]
    assert 'exports = ["model"]' in files["pyproject.toml"]


def test_an_unknown_export_is_an_input_error(tmp_path):
    nb = _nb(tmp_path, code("x = 1"))
    result = run(nb, tmp_path / "out", exports=["y"])
    assert result.exit_code == 2
    assert "--export y" in result.error
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["import numpy as np\nx = np.random.normal(size=3)"], {("CV016", 1, 2)}),
        (["import numpy as np\nnp.random.seed(0)\nx = np.random.normal(size=3)"], set()),
        (["import numpy as np\nx = np.random.rand(2)", "np.random.seed(1)"], {("CV016", 1, 2)}),
        (["from numpy.random import default_rng\nrng = default_rng()"], {("CV016", 1, 2)}),
        (["import numpy as np\nrng = np.random.default_rng(42)\nx = rng.normal()"], set()),
        (["import random\nrandom.shuffle(items := [1, 2])"], {("CV016", 1, 2)}),
        (["import random\nrandom.seed(3)", "random.shuffle(items := [1, 2])"], set()),
    ],
)
def test_unseeded_randomness_is_a_warning_at_the_cell(tmp_path, cells, expected):
    nb = _nb(tmp_path, *(code(c) for c in cells))
    result = run(nb, tmp_path / "out")
    assert {x for x in _codes(result) if x[0] == "CV016"} == expected
    assert result.exit_code == 0  # a warning: the package is still written
