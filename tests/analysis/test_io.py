"""IO events from the call catalogue, path literals, and the settings-driven IO006."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from nb2prod.analysis.context import Analysis
from nb2prod.analysis.io import (
    CHDIR,
    FS,
    LIST,
    READ,
    WRITE,
    build_catalogue,
    catalogue,
    fits_shape,
    path_style,
)
from nb2prod.analysis.values import LOCAL, REMOTE, Value
from nb2prod.config import load_settings
from nb2prod.lint.engine import lint_file
from nb2prod.notebook.load import load_notebook
from tests.helpers import CORPUS, code, markdown, notebook, write


def analysis(tmp_path: Path, *cells: str, **overrides: object) -> Analysis:
    nb = write(tmp_path / "n.ipynb", notebook([code(c) for c in cells]))
    settings = load_settings(start=tmp_path, overrides={"cache": False, **overrides})
    return Analysis(load_notebook(str(nb)), settings)


def lint(tmp_path: Path, *cells: str, **overrides: object) -> list[tuple[str, int, int]]:
    nb = write(tmp_path / "n.ipynb", notebook([code(c) for c in cells]))
    settings = load_settings(
        start=tmp_path, overrides={"select": ["IO"], "cache": False, **overrides}
    )
    result = lint_file(str(nb), settings)
    assert result.error is None
    return sorted((f.code, f.cell or 0, f.line) for f in result.findings)


# -- the catalogue -------------------------------------------------------------------------
def test_shipped_catalogue_is_well_formed() -> None:
    cat = catalogue()
    assert cat is catalogue()  # read once
    specs = [*cat.functions.values(), *cat.methods.values(), *cat.receiver_methods.values()]
    specs += [spec for entries in cat.suffixes.values() for _, spec in entries]
    assert {s.kind for s in specs} == {READ, WRITE, LIST, FS, CHDIR}
    assert all(s.shape in {"any", "file", "path"} for s in specs)
    assert cat.function("pandas.read_csv").kind == READ
    assert cat.function("tensorflow.keras.models.load_model").kind == READ
    assert cat.function("keras.models.load_model").kind == READ
    assert cat.function("os.chdir").kind == CHDIR
    assert cat.methods["to_csv"].kind == WRITE
    assert cat.receiver_methods["mkdir"].kind == FS
    assert cat.ignored("sklearn.datasets.load_iris") and not cat.ignored("sklearnx.load")


def test_catalogue_is_data_a_team_can_extend() -> None:
    cat = build_catalogue(
        {
            "call": [
                {"kind": "read", "functions": ["acme.io.load"], "path": 1, "keywords": ["src"]},
                {"kind": "write", "methods": ["persist"], "shape": "file"},
            ],
            "ignore": {"functions": ["acme.fixtures.*"]},
        }
    )
    spec = cat.function("acme.io.load")
    assert spec is not None and spec.paths == (1,) and "src" in spec.keywords
    assert cat.methods["persist"].shape == "file"
    assert cat.ignored("acme.fixtures.iris")
    assert cat.last_names == {"load", "persist"}  # what a method call must be named to match


def test_a_method_call_with_another_name_is_no_event(tmp_path: Path) -> None:
    an = analysis(tmp_path, "import pandas as pd\ndf = pd.read_csv('a.csv')\ndf.head('b.csv')")
    assert [e.call for e in an.io_events] == ["pandas.read_csv"]
    assert "head" not in catalogue().last_names and "read_csv" in catalogue().last_names


def test_catalogue_rejects_a_name_listed_twice() -> None:
    twice = {
        "call": [{"kind": "read", "functions": ["a.b"]}, {"kind": "write", "functions": ["a.b"]}]
    }
    with pytest.raises(ValueError, match="a.b is listed twice"):
        build_catalogue(twice)


# -- events ----------------------------------------------------------------------------------
def test_events_keep_the_path_node_and_value(tmp_path: Path) -> None:
    an = analysis(
        tmp_path,
        "import pandas as pd\nimport os\nDATA = 'data/'",
        "df = pd.read_csv(os.path.join(DATA, 'x.csv'), sep=';')\ndf.to_parquet(path='out.parquet')",
    )
    read, write_ = an.io_events.events
    assert (read.kind, read.call, read.value.kind, read.value.text) == (
        READ,
        "pandas.read_csv",
        LOCAL,
        "data/x.csv",
    )
    assert ast.unparse(read.arg) == "os.path.join(DATA, 'x.csv')"
    assert read.cell.cell.index == 2 and read.is_local
    assert (write_.kind, write_.call, ast.unparse(write_.arg)) == (
        WRITE,
        ".to_parquet",
        "'out.parquet'",
    )


def test_open_mode_decides_read_or_write(tmp_path: Path) -> None:
    an = analysis(
        tmp_path,
        "open('a')\nopen('a', 'w')\nopen('a', mode='rb')\nopen('a', 'r+')\nopen('a', m)\n"
        "import tarfile\ntarfile.open('x.tgz', 'w:gz')\ntarfile.open('x.tgz', 'r:xz')",
    )
    assert [e.kind for e in an.io_events] == [READ, WRITE, READ, WRITE, READ, WRITE, READ]


def test_pathlib_methods_need_a_pathlib_receiver(tmp_path: Path) -> None:
    an = analysis(
        tmp_path,
        "from pathlib import Path\np = Path('data') / 'x.txt'\np.read_text()\n"
        "s = 'data/x.txt'\ns.replace('x', 'y')\ndf.rename(columns={})",
    )
    (event,) = an.io_events.events
    assert (event.call, event.value.text, ast.unparse(event.arg)) == (
        ".read_text",
        "data/x.txt",
        "p",
    )


def test_default_path_and_last_positional(tmp_path: Path) -> None:
    an = analysis(
        tmp_path,
        "import os\nos.listdir()\ns3.download_file('bucket', 'key.csv', 'local.csv')\n"
        "bucket.download_file('key.csv', 'other.csv')",
    )
    listing, first, second = an.io_events.events
    assert (listing.kind, listing.arg, listing.value.text) == (LIST, None, ".")
    assert (first.kind, first.value.text) == (WRITE, "local.csv")
    assert second.value.text == "other.csv"


def test_generic_methods_need_a_file_shaped_path(tmp_path: Path) -> None:
    an = analysis(
        tmp_path,
        "model.save('model.h5')\nlearn.save('stage-1')\nnlp.load('en_core_web_sm')\n"
        "s.str.extractall(r'(\\d+)')\nzf.extractall('data')",
    )
    assert [e.value.text for e in an.io_events] == ["model.h5", "data"]


def test_lists_of_paths_stand_for_their_items(tmp_path: Path) -> None:
    an = analysis(tmp_path, "import tensorflow as tf\ntf.data.TFRecordDataset(['a.tfrecord'])")
    (event,) = an.io_events.events
    assert event.is_local and event.value.text == "a.tfrecord"


def test_star_imports_use_conventional_aliases(tmp_path: Path) -> None:
    an = analysis(tmp_path, "from fastai.tabular import *\ndf = pd.read_csv('x.csv')")
    assert [e.call for e in an.io_events] == ["pandas.read_csv"]


def test_cells_that_do_not_parse_are_skipped(tmp_path: Path) -> None:
    nb = write(
        tmp_path / "n.ipynb",
        notebook(
            [
                markdown("# title /home/ana/x.csv"),
                code("df = pd.read_csv('x.csv'"),
                code("%%bash\ncat /home/ana/x.csv"),
                code("import pandas as pd\npd.read_csv('y.csv')"),
            ]
        ),
    )
    an = Analysis(load_notebook(str(nb)), load_settings(start=tmp_path))
    assert [e.value.text for e in an.io_events] == ["y.csv"]
    assert an.io_events.literals == []


# -- literals -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("/home/ana/data", "absolute"),
        ("/Users/ana/x.csv", "absolute"),
        ("/tmp/run/out.csv", "absolute"),
        ("/x/y/file.parquet", "absolute"),
        ("file:///home/ana/x", "absolute"),
        ("~/data/x.csv", "home"),
        ("C:\\Users\\ana\\x.csv", "windows"),
        ("d:/work/data", "windows"),
        ("\\\\server\\share\\x", "windows"),
        ("/", None),
        ("/data", None),
        ("/api/v1/users", None),
        ("/usr/bin/env python", None),
        ("//comment", None),
        ("~", None),
        ("^/(\\d+)/$", None),
        ("data/x.csv", None),
        ("1/2", None),
        ("/home/ana/x\n", None),
        (" /home/ana/x", None),
    ],
)
def test_path_style(text: str, style: str | None) -> None:
    assert path_style(text) == style


@pytest.mark.parametrize(
    ("text", "shape", "fits"),
    [
        ("model.h5", "file", True),
        ("./models/net", "file", True),
        ("stage-1", "file", False),
        ("en_core_web_sm", "file", False),
        ("pytorch/vision:v0.10.0", "file", False),
        ("(\\d+)", "path", False),
        ("data", "path", True),
        ("anything", "any", True),
    ],
)
def test_fits_shape(text: str, shape: str, fits: bool) -> None:
    assert fits_shape(Value(LOCAL, text, text, True), shape) is fits


def test_literals_inside_a_local_path_argument_are_not_repeated(tmp_path: Path) -> None:
    found = lint(
        tmp_path,
        "import os, pandas as pd\nBASE = '/home/ana/data'",
        "pd.read_csv(os.path.join('/home/ana/data', 'x.csv'))\npd.read_csv(BASE + '/y.csv')",
    )
    assert found == [("IO001", 2, 1), ("IO001", 2, 2), ("IO005", 1, 2)]


# -- IO006 and settings -----------------------------------------------------------------------
IO006_CELLS = (
    "import pandas as pd\nBUCKET = 's3://acme-data/'",
    "pd.read_csv(BUCKET + 'churn/train.csv')\n"  # 1 allowed
    "pd.read_csv('s3://ana-scratch/train.csv')\n"  # 2 other bucket
    "pd.read_csv(f's3://{bucket}/x.csv')\n"  # 3 unknown bucket: could be allowed
    "pd.read_csv(f's3://acme-data/{key}')\n"  # 4 allowed prefix, unknown key
    "pd.read_csv('https://example.com/x.csv')\n"  # 5 web URL
    "df.to_parquet(f's3://other/{key}')\n"  # 6 other bucket, unknown key
    "requests.get('https://example.com/api')",  # 7 not a file access
)


def test_remote_uri_outside_allowed_prefixes(tmp_path: Path) -> None:
    found = lint(tmp_path, *IO006_CELLS, **{"allowed-remote-prefixes": ["s3://acme-data/"]})
    assert found == [("IO006", 2, 2), ("IO006", 2, 5), ("IO006", 2, 6)]


def test_remote_uris_are_all_allowed_by_default(tmp_path: Path) -> None:
    assert lint(tmp_path, *IO006_CELLS) == []


def test_messages_name_the_call_and_the_configured_target(tmp_path: Path) -> None:
    nb = write(tmp_path / "n.ipynb", notebook([code("import pandas as pd\npd.read_csv('x.csv')")]))
    overrides = {"select": ["IO001"], "cache": False, "data-uri": "s3://acme-data/churn"}
    result = lint_file(str(nb), load_settings(start=tmp_path, overrides=overrides))
    (finding,) = result.findings
    assert "`pd.read_csv('x.csv')`" in finding.message
    assert "s3://acme-data/churn" in finding.message
    assert finding.severity == "error"


def test_remote_schemes_are_settings(tmp_path: Path) -> None:
    an = analysis(tmp_path, "import pandas as pd\npd.read_csv('acme://x.csv')")
    assert an.io_events.events[0].value.kind != REMOTE
    an = analysis(
        tmp_path, "import pandas as pd\npd.read_csv('acme://x.csv')", **{"remote-schemes": ["acme"]}
    )
    assert an.io_events.events[0].value.kind == REMOTE


# -- real notebooks ---------------------------------------------------------------------------
@pytest.mark.skipif(not (CORPUS / "messy").is_dir(), reason="corpus not available")
def test_corpus_notebooks_do_not_crash() -> None:
    settings = load_settings(overrides={"select": ["IO"], "cache": False})
    files = sorted((CORPUS / "messy").glob("*.ipynb"))[::8]
    codes = set()
    for path in files:
        result = lint_file(str(path), settings)
        assert result.error is None
        codes |= {f.code for f in result.findings}
    assert {"IO001", "IO002"} <= codes
