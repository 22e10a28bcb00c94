"""Raw records end to end, per notebook: does the service score the notebook's held-out rows,
as read from its data file, as the notebook's own model did? And what does the feature
function cost in the request path?

    .venv/bin/python benchmarks/raw_records_bench.py [--notebook NB ...] [--latency N] [--json F]

For each notebook (default: every notebook of ../shared/corpus/local-data that fits a model,
the sample notebooks that do, and the four realistic notebooks of tests/scaffold/raw_notebooks):

1. copy its folder to a scratch folder, ``convert --service``, ``python -m <pkg>.train``;
2. read what training found (``metadata.json``, ``records``): whether the feature code
   replays on raw records (else why), and the check of the held-out rows: the notebook's
   test rows as read, served through the feature function, against its held-out matrix;
3. start the service (uvicorn on loopback), POST those held-out records one at a time and as
   one batch, and compare each answer's scores with the notebook model's own scores on its
   held-out matrix (``records.evaluation``): the largest absolute difference is printed;
4. with ``--latency N``: N single-record and N batch requests (p50/p99 ms) to the raw-record
   service, and the same to the model-input service of the same model
   (``train --model-input``), side by side.

Client and server share the machine: latencies include the client's own work.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LOCAL = ROOT.parent / "shared" / "corpus" / "local-data"

from benchmarks.service_bench import load, percentile, records  # noqa: E402


def notebooks() -> list[Path]:
    """The default notebooks: local-data ones that fit a model, samples, raw_notebooks."""
    from nb2prod.errors import InputError
    from nb2prod.project.service import ServiceRequest, choose_model
    from nb2prod.project.source import read_source
    from nb2prod.scaffold.model_finder import fit_calls

    found: list[Path] = []
    if (LOCAL / "MANIFEST.tsv").is_file():
        with open(LOCAL / "MANIFEST.tsv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                found.append(LOCAL / row["folder"] / row["notebook"])
    found += sorted((ROOT / "sample_notebooks").glob("*.ipynb"))
    out = []
    for nb in found:
        try:
            choose_model(read_source(nb), ServiceRequest())
        except InputError:
            src = read_source(nb)  # a fit the service cannot use still counts: its row says why
            if not fit_calls(src.analysis.parsed):
                continue
        out.append(nb)
    scratch = Path(tempfile.mkdtemp(prefix="nb2prod-raw-notebooks-"))
    from tests.scaffold.raw_notebooks import make_pipeline, make_reviews, make_telco, make_titanic

    for module in (make_telco, make_titanic, make_reviews, make_pipeline):
        out.append(module.make(scratch / module.__name__.rpartition("_")[2]))
    return out


def _env(project: Path, package: str, model: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(project / "src"),
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        package.upper() + "_MODEL_URI": str(model),
    }


def prepare(nb: Path, work: Path) -> dict[str, Any]:
    """Convert and train; the row of the table so far (and where things are)."""
    from nb2prod.convert import run
    from nb2prod.project.service import ServiceRequest

    folder = work / "notebook"
    if nb.parent == ROOT / "sample_notebooks":
        shutil.copy2(nb, folder.mkdir(parents=True) or folder / nb.name)
        shutil.copytree(nb.parent / "data", folder / "data")
    else:
        top = nb.parent
        while top.parent != LOCAL and LOCAL in top.parents:
            top = top.parent  # local-data keeps a notebook under solutions/ch_09/: copy it all
        shutil.copytree(top, work / "tree", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        folder = work / "tree" / nb.parent.relative_to(top)
    row: dict[str, Any] = {
        "notebook": nb.parent.name if nb.parent != ROOT / "sample_notebooks" else nb.stem
    }
    converted = run(folder / nb.name, work / "project", service=ServiceRequest())
    if converted.exit_code:
        row["result"] = f"not converted (exit {converted.exit_code}): {converted.error or ''}"[:120]
        return row
    row["package"] = package = converted.package
    project = work / "project"
    env = _env(project, package, work / "model")
    if (folder / "data").is_dir():  # the sample notebooks read DATA_URI (S3 by default)
        env[package.upper() + "_DATA_URI"] = str(folder / "data")
    started = time.perf_counter()
    trained = subprocess.run(
        [sys.executable, "-m", f"{package}.train", "--out", str(work / "model")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    row["train_s"] = round(time.perf_counter() - started, 1)
    if trained.returncode:
        row["result"] = "train failed: " + (trained.stderr.strip().splitlines() or ["?"])[-1][:100]
        return row
    meta = json.loads((work / "model" / "metadata.json").read_text(encoding="utf-8"))
    rec = meta.get("records", {})
    row["replayable"] = bool(rec.get("replayable"))
    if not row["replayable"]:
        row["result"] = "model input: " + "; ".join(rec.get("reasons", []))[:110]
    else:
        check = rec.get("checked", {}).get("evaluation")
        if isinstance(check, dict):
            check = f"{check['served']}/{check['rows']} {check['difference']}"
        row["held_out_checked"] = check or "no held-out matrix known"
    row["_meta"], row["_project"], row["_env"] = meta, project, env
    return row


def serve_and_compare(row: dict[str, Any], work: Path, latency: int) -> None:
    """Start the service; POST the held-out records; compare; optionally time it."""
    import httpx

    from tests.scaffold.helpers import serve, wait_ready

    meta, project, env = row.pop("_meta"), row.pop("_project"), row.pop("_env")
    package = row["package"]
    held_out = meta["records"].get("evaluation") or meta["records"].get("examples") or []
    row["compared_rows"] = len(held_out)
    row["rows_from"] = "held-out" if meta["records"].get("evaluation") else "training"
    log = work / "server.log"
    with (
        serve(project, package, env, log) as server,
        httpx.Client(base_url=server.url, timeout=60) as http,
    ):
        wait_ready(http)
        worst = 0.0
        for one in held_out:
            answer = http.post("/predict", json=one["record"])
            worst = max(worst, _difference(answer, one["expected"]))
        batch = http.post("/predict", json=[e["record"] for e in held_out]) if held_out else None
        if batch is not None:
            for got, one in zip(batch.json().get("predictions", []), held_out, strict=False):
                worst = max(worst, _scores_difference(got, one["expected"]))
            if batch.status_code != 200:
                worst = float("inf")
        row["max_abs_diff"] = worst
        if latency and held_out:
            pool = [e["record"] for e in held_out]
            row["raw"] = _latency(server.url, pool, latency)
    if latency:
        matrix = work / "model-input"
        trained = subprocess.run(
            [sys.executable, "-m", f"{package}.train", "--out", str(matrix), "--model-input"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if trained.returncode == 0:
            meta2 = json.loads((matrix / "metadata.json").read_text(encoding="utf-8"))
            env2 = _env(project, package, matrix)
            pool = records(meta2, 200, random.Random(3))
            with serve(project, package, env2, work / "server2.log") as server:
                with httpx.Client(base_url=server.url, timeout=60) as http:
                    wait_ready(http)
                row["model_input"] = _latency(server.url, pool, latency)


def _difference(answer: Any, expected: dict[str, Any]) -> float:
    if answer.status_code != 200:
        return float("inf")
    return _scores_difference(answer.json(), expected)


def _scores_difference(got: dict[str, Any], expected: dict[str, Any]) -> float:
    want = expected.get("scores", {})
    have = got.get("scores", {})
    if set(want) != set(have):
        return float("inf")
    diffs = [abs(float(have[k]) - float(want[k])) for k in want]
    if "prediction" in expected and isinstance(expected["prediction"], int | float):
        diffs.append(abs(float(got["prediction"]) - float(expected["prediction"])))
    elif got.get("prediction") != expected.get("prediction"):
        return float("inf")
    return max(diffs, default=0.0)


def _latency(url: str, pool: list[dict[str, Any]], n: int) -> dict[str, float]:
    rng = random.Random(5)
    load(url, [rng.choice(pool) for _ in range(50)], 1)  # warm-up
    _, single, _ = load(url, [rng.choice(pool) for _ in range(n)], 1)
    _, batch, _ = load(url, [[rng.choice(pool) for _ in range(32)] for _ in range(n)], 1)
    return {
        "single_p50_ms": percentile(single, 0.5) * 1000,
        "single_p99_ms": percentile(single, 0.99) * 1000,
        "batch32_p50_ms": percentile(batch, 0.5) * 1000,
        "batch32_p99_ms": percentile(batch, 0.99) * 1000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebook", type=Path, action="append")
    parser.add_argument("--latency", type=int, default=0, help="requests per latency figure")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    rows = []
    for nb in args.notebook or notebooks():
        with tempfile.TemporaryDirectory(prefix="nb2prod-raw-bench-") as tmp:
            try:
                row = prepare(nb, Path(tmp))
            except Exception as exc:  # noqa: BLE001 - one notebook's failure is a row
                row = {"notebook": nb.stem, "result": f"{type(exc).__name__}: {exc}"[:120]}
            if row.get("replayable"):
                try:
                    serve_and_compare(row, Path(tmp), args.latency)
                except Exception as exc:  # noqa: BLE001 - one notebook's failure is a row
                    row["result"] = f"service: {type(exc).__name__}: {exc}"[:120]
            for key in ("_meta", "_project", "_env"):
                row.pop(key, None)
            rows.append(row)
            _print_row(row)
    served = [r for r in rows if "max_abs_diff" in r]
    exact = [r for r in served if r["max_abs_diff"] <= 1e-9]
    print(
        f"\n{len(rows)} notebooks: {len(served)} serve raw records, {len(exact)} of them give"
        " the notebook model's scores on its held-out rows within 1e-9"
    )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, default=str) + "\n", encoding="utf-8")
    return 0


def _print_row(row: dict[str, Any]) -> None:
    name = row["notebook"][:44]
    if "max_abs_diff" in row:
        print(
            f"{name:<45} raw records  {row['compared_rows']:>3} {row['rows_from']} rows"
            f"  max |Δscore| {row['max_abs_diff']:.1e}  (train check: {row.get('held_out_checked')})"
        )
        for kind in ("raw", "model_input"):
            if kind in row:
                f = row[kind]
                print(
                    f"{'':<45}   {kind:<12} single p50 {f['single_p50_ms']:.1f} ms"
                    f" p99 {f['single_p99_ms']:.1f} ms; batch of 32 p50 {f['batch32_p50_ms']:.1f}"
                    f" ms p99 {f['batch32_p99_ms']:.1f} ms"
                )
    else:
        print(f"{name:<45} {row.get('result', '')}")


if __name__ == "__main__":
    sys.exit(main())
