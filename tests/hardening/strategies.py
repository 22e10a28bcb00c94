"""Hypothesis strategies over notebook files, for the fuzz suite (test_fuzz.py).

A drawn :class:`Case` is the bytes of one ``.ipynb`` file and the secrets planted in it.
The notebooks vary in everything a person, a tool or an attacker could put there:

* structure: code, markdown and raw cells; sources as one string or a list of lines; keys
  missing (``metadata``, ``nbformat_minor``), cell ids that are integers, execution counts
  that are floats, booleans, strings or integers of 5,000 digits;
* sources: Python, IPython syntax (``%``, ``%%`` stacked hundreds deep, ``!``, ``?``), broken
  syntax, deep nesting, long lines, integer literals over 4,300 digits, lone surrogates,
  control characters, any Unicode, ``\\n`` / ``\\r\\n`` / ``\\r`` line endings, mixed;
* outputs of every kind (stream, results and displays with text, HTML, JSON, scripts, SVG,
  images and vendor mime types, errors, output metadata) and odd JSON values anywhere:
  NaN, infinities, huge numbers, nesting hundreds deep;
* encodings: UTF-8, with a byte order mark, with lone surrogates written raw (not UTF-8),
  UTF-16, Latin-1; indented or not, ASCII-escaped or not.

Secrets are made at draw time from random characters in providers' formats (never an
example or a placeholder) and planted in code, comments, paths, f-strings, shell lines,
markdown, outputs of every textual type, output metadata, cell and notebook metadata.
"""

from __future__ import annotations

import json
import random
import string
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

BIG = "__integer of 5000 digits__"  # replaced in the JSON text
UPPER_DIGITS = string.ascii_uppercase + string.digits
ALNUM = string.ascii_letters + string.digits
# kind -> (prefix, length of the random part, its alphabet)
SECRET_FORMATS: dict[str, tuple[str, int, str]] = {
    "aws": ("AKIA", 16, UPPER_DIGITS),
    "github": ("ghp_", 36, ALNUM),
    "gitlab": ("glpat-", 20, ALNUM),
    "huggingface": ("hf_", 34, ALNUM),
    "openai": ("sk-proj-", 40, ALNUM),
    "anthropic": ("sk-ant-api03-", 40, ALNUM),
}


def make_secret(kind: str, seed: int) -> str:
    prefix, size, alphabet = SECRET_FORMATS[kind]
    return prefix + "".join(random.Random(f"{kind}:{seed}").choices(alphabet, k=size))


secrets = st.builds(make_secret, st.sampled_from(sorted(SECRET_FORMATS)), st.integers(0, 2**32))

# Where a secret goes in a code cell ({s}); each template is one or more whole lines.
CODE_PLANTS = [
    'API_KEY = "{s}"',
    "# my key: {s}",
    'client = Client(token="{s}")',
    'df = pd.read_csv("/home/ana/{s}/customers.csv")',
    "!pip install git+https://{s}@github.com/acme/lib.git",
    'url = f"https://api.example.com/v1?key={s}&q={{q}}"',
    'headers = {{"Authorization": "Bearer {s}"}}',
    'os.environ["HF_TOKEN"] = "{s}"',
    'print("{s}")',
    'def fetch(q):\n    token = "{s}"\n    return requests.get(q, auth=token)',
]
MARKDOWN_PLANTS = ["Token: `{s}`", "use {s} to log in", "<!-- {s} -->"]

PYTHON = [
    "import os\nimport pandas as pd\nimport numpy as np",
    "df = pd.read_csv('data/train.csv')",
    "df.to_parquet('out.parquet')",
    "DATA = '../data'\nx = pd.read_csv(os.path.join(DATA, 'x.csv'))",
    "with open('notes.txt') as fh:\n    text = fh.read()",
    "plt.savefig('fig.png')",
    "os.chdir('/Users/me/project')",
    "password = 'hunter2'",
    "for i in range(3):\n    print(i)",
    "def f(x, *a, **k):\n    '''doc'''\n    return x",
    "class A:\n    x: int = 1",
    "async def g():\n    await h()",
    "match c:\n    case [x, *r]:\n        pass",
    "lambda: (yield)",
    "x = undefined_name",
    "import os",
    "from m import *",
    "print(Out[3], _i2)",
    "global z\nz = 1",
    "del df",
    "x = 1; y = 2",
    "if True:\n\tpass",
    "s = '''multi\nline'''",
]
IPYTHON = [
    "%matplotlib inline",
    "%load_ext autoreload",
    "%cd data",
    "!pip install pandas==2.0",
    "!ls -la",
    "files = !ls",
    "x = %env HOME",
    "df?",
    "??df.head",
    "pip install xgboost",
    "/print 1",
    ";f a b",
    "%%time",
    "%%capture out",
    "%%bash\necho hi",
    "%%writefile a.py\nprint(1)",
    "%%sql\nSELECT 1",
]
BROKEN = [
    "def f(:",
    "x = (1,",
    "print 'py2'",
    "\tindented = 1",
    "x = [\n",
    "'''unterminated",
    "f'{'",
    "\x00",
]


def _deep() -> st.SearchStrategy[str]:
    depth = st.integers(1, 400)
    return st.one_of(
        depth.map(lambda n: "x = " + "(" * n + "1" + ")" * n),
        depth.map(lambda n: "x = " + "[" * n + "]" * n),
        depth.map(lambda n: "x = " + "-" * (n * 10) + "1"),
        depth.map(lambda n: "y = " + "a." * (n * 10) + "b"),
        depth.map(lambda n: "if x:\n" + "".join(" " * i + "if x:\n" for i in range(1, n // 4 + 2))),
        depth.map(lambda n: "%%time\n" * (n * 3)),
        depth.map(lambda n: "z = " + " + ".join(f"a{i}" for i in range(n * 20))),
    )


def _odd_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=40),
        st.sampled_from(["\ud800", "\udfff", "x\udc80y", "\ud83d", "\ufeff", "\u2028", "\x85"]),
        st.sampled_from(["\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "\x07\x08\x7f", "\x9b2J"]),
        st.sampled_from(["n = " + "9" * 5000, "h = 0x" + "f" * 5000, "e = 1e400", "i = 10**5000"]),
        st.integers(1, 20_000).map(lambda n: "s = '" + "a" * n + "'"),
    )


@dataclass
class Draft:
    """What a draw builds before it is written: the document and the secrets in it."""

    secrets: list[str] = field(default_factory=list)


def _plant(draw: st.DrawFn, draft: Draft, templates: list[str]) -> str:
    s = draw(secrets)
    draft.secrets.append(s)
    return draw(st.sampled_from(templates)).format(s=s)


def _source(draw: st.DrawFn, draft: Draft, kind: str) -> Any:
    pieces: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        choice = draw(st.integers(0, 9))
        if choice == 0:
            pieces.append(_plant(draw, draft, CODE_PLANTS if kind == "code" else MARKDOWN_PLANTS))
        elif choice <= 3:
            pieces.append(draw(st.sampled_from(PYTHON)))
        elif choice <= 5:
            pieces.append(draw(st.sampled_from(IPYTHON)))
        elif choice == 6:
            pieces.append(draw(st.sampled_from(BROKEN)))
        elif choice == 7:
            pieces.append(draw(_deep()))
        else:
            pieces.append(draw(_odd_text()))
    text = "\n".join(pieces)
    ending = draw(st.sampled_from(["\n", "\n", "\r\n", "\r", "mixed"]))
    if ending == "mixed":
        lines = text.split("\n")
        ends = draw(st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=len(lines)))
        text = "".join(line + end for line, end in zip(lines, ends, strict=False))
    elif ending != "\n":
        text = text.replace("\n", ending)
    if draw(st.booleans()):
        text += draw(st.sampled_from(["", "\n", "\r"]))
    if draw(st.booleans()):
        return text.splitlines(keepends=True)  # as Jupyter stores it: a list of lines
    return text


_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.just(BIG),  # an integer of 5,000 digits, once written (json.dumps cannot)
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
json_values = st.recursive(
    _leaf,
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4)
    ),
    max_leaves=12,
)


def _text_value(draw: st.DrawFn, draft: Draft) -> Any:
    parts = [draw(_odd_text()) for _ in range(draw(st.integers(0, 2)))]
    if draw(st.integers(0, 3)) == 0:
        s = draw(secrets)
        draft.secrets.append(s)
        parts.append(
            draw(st.sampled_from(["KEY={s}\n", "token {s} ", "'{s}'", "<td>{s}</td>"])).format(s=s)
        )
    text = " ".join(parts)
    return text.splitlines(keepends=True) if draw(st.booleans()) else text


def _output(draw: st.DrawFn, draft: Draft) -> Any:
    kind = draw(st.sampled_from(["stream", "execute_result", "display_data", "error", "odd"]))
    if kind == "stream":
        return {
            "output_type": "stream",
            "name": draw(st.sampled_from(["stdout", "stderr", 7])),
            "text": _text_value(draw, draft),
        }
    if kind == "error":
        return {
            "output_type": "error",
            "ename": draw(st.sampled_from(["KeyError", "HTTPError", "", None])),
            "evalue": _text_value(draw, draft),
            "traceback": [
                "\x1b[0;31mTraceback (most recent call last)\x1b[0m",
                _text_value(draw, draft),
            ],
        }
    if kind == "odd":
        return draw(st.one_of(json_values, st.just({"output_type": "nonsense", "data": 5})))
    mimes = draw(
        st.lists(
            st.sampled_from(
                [
                    "text/plain",
                    "text/html",
                    "text/markdown",
                    "text/latex",
                    "application/json",
                    "application/javascript",
                    "image/svg+xml",
                    "image/png",
                    "application/vnd.plotly.v1+json",
                    "application/vnd.jupyter.widget-view+json",
                ]
            ),
            max_size=4,
            unique=True,
        )
    )
    data: dict[str, Any] = {}
    for mime in mimes:
        if mime == "image/png":
            data[mime] = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
        elif mime.startswith("application/") and "json" in mime:
            value = draw(json_values)
            if draw(st.integers(0, 2)) == 0:
                s = draw(secrets)
                draft.secrets.append(s)
                value = {"config": {"token": s}, "other": value}
            data[mime] = value
        else:
            data[mime] = _text_value(draw, draft)
    out: dict[str, Any] = {"output_type": kind, "data": data, "metadata": {}}
    if kind == "execute_result":
        out["execution_count"] = draw(st.one_of(st.none(), st.integers(), st.floats()))
    if draw(st.booleans()):
        out["metadata"] = (
            draw(json_values) if draw(st.booleans()) else {"auth": _text_value(draw, draft)}
        )
    return out


def _cell(draw: st.DrawFn, draft: Draft) -> dict[str, Any]:
    kind = draw(st.sampled_from(["code", "code", "code", "markdown", "raw"]))
    cell: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": _source(draw, draft, kind)}
    if kind == "code":
        cell["outputs"] = [_output(draw, draft) for _ in range(draw(st.integers(0, 3)))]
        cell["execution_count"] = draw(
            st.one_of(
                st.none(),
                st.integers(0, 50),
                st.just(1.0),
                st.booleans(),
                st.just("3"),
                st.just(BIG),
            )
        )
    id_ = draw(st.one_of(st.none(), st.uuids().map(str), st.integers(), st.just("a\ud800")))
    if id_ is not None:
        cell["id"] = id_
    if draw(st.integers(0, 4)) == 0:
        del cell["metadata"]  # seen in real files
    elif draw(st.integers(0, 3)) == 0:
        meta = draw(json_values)
        cell["metadata"] = meta if isinstance(meta, dict) else {"tags": meta}
        if draw(st.booleans()):
            s = draw(secrets)
            draft.secrets.append(s)
            cell["metadata"]["auth"] = {"token": s}
    if kind == "markdown" and draw(st.integers(0, 5)) == 0:
        cell["attachments"] = {"a.png": {"image/png": "iVBORw0KGgo="}}
    return cell


_KERNELS = [
    {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}},
    {"language_info": {"name": "python", "version": "3.11.4"}},
    {},
    {"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}},
    {"kernelspec": {"name": "x", "language": "py\x1b[31mthon\x07"}},
    {"kernelspec": "python3", "language_info": 5},
]


@dataclass
class Case:
    """One drawn notebook file."""

    data: bytes
    secrets: list[str]
    readable: bool  # a notebook the loader must accept: lint must not answer exit code 2
    description: str


@st.composite
def notebook_files(draw: st.DrawFn) -> Case:
    draft = Draft()
    cells = [_cell(draw, draft) for _ in range(draw(st.integers(0, 6)))]
    metadata: dict[str, Any] = dict(draw(st.sampled_from(_KERNELS)))
    if draw(st.booleans()):
        metadata["extra"] = draw(json_values)
    if draw(st.integers(0, 4)) == 0:
        s = draw(secrets)
        draft.secrets.append(s)
        metadata["custom"] = {"api_key": s}
    deep = draw(st.integers(0, 6)) == 0  # nesting as deep as a file can hold: made as text
    if deep:
        metadata["deep"] = "__DEEP__"
    doc: dict[str, Any] = {"cells": cells, "metadata": metadata, "nbformat": 4}
    minor = draw(st.one_of(st.just(5), st.just(4), st.none(), st.just(4.0), st.just(BIG)))
    if minor is not None:
        doc["nbformat_minor"] = minor
    text = json.dumps(
        doc,
        indent=draw(st.sampled_from([None, 1, 2])),
        ensure_ascii=draw(st.sampled_from([True, True, True, False])),
    )
    text = text.replace(f'"{BIG}"', "-" + "9" * 5000)
    if deep:  # far below or far above what json (a recursion limit of 1,000) can read
        n = draw(st.integers(10, 600) | st.integers(3_000, 20_000))
        text = text.replace('"__DEEP__"', '{"k": [' * n + '"leaf"' + "]}" * n, 1)
    encoding = draw(
        st.sampled_from(["utf-8"] * 6 + ["utf-8-sig", "surrogates", "utf-16", "latin-1"])
    )
    if encoding == "surrogates":
        data = text.encode("utf-8", "surrogatepass")  # lone surrogates raw: not UTF-8
    else:
        data = text.encode(
            encoding, "backslashreplace" if encoding == "latin-1" else "surrogatepass"
        )
    readable = _is_utf8(data) and _json_loads(data) is not None
    return Case(data, draft.secrets, readable, f"{len(cells)} cells, {encoding}")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _json_loads(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"), parse_int=str)  # any length of number
    except (ValueError, RecursionError):
        return None
