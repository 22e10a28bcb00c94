"""Side-by-side timings: ``nb2prod lint`` against the tools a team would use instead.

    .venv/bin/python benchmarks/lint_bench.py [--corpus DIR] [--repeat N] [--check] [--no-bytecode]

Measures, in one run and with the executables installed beside this interpreter:

* ``nb2prod lint --no-cache`` over a folder of notebooks (cold: every notebook analysed),
* the same command again with a warm content-hash cache (nothing changed since the last run),
* both again with ``--format json``, which separates the cost of the text report,
* ``ruff check --no-cache`` over the same notebooks (the default rules, which nb2prod's PY
  family also runs),
* linting ONE notebook through the console script (start-up included) against ruff on it,
* ``detect-secrets scan`` over the folder, when it is installed (it is not a dependency).

Targets (issue 17): the corpus cold within 2x ruff's time, the warm re-run no slower than
ruff, one notebook under 0.2 s. ``--check`` exits 1 when one is missed. The cache lives in a
temporary folder (``--config`` points at a throw-away pyproject.toml), so nothing is written
beside the notebooks. Commands run round-robin and each gets wall and CPU time: on a busy
machine, compare the CPU columns.

nb2prod runs from compiled bytecode, as an installed tool does (pip compiles it at install):
the runs get a bytecode cache in the temporary folder (``PYTHONPYCACHEPREFIX``), filled by
the warm-up runs, even where ``PYTHONDONTWRITEBYTECODE`` is set (which would otherwise
recompile every nb2prod module at each start). ``--no-bytecode`` measures without it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "messy"
DEFAULT_ONE = ROOT / "sample_notebooks" / "churn_model.ipynb"
COLD = "nb2prod lint --no-cache (cold)"
COLD_JSON = "nb2prod lint --no-cache --format json (cold)"
WARM = "nb2prod lint (warm cache)"
WARM_JSON = "nb2prod lint --format json (warm cache)"
RUFF = "ruff check --no-cache"
ONE = "nb2prod lint, 1 notebook"
RUFF_ONE = "ruff check, 1 notebook"


@dataclass
class Timing:
    label: str
    runs: list[float]  # wall seconds
    cpu: list[float] = field(default_factory=list)  # user + system seconds, children included

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


def executable(name: str) -> str:
    """``name`` installed beside this interpreter (the project's venv), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        sys.exit(f"lint_bench: {name} is not installed (pip install -e '.[test]')")
    return found


def run_once(
    cmd: list[str],
    ok: tuple[int, ...] = (0, 1),
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> tuple[float, float]:
    """Wall and CPU time of one run of ``cmd`` (output discarded); exits on an unexpected
    exit code. CPU time (user + system, worker processes included) is what the run costs,
    whatever else the machine is doing; wall time is what the user waits."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in ok:
        sys.exit(f"lint_bench: {' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr.decode()}")
    return elapsed, cpu


def interleaved(commands: dict[str, list[str]], repeat: int, **kw) -> dict[str, Timing]:
    """Run the commands round-robin ``repeat`` times, so that background load drifting
    during the benchmark hits all of them alike."""
    timings = {label: Timing(label, []) for label in commands}
    for _ in range(repeat):
        for label, cmd in commands.items():
            wall, cpu = run_once(cmd, **kw)
            timings[label].runs.append(wall)
            timings[label].cpu.append(cpu)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of notebooks")
    parser.add_argument("--one", type=Path, default=DEFAULT_ONE, help="the single notebook")
    parser.add_argument("--repeat", type=int, default=5, help="runs per corpus measurement")
    parser.add_argument("--repeat-one", type=int, default=15, help="runs per one-notebook timing")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="no private bytecode cache: honour PYTHONDONTWRITEBYTECODE as set",
    )
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        sys.exit(f"lint_bench: no corpus at {args.corpus} (use --corpus DIR)")
    notebooks = sorted(args.corpus.rglob("*.ipynb"))
    nb2prod, ruff = executable("nb2prod"), executable("ruff")
    corpus, one = str(args.corpus), str(args.one)

    with tempfile.TemporaryDirectory(prefix="nb2prod-bench-") as tmp:
        config = Path(tmp) / "pyproject.toml"
        config.write_text(
            f'[tool.nb2prod]\ncache-dir = "{Path(tmp) / "cache"}"\n', encoding="utf-8"
        )
        lint = [nb2prod, "lint", "--config", str(config)]
        ruff_check = [ruff, "check", "--isolated", "--no-cache", "--exit-zero"]
        env = None
        if not args.no_bytecode:
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        run_once(lint + ["--no-cache", one], env=env)  # warm the OS file cache, compile
        run_once(ruff_check + [corpus])
        run_once(lint + [corpus], env=env)  # fills nb2prod's cache for the warm runs
        corpus_runs = {
            COLD: lint + ["--no-cache", corpus],
            COLD_JSON: lint + ["--no-cache", "--format", "json", corpus],
            WARM: lint + [corpus],
            WARM_JSON: lint + ["--format", "json", corpus],
            RUFF: ruff_check + [corpus],
        }
        if shutil.which("detect-secrets"):
            corpus_runs["detect-secrets scan --all-files"] = [
                "detect-secrets",
                "scan",
                "--all-files",
                corpus,
            ]
        timings = interleaved(corpus_runs, args.repeat, cwd=Path(tmp), env=env)
        timings |= interleaved(
            {ONE: lint + ["--no-cache", one], RUFF_ONE: ruff_check + [one]},
            args.repeat_one,
            env=env,
        )

    cold, warm, ruff_all, nb_one = timings[COLD], timings[WARM], timings[RUFF], timings[ONE]
    targets = {
        COLD: (f"<= 2x ruff ({2 * ruff_all.median:.2f} s)", cold.median <= 2 * ruff_all.median),
        WARM: (f"<= ruff ({ruff_all.median:.2f} s)", warm.median <= ruff_all.median),
        ONE: ("< 0.20 s", nb_one.median < 0.20),
    }
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    print(f"{len(notebooks)} notebooks in {args.corpus}; {os.cpu_count()} CPUs{load}")
    print(f"medians of {args.repeat} interleaved runs ({args.repeat_one} for one notebook)")
    if not args.no_bytecode:
        print("nb2prod ran from compiled bytecode (a private cache, as after pip install)")
    elif os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("note: PYTHONDONTWRITEBYTECODE is set: modules without .pyc compile at each start")
    print(f"\n{'':<44} {'wall time':^26} {'CPU time':^17}")
    print(
        f"{'what':<44} {'median':>8} {'min':>8} {'vs ruff':>8} {'median':>8} {'vs ruff':>8}   target"
    )
    for label, t in timings.items():
        base = timings[RUFF_ONE] if label == ONE else ruff_all
        is_base = label in (RUFF, RUFF_ONE)
        ratio = "" if is_base else f"{t.median / base.median:.1f}x"
        cpu_ratio = "" if is_base else f"{t.cpu_median / base.cpu_median:.1f}x"
        text, ok = targets.get(label, ("", None))
        verdict = "" if ok is None else ("ok  " if ok else "MISS") + f" {text}"
        print(
            f"{label:<44} {t.median:>7.3f}s {min(t.runs):>7.3f}s {ratio:>8} "
            f"{t.cpu_median:>7.3f}s {cpu_ratio:>8}   {verdict}"
        )
    slow_warm = [x for x in timings[WARM_JSON].cpu if x > 0.5 * timings[COLD_JSON].cpu_median]
    if slow_warm:
        print(
            f"warning: {len(slow_warm)} warm run(s) cost over half a cold run: cache misses? "
            "(the cache key covers nb2prod's source files: were they edited during the run?)"
        )
    missed = [label for label, (_, ok) in targets.items() if not ok]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
