"""Fuzz campaign: the hypothesis suite ``tests/hardening/test_fuzz.py`` in its deep profile.

    .venv/bin/python benchmarks/fuzz_bench.py [--examples N] [--tests lint,fix,convert]
                                              [--keep DIR] [--seed S]

Runs the suite under pytest with ``NB2PROD_FUZZ=deep`` (``--examples`` generated notebooks
per test, 500 by default) and ``NB2PROD_FUZZ_LOG``: every case is recorded and a failing one
does not stop the campaign (in CI a failure stops and shrinks, as hypothesis does). Prints
the cases run and the failures found per test, grouped by what went wrong, and keeps each
failing notebook in ``--keep`` (a temporary folder by default) to reproduce it with
``nb2prod lint FILE``. Exits 1 when a case failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITE = "tests/hardening/test_fuzz.py"
TESTS = {
    "lint": "test_lint_answers_any_notebook",
    "fix": "test_fix_answers_any_notebook",
    "convert": "test_convert_answers_any_notebook",
}


def _kind(problem: str) -> str:
    """A problem without its particulars (numbers, file names), to group alike ones."""
    problem = re.sub(r"\S*nb2prod-fuzz-\S*?nb\.ipynb", "NOTEBOOK", problem)  # its temp path
    return re.sub(r"\d+", "N", problem)[:140]


def _exits(test: str, runs: list[dict]) -> str:
    """How the cases ended: exit codes (the last command's), packages written (convert)."""
    codes = Counter(e["exits"][0 if test != "lint" else 1] for e in runs if e.get("exits"))
    shown = ", ".join(f"exit {c}: {n}" for c, n in sorted(codes.items()))
    if test == "convert":
        shown += f", package written: {sum(1 for e in runs if e.get('exits', [0, 0])[1])}"
    return shown


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=500, help="generated notebooks per test")
    ap.add_argument("--tests", default="lint,fix,convert", help="which: lint, fix, convert")
    ap.add_argument("--keep", type=Path, help="folder for the failing notebooks")
    ap.add_argument("--seed", help="hypothesis seed (default: random)")
    args = ap.parse_args(argv)
    wanted = [t.strip() for t in args.tests.split(",") if t.strip()]
    unknown = [t for t in wanted if t not in TESTS]
    if unknown:
        ap.error(f"unknown test(s) {', '.join(unknown)}; choose from {', '.join(TESTS)}")
    keep = args.keep or Path(tempfile.mkdtemp(prefix="nb2prod-fuzz-failures-"))
    keep.mkdir(parents=True, exist_ok=True)
    log = keep / "cases.jsonl"
    log.unlink(missing_ok=True)
    env = {
        **os.environ,
        "NB2PROD_FUZZ": "deep",
        "NB2PROD_FUZZ_EXAMPLES": str(args.examples),
        "NB2PROD_FUZZ_LOG": str(log),
    }
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", SUITE]
    cmd += ["-k", " or ".join(TESTS[t] for t in wanted)]
    if args.seed:
        cmd.append(f"--hypothesis-seed={args.seed}")
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    entries = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    print(f"fuzz campaign: {len(entries)} cases in {elapsed:.0f} s ({args.examples} per test)")
    failed = 0
    for test in wanted:
        runs = [e for e in entries if e["test"] == test]
        bad = [e for e in runs if e["problems"]]
        failed += len(bad)
        print(f"  {test:8} {len(runs):5} cases run, {len(bad):4} failed; {_exits(test, runs)}")
        kinds: Counter[str] = Counter()
        example: dict[str, str] = defaultdict(str)
        for e in bad:
            for problem in e["problems"]:
                kinds[_kind(problem)] += 1
                example[_kind(problem)] = example[_kind(problem)] or e.get("file", "")
        for kind, n in kinds.most_common():
            print(f"      {n:4} x {kind}")
            print(f"           e.g. {example[kind]}")
    if proc.returncode not in (0, 1) or not entries:  # pytest itself failed: show why
        print(proc.stdout[-3000:], proc.stderr[-3000:], sep="\n")
        return 1
    print(f"failures found: {failed}; failing notebooks kept in {keep}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
