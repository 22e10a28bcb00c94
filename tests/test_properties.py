"""Property tests: lint survives any notebook a person or a tool could have written.

Hypothesis builds notebooks from Python fragments, IPython syntax (``%``, ``%%``, ``!``, ``?``),
broken syntax, unicode, tabs and very long lines, with outputs of every type, junk metadata,
odd execution counts and cell ids. Lint must never raise, and every finding must point into
the notebook. Random bytes or text as a file must give a one-line error, never an exception.
"""

from __future__ import annotations

import atexit
import base64
import io
import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from nb2prod.config import load_settings
from nb2prod.lint.engine import lint_file, lint_paths
from nb2prod.notebook.load import load_notebook
from nb2prod.report import json_report, text
from tests.conftest import finding_problems

_DIR = Path(tempfile.mkdtemp(prefix="nb2prod-props-"))
atexit.register(shutil.rmtree, _DIR, ignore_errors=True)
SETTINGS = load_settings(start=_DIR, overrides={"cache": False})

PYTHON = [
    "import os\nimport pandas as pd",
    "import numpy as np, matplotlib.pyplot as plt",
    "from pathlib import Path",
    "df = pd.read_csv('data/train.csv')",
    "df = pd.read_parquet('s3://bucket/key.parquet')",
    "DATA_DIR = '../data'\nx = pd.read_csv(os.path.join(DATA_DIR, 'x.csv'))",
    "path = f'{DATA_DIR}/part_{i}.csv'",
    "with open('out.txt', 'w') as fh:\n    fh.write('x')",
    "open(Path.home() / 'a.json').read()",
    "df.to_csv('predictions.csv', index=False)",
    "plt.savefig('fig.png')",
    "np.save('/tmp/a.npy', arr)",
    "os.chdir('/Users/me/project')",
    "password = 'hunter2'",
    "AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY'",
    "key = 'AKIA' + 'ABCDEFGHIJKLMNOP'",
    "token = os.environ['API_TOKEN']",
    "engine = create_engine('postgresql://user:secret@db:5432/x')",
    "headers = {'Authorization': 'Bearer abcdef0123456789abcdef'}",
    "client = boto3.client('s3', aws_access_key_id='AKIAZZZZZZZZZZZZZZZZ')",
    "for i in range(3):\n    print(i)",
    "def f(x, *a, **k):\n    '''doc'''\n    return x",
    "class A(B, metaclass=M):\n    x: int = 1\n    def m(self): ...",
    "async def g():\n    async with a as b:\n        await b",
    "match cmd:\n    case [x, *rest]:\n        pass\n    case _:\n        pass",
    "@decorator(arg)\ndef h(): pass",
    "lambda x: (yield)",
    "x = [i for i in y if i]\ndel x",
    "global g\nnonlocal n",
    "return 5",
    "yield 1",
    "await something()",
    "try:\n    pass\nexcept* ValueError:\n    pass",
    "s = '''multi\n%not_magic\n!not_shell\n'''",
    "x = (\n    1,\n    2\n)",
    "print('a', end='')  # nb2prod: noqa",
    "# nb2prod: noqa: IO001, SEC",
    "if x:\n\ty = 1\n        z = 2",
    "x = 1;",
    "",
]
IPYTHON = [
    "%matplotlib inline",
    "%load_ext autoreload\n%autoreload 2",
    "%%time\nx = 1",
    "%%timeit -n 1\nsum(range(10))",
    "%%bash\nls -la\necho $HOME",
    "%%writefile helper.py\ndef f():\n    return 1",
    "%%capture out\nprint(1)",
    "%%sql\nSELECT * FROM t",
    "!pip install -q xgboost==2.0",
    "%pip install numpy",
    "pip install pandas",
    "!ls -la | grep csv",
    "files = !ls *.csv",
    "x = %env HOME",
    "%cd ~/data",
    "cd ..",
    "%run ./other.ipynb",
    "%store df",
    "df?",
    "??pd.read_csv",
    "pd.DataFrame.merge?",
    "  !echo indented",
    "%time model.fit(X, y)",
    "!python -m pip install \\\n    requests",
    "/print 1",
    ";",
]
BROKEN = [
    "def (",
    "x = (",
    ")))",
    "if True\n    pass",
    "print 'py2'",
    "exec 'code'",
    "x = 1 +",
    "'''unterminated",
    "f'{'",
    "\x00",
    "(" * 120 + ")" * 120,
    "[" * 300,
    "\\",
    "@",
    "%",
    "!",
    "?",
    "%%",
]

# Secret-shaped strings (all fake) so that the SEC rules' output, markdown and metadata
# paths run on generated notebooks too.
SECRETISH = [
    "AKIAZ7Q2LXJ4N5KD3PWE",
    "aws_secret_access_key = Zp4T0m9XkQe2Lr8sVb1Nc7Hy3Wd6Jf5Ga0Ui2Oq4",
    "ghp_Xy7Kq2Lm9Np4Rs6Tu8Vw0Za1Bc3De5Fg7Hi9Jk",
    "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx",
    "postgresql://admin:S3cr3t-pass@db.internal:5432/prod",
    "password: hunter2hunter2",
    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXZhbHVl",
]
secretish = st.sampled_from(SECRETISH)
fragment = st.one_of(
    st.sampled_from(PYTHON),
    st.sampled_from(IPYTHON),
    st.sampled_from(BROKEN),
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40).map(lambda s: f"x = {s!r}"),
    st.integers(500, 6000).map(lambda n: "y = '" + "ä" * n + "'"),
    st.builds(lambda s: "\t" + s, st.sampled_from(PYTHON)),
    secretish.map(lambda s: f"token = {s!r}"),
    secretish.map(lambda s: f"# {s}"),
)
indent = st.sampled_from(["", "", "", "    ", "\t", " "])
source_text = st.lists(st.tuples(indent, fragment), max_size=6).map(
    lambda parts: "\n".join(i + f for i, f in parts)
)
# Jupyter stores a source as one string or as a list of lines (keeping their newlines).
source = st.one_of(source_text, source_text.map(lambda s: s.splitlines(keepends=True)))

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
junk = st.recursive(
    json_leaf,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
text_or_lines = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(st.text(max_size=60), secretish), max_size=5),
    st.tuples(st.text(max_size=30), secretish).map(" ".join),
)
png = st.binary(min_size=0, max_size=64).map(
    lambda b: base64.b64encode(b"\x89PNG\r\n\x1a\n" + b).decode()
)
mime_bundle = st.dictionaries(
    st.sampled_from(
        [
            "text/plain",
            "text/html",
            "text/markdown",
            "text/latex",
            "application/javascript",
            "image/svg+xml",
            "application/vnd.jupyter.widget-view+json",
            "x-custom/thing",
        ]
    ),
    text_or_lines,
    max_size=4,
).flatmap(lambda d: st.one_of(st.just(d), png.map(lambda p: {**d, "image/png": p})))
count = st.one_of(st.none(), st.integers(-5, 60), st.just(2**63), st.just(10**30))
output = st.one_of(
    st.builds(
        lambda name, t: {"output_type": "stream", "name": name, "text": t},
        st.sampled_from(["stdout", "stderr"]),
        text_or_lines,
    ),
    st.builds(
        lambda d, n, md: {
            "output_type": "execute_result",
            "data": d,
            "metadata": md,
            "execution_count": n,
        },
        mime_bundle,
        count,
        st.dictionaries(st.text(max_size=8), junk, max_size=2),
    ),
    st.builds(
        lambda p, d: {
            "output_type": "display_data",
            "data": {**d, "image/png": p},
            "metadata": {"image/png": {"width": 10}},
        },
        png,
        mime_bundle,
    ),
    st.builds(
        lambda e, v, tb: {"output_type": "error", "ename": e, "evalue": v, "traceback": tb},
        st.sampled_from(["KeyError", "ValueError", "", "ModuleNotFoundError"]),
        st.text(max_size=60),
        st.lists(st.text(max_size=80).map(lambda s: "\x1b[0;31m" + s + "\x1b[0m"), max_size=4),
    ),
)
cell_id = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["dup", "dup", "a-b_c"]))
code_cell = st.builds(
    lambda src, outs, n, md, i: {
        "cell_type": "code",
        "id": i,
        "metadata": md,
        "source": src,
        "outputs": outs,
        "execution_count": n,
    },
    source,
    st.lists(output, max_size=3),
    count,
    st.one_of(
        st.just({}),
        st.dictionaries(st.text(max_size=8), junk, max_size=3),
        st.just({"tags": ["parameters", 3, None]}),
    ),
    cell_id,
)
md_cell = st.builds(
    lambda src, i, kind: {"cell_type": kind, "id": i, "metadata": {}, "source": src},
    st.one_of(text_or_lines, source),
    cell_id,
    st.sampled_from(["markdown", "raw"]),
)
kernelspec = st.one_of(
    st.just({"name": "python3", "display_name": "Python 3", "language": "python"}),
    st.just({"name": "ir", "language": "R"}),
    junk,
)
notebook_doc = st.builds(
    lambda cells, minor, ks, md: {
        "nbformat": 4,
        "nbformat_minor": minor,
        "metadata": {**md, "kernelspec": ks},
        "cells": cells,
    },
    st.lists(st.one_of(code_cell, code_cell, md_cell), max_size=8),
    st.one_of(st.integers(0, 5), junk),
    kernelspec,
    st.one_of(
        st.dictionaries(st.text(max_size=10), junk, max_size=3),
        secretish.map(lambda s: {"env": {"API_KEY": s}}),
    ),
)
# Fields of the wrong type, as hand edits and broken tools leave them: the loader may reject
# the file (one line) or accept it, and then lint must cope.
odd_output = st.fixed_dictionaries(
    {"output_type": st.sampled_from(["stream", "execute_result", "display_data", "error", "x"])},
    optional={k: junk for k in ("name", "text", "data", "metadata", "ename", "evalue", "traceback")}
    | {"execution_count": st.one_of(junk, st.just("3"))},
)
odd_cell = st.fixed_dictionaries(
    {"cell_type": st.sampled_from(["code", "markdown", "raw"]), "source": source},
    optional={
        "outputs": st.lists(st.one_of(odd_output, junk), max_size=3),
        "execution_count": st.one_of(junk, st.just("7")),
        "metadata": junk,
        "id": junk,
        "attachments": junk,
    },
)
odd_doc = st.builds(
    lambda cells, md: {"nbformat": 4, "nbformat_minor": 5, "metadata": md, "cells": cells},
    st.lists(odd_cell, max_size=5),
    junk,
)


def _write(doc: dict, name: str = "nb.ipynb") -> Path:
    path = _DIR / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@given(notebook_doc)
def test_lint_never_raises_and_findings_point_into_the_notebook(doc: dict) -> None:
    path = _write(doc)
    result = lint_file(str(path), SETTINGS)
    assert result.error is None, result.error
    event("with findings" if result.findings else "no findings")
    assert finding_problems(result, load_notebook(path)) == []
    json.loads(json_report.render([result]))
    text.render([result], io.StringIO(), color=False)


@settings(max_examples=30)  # one ruff process per example
@given(st.lists(notebook_doc, min_size=1, max_size=4))
def test_whole_pipeline_with_ruff_on_generated_notebooks(docs: list[dict]) -> None:
    """``lint_paths`` adds ruff's PY findings, noqa and sorting; locations must stay valid."""
    paths = [_write(doc, f"batch{i}.ipynb") for i, doc in enumerate(docs)]
    results = lint_paths([str(p) for p in paths], SETTINGS, jobs=1, use_cache=False)
    assert [r.path for r in results] == sorted(str(p) for p in paths)
    for r in results:
        assert r.error is None, r.error
        assert finding_problems(r, load_notebook(r.path)) == []


@given(odd_doc)
@example(  # found by this test: a traceback that is not a list
    {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {
                "cell_type": "code",
                "source": "",
                "outputs": [{"output_type": "error", "ename": "E", "evalue": "v", "traceback": 5}],
            }
        ],
    }
)
def test_fields_of_the_wrong_type_are_rejected_in_one_line_or_linted(doc: dict) -> None:
    path = _write(doc, "odd.ipynb")
    result = lint_file(str(path), SETTINGS)
    if result.error is not None:
        assert "\n" not in result.error and str(path) in result.error
    else:
        assert finding_problems(result, load_notebook(path)) == []
        json.loads(json_report.render([result]))


@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_random_bytes_give_a_one_line_error(data: bytes) -> None:
    path = _DIR / "random.ipynb"
    path.write_bytes(data)
    result = lint_file(str(path), SETTINGS)
    if result.error is None:  # only a real notebook document may pass
        assert json.loads(data.decode("utf-8-sig")).get("nbformat") in (3, 4)
    else:
        assert "\n" not in result.error and str(path) in result.error
        assert result.findings == []


@given(notebook_doc, st.integers(0, 400))
def test_truncated_notebooks_give_a_one_line_error(doc: dict, cut: int) -> None:
    full = json.dumps(doc)
    path = _DIR / "cut.ipynb"
    path.write_text(full[: min(cut, len(full) - 1)], encoding="utf-8")
    result = lint_file(str(path), SETTINGS)
    assert result.error is not None and "\n" not in result.error
