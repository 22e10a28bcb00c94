"""Execution order judged by def/use (CV007 only where the order changes a value, CV017
otherwise, every out-of-order cell reported), display lines that draw random numbers or
have effects kept, display calls unwrapped to their arguments' effects, and EDA-only lines
(pure bare expressions, plots) left out of the steps.

The notebooks are written with nbformat as a data scientist leaves them: execution counts
out of order, ``!pip``/``%matplotlib`` cells run late, re-run cells, ``df.sample(5)`` after a
seed, ``plt.show(plot_acf(x))``."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import numpy as np
import pytest

from nb2prod.convert import checks, render_package, run
from nb2prod.convert import classify as k
from nb2prod.convert.findings import CATALOGUE
from nb2prod.notebook.load import load_notebook
from nb2prod.notebook.parse import parse_notebook
from tests.convert.helpers import run_cells_as_script, run_package
from tests.helpers import CORPUS


def _notebook(tmp_path: Path, cells: list[tuple[str, int | None]], name: str = "nb") -> Path:
    """A notebook of code cells (source, execution count), written with nbformat."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for source, count in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.execution_count = count
        nb.cells.append(cell)
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def _order(path: Path) -> list[tuple[str, int]]:
    """The order findings as (code, cell)."""
    found = checks.order_problems(str(path), parse_notebook(load_notebook(path)))
    return [(f.code, f.cell) for f in found]


def _steps(path: Path) -> str:
    plan, files = render_package(path)
    return files[f"src/{plan.package}/steps.py"]


# -- 1. execution order ---------------------------------------------------------------------


def test_setup_cell_run_after_the_cells_below_is_a_warning_and_converts(tmp_path):
    nb = _notebook(
        tmp_path,
        [
            ("!pip install pandas\n%matplotlib inline\nimport pandas as pd\nimport numpy as np", 9),
            ("df = pd.DataFrame({'a': [1.0, 2.0, None]})", 2),
            ("df = df.fillna(0)\ntotal = df.a.sum()", 3),
            ("print(total, np.sqrt(total))", 4),
        ],
    )
    assert _order(nb) == [("CV017", 1)]
    result = run(nb, tmp_path / "out")
    assert result.exit_code == 0, [f.message for f in result.findings if f.severity == "error"]
    (warning,) = [f for f in result.findings if f.code == "CV017"]
    assert warning.severity == "warning"
    assert "after cell 2 below it" in warning.message


def test_every_out_of_order_cell_is_reported_not_only_the_first(tmp_path):
    # Two display cells re-run at the end, nothing changed what they show: two warnings.
    nb = _notebook(
        tmp_path,
        [
            ("import pandas as pd\ndf = pd.DataFrame({'a': [3, 1, 2]})", 1),
            ("df.head()", 7),
            ("df.describe()", 8),
            ("ranked = df.sort_values('a')", 4),
            ("print(ranked.a.tolist())", 5),
        ],
    )
    assert _order(nb) == [("CV017", 2), ("CV017", 3)]
    assert run(nb, tmp_path / "out").exit_code == 0


def test_display_re_run_after_the_data_changed_is_a_warning(tmp_path):
    # The display shows df with the column added below it; top to bottom it would show df
    # without it. Only what the notebook shows differs: a warning that says so.
    nb = _notebook(
        tmp_path,
        [
            ("import pandas as pd\ndf = pd.DataFrame({'a': [1, 2]})", 1),
            ("df.head()", 5),
            ("df['b'] = df['a'] * 2", 3),
            ("print(df.b.sum())", 4),
        ],
    )
    result = run(nb, tmp_path / "out")
    assert result.exit_code == 0
    (f,) = [f for f in result.findings if f.code.startswith("CV01") and f.cell == 2]
    assert f.code == "CV017" and "shows `df`" in f.message and "cell 3" in f.message


def test_late_cell_that_read_a_value_changed_below_it_is_refused(tmp_path):
    # In the notebook `clean` was computed after the fillna below it (3 rows); top to bottom
    # it is computed before (2 rows): the package would print another number.
    cells = [
        ("import pandas as pd\ndf = pd.DataFrame({'a': [1.0, None, 3.0]})", 1),
        ("clean = df.dropna()", 5),
        ("df['a'] = df['a'].fillna(0)", 4),
        ("print(len(clean))", 6),
    ]
    nb = _notebook(tmp_path, cells)
    result = run(nb, tmp_path / "out")
    assert result.exit_code == 1 and not (tmp_path / "out").exists()
    (error,) = [f for f in result.findings if f.code == "CV007"]
    assert (error.cell, error.severity) == (2, "error")
    assert "`df`" in error.message and "cell 3 (execution count 4)" in error.message
    # and the refusal is right: the two orders print different numbers
    history = run_cells_as_script([cells[i][0] for i in (0, 2, 1, 3)], tmp_path)
    file_order = run_cells_as_script([c for c, _ in cells], tmp_path)
    assert history.stdout.strip() == "3" and file_order.stdout.strip() == "2"


def test_stale_cell_below_a_re_run_cell_is_refused_at_the_stale_cell(tmp_path):
    # The data cell was re-run (count 10) after the cell below it had changed the old frame:
    # the notebook's kernel has no `b` column; top to bottom it has one.
    nb = _notebook(
        tmp_path,
        [
            ("import pandas as pd", 1),
            ("df = pd.DataFrame({'a': [1, 2]})", 10),
            ("df['b'] = df['a'] + 1\nmodel_input = df", 4),
            ("print(model_input.shape)", 11),
        ],
    )
    codes = _order(nb)
    assert ("CV007", 3) in codes and ("CV007", 2) in codes  # the stale cell, and its cause
    assert all(code in CATALOGUE for code, _ in codes)


def test_random_draws_run_in_another_order_are_refused(tmp_path):
    nb = _notebook(
        tmp_path,
        [
            ("import numpy as np\nnp.random.seed(0)", 1),
            ("a = np.random.rand()", 3),
            ("b = np.random.rand()", 2),
            ("print(a, b)", 4),
        ],
    )
    found = checks.order_problems(str(nb), parse_notebook(load_notebook(nb)))
    assert {(f.code, f.cell) for f in found} == {("CV007", 2), ("CV007", 3)}
    assert all("random state" in f.message for f in found)


def test_two_cells_setting_a_result_in_another_order_is_a_warning(tmp_path):
    nb = _notebook(
        tmp_path,
        [("threshold = 0.5", 3), ("threshold = 0.7", 2), ("print('done')", 4)],
    )
    found = checks.order_problems(str(nb), parse_notebook(load_notebook(nb)))
    assert [(f.code, f.cell) for f in found] == [("CV017", 1)]
    assert "the notebook ended with cell 1's, the package ends with cell 2's" in found[0].message


def test_cells_in_order_or_never_run_are_not_reported(tmp_path):
    nb = _notebook(
        tmp_path,
        [("x = 1", 1), ("y = x + 1", None), ("print(x)", 2), ("z = 3", None)],
    )
    assert _order(nb) == []


LOCAL = CORPUS / "local-data"


@pytest.mark.skipif(not LOCAL.is_dir(), reason="corpus not available")
def test_corpus_regression_diagnostics_converts_with_a_warning():
    # Cell 58 (Cook's distance plot) ran at 45, after the VIF cells below it (43, 44); it
    # reads `inf`, `plt`, `np`, which they do not change, and they do not read its `c`, `p`.
    path = next((LOCAL / "mlwp__Regression_Diagnostics").glob("*.ipynb"))
    plan, _ = render_package(path)
    order = [(f.code, f.cell) for f in plan.findings if f.code in ("CV007", "CV017")]
    assert order == [("CV017", 58)]
    assert not [f for f in plan.findings if f.severity == "error"]


@pytest.mark.skipif(not LOCAL.is_dir(), reason="corpus not available")
def test_corpus_decision_tree_is_refused_at_the_cell_that_changes_the_stale_frame():
    # Cells 18-21 ran (counts 25, 18, 19, 15) before cells 3-15 were re-run (34-44), which
    # read the CSV again. Cell 19 changes `df` in place (`dropna(inplace=True)`): the
    # notebook's final `df` never had that change, the package's would. The displays
    # around it are warnings.
    path = next((LOCAL / "mgtut__ExerciseDecisionTreeSolution").glob("*.ipynb"))
    plan, _ = render_package(path)
    order = sorted((f.code, f.cell) for f in plan.findings if f.code in ("CV007", "CV017"))
    assert order == [("CV007", 19), ("CV017", 18), ("CV017", 20), ("CV017", 21)]
    (error,) = [f for f in plan.findings if f.code == "CV007"]
    assert "`df`" in error.message and "top to bottom" in error.message


MESSY = sorted((CORPUS / "messy").glob("*.ipynb"))


@pytest.mark.skipif(not MESSY, reason="corpus not available")
def test_messy_corpus_out_of_order_notebooks_get_one_finding_per_reported_cell():
    """On every messy notebook: findings exactly when counts are out of file order, at
    cells that ran, at most one per cell, and each cell run before a cell above it or
    after a cell below it is either reported or in order with the rest."""
    out_of_order = refused = 0
    for path in MESSY:
        try:
            nb = load_notebook(path)
        except Exception:  # noqa: BLE001 - unreadable files are another test's business
            continue
        parsed = parse_notebook(nb)
        ran = [p for p in parsed if p.cell.execution_count is not None and p.tree is not None]
        counts = [p.cell.execution_count for p in ran]
        disordered = any(b < max(counts[: i + 1]) for i, b in enumerate(counts))
        found = checks.order_problems(str(path), parsed)
        assert bool(found) == disordered, path.name
        cells = [f.cell for f in found]
        assert len(cells) == len(set(cells)), path.name
        assert set(cells) <= {p.cell.index for p in ran}, path.name
        out_of_order += disordered
        refused += any(f.code == "CV007" for f in found)
    assert out_of_order >= 50  # the corpus README counts 61
    assert 0 < refused < out_of_order  # some orders change values, many do not


# -- 2. nothing dropped silently --------------------------------------------------------


def test_sample_after_a_seed_is_kept_and_later_draws_match_the_notebook(tmp_path):
    cells = [
        "import numpy as np\nimport pandas as pd",
        "np.random.seed(0)\ndf = pd.DataFrame({'x': np.arange(20.0), 'y': np.arange(20.0) ** 2})",
        "df.sample(5)",
        "idx = np.random.permutation(len(df))\ntrain = df.iloc[idx[:15]]\nprint(train.y.mean())",
    ]
    nb = _notebook(tmp_path, [(c, i + 1) for i, c in enumerate(cells)])
    steps = _steps(nb)
    assert "df.sample(5)" in steps
    out = tmp_path / "out"
    assert run(nb, out, name="sampled").exit_code == 0
    package = run_package(out, "sampled", cwd=tmp_path)
    notebook = run_cells_as_script(cells, tmp_path)
    assert package.returncode == 0, package.stderr
    assert package.stdout.split() == notebook.stdout.split()


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("df.sample(5)", True),
        ("df.sample(5, random_state=1)", False),
        ("df.sample(5, random_state=rng)", True),  # draws from (and advances) rng
        ("np.random.rand(3)", True),
        ("np.random.rand(3).mean()", True),
        ("random.choice(items)", True),
        ("df.head()", False),
        ("df.dropna(inplace=True)", True),
        ("lst.append(1)", True),
        ("next(it)", True),
        ("list(gen)", True),  # consumes a generator the rest may iterate
        ("len(df)", False),
        ("df.agg(my_summary)", True),  # runs the notebook's own function
        ("out_path.rename('final.csv')", True),  # pathlib moves the file
        ("df.groupby('a')['b'].mean()", False),
    ],
)
def test_display_only_lines_that_draw_or_change_state_are_kept(line, kept):
    tree = ast.parse(
        f"import random\nimport numpy as np\ndef my_summary(s):\n    return s.sum()\n{line}"
    )
    ctx = k.context([tree])
    kinds = k.classify(tree, set(), set(), ctx)
    assert (kinds[-1] == k.CODE) is kept, kinds[-1]


def test_display_calls_keep_their_arguments_effect(tmp_path):
    nb = _notebook(
        tmp_path,
        [
            (
                "from sklearn.linear_model import LinearRegression\nX, y = [[0], [1], [2]], [1, 3, 5]",
                1,
            ),
            ("model = LinearRegression()\ndisplay(model.fit(X, y))", 2),
            ("print(round(float(model.coef_[0]), 3))", 3),
        ],
    )
    steps = _steps(nb)
    assert "model.fit(X, y)" in steps and "display(" not in steps
    out = tmp_path / "out"
    assert run(nb, out, name="fitted").exit_code == 0
    package = run_package(out, "fitted", cwd=tmp_path)
    assert package.returncode == 0, package.stderr
    assert package.stdout.strip() == "2.0"


def test_plt_show_of_a_plot_keeps_the_plot_and_runs_without_a_display(tmp_path):
    # The notebook saves a figure, so its plotting lines stay; `plt.show(plot_acf(x))`
    # becomes `plot_acf(x)` (plt.show(<figure>) raises TypeError under Agg).
    nb = _notebook(
        tmp_path,
        [
            (
                "import numpy as np\nimport matplotlib.pyplot as plt\n"
                "from statsmodels.graphics.tsaplots import plot_acf",
                1,
            ),
            ("x = np.sin(np.arange(50) / 3.0)", 2),
            ("plt.show(plot_acf(x, lags=10))", 3),
            ("plt.savefig('acf.png')\nprint(round(float(x.sum()), 4))", 4),
        ],
    )
    steps = _steps(nb)
    assert "plot_acf(x, lags=10)" in steps and "plt.show(" not in steps
    out = tmp_path / "out"
    assert run(nb, out, name="acf").exit_code == 0
    work = tmp_path / "work"
    work.mkdir()
    package = run_package(out, "acf", cwd=work)
    assert package.returncode == 0, package.stderr
    assert package.stdout.strip() == str(round(float(np.sin(np.arange(50) / 3.0).sum()), 4))
    assert (work / "acf.png").exists() or list(work.rglob("acf.png"))


def test_unwrap_keeps_line_numbers_and_the_rest_of_the_line(tmp_path):
    from nb2prod.notebook.model import Cell
    from nb2prod.notebook.parse import parse_cell

    source = (
        "%matplotlib inline\n"
        "x = 1; display(df.sample(3))  # look\n"
        "display(model.fit(X,\n"
        "                  y), df.head())\n"
        "for c in cols:\n"
        "    display(df[c].value_counts())\n"
        "print(x)"
    )
    p = parse_cell(Cell(1, "code", source))
    q = k.unwrap_display(p, k.context([p.tree]))
    lines = q.python.split("\n")
    assert len(lines) == len(source.split("\n"))
    assert lines[1] == "x = 1; df.sample(3)  # look"
    assert lines[2:4] == ["(model.fit(X,", "                  y))"]
    assert lines[5] == "    pass" and lines[6] == "print(x)"
    assert q.tree is not None and q.magics == p.magics


def test_a_notebook_defined_display_is_not_unwrapped(tmp_path):
    nb = _notebook(
        tmp_path,
        [("def display(v):\n    print('shown', v)", 1), ("display(sum([1, 2]))", 2)],
    )
    assert "display(sum([1, 2]))" in _steps(nb)


# -- 3. EDA-only work out of the steps -------------------------------------------------------

EDA_CELLS = [
    "import numpy as np\nimport pandas as pd\nimport matplotlib.pyplot as plt\nimport seaborn as sns\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "from sklearn.metrics import confusion_matrix, accuracy_score",
    "rng = np.random.default_rng(3)\n"
    "df = pd.DataFrame({'a': rng.normal(size=60), 'b': rng.normal(size=60)})\n"
    "df['y'] = (df.a + df.b > 0).astype(int)",
    "df.describe()\ndf.corr()\nsns.countplot(x='y', data=df)\nplt.figure(figsize=(4, 3))\n"
    "plt.title('classes')",
    "model = LogisticRegression().fit(df[['a', 'b']], df.y)\npred = model.predict(df[['a', 'b']])\n"
    "confusion_matrix(df.y, pred)\nmodel.score(df[['a', 'b']], df.y)",
    "coefs = pd.Series(model.coef_[0], index=['a', 'b'])\ncoefs.plot(kind='barh')\n"
    "fig, ax = plt.subplots()\nax.set_xlabel('weight')\nax.bar(coefs.index, coefs.values)",
    "print(round(accuracy_score(df.y, pred), 3), coefs.round(2).tolist())",
]


def test_eda_lines_leave_the_steps_and_the_package_prints_the_same(tmp_path):
    nb = _notebook(tmp_path, [(c, i + 1) for i, c in enumerate(EDA_CELLS)])
    steps = _steps(nb)
    for gone in (
        "df.describe()",
        "df.corr()",
        "sns.countplot",
        "plt.figure(",
        "plt.title(",
        "confusion_matrix(df.y, pred)",
        "model.score(",
        "coefs.plot(",
        "ax.set_xlabel(",
        "ax.bar(",
    ):
        assert gone not in steps, gone
    assert "fig, ax = plt.subplots()" in steps  # an assignment stays
    assert "model = LogisticRegression().fit(" in steps
    out = tmp_path / "out"
    assert run(nb, out, name="eda").exit_code == 0
    package = run_package(out, "eda", cwd=tmp_path)
    notebook = run_cells_as_script(EDA_CELLS, tmp_path)
    assert package.returncode == 0, package.stderr
    assert notebook.returncode == 0, notebook.stderr
    assert package.stdout.split() == notebook.stdout.split()


def test_plots_stay_when_the_notebook_reads_a_figure_back(tmp_path):
    cells = [*EDA_CELLS[:5], "fig.savefig('coefs.png')"]
    steps = _steps(_notebook(tmp_path, [(c, i + 1) for i, c in enumerate(cells)]))
    assert "ax.set_xlabel('weight')" in steps and "sns.countplot" in steps
    assert "df.describe()" not in steps  # pure displays still leave


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("sns.countplot(x='y', data=df)", k.PLOT),
        ("sns.barplot(x='a', y='y', data=df)", k.CODE),  # bootstrap/jitter draws
        ("sns.stripplot(x='a', data=df)", k.CODE),
        ("plt.scatter(np.random.rand(5), np.random.rand(5))", k.CODE),  # draws in arguments
        ("df.plot.scatter(x='a', y='b')", k.PLOT),
        ("ax.set_title('t')", k.PLOT),
        ("model.set_params(C=2.0)", k.CODE),  # not a figure: it changes the model
        ("print(ax.get_title())", k.CODE),
        ("plt.savefig('x.png')", k.CODE),
        ("b, t = plt.ylim()\nplt.ylim(b + 0.5, t - 0.5)", k.CODE),  # limits read back
        ("np.corrcoef(df.a, df.b)", k.DISPLAY),
        ("pd.crosstab(df.a, df.y)", k.DISPLAY),
        ("np.save('a.npy', df.a)", k.CODE),
        ("np.set_printoptions(precision=2)", k.CODE),  # changes what later prints show
        ("df.groupby('y')['a'].mean()", k.DISPLAY),
    ],
)
def test_eda_classification(line, kind):
    tree = ast.parse(
        "import numpy as np\nimport pandas as pd\nimport matplotlib.pyplot as plt\n"
        "import seaborn as sns\nfig, ax = plt.subplots()\n"
        f"{line}"
    )
    ctx = k.context([tree])
    got = k.classify(tree, set(), set(), ctx)[-1]
    if line.startswith(("print(ax.", "plt.savefig", "b, t")):
        assert ctx.keep_plots  # reading a figure back keeps every plotting line
    assert got == kind


def test_finding_catalogue_has_the_new_code():
    severity, name, text = CATALOGUE["CV017"]
    assert severity == "warning" and name == "out-of-order-same-values" and text
    assert CATALOGUE["CV007"][0] == "error"
