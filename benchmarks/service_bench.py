"""A bounded load test of the service that ``nb2prod scaffold`` generates.

    .venv/bin/python benchmarks/service_bench.py [--notebook NB] [--requests N]
        [--batch ROWS] [--concurrency C] [--json FILE]

1. convert and scaffold the notebook (default: sample_notebooks/churn_classifier.ipynb)
   into a temporary folder, and train its model (``python -m <pkg>.train``, the data from
   sample_notebooks/data);
2. start the service (``python -m <pkg>.service``: uvicorn, one worker) on a loopback port,
   with its calculation log in a local folder;
3. send N single-record requests, then N batch requests of ROWS records, from C client
   threads (httpx, keep-alive), after a warm-up; records are drawn from the training
   features' ranges and categories (GET /model);
4. print requests/s, rows/s and p50/p99/max latency for each, check that every answer was
   200 and that the calculation log holds one line per predicted row.

Client and server share the machine: the figures include the client's own work.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_RUNNING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")


def build(notebook: Path, work: Path) -> tuple[Path, str, dict[str, str]]:
    """Convert, scaffold, train; (project, package, environment of its processes)."""
    from nb2prod.convert import run as convert
    from nb2prod.scaffold import run as scaffold

    project = work / "project"
    converted = convert(notebook, project)
    if converted.exit_code:
        sys.exit(f"convert failed: {converted.error or converted.findings}")
    scaffolded = scaffold(project)
    if scaffolded.exit_code:
        sys.exit(f"scaffold failed: {scaffolded.error}")
    package = converted.package
    assert package is not None
    prefix = package.upper() + "_"
    env = {
        **os.environ,
        "PYTHONPATH": str(project / "src"),
        prefix + "DATA_URI": str(ROOT / "sample_notebooks" / "data"),
        prefix + "MODEL_URI": str(work / "model"),
        prefix + "CALCULATION_LOG_URI": str(work / "calculations"),
        "OMP_NUM_THREADS": "1",
    }
    proc = subprocess.run(
        [sys.executable, "-m", f"{package}.train"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode:
        sys.exit(f"train failed:\n{proc.stderr}")
    return project, package, env


def records(metadata: dict[str, Any], n: int, rng: random.Random) -> list[dict[str, Any]]:
    """``n`` valid records drawn from the features' ranges and categories."""
    out = []
    for _ in range(n):
        record = {}
        for c in metadata["features"]["columns"]:
            if c.get("categories"):
                record[c["name"]] = rng.choice(c["categories"])
            elif c["kind"] == "integer":
                record[c["name"]] = rng.randint(c["min"], c["max"])
            elif c["kind"] == "number":
                record[c["name"]] = round(rng.uniform(c["min"], c["max"]), 3)
            elif c["kind"] == "boolean":
                record[c["name"]] = rng.random() < 0.5
            else:
                record[c["name"]] = c["example"]
        out.append(record)
    return out


def load(url: str, bodies: list[Any], concurrency: int) -> tuple[float, list[float], int]:
    """POST every body to /predict from ``concurrency`` threads; (wall seconds, latencies,
    non-200 answers)."""
    import httpx

    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    chunks = [bodies[i::concurrency] for i in range(concurrency)]

    def worker(chunk: list[Any]) -> None:
        nonlocal failures
        mine, bad = [], 0
        with httpx.Client(base_url=url, timeout=30) as client:
            for body in chunk:
                started = time.perf_counter()
                answer = client.post("/predict", json=body)
                mine.append(time.perf_counter() - started)
                bad += answer.status_code != 200
        with lock:
            latencies.extend(mine)
            failures += bad

    threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, failures


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--notebook", type=Path, default=ROOT / "sample_notebooks" / "churn_classifier.ipynb"
    )
    parser.add_argument("--requests", type=int, default=2000, help="per kind (default 2000)")
    parser.add_argument("--batch", type=int, default=32, help="records per batch request")
    parser.add_argument("--concurrency", type=int, default=1, help="client threads")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    import httpx

    rng = random.Random(6)
    with tempfile.TemporaryDirectory(prefix="nb2prod-service-bench-") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        project, package, env = build(args.notebook, work)
        print(f"{package}: converted, scaffolded and trained in {time.perf_counter() - t0:.1f} s")
        log_path = work / "server.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", f"{package}.service", "--port", "0"],
                cwd=work,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 60
            while not (found := _RUNNING.search(log_path.read_text(errors="replace"))):
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"the service did not start:\n{log_path.read_text()}")
                time.sleep(0.05)
            url = f"http://127.0.0.1:{found.group(1)}"
            with httpx.Client(base_url=url) as client:
                while client.get("/ready").status_code != 200:
                    time.sleep(0.05)
                metadata = client.get("/model").json()
            pool = records(metadata, 500, rng)
            warm = [rng.choice(pool) for _ in range(100)]
            load(url, warm, 1)
            singles = [rng.choice(pool) for _ in range(args.requests)]
            batches = [rng.sample(pool, args.batch) for _ in range(args.requests)]
            figures = {}
            for kind, bodies, rows in (
                ("single", singles, 1),
                (f"batch of {args.batch}", batches, args.batch),
            ):
                wall, latencies, failures = load(url, bodies, args.concurrency)
                figures[kind] = {
                    "requests": len(bodies),
                    "failures": failures,
                    "requests_per_s": len(bodies) / wall,
                    "rows_per_s": len(bodies) * rows / wall,
                    "p50_ms": percentile(latencies, 0.50) * 1000,
                    "p99_ms": percentile(latencies, 0.99) * 1000,
                    "max_ms": max(latencies) * 1000,
                    "mean_ms": statistics.fmean(latencies) * 1000,
                }
        finally:
            server.terminate()
            server.wait(timeout=60)
        expected_rows = len(warm) + len(singles) + len(batches) * args.batch
        logged = sum(
            len(p.read_text().splitlines()) for p in (work / "calculations").rglob("*.jsonl")
        )

    print(
        f"{args.requests} requests of each kind, {args.concurrency} client thread(s),"
        f" one uvicorn worker, {os.cpu_count()} CPUs, loopback"
    )
    print(f"{'kind':<14} {'req/s':>8} {'rows/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind, f in figures.items():
        print(
            f"{kind:<14} {f['requests_per_s']:>8.0f} {f['rows_per_s']:>9.0f} {f['p50_ms']:>8.2f}"
            f" {f['p99_ms']:>8.2f} {f['max_ms']:>8.2f}"
        )
    failures = sum(f["failures"] for f in figures.values())
    print(
        f"non-200 answers: {failures}; calculation log lines: {logged} (expected {expected_rows})"
    )
    if args.json:
        args.json.write_text(json.dumps({"figures": figures, "logged": logged}, indent=2))
    return 0 if failures == 0 and logged == expected_rows else 1


if __name__ == "__main__":
    sys.exit(main())
