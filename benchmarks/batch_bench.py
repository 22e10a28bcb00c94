"""Batch scoring (issue 13): rows per second of the generated batch job against the other
ways of scoring the same raw records, and the memory of its workers.

    .venv/bin/python benchmarks/batch_bench.py [--notebook telco] [--rows N]
        [--blocksize SIZE] [--memory-blocksize SIZE] [--log] [--json FILE]

1. write the realistic notebook (tests/scaffold/raw_notebooks; default telco), convert it
   with the service and train it (``python -m <pkg>.train``);
2. write N raw records as CSV: the notebook's data, repeated, each row with its own id;
3. score them, the calculation log off (``--log``: on), each way on this machine:

   - pandas, one process: the CSV read by pandas, the notebook's feature code and the model
     on 2,000 rows at a time (``features.transform`` + ``predict_proba``): no validation, no
     output; the floor;
   - the batch job in one process (``--scheduler synchronous``): validation, feature code,
     model, Parquet answers;
   - the service (uvicorn, one worker), POSTed 1,000 records a request by one client;
   - the batch job on a local Dask cluster of 1, then 2, worker processes (rows/s over the
     scoring; the cluster's start-up is given apart);

4. the workers' peak memory (resident set): the batch job with 2 workers on an input of one
   partition (``--memory-blocksize`` bytes of CSV) and on one ten times larger.

Rows per second of the batch job count from the start of the computation, so they include
each worker's first import of the libraries and its loading of the model.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_RUNNING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")
NOTEBOOKS = {"telco": "customer_id", "titanic": "PassengerId", "pipeline": "loan_id"}


def build(kind: str, work: Path) -> dict[str, Any]:
    """Write, convert and train the notebook; where things are."""
    import importlib

    from nb2prod.convert import run as convert
    from nb2prod.project.service import ServiceRequest

    make = importlib.import_module(f"tests.scaffold.raw_notebooks.make_{kind}")
    nb = make.make(work / "analysis")
    converted = convert(nb, work / "project", service=ServiceRequest(id_field=NOTEBOOKS[kind]))
    if converted.exit_code:
        sys.exit(f"convert failed: {converted.error or converted.findings}")
    package, project = converted.package, work / "project"
    env = {
        **os.environ,
        "PYTHONPATH": str(project / "src"),
        "OMP_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        package.upper() + "_MODEL_URI": str(work / "model"),
    }
    _run([sys.executable, "-m", f"{package}.train", "--out", str(work / "model")], project, env)
    meta = json.loads((work / "model" / "metadata.json").read_text())
    if not meta["records"]["replayable"]:
        sys.exit(f"{kind}: the service does not take raw records: {meta['records']['reasons']}")
    data = next((nb.parent / "data").glob("*.csv"))
    return {"package": package, "project": project, "env": env, "meta": meta, "data": data}


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{' '.join(args[:3])} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return done.stdout


def write_input(data: Path, id_field: str, rows: int, out: Path) -> int:
    """``rows`` records: ``data`` repeated, ids made unique; the file's size in bytes."""
    import pandas as pd

    one = pd.read_csv(data, dtype=str, keep_default_na=False)
    frame = pd.concat([one] * -(-rows // len(one)), ignore_index=True).iloc[:rows].copy()
    frame[id_field] = [str(i) if id_field != "customer_id" else f"C{i:08d}" for i in range(rows)]
    frame.to_csv(out, index=False)
    return out.stat().st_size


def pandas_floor(built: dict[str, Any], csv: Path) -> dict[str, Any]:
    """The notebook's way in one process (in a child process: the package is imported)."""
    script = """
import json, sys, time
import numpy as np, pandas as pd
from {pkg} import artifact, features
loaded = artifact.load(sys.argv[1])
targets = loaded.metadata["records"]["target_columns"]
started = time.perf_counter()
frame = pd.read_csv(sys.argv[2]).drop(columns=targets, errors="ignore")
rows = 0
for start in range(0, len(frame), 2000):
    out = features.transform(loaded.features_state, frame.iloc[start : start + 2000])
    scores = np.asarray(loaded.model.predict_proba(out.matrix))
    rows += len(scores) + len(out.rejected)
print(json.dumps({{"rows": rows, "seconds": time.perf_counter() - started}}))
""".format(pkg=built["package"])
    path = csv.parent / "pandas_floor.py"
    path.write_text(script)
    model = built["env"][built["package"].upper() + "_MODEL_URI"]
    printed = _run([sys.executable, str(path), model, str(csv)], built["project"], built["env"])
    return json.loads(printed.strip().splitlines()[-1])


def batch_job(
    built: dict[str, Any], csv: Path, out: Path, blocksize: str, log: bool, **how: Any
) -> dict[str, Any]:
    """``python -m <pkg>.batch``; its summary (and the wall time of the whole command)."""
    args = [sys.executable, "-m", f"{built['package']}.batch", "--input", str(csv)]
    args += ["--output", str(out), "--blocksize", blocksize, "--overwrite", "--quiet"]
    if not log:
        args += ["--calculation-log", "off"]
    if how.get("synchronous"):
        args += ["--scheduler", "synchronous"]
    else:
        args += ["--workers", str(how["workers"])]
    started = time.perf_counter()
    _run(args, built["project"], built["env"])
    summary = json.loads((out / "_summary.json").read_text())
    summary["wall_seconds"] = round(time.perf_counter() - started, 2)
    return summary


def service(
    built: dict[str, Any], csv: Path, work: Path, log: bool, batch: int = 1000
) -> dict[str, Any]:
    """POST the records to the service, ``batch`` a request, one client."""
    import httpx
    import pandas as pd

    meta = built["meta"]["records"]
    names = {c["name"] for c in meta["columns"]}
    frame = pd.read_csv(csv)
    frame = frame[[c for c in frame.columns if c in names]]
    records = [
        {k: (None if v != v else v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]
    prefix = built["package"].upper() + "_"
    env = {
        **built["env"],
        prefix + "CALCULATION_LOG_URI": str(work / "service-log") if log else "off",
    }
    env[prefix + "MAX_BATCH"] = str(batch)
    server_log = work / "server.log"
    with server_log.open("wb") as fh:
        server = subprocess.Popen(
            [sys.executable, "-m", f"{built['package']}.service", "--port", "0"],
            cwd=built["project"],
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None:
            found = _RUNNING.search(server_log.read_text(errors="replace"))
            if found:
                url = f"http://127.0.0.1:{found.group(1)}"
            elif server.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"the service did not start:\n{server_log.read_text()}")
            else:
                time.sleep(0.05)
        with httpx.Client(base_url=url, timeout=120) as http:
            while http.get("/ready").status_code != 200:
                time.sleep(0.05)
            http.post("/predict", json=records[:batch])  # warm-up
            started = time.perf_counter()
            answered = refused = 0
            for start in range(0, len(records), batch):
                answer = http.post("/predict", json=records[start : start + batch])
                if answer.status_code == 200:
                    answered += len(answer.json()["predictions"])
                else:
                    refused += 1
            seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "rows": len(records),
        "answered": answered,
        "refused_requests": refused,
        "seconds": seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebook", choices=sorted(NOTEBOOKS), default="telco")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--blocksize", default="1MiB", help="of the throughput runs")
    parser.add_argument(
        "--memory-blocksize", default="4MiB", help="one partition of the memory runs"
    )
    parser.add_argument("--log", action="store_true", help="write the calculation log")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="nb2prod-batch-bench-"))
    try:
        built = build(args.notebook, work)
        id_field = NOTEBOOKS[args.notebook]
        csv = work / "input.csv"
        size = write_input(built["data"], id_field, args.rows, csv)
        print(
            f"{args.notebook}: {args.rows:,} raw records ({size / 2**20:.1f} MiB of CSV),"
            f" calculation log {'on' if args.log else 'off'}, {os.cpu_count()} cores"
        )
        results: dict[str, Any] = {"notebook": args.notebook, "rows": args.rows, "csv_bytes": size}
        floor = pandas_floor(built, csv)
        results["pandas"] = floor
        _line("pandas, one process (feature code + model)", floor["rows"], floor["seconds"])
        alone = batch_job(built, csv, work / "out-sync", args.blocksize, args.log, synchronous=True)
        results["batch_one_process"] = alone
        _line("batch job, one process (synchronous)", alone["rows"], alone["seconds"])
        online = service(built, csv, work, args.log)
        results["service"] = online
        _line("service, 1,000 records a request", online["rows"], online["seconds"])
        for workers in (1, 2):
            run = batch_job(
                built, csv, work / f"out-{workers}", args.blocksize, args.log, workers=workers
            )
            results[f"dask_{workers}"] = run
            start_up = run["total_seconds"] - run["seconds"]
            _line(
                f"batch job on Dask, {workers} worker{'s' if workers > 1 else ''}",
                run["rows"],
                run["seconds"],
                f"{run['partitions']} partitions; +{start_up:.1f} s start-up and reading the model",
            )
        results["memory"] = memory(built, work, args, id_field)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


def memory(built: dict[str, Any], work: Path, args: Any, id_field: str) -> dict[str, Any]:
    """The workers' peak memory on one partition and on ten."""
    import dask.utils

    block = dask.utils.parse_bytes(args.memory_blocksize)
    per_row = (work / "input.csv").stat().st_size / args.rows
    out: dict[str, Any] = {"blocksize": args.memory_blocksize}
    for times in (1, 10):
        rows = int(block * times / per_row * 1.02)  # just over `times` blocks
        csv = work / f"memory-{times}.csv"
        write_input(built["data"], id_field, rows, csv)
        run = batch_job(
            built, csv, work / f"out-memory-{times}", args.memory_blocksize, args.log, workers=2
        )
        out[f"x{times}"] = {
            "rows": rows,
            "partitions": run["partitions"],
            "worker_peak_mb": run["worker_peak_mb"],
            "rows_per_second": run["rows_per_second"],
        }
        print(
            f"  workers' peak memory, input of {run['partitions']} partition(s)"
            f" ({rows:,} rows, {csv.stat().st_size / 2**20:.1f} MiB): {run['worker_peak_mb']:,.0f} MB"
        )
    return out


def _line(name: str, rows: int, seconds: float, note: str = "") -> None:
    rate = rows / seconds if seconds else float("nan")
    print(f"  {name:<46} {rate:>9,.0f} rows/s  {seconds:7.2f} s  {note}".rstrip())


if __name__ == "__main__":
    sys.exit(main())
