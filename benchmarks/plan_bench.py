"""How long planning and rendering a project takes: ``convert`` without writing, per notebook.

    .venv/bin/python benchmarks/plan_bench.py [--corpus DIR ...] [--service]

In one process, for every notebook of each corpus folder (default: the runnable and
local-data corpora and the sample notebooks): read, analyse, plan and render the package
(``nb2prod.project.plan.plan_project``; with ``--service``, the model service too where the
notebook fits a model). Prints, per corpus, notebooks planned, refused (exit-1 findings do
not stop planning; input errors count here), total, median and p95 seconds, and peak memory.
Nothing is executed and nothing is written: this is nb2prod's own cost, the part a
reshaping of the code could make slower. Run it before and after a change on an idle
machine (``PYTHONPATH=<other checkout>`` measures another version with the same packages).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULTS = [CORPUS / "runnable", CORPUS / "local-data", ROOT / "sample_notebooks"]


def plan_one(path: Path, service: bool) -> float:
    """Seconds to plan ``path`` (raises InputError for a notebook that cannot be planned)."""
    try:  # this checkout
        from nb2prod.project.plan import plan_project
        from nb2prod.project.service import ServiceRequest
    except ImportError:  # an older checkout: the same work through its public function
        from nb2prod.convert import render_package

        start = time.perf_counter()
        render_package(path)
        return time.perf_counter() - start
    start = time.perf_counter()
    plan_project(path, service=ServiceRequest() if service else None)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append")
    parser.add_argument("--service", action="store_true")
    args = parser.parse_args()
    from nb2prod import __file__ as where
    from nb2prod.errors import InputError

    print(f"nb2prod from {Path(where).parent}")
    print(
        f"{'corpus':<18} {'planned':>7} {'refused':>7} {'total s':>8} {'median s':>8} {'p95 s':>7}"
    )
    for folder in args.corpus or DEFAULTS:
        times: list[float] = []
        refused = 0
        for nb in sorted(folder.rglob("*.ipynb")):
            if ".ipynb_checkpoints" in nb.parts:
                continue
            try:
                times.append(plan_one(nb, args.service))
            except InputError:
                refused += 1
        if not times:
            continue
        times.sort()
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(
            f"{folder.name:<18} {len(times):>7} {refused:>7} {sum(times):>8.2f}"
            f" {statistics.median(times):>8.3f} {p95:>7.3f}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
