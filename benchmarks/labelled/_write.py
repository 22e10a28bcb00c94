"""Writing a labelled set: its notebooks as Jupyter saves them and ``labels.toml``, shared by
``make_notebooks.py`` of ``benchmarks/labelled`` and ``benchmarks/holdout``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import nbformat
from _build import Book

LABELS = "labels.toml"


def unique(made: list[Book]) -> list[Book]:
    """``made``, checked: two notebooks never share a name."""
    names = [b.name for b in made]
    if len(set(names)) != len(names):
        raise ValueError("two notebooks share a name")
    return made


def notebook_text(book: Book) -> str:
    """The notebook as Jupyter saves it (indent 1, sorted keys, trailing newline)."""
    doc = book.document()
    nbformat.validate(nbformat.from_dict(doc))
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string


def labels_text(made: list[Book], header: str) -> str:
    """labels.toml (``header`` first): one table per notebook, then the expected findings
    and the negatives."""
    out = [header]
    for book in made:
        out.append(f"[notebooks.{_toml(book.name)}]\nabout = {_toml(book.about)}\n")
    fields = {
        "pos": ("notebook", "cell", "line", "family", "code", "stretch", "note"),
        "neg": ("notebook", "cell", "line", "note"),
    }
    for kind, table in (("pos", "expected"), ("neg", "negative")):
        for book in made:
            for lab in book.labels:
                if lab.kind == kind:
                    body = "".join(f"{f} = {_toml(getattr(lab, f))}\n" for f in fields[kind])
                    out.append(f"[[{table}]]\n{body}")
    return "\n".join(out)


def outputs(made: list[Book], header: str) -> dict[str, str]:
    """File name -> text of every file a set's make_notebooks.py writes."""
    files = {book.name: notebook_text(book) for book in made}
    files[LABELS] = labels_text(made, header)
    return files


def main(
    argv: list[str] | None, books: Callable[[], list[Book]], here: Path, header: str, doc: str
) -> int:
    """A set's make_notebooks.py: write (or ``--check``) its notebooks and labels."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=here, help="folder to write into")
    ap.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = ap.parse_args(argv)
    made = unique(books())
    files = outputs(made, header)
    if args.check:
        stale = [
            n
            for n, t in files.items()
            if not (args.out / n).is_file() or (args.out / n).read_bytes() != t.encode("utf-8")
        ]
        extra = sorted(p.name for p in args.out.glob("*.ipynb") if p.name not in files)
        for name in stale + extra:
            print(f"differs: {name}")
        return 1 if stale or extra else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_bytes(text.encode("utf-8"))
    pos = sum(lab.kind == "pos" for b in made for lab in b.labels)
    neg = sum(lab.kind == "neg" for b in made for lab in b.labels)
    print(f"{len(made)} notebooks, {pos} expected findings, {neg} hard negatives -> {args.out}")
    return 0
