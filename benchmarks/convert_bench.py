"""How well ``nb2prod convert`` does on notebooks that really run.

    .venv/bin/python benchmarks/convert_bench.py [--corpus DIR] [--python PATH]
        [--limit N] [--jobs N] [--partial] [--timeout S] [--json FILE]

For every notebook of the folder (default: the corpus's ``runnable/``):

1. convert it into a temporary folder (timed, in this process: ``nb2prod.convert.run``);
2. verify it as ``nb2prod convert --verify`` does (:func:`nb2prod.convert.verify.verify`):
   execute the notebook with nbclient and the package's pipeline (twice), compare what they
   print and the values each step returns, and record the notebook's values as the
   package's golden values;
3. run the generated tests, ``<python> -m pytest -q`` in the package folder: they run the
   pipeline and compare it with those golden values.

``--python`` is the interpreter with the notebooks' packages, nbclient, ipykernel and pytest
(default: /tmp/runnable-venv/bin/python when it exists, else this one). Prints a table, then
the rates: converted, runs, faithful (prints what the notebook prints and returns the values
it had; "same lines, numbers differ" apart), golden tests pass, and seconds per notebook.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "runnable"
RUNNABLE_PY = Path("/tmp/runnable-venv/bin/python")


@dataclass(slots=True)
class Row:
    notebook: str
    converted: bool = False
    convert_seconds: float = 0.0
    tests: bool | None = None
    runs: bool | None = None
    prints: bool | None = None
    values_only: bool | None = None  # same lines, only numbers differ
    faithful: bool | None = None  # prints what the notebook printed, returns what it had
    values: int = 0  # step values compared
    unstable: int = 0  # printed lines and values not compared (they change between runs)
    note: str = ""
    notebook_seconds: float = 0.0
    package_seconds: float = 0.0
    lines: int = 0  # stdout lines the notebook printed


def _short(text: str, n: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def bench_one(nb: str, python: str, timeout: float, partial: bool) -> Row:
    from nb2prod.convert import run
    from nb2prod.convert.verify import record_golden, verify

    row = Row(Path(nb).name)
    with tempfile.TemporaryDirectory(prefix="nb2prod-convert-bench-") as tmp:
        out = Path(tmp) / "pkg"
        start = time.perf_counter()
        try:
            res = run(nb, out, allow_partial=partial)
        except Exception as exc:  # noqa: BLE001 - a crash is a result here
            row.convert_seconds = time.perf_counter() - start
            row.note = f"convert crashed: {type(exc).__name__}: {_short(str(exc))}"
            return row
        row.convert_seconds = time.perf_counter() - start
        row.converted = res.exit_code == 0
        if not res.written:
            codes = sorted({f.code for f in res.findings if f.code.startswith("CV")})
            row.note = res.error or f"not converted: {', '.join(codes) or res.exit_code}"
            return row
        if not row.converted:
            row.note = "partial: " + ", ".join(sorted({f.code for f in res.findings}))
        result = verify(nb, out, python, timeout=timeout)
        row.notebook_seconds = result.notebook_seconds
        row.package_seconds = result.package_seconds
        row.lines = result.expected_lines
        if result.error and result.error.startswith("notebook"):
            row.note = _short(result.error)
            return row
        record_golden(out, result)
        row.runs = result.returncode == 0
        printed = [m for m in result.mismatches if m.kind != "returned"]
        row.prints = row.runs and not printed and result.error is None
        row.values_only = result.values_only and row.runs
        row.faithful = result.faithful
        row.values = result.compared_values
        row.unstable = len(result.unstable_lines) + sum(map(len, result.unstable_values.values()))
        if result.error:
            row.note = _short(result.error)
        elif not row.runs:
            row.note = "run: " + _short(
                result.stderr_tail.splitlines()[-1:][0] if result.stderr_tail else ""
            )
        elif result.mismatches:
            m = result.mismatches[0]
            row.note = _short(
                f"{len(result.mismatches)} diff; cell {m.cell} {m.kind}: "
                f"{m.expected!r} vs {m.actual!r}"
            )
        row.tests, test_note = _generated_tests(out, python, timeout)
        row.note = row.note or test_note
    return row


def _generated_tests(folder: Path, python: str, timeout: float) -> tuple[bool, str]:
    """Run the generated tests in ``folder``: (passed, a note when they did not)."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    env.pop("PYTHONPATH", None)
    try:
        proc = subprocess.run(
            [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=2 * timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, "tests timed out"
    if proc.returncode == 0:
        return True, ""
    return False, "tests: " + _short(proc.stdout.strip()[-200:])


def _notebooks(corpus: Path) -> list[str]:
    """The notebooks of ``corpus``: its ``*.ipynb``, or for a folder of one folder per
    notebook (``local-data/``) the notebook its ``MANIFEST.tsv`` names in each."""
    manifest = corpus / "MANIFEST.tsv"
    if manifest.is_file() and not any(corpus.glob("*.ipynb")):
        rows = [line.split("\t") for line in manifest.read_text(encoding="utf-8").splitlines()]
        head = rows[0]
        folder, notebook = head.index("folder"), head.index("notebook")
        return sorted(str(corpus / r[folder] / r[notebook]) for r in rows[1:] if len(r) > 1)
    return sorted(str(p) for p in corpus.glob("*.ipynb"))


def _mark(v: bool | None) -> str:
    return "-" if v is None else ("ok" if v else "NO")


def _rate(rows: list[Row], attr: str) -> str:
    n = sum(1 for r in rows if getattr(r, attr))
    return f"{n}/{len(rows)} ({100 * n / max(len(rows), 1):.0f}%)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument(
        "--python", default=str(RUNNABLE_PY) if RUNNABLE_PY.exists() else sys.executable
    )
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--partial", action="store_true", help="convert with allow_partial")
    ap.add_argument("--json", type=Path, help="write the rows as JSON here")
    args = ap.parse_args(argv)

    from nb2prod.convert.verify import has_nbclient

    if not has_nbclient(args.python):
        print(f"{args.python}: nbclient/ipykernel not importable", file=sys.stderr)
        return 2
    notebooks = _notebooks(args.corpus)[: args.limit]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [
            pool.submit(bench_one, nb, args.python, args.timeout, args.partial) for nb in notebooks
        ]
        rows = [f.result() for f in futures]
    wall = time.perf_counter() - start

    width = max((len(r.notebook) for r in rows), default=8)
    print(
        f"{'notebook':<{width}}  conv  s_conv  runs  prints  faithful  tests"
        "  lines  values  unstable  note"
    )
    for r in rows:
        print(
            f"{r.notebook:<{width}}  {_mark(r.converted):<4}  {r.convert_seconds:6.2f}  "
            f"{_mark(r.runs):<4}  {_mark(r.prints):<6}  {_mark(r.faithful):<8}  "
            f"{_mark(r.tests):<5}  {r.lines:5}  {r.values:6}  {r.unstable:8}  {r.note}"
        )
    n = max(len(rows), 1)
    print()
    print(f"python: {args.python}   notebooks: {len(rows)}   wall: {wall:.0f} s")
    print(f"converted:                       {_rate(rows, 'converted')}")
    print(f"runs (pipeline exits 0):         {_rate(rows, 'runs')}")
    print(f"prints what the notebook prints: {_rate(rows, 'prints')}")
    print(f"  same lines, numbers may differ:  {_rate(rows, 'values_only')}")
    print(f"faithful (printed + step values): {_rate(rows, 'faithful')}")
    print(f"generated tests pass (golden):   {_rate(rows, 'tests')}")
    print(
        f"step values compared: {sum(r.values for r in rows)}; not compared (change between"
        f" runs): {sum(r.unstable for r in rows)} lines and values"
    )
    print(f"convert: {sum(r.convert_seconds for r in rows) / n:.2f} s/notebook")
    print(
        f"notebook exec {sum(r.notebook_seconds for r in rows) / n:.1f} s/notebook, "
        f"package run {sum(r.package_seconds for r in rows) / n:.1f} s/notebook"
    )
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
