"""Python code cells, read through ``ast``: provider formats, URLs, header and command
lines in string constants (and in strings joined from constants), credential names bound
to literals, literals passed positionally to known clients, secrets in line and shell
magics and in comments."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from nb2prod.analysis.nodes import walk as walk_nodes
from nb2prod.analysis.secrets.bindings import BINDERS, Binding, may_name_credentials, str_constant
from nb2prod.analysis.secrets.clients import client_bindings, may_call_clients, may_call_methods
from nb2prod.analysis.secrets.comments import scan_comments
from nb2prod.analysis.secrets.credentials import (
    credential_name,
    env_magic,
    literal_secret,
    may_name_words,
    scan_string_assignments,
    scan_text_assignments,
)
from nb2prod.analysis.secrets.formats import Catalogue, SecretPattern, scan_provider_formats
from nb2prod.analysis.secrets.joined import Joined, is_joined, joined_text, module_constants
from nb2prod.analysis.secrets.model import (
    ASSIGNMENT,
    CODE,
    MAGIC,
    PROVIDER,
    URL,
    SecretHit,
    TextMatch,
    covered,
    make_hit,
    shifted,
)
from nb2prod.analysis.secrets.predicates import not_a_secret
from nb2prod.analysis.secrets.redaction import hit_at_offset, line_starts, mask_all, redact
from nb2prod.analysis.secrets.shell import scan_header_text, scan_shell
from nb2prod.analysis.secrets.urls import scan_urls
from nb2prod.notebook.model import char_col

if TYPE_CHECKING:
    from nb2prod.notebook.model import Cell
    from nb2prod.notebook.parse import ParsedCell


class CodeContext:
    """What the scan of one cell needs from the whole notebook: its imports (to know a
    client's qualified name), whether it imports a client's module at all, and its string
    constants (to join split secrets; read from the trees when first needed)."""

    def __init__(
        self,
        imports: dict[str, str] | None = None,
        trees: Sequence[ast.Module] = (),
        clients: bool = False,
    ) -> None:
        self.imports = imports or {}
        self.clients = clients
        self._trees = trees

    @cached_property
    def constants(self) -> dict[str, str]:
        return module_constants(self._trees)


_NO_CONTEXT = CodeContext()
# Besides credential names (--password, wandb login): commands whose -u/-H options count.
_SHELL_HINT = ("curl", "wget")


def scan_python(
    p: ParsedCell, cat: Catalogue, context: CodeContext = _NO_CONTEXT
) -> list[SecretHit]:
    """One walk over the cell's tree: provider formats, URLs, header lines and command
    lines in string constants and in strings joined from constants, then credential names
    bound to literals (a provider token bound to ``api_key`` is both) and literals passed
    positionally to known clients. Cells whose text holds no keyword of any format,
    credential name, client or command are not walked. Every secret found in the cell is
    masked in every hit's source line."""
    cell, tree = p.cell, p.tree
    assert tree is not None
    source = cell.source
    patterns = cat.candidates(source)
    words = may_name_words(source)
    names = words and may_name_credentials(source)
    clients = (context.clients and may_call_clients(source)) or may_call_methods(source)
    walk = patterns or names or clients or "://" in source
    shellish = bool(walk or p.magics) and any(hint in source for hint in _SHELL_HINT)
    magics = walk or (shellish and p.magics)
    # Nothing to walk means no format keyword and no URL in the cell: its comments (read
    # on their own words) can then hold a secret only with a word naming a credential.
    if not magics and ("#" not in source or not words):
        return []
    found: list[str] = []  # every secret found, to mask them all in every source line
    hits: list[SecretHit] = []
    if walk:
        hits = _scan_tree(p, cat, context, _Gates(patterns, names, clients, shellish), found)
    if magics:
        hits.extend(_scan_magics(p, cat, patterns, found))
    comments = list(scan_comments(p, cat, hits, patterns, names))
    found.extend(h.secret for h in comments)
    hits.extend(comments)
    mask_all(hits, found)
    hits.sort(key=lambda h: (h.line, h.col))
    return hits


class _Gates(NamedTuple):
    """What a cell's text may hold, so the walk runs only the scans that can find any."""

    patterns: tuple[SecretPattern, ...]
    names: bool
    clients: bool
    shellish: bool


def _scan_tree(
    p: ParsedCell, cat: Catalogue, context: CodeContext, gates: _Gates, found: list[str]
) -> list[SecretHit]:
    """The walk of the cell's tree (see :func:`scan_python`)."""
    cell, tree = p.cell, p.tree
    assert tree is not None
    patterns, names, clients, shellish = gates
    lines = cell.source.split("\n")
    hits: list[SecretHit] = []
    formats: set[int] = set()  # ids of nodes holding a format (or URL) secret
    bound: set[int] = set()  # ids of nodes reported as bound to a credential name
    joined_done: set[int] = set()  # ``+`` and f-strings inside one already joined
    bindings: list[Binding] = []
    for node in walk_nodes(tree):
        cls = type(node)
        if cls is not ast.Constant:
            if names and (binder := BINDERS.get(cls)) is not None:
                bindings.extend(binder(node))
            if clients and cls is ast.Call:
                bindings.extend(client_bindings(node, context.imports))  # type: ignore[arg-type]
            if (cls is ast.BinOp or cls is ast.JoinedStr) and id(node) not in joined_done:
                joined = joined_text(node, context.constants)
                if joined is not None:
                    joined_done.update(id(n) for n in walk_nodes(node) if is_joined(n))
                    for m in _joined_matches(joined, cat):
                        found.append(m.secret)
                        hits.append(_constant_hit(cell, lines, node, m, detail=_JOINED))
                        formats.add(id(node))
            continue
        value = str_constant(node)
        if value is None or len(value) < 8:
            continue
        matches = scan_provider_formats(value, cat, patterns) if patterns else []
        matches += [m for m in scan_urls(value) if not covered(m, matches)]
        if names and ("=" in value or '":' in value or "':" in value):
            matches += [m for m in scan_string_assignments(value) if not covered(m, matches)]
        if names and ":" in value:
            matches += [m for m in scan_header_text(value) if not covered(m, matches)]
        if shellish and " -" in value and (names or "curl" in value or "wget" in value):
            matches += [m for m in scan_shell(value) if not covered(m, matches)]
        for m in matches:
            found.append(m.secret)
            hits.append(_constant_hit(cell, lines, node, m))
        if matches:
            formats.add(id(node))
    for b in bindings:
        bound_text = _bound_text(b.value, context)
        if bound_text is None:
            continue
        value, joined = bound_text
        if id(b.value) not in formats:
            hit = _bound_format_hit(cell, lines, b, value, cat, found)
            if hit is not None:
                formats.add(id(b.value))
                hits.append(hit)
        if id(b.value) not in bound:
            hit = _binding_hit(cell, lines, b, value, found, _Reuse(joined, cat))
            if hit is not None:
                bound.add(id(b.value))
                hits.append(hit)
    return hits


_JOINED = "joined from string pieces"


def _not_in_urls(named: list[TextMatch], matches: list[TextMatch]) -> list[TextMatch]:
    """``name=value`` matches that are not a URL's credential already found (a JDBC URL's
    ``;password=...`` is a URL credential; a provider token bound to a name is both)."""
    urls = [m for m in matches if m.kind == URL]
    return [m for m in named if not covered(m, urls)] if urls else named


def _joined_matches(joined: Joined, cat: Catalogue) -> list[TextMatch]:
    """Formats and URL credentials of a joined string that span two pieces or more."""
    text = joined.text
    patterns = [p for p in cat.patterns if p.keywords is None or any(k in text for k in p.keywords)]
    matches = [m for m in scan_provider_formats(text, cat, patterns) if joined.spans_pieces(m)]
    matches += [m for m in scan_urls(text) if joined.spans_pieces(m) and not covered(m, matches)]
    return matches


def _bound_text(node: ast.AST, context: CodeContext) -> tuple[str, Joined | None] | None:
    """The text a binding binds: a string literal, or a string joined from constants (with
    its pieces)."""
    if isinstance(node, ast.Constant):
        text = str_constant(node)
        return (text, None) if text is not None else None
    joined = joined_text(node, context.constants)
    return (joined.text, joined) if joined is not None else None


class _Reuse(NamedTuple):
    """A joined value's pieces, to tell a new secret from a constant's reported elsewhere."""

    joined: Joined | None
    cat: Catalogue

    def reported_constant(self, value: str, secret: str) -> bool:
        """Whether ``secret`` lies inside a constant substituted into the joined ``value``
        that is reported where it is assigned (``f"token {GITHUB_TOKEN}"`` after
        ``GITHUB_TOKEN = "ghp_..."``): a use of a flagged literal, not a new secret."""
        start = value.find(secret)
        if self.joined is None or start < 0:
            return False
        piece = self.joined.constant_holding(start, start + len(secret))
        if piece is None:
            return False
        name, text = piece
        if scan_provider_formats(text, self.cat):
            return True
        cred = credential_name(name)
        if cred is not None and literal_secret(text, cred) is not None:
            return True
        return not not_a_secret(text) and any(
            p.bound_to is not None and p.bound_to.search(name) and p.value.fullmatch(text)
            for p in self.cat.patterns
        )


def _bound_format_hit(
    cell: Cell, lines: list[str], b: Binding, value: str, cat: Catalogue, found: list[str]
) -> SecretHit | None:
    """A format that is a secret only under its name (an AWS secret key)."""
    for p in cat.patterns:
        bound = p.bound_to is not None and p.bound_to.search(b.name)
        if bound and p.value.fullmatch(value) and not not_a_secret(value):
            m = TextMatch(p.name, p.env, value, 0, len(value), PROVIDER, p.id)
            found.append(value)
            return _constant_hit(cell, lines, b.value, m, detail=b.shown)
    return None


def _binding_hit(
    cell: Cell, lines: list[str], b: Binding, value: str, found: list[str], reuse: _Reuse
) -> SecretHit | None:
    """A credential name bound to a literal that looks like a secret (not a constant's
    secret reported where it is assigned)."""
    cred = credential_name(b.name)
    secret = literal_secret(value, cred) if cred is not None else None
    if secret is None or reuse.reported_constant(value, secret):
        return None
    found.append(secret)
    m = TextMatch(f"credential {b.shown}", b.env, secret, 0, len(secret), ASSIGNMENT)
    return _constant_hit(cell, lines, b.value, m, detail=b.shown)


def _constant_hit(
    cell: Cell, lines: list[str], node: ast.AST, m: TextMatch, detail: str = ""
) -> SecretHit:
    """A hit for a match inside a string constant, on the source line holding the secret
    (or, when escapes hide it, the constant's first line)."""
    first = getattr(node, "lineno", 1)
    last = getattr(node, "end_lineno", None) or first
    needles = [m.needle or m.anchor or m.secret]
    needles += [s for s in m.secret.split("\n") if len(s) >= 8 and s != needles[0]]
    for number in range(first, min(last, len(lines)) + 1):
        text = lines[number - 1]
        for needle in needles:
            col = text.find(needle)
            if col < 0:
                continue
            if needle == m.needle:
                col += m.needle.find(m.secret)
            end = col + len(needle) if needle != m.needle else col + len(m.secret)
            source = redact(text, [m], span=(col, end))
            return make_hit(
                CODE, cell, number, col, m, source, detail=detail, end_col=end, node=node
            )
    text = lines[first - 1] if first <= len(lines) else ""
    col = char_col(text, getattr(node, "col_offset", 0))  # ast counts UTF-8 bytes
    end_col = getattr(node, "end_col_offset", None) if first == last else None
    end_col = char_col(text, end_col) if end_col is not None else None
    source = redact(text, [m], span=(col, end_col), literal=True)
    return make_hit(CODE, cell, first, col, m, source, detail=detail, end_col=end_col, node=node)


def _scan_magics(
    p: ParsedCell, cat: Catalogue, patterns: Sequence[SecretPattern], found: list[str]
) -> Iterator[SecretHit]:
    """Shell and line magics (``!curl -H 'Authorization: token ...'``, ``%env KEY=...``,
    ``!curl -u user:password``, ``!wandb login KEY``)."""
    text = p.cell.source
    starts = line_starts(text)
    for magic in p.magics:
        if magic.kind == "cell_magic" or magic.line > len(starts):
            continue
        begin = starts[magic.line - 1]
        stop = starts[magic.end_line] - 1 if magic.end_line < len(starts) else len(text)
        block = text[begin:stop]
        matches = scan_provider_formats(block, cat, patterns)
        matches += [m for m in scan_urls(block) if not covered(m, matches)]
        named = env_magic(block) if magic.name == "env" else scan_text_assignments(block)
        matches += _not_in_urls(named, matches)
        matches += [m for m in scan_shell(block) if not covered(m, matches)]
        for m in matches:
            found.append(m.secret)
            yield hit_at_offset(MAGIC, p.cell, text, shifted(m, begin))
