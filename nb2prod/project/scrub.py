"""No secret of the notebook in the generated project.

Every generated file goes through the notebook's :class:`Masker` (the README lists
findings, step docstrings come from markdown ...). In Python files a secret is first
replaced by a read of the environment where it stands in a string: ``"sk_live_..."``
becomes ``os.environ["STRIPE_API_KEY"]``, ``"Bearer sk_..."`` ``("Bearer " +
os.environ["STRIPE_API_KEY"])``, and in an f-string ``{os.environ['STRIPE_API_KEY']}``;
each such read is a CV019 finding at the cell the secret came from. What is left (a
docstring, a comment) is masked.
"""

from __future__ import annotations

import ast
import re
import warnings
from typing import TYPE_CHECKING

from nb2prod.notebook.model import char_col

if TYPE_CHECKING:
    from nb2prod.analysis.context import Analysis
    from nb2prod.analysis.secrets import SecretHit
    from nb2prod.lint.findings import Finding

_PREFIX = re.compile(r"[rRuU]?('''|\"\"\"|'|\")")


def scrub_files(files: dict[str, str], an: Analysis) -> list[Finding]:
    """Mask ``files`` (relative path -> text) in place; Python files read their secrets
    from the environment. Returns a CV019 finding per secret and file so changed.
    Idempotent: scrubbed files come back unchanged."""
    masker = an.masker
    if not masker:
        for rel, text in files.items():
            files[rel] = masker(text)  # provider formats only
        return []
    first: dict[str, SecretHit] = {}
    for hit in sorted(an.secrets, key=lambda h: h.where not in ("code", "comment", "magic")):
        first.setdefault(hit.secret, hit)  # where the code holds it, if it does
    from nb2prod.fix.codemods.secret_to_env import env_var

    envs = {s: env_var(h.env) for s, h in first.items() if s}
    findings: list[Finding] = []
    for rel in sorted(files):
        text = files[rel]
        if rel.endswith(".py") and any(s in text for s in envs):
            text, moved = env_reads(text, envs)
            findings += [_finding(an, first[s], rel, envs[s]) for s in moved]
        files[rel] = masker(text)
    return findings


def env_reads(code: str, envs: dict[str, str]) -> tuple[str, list[str]]:
    """``code`` with the secrets of ``envs`` (secret -> variable) that stand in its string
    literals read from the environment, ``import os`` added if need be; and the secrets
    so moved. Code that does not parse is returned as it is."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return code, []
    lines = code.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    docstrings = _docstrings(tree)
    pieces: set[int] = set()
    edits: list[tuple[int, int, str]] = []
    moved: list[str] = []
    bound: set[int] = set()  # operands whose ``a + b`` needs parentheses
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            pieces.update(id(v) for v in node.values)
        bound.update(id(child) for child in _tight(node))
    for node in ast.walk(tree):
        found = _secrets_in(node, envs, pieces, docstrings)
        if not found:
            continue
        start, end = _offsets(node, lines, starts)
        text = code[start:end]
        if isinstance(node, ast.Constant) and isinstance(node.value, bytes):
            edits.append((start, end, _masked_bytes(text, found)))
            continue
        new = _replacement(node, text, {s: envs[s] for s in found}, id(node) in bound)
        if new is not None:
            edits.append((start, end, new))
            moved += [s for s in found if s not in moved]
    if not edits:
        return code, []
    for start, end, new in sorted(edits, reverse=True):
        code = code[:start] + new + code[end:]
    return (_with_import_os(code) if moved else code), moved


def _secrets_in(
    node: ast.AST, envs: dict[str, str], pieces: set[int], docstrings: set[int]
) -> list[str]:
    if isinstance(node, ast.JoinedStr):
        texts = [v.value for v in node.values if isinstance(v, ast.Constant)]
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        if id(node) in pieces or id(node) in docstrings:
            return []
        texts = [node.value]
    elif isinstance(node, ast.Constant) and isinstance(node.value, bytes):
        texts = [node.value.decode("latin-1")]
    else:
        return []
    return [s for s in envs if any(s in t for t in texts)]


def _tight(node: ast.AST) -> list[ast.AST]:
    """The children of ``node`` that bind tighter than ``+`` (``"..." % x``, ``"...".join``)."""
    if isinstance(node, ast.Attribute | ast.Subscript | ast.Starred | ast.Await):
        return [node.value]
    if isinstance(node, ast.Call):
        return [node.func]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Add):
        return [node.left, node.right]
    if isinstance(node, ast.BinOp):
        return [node.right]  # a - ("x" + y) is not a - "x" + y
    return []


def _replacement(
    node: ast.AST, text: str, secrets: dict[str, str], parenthesised: bool = False
) -> str | None:
    """The source replacing the literal ``text`` (of ``node``); ``parenthesised``: a sum
    needs parentheses where it stands."""
    if isinstance(node, ast.JoinedStr):
        from nb2prod.fix.plan_pieces import fstring_with_env

        return fstring_with_env(text, node, secrets)
    assert isinstance(node, ast.Constant)
    if not _PREFIX.match(text):
        return None
    try:
        if ast.literal_eval(text) != node.value:  # implicit concatenation, line breaks
            return None
    except (ValueError, SyntaxError):
        return None
    parts: list[str] = []
    rest = str(node.value)
    pattern = re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)))
    pos = 0
    for m in pattern.finditer(rest):
        if m.start() > pos:
            parts.append(_quote(rest[pos : m.start()]))
        parts.append(f'os.environ["{secrets[m.group()]}"]')
        pos = m.end()
    if pos < len(rest):
        parts.append(_quote(rest[pos:]))
    if len(parts) == 1:
        return parts[0]
    return "(" + " + ".join(parts) + ")" if parenthesised else " + ".join(parts)


def _masked_bytes(text: str, secrets: list[str]) -> str:
    """A bytes literal's source with its secrets masked in ASCII (``b"sk_l...(38 chars)"``:
    the masker's ellipsis is not allowed in bytes)."""
    from nb2prod.analysis.secrets import mask

    for secret in secrets:
        text = text.replace(secret, mask(secret).replace("\u2026", "..."))
    return text


def _quote(text: str) -> str:
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return repr(text)


def _offsets(node: ast.AST, lines: list[str], starts: list[int]) -> tuple[int, int]:
    line, end_line = node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]
    col = char_col(lines[line - 1], node.col_offset)  # type: ignore[attr-defined]
    end_col = char_col(lines[end_line - 1], node.end_col_offset or 0)  # type: ignore[attr-defined]
    return starts[line - 1] + col, starts[end_line - 1] + end_col


def _docstrings(tree: ast.Module) -> set[int]:
    """The string constants that are docstrings (masked, never made expressions)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                out.add(id(value))
    return out


def _with_import_os(code: str) -> str:
    """``code`` with ``import os`` among its first imports, unless it imports os already."""
    tree = ast.parse(code)
    for stmt in tree.body:
        if isinstance(stmt, ast.Import) and any(
            a.name == "os" and a.asname is None for a in stmt.names
        ):
            return code
    at = 0
    for i, stmt in enumerate(tree.body):
        docstring = i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
        future = isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"
        if not (docstring or future):
            break
        at = stmt.end_lineno or stmt.lineno
    lines = code.split("\n")
    return "\n".join([*lines[:at], "import os", *lines[at:]])


def _finding(an: Analysis, hit: SecretHit, rel: str, env: str) -> Finding:
    from nb2prod.convert.findings import finding

    line = hit.line if hit.cell is not None else 0
    message = (
        f"the secret {hit.masked} ({hit.label}) is read from ${env} in {rel} instead of "
        f"being copied there: set {env} where the package runs, and rotate the secret"
    )
    found = finding("CV019", an.nb.path, hit.cell, line, hit.col, message)
    found.source_line = hit.source_line
    found.extra = {"env": env, "masked": hit.masked}
    return found
