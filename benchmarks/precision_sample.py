"""Precision re-sample of ``nb2prod lint`` findings on a corpus (issue 17).

    .venv/bin/python benchmarks/precision_sample.py [--corpus DIR] [--seed 17] [--per-family 20]
    .venv/bin/python benchmarks/precision_sample.py --judgements judged.tsv

Lints the corpus once (``--no-cache --format json``; ``--config`` points at a throw-away
pyproject.toml in a temporary folder, so nothing is written beside the notebooks), prints the
number of findings per code, then draws a seeded random sample of up to ``--per-family``
findings from each family (IO, SEC, NB) and prints each one with the cell's source around
its line, for a person to judge against the rule's definition in docs/rules.md. Every
printed line goes through the notebook's masker (nb2prod's own): no secret is printed.

``--judgements FILE`` reads a TSV of ``number<TAB>right|wrong|debatable<TAB>reason`` for the
same sample (same corpus, seed and size) and prints precision per family:
right / (right + wrong), debatable counted apart, with the wrong and debatable ones listed.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from nb2prod.analysis.context import Analysis
from nb2prod.analysis.secrets.masker import Masker, mask_formats
from nb2prod.config import Settings, load_settings
from nb2prod.notebook.load import load_notebook
from nb2prod.notebook.model import Notebook

FAMILIES = {
    "IO": [f"IO00{i}" for i in range(1, 7)],
    "SEC": [f"SEC00{i}" for i in range(1, 7)],
    "NB": [f"NB00{i}" for i in range(1, 8)],
}
VERDICTS = ("right", "wrong", "debatable")
CONTEXT = 3  # source lines printed either side of the finding's line
NB2PROD = Path(sys.executable).with_name("nb2prod")

Finding = dict[str, Any]


def lint(corpus: Path, config: Path) -> list[Finding]:
    """The findings of one ``nb2prod lint`` run over ``corpus``, as JSON objects."""
    cmd = [str(NB2PROD), "lint", "--no-cache", "--format", "json", "--config", str(config)]
    proc = subprocess.run([*cmd, str(corpus)], capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1, 2):  # 1: findings, 2: unreadable files (listed)
        sys.exit(f"nb2prod lint failed (exit {proc.returncode}): {proc.stderr[-500:]}")
    doc = json.loads(proc.stdout)
    for err in doc["errors"]:
        print(f"unreadable: {mask_formats(err['message'])}")
    return list(doc["findings"])


def family_of(code: str) -> str | None:
    return next((fam for fam, codes in FAMILIES.items() if code in codes), None)


def draw(findings: list[Finding], seed: int, per_family: int) -> list[tuple[int, Finding]]:
    """Numbered sample: up to ``per_family`` findings of each family, drawn with ``seed``,
    listed in report order (path, cell, line) within each family."""
    rng = random.Random(seed)
    sample: list[tuple[int, Finding]] = []
    for fam in FAMILIES:
        pool = [i for i, f in enumerate(findings) if family_of(f["code"]) == fam]
        picked = sorted(rng.sample(pool, min(per_family, len(pool))))
        base = len(sample)
        sample.extend((base + n + 1, findings[i]) for n, i in enumerate(picked))
    return sample


class Notebooks:
    """Loaded notebooks and their maskers, each made once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._cache: dict[str, tuple[Notebook, Masker]] = {}

    def get(self, path: str) -> tuple[Notebook, Masker]:
        if path not in self._cache:
            nb = load_notebook(path)
            self._cache[path] = (nb, Analysis(nb, self.settings).masker)
        return self._cache[path]


def execution_note(nb: Notebook, f: Finding) -> str | None:
    """For NB004-NB006: the execution state the judgement needs."""
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    if f["code"] == "NB004":
        counts = [
            f"{'>' if c.index == f['cell'] else ''}{c.execution_count}"
            for c in code_cells
            if c.execution_count is not None
        ]
        return f"execution counts in file order ({len(counts)} of them): {' '.join(counts)}"
    cell = next((c for c in nb.cells if c.index == f["cell"]), None)
    if cell is None or f["code"] not in ("NB005", "NB006"):
        return None
    kinds = [o.get("output_type", "?") for o in cell.outputs if isinstance(o, dict)]
    names = [o.get("ename", "") for o in cell.outputs if isinstance(o, dict)]
    errors = [n for n in names if n]
    run = sum(c.execution_count is not None for c in code_cells)
    return (
        f"cell count={cell.execution_count} outputs={kinds or 'none'} "
        f"errors={errors or 'none'} tags={cell.tags or 'none'}; "
        f"{run} of {len(code_cells)} code cells have a count"
    )


def show(number: int, f: Finding, notebooks: Notebooks, corpus: Path) -> None:
    """One sampled finding with its context, every line masked."""
    nb, masker = notebooks.get(f["path"])
    where = Path(f["path"]).relative_to(corpus) if f["path"].startswith(str(corpus)) else f["path"]
    print(f"\n#{number} {f['code']} {where} cell {f['cell']} line {f['line']}")
    print(f"    {masker(mask_formats(f['message']))}")
    note = execution_note(nb, f)
    if note:
        print(f"    [{note}]")
    cell = next((c for c in nb.cells if c.index == f["cell"]), None)
    if cell is None:
        print(f"    (notebook-level) {masker(mask_formats(f['source_line']))}")
        return
    lines = cell.lines
    lo, hi = max(1, f["line"] - CONTEXT), min(len(lines), f["line"] + CONTEXT)
    print(f"    --- {cell.cell_type} cell, {len(lines)} lines ---")
    for n in range(lo, hi + 1):
        text = masker(mask_formats(lines[n - 1].rstrip("\n")))
        mark = ">>" if n == f["line"] else "  "
        print(f"    {mark}{n:4d} | {text[:200]}")


def read_judgements(path: Path) -> dict[int, tuple[str, str]]:
    """``number -> (verdict, reason)`` from a TSV; blank lines and ``#`` comments skipped."""
    judged: dict[int, tuple[str, str]] = {}
    for row in path.read_text(encoding="utf-8").splitlines():
        if not row.strip() or row.startswith("#"):
            continue
        number, verdict, *reason = row.split("\t")
        if verdict.strip() not in VERDICTS:
            sys.exit(f"{path}: verdict must be one of {VERDICTS}: {row!r}")
        judged[int(number)] = (verdict.strip(), "\t".join(reason).strip())
    return judged


def summarise(sample: list[tuple[int, Finding]], judged: dict[int, tuple[str, str]]) -> None:
    """Precision per family, and the wrong and debatable findings with their reasons."""
    missing = [n for n, _ in sample if n not in judged]
    if missing:
        print(f"\nnot judged: {missing}")
    print(f"\n{'family':6} {'sample':>6} {'right':>5} {'wrong':>5} {'debat.':>6} {'precision':>9}")
    for fam in FAMILIES:
        verdicts = Counter(
            judged[n][0] for n, f in sample if family_of(f["code"]) == fam and n in judged
        )
        size = sum(family_of(f["code"]) == fam for _, f in sample)
        decided = verdicts["right"] + verdicts["wrong"]
        precision = f"{verdicts['right'] / decided:.0%}" if decided else "n/a"
        print(
            f"{fam:6} {size:6d} {verdicts['right']:5d} {verdicts['wrong']:5d} "
            f"{verdicts['debatable']:6d} {precision:>9}"
        )
    for kind in ("wrong", "debatable"):
        rows = [(n, f) for n, f in sample if judged.get(n, ("",))[0] == kind]
        if rows:
            print(f"\n{kind}:")
        for n, f in rows:
            print(f"  #{n} {f['code']} {Path(f['path']).name} cell {f['cell']} line {f['line']}")
            print(f"      {judged[n][1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus/messy"))
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--per-family", type=int, default=20)
    parser.add_argument("--judgements", type=Path, help="TSV: number, verdict, reason")
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    with tempfile.TemporaryDirectory(prefix="nb2prod-precision-") as tmp:
        config = Path(tmp) / "pyproject.toml"
        config.write_text(f'[tool.nb2prod]\ncache-dir = "{Path(tmp) / "cache"}"\n', "utf-8")
        findings = lint(corpus, config)
        settings = load_settings(config)
    counts = Counter(f["code"] for f in findings)
    print(f"{len(findings)} findings in {corpus}; per code:")
    for fam, codes in FAMILIES.items():
        total = sum(counts[c] for c in codes)
        print(f"  {fam:4} {total:5d}: " + ", ".join(f"{c} {counts[c]}" for c in codes))
    others = sum(n for c, n in counts.items() if family_of(c) is None)
    print(f"  other (PY) {others}")
    sample = draw(findings, args.seed, args.per_family)
    print(f"sample: seed {args.seed}, up to {args.per_family} per family, {len(sample)} findings")
    if args.judgements:
        summarise(sample, read_judgements(args.judgements))
        return
    notebooks = Notebooks(settings)
    for number, f in sample:
        show(number, f, notebooks, corpus)


if __name__ == "__main__":
    main()
