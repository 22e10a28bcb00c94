"""The shortcuts the lint's speed rests on find what the long way finds: the fast node walk
visits ``ast.walk``'s nodes in its order, the URL pre-test passes every text a URL
credential is found in, and a notebook without any format keyword still has the URL
credentials of its markdown and outputs found."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nb2prod.analysis.context import Analysis
from nb2prod.analysis.nodes import walk
from nb2prod.analysis.secrets import scan_urls
from nb2prod.analysis.secrets.urls import may_hold_url_secrets
from nb2prod.config import load_settings
from nb2prod.notebook.load import load_notebook
from tests.helpers import CORPUS, code, markdown, notebook, write

PACKAGE = Path(__file__).resolve().parents[2] / "nb2prod"
# Leaves no analysis reads, which the fast walk leaves out.
_LEAVES = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)


def _same_walk(tree: ast.AST) -> None:
    expected = [n for n in ast.walk(tree) if not isinstance(n, _LEAVES)]
    got = walk(tree)
    assert len(got) == len(expected)
    assert all(a is b for a, b in zip(got, expected, strict=True))


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_walk_visits_ast_walks_nodes_in_its_order(path: Path) -> None:
    _same_walk(ast.parse(path.read_text(encoding="utf-8")))


def test_walk_on_notebook_cells_and_every_statement_kind() -> None:
    source = """
async def f(a, /, b=1, *c, d: int = 2, **e) -> None:
    async with x as (y, *z):
        async for i in aiter():
            await g(i)
    match a:
        case {"k": [1, *rest]} | Point(x=0) if rest:
            pass
        case _:
            del b[0], c.d
    try:
        raise E from None
    except* ValueError as err:
        yield (lambda q=1: q)(**{"k": f"{a!r:>{b}}"})
    global G
    return [k for k in range(3) if k] or {v: w for v, w in {}.items()}
class C(Base, metaclass=M):
    x: int = 1
"""
    _same_walk(ast.parse(source))
    folder = CORPUS / "messy"
    if not folder.is_dir():
        pytest.skip("no corpus")
    notebooks = sorted(folder.glob("*.ipynb"))[:20]
    settings = load_settings(start=folder)
    walked = 0
    for path in notebooks:
        for _, tree in Analysis(load_notebook(str(path)), settings).trees:
            _same_walk(tree)
            walked += 1
    assert walked > 100


URLISH = st.text(alphabet="ab:/@?&=#._-ZQ9 \n", max_size=60)


@given(URLISH)
def test_url_pretest_passes_every_text_with_a_url_credential(text: str) -> None:
    if scan_urls(text):
        assert may_hold_url_secrets(text)


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://etl:S3cr3tPw9@db:5432/x",
        "https://h/x?access_token=a8Kd93jfL20dkQ7z&x=1",
        "https://maker.ifttt.com/trigger/done/with/key/dK3j9Fh2Lq8Zx7Vb",
    ],
)
def test_url_pretest_on_real_shapes(text: str) -> None:
    assert scan_urls(text) and may_hold_url_secrets(text)
    assert not may_hold_url_secrets(text.replace("://", ":").replace("=", ":"))


def test_url_credentials_in_prose_and_outputs_without_any_format_keyword(
    tmp_path: Path,
) -> None:
    """No provider keyword anywhere: prose and outputs are read only when they may hold a
    URL credential, and these do."""
    stream = {"output_type": "stream", "name": "stdout", "text": "connecting\n"}
    result = {
        "output_type": "execute_result",
        "execution_count": 1,
        "metadata": {},
        "data": {"text/plain": "'https://h/x?access_token=a8Kd93jfL20dkQ7z&x=1'"},
    }
    doc = notebook(
        [
            markdown("Data lives in postgresql://etl:S3cr3tPw9@db:5432/warehouse"),
            markdown("Nothing here: see the docs."),
            code("url = make_url()\nurl", outputs=[stream, result], count=1),
        ]
    )
    path = write(tmp_path / "n.ipynb", doc)
    assert "AKIA" not in json.dumps(doc) and "ghp_" not in json.dumps(doc)
    an = Analysis(load_notebook(str(path)), load_settings(start=tmp_path))
    assert not an.secrets or all(h.secret for h in an.secrets)
    found = {(h.cell.index if h.cell else None, h.secret) for h in an.secrets}
    assert found == {(1, "S3cr3tPw9"), (3, "a8Kd93jfL20dkQ7z")}
