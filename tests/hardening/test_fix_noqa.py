"""``--fix`` honours ``noqa`` exactly as lint does, and changes only what it reports.

The README's own example (``# nb2prod: noqa: IO001``) is not rewritten; a markdown cell
under ``<!-- nb2prod: noqa -->`` is not redacted; ``ignore`` and ``per-file-ignores`` hold;
removing the output that holds a secret leaves the cell's other outputs byte for byte;
and, over generated notebooks, every change ``--fix`` makes is one lint reports.
"""

from __future__ import annotations

import json
import random
import string
import subprocess
from pathlib import Path

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from nb2prod.analysis.secrets import mask
from nb2prod.config import load_settings
from nb2prod.fix.engine import fix_notebook
from nb2prod.lint.engine import lint_file
from nb2prod.notebook.model import join_source
from tests.conftest import console_script
from tests.helpers import code, markdown, notebook, write

DATA_URI = "s3://acme-data/churn"


def key(seed: int, prefix: str = "AKIA") -> str:
    rng = random.Random(seed)
    return prefix + "".join(rng.choices(string.ascii_uppercase + string.digits, k=16))


def settings(**overrides):
    return load_settings(overrides={"data-uri": DATA_URI, **overrides}, start=Path("/"))


def cells_of(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def sources(path: Path) -> list[str]:
    return [join_source(c["source"]) for c in cells_of(path)]


def test_the_readme_noqa_example_is_not_rewritten(tmp_path: Path) -> None:
    readme = Path(__file__).resolve().parents[2] / "README.md"
    example = 'df = pd.read_csv("fixtures/small.csv")  # nb2prod: noqa: IO001'
    assert example in readme.read_text(encoding="utf-8")
    nb = write(
        tmp_path / "nb.ipynb",
        notebook(
            [
                code("import pandas as pd\n"),
                code(example + "\n"),
                code('train = pd.read_csv("data/train.csv")\n'),
            ]
        ),
    )
    result = fix_notebook(nb, settings())
    after = sources(nb)
    assert after[1] == example + "\n"  # suppressed: as it was
    assert "DATA_URI" in after[2] and "data/train.csv" not in after[2].split("DATA_URI")[0]
    assert [r.code for r in result.rewrites] == ["IO001"]
    assert all(r.cell != 2 for r in result.rewrites + result.skipped)


def test_a_noqa_for_another_code_does_not_stop_the_rewrite(tmp_path: Path) -> None:
    nb = write(
        tmp_path / "nb.ipynb",
        notebook(
            [
                code("import pandas as pd\n"),
                code('df = pd.read_csv("a.csv")  # nb2prod: noqa: NB003\n'),
            ]
        ),
    )
    fix_notebook(nb, settings())
    assert "DATA_URI" in sources(nb)[1]


def test_a_suppressed_use_keeps_the_file_local_everywhere(tmp_path: Path) -> None:
    """Moving only the unsuppressed read of a file to S3 would split it in two places."""
    nb = write(
        tmp_path / "nb.ipynb",
        notebook(
            [
                code("import pandas as pd\n"),
                code('df = pd.read_csv("data/x.csv")  # nb2prod: noqa: IO001\n'),
                code('df.to_csv("data/x.csv")\n'),
            ]
        ),
    )
    result = fix_notebook(nb, settings())
    assert sources(nb)[2] == 'df.to_csv("data/x.csv")\n'
    assert [s.code for s in result.skipped] == ["IO002"]


def test_a_markdown_cell_under_noqa_is_not_redacted(tmp_path: Path) -> None:
    secret, other = key(1), key(2)
    quiet = f"<!-- nb2prod: noqa -->\nThe shared test key: {secret}"
    nb = write(
        tmp_path / "nb.ipynb",
        notebook([markdown(quiet), markdown(f"Prod key {other}"), code("x = 1\n")]),
    )
    result = fix_notebook(nb, settings())
    after = sources(nb)
    assert after[0] == quiet
    assert other not in after[1] and "<redacted: set AWS_ACCESS_KEY_ID>" in after[1]
    assert [(r.code, r.cell) for r in result.rewrites] == [("SEC004", 2)]


def test_noqa_on_a_secret_line_and_on_a_whole_cell(tmp_path: Path) -> None:
    a, b, c = key(3), key(4), key(5)
    line = f'AWS_ACCESS_KEY_ID = "{a}"  # nb2prod: noqa: SEC001\n'
    whole = f'# nb2prod: noqa\nkey_id = "{b}"\n'
    nb = write(
        tmp_path / "nb.ipynb",
        notebook([code("import os\n"), code(line), code(whole), code(f'k = "{c}"\n')]),
    )
    fix_notebook(nb, settings())
    after = sources(nb)
    assert after[1] == line and after[2] == whole
    assert c not in after[3] and 'os.environ["AWS_ACCESS_KEY_ID"]' in after[3]


def test_ignore_and_per_file_ignores_hold(tmp_path: Path) -> None:
    secret = key(6)
    nb = write(
        tmp_path / "nb.ipynb",
        notebook(
            [markdown(f"key {secret}"), code('import pandas as pd\ndf = pd.read_csv("a.csv")\n')]
        ),
    )
    before = nb.read_text(encoding="utf-8")
    result = fix_notebook(nb, settings(ignore=["SEC004", "IO"]))
    assert nb.read_text(encoding="utf-8") == before
    assert not result.rewrites and not result.changed
    result = fix_notebook(nb, settings(**{"per-file-ignores": {"*/nb.ipynb": ["IO001"]}}))
    assert sources(nb)[1].endswith('pd.read_csv("a.csv")\n')
    assert [r.code for r in result.rewrites] == ["SEC004"]


def _stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": [text]}


def test_only_the_output_holding_the_secret_is_removed(tmp_path: Path) -> None:
    secret = key(7)
    outputs = [
        _stream("epoch 1: loss 0.31\n"),
        _stream(f"AWS_ACCESS_KEY_ID={secret}\n"),
        {"output_type": "execute_result", "data": {"text/plain": ["0.93"]}, "metadata": {},
         "execution_count": 2},
    ]  # fmt: skip
    nb = write(
        tmp_path / "nb.ipynb",
        notebook([code("import os\n", count=1), code("train()\n", outputs=outputs, count=2)]),
    )
    result = fix_notebook(nb, settings())
    kept = cells_of(nb)[1]["outputs"]
    assert kept == [outputs[0], outputs[2]]
    assert secret not in nb.read_text(encoding="utf-8")
    assert [(r.code, r.after) for r in result.rewrites] == [("SEC005", "output 2 removed")]
    assert cells_of(nb)[1]["execution_count"] == 2
    again = fix_notebook(nb, settings())
    assert not again.changed


def test_the_same_secret_in_two_outputs_removes_both(tmp_path: Path) -> None:
    secret = key(8)
    outputs = [_stream(f"key={secret}\n"), _stream("ok\n"), _stream(f"again {secret}\n")]
    nb = write(tmp_path / "nb.ipynb", notebook([code("run()\n", outputs=outputs, count=1)]))
    fix_notebook(nb, settings())
    assert cells_of(nb)[0]["outputs"] == [outputs[1]]


def test_outputs_of_a_cell_under_noqa_stay(tmp_path: Path) -> None:
    secret = key(9)
    outputs = [_stream(f"key={secret}\n")]
    nb = write(
        tmp_path / "nb.ipynb",
        notebook([code("# nb2prod: noqa: SEC005\nrun()\n", outputs=outputs, count=1)]),
    )
    before = nb.read_text(encoding="utf-8")
    fix_notebook(nb, settings())
    assert nb.read_text(encoding="utf-8") == before


def test_a_key_in_a_comment_is_found_and_redacted(tmp_path: Path) -> None:
    aws, pw = key(10), "Tr0ub4dor&3-" + key(11)[4:10]
    nb = write(
        tmp_path / "nb.ipynb",
        notebook([code(f"# my key: {aws}\n# password = {pw}\nx = 1  # nb2prod: noqa: NB003\n")]),
    )
    found = lint_file(str(nb), settings())
    assert {(f.code, f.line) for f in found.findings if f.code.startswith("SEC")} == {
        ("SEC001", 1),
        ("SEC002", 2),
    }
    assert all(aws not in f.source_line and pw not in f.source_line for f in found.findings)
    assert any(mask(pw) in f.message for f in found.findings)
    fix_notebook(nb, settings())
    assert sources(nb)[0] == (
        "# my key: <redacted: set AWS_ACCESS_KEY_ID>\n"
        "# password = <redacted: set PASSWORD>\n"
        "x = 1  # nb2prod: noqa: NB003\n"
    )


def test_the_command_line_fix_honours_noqa(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[tool.nb2prod]\ndata-uri = "{DATA_URI}"\n')
    line = 'df = pd.read_csv("fixtures/small.csv")  # nb2prod: noqa: IO001\n'
    nb = write(tmp_path / "nb.ipynb", notebook([code("import pandas as pd\n"), code(line)]))
    before = nb.read_text(encoding="utf-8")
    proc = subprocess.run(
        [console_script(), "lint", "--fix", "--no-cache", "nb.ipynb"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout  # the one finding is suppressed: clean
    assert nb.read_text(encoding="utf-8") == before
    assert "IO001" not in proc.stdout + proc.stderr


# -- over generated notebooks: every change is one lint reports --------------------------------

LINES = {
    "read": 'df = pd.read_csv("data/{n}.csv")',
    "write": 'df.to_csv("out/{n}.csv")',
    "secret": 'api_key = "{k}"',
    "fstring": 'url = f"https://x.io/?key={k}&n={{n}}"',
    "comment": "# key {k}",
    "plain": "n = {n}",
}
SUPPRESS = ["", "  # nb2prod: noqa", "  # nb2prod: noqa: IO001", "  # nb2prod: noqa: SEC001",
            "  # nb2prod: noqa: SEC002", "  # nb2prod: noqa: IO002", "  # nb2prod: noqa: NB003"]  # fmt: skip

cell_lines = st.lists(
    st.tuples(st.sampled_from(sorted(LINES)), st.sampled_from(SUPPRESS), st.integers(0, 10**6)),
    min_size=1,
    max_size=3,
)


@hsettings(max_examples=60)
@given(
    st.lists(
        st.tuples(cell_lines, st.booleans(), st.booleans()), min_size=1, max_size=4
    ),  # (lines, whole-cell noqa, markdown with a key)
)
def test_fix_changes_only_what_lint_reports(tmp_path_factory, cells) -> None:
    built = [code("import pandas as pd\nn = 1\ndf = None\n", count=1)]
    for lines, whole, prose in cells:
        body = [LINES[kind].format(n=seed % 97, k=key(seed)) + noqa for kind, noqa, seed in lines]
        if whole:
            body.insert(0, "# nb2prod: noqa")
        built.append(code("\n".join(body) + "\n", count=len(built) + 1))
        if prose:
            seed = lines[0][2]
            head = "<!-- nb2prod: noqa -->\n" if whole else ""
            built.append(markdown(f"{head}Key: {key(seed + 1, 'ASIA')}"))
    nb = write(tmp_path_factory.mktemp("nb") / "nb.ipynb", notebook(built))
    reported = {(f.code, f.cell, f.line) for f in lint_file(str(nb), settings()).findings}
    result = fix_notebook(nb, settings(), write=False)
    for r in result.rewrites:
        line = r.line or 1
        assert (r.code, r.cell, line) in reported, f"{r.code} at cell {r.cell}:{r.line}"
    # Only cells with a reported rewrite change (and the first code cell, for imports).
    changed = {r.cell for r in result.rewrites} | {1}
    if result.text:
        new = [join_source(c["source"]) for c in json.loads(result.text)["cells"]]
        old = [join_source(c["source"]) for c in built]
        assert {i + 1 for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b} <= changed
