"""Precision and recall of ``nb2prod lint``'s IO and SEC findings on labelled notebooks.

    .venv/bin/python benchmarks/accuracy_bench.py [--json] [--folder DIR]

Lints the notebooks of ``benchmarks/labelled`` (written by ``make_notebooks.py`` there, none
of them from ``../shared``) with ``nb2prod lint --format json --no-cache`` and the pinned
settings of ``lint-settings.toml``, and matches the findings to ``labels.toml``: a finding
matches a label of the same notebook, cell, line and family, and of the same code when the
label names one (a label of the notebook's metadata, cell 0, matches a finding without a
cell, whatever its line). Each label needs a finding of its own (two secrets on one line,
two labels, two findings). A label matched is a true positive, a label unmatched a miss, a
finding of the IO or SEC family that fits no label of its spot a false positive.

Prints TP/FP/FN, precision and recall per family and per code (recall also without the
"stretch" labels, which the rules' definitions imply but the docs give no example of), then
every miss and every false positive. Secrets are never printed: a miss shows its label's
note, a false positive nb2prod's masked message, and nothing of a line that holds a labelled
secret. ``--json`` prints the same as one JSON document.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tomllib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).resolve().parent / "labelled"
FAMILIES = ("IO", "SEC")
_LONG_RUN = re.compile(r"[A-Za-z0-9_\-+/=.~%:]{20,}")


@dataclass
class Spot:
    """Where a label or finding is: notebook file name, cell (0: metadata), line."""

    notebook: str
    cell: int
    line: int


@dataclass
class Result:
    """Everything one measurement found."""

    labels: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    matched: list[bool] = field(default_factory=list)  # per label
    false_positives: list[dict[str, Any]] = field(default_factory=list)


def family(code: str) -> str:
    return "SEC" if code.startswith("SEC") else code.rstrip("0123456789")


def console_script() -> list[str]:
    """``nb2prod`` beside this interpreter, else ``python -m nb2prod``."""
    beside = Path(sys.executable).parent / "nb2prod"
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "nb2prod"]


def lint(folder: Path) -> list[dict[str, Any]]:
    """nb2prod's IO and SEC findings on the notebooks of ``folder``."""
    cmd = [*console_script(), "lint", "--format", "json", "--no-cache", "--exit-zero"]
    cmd += ["--config", str(folder / "lint-settings.toml"), "--select", "IO,SEC", str(folder)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"nb2prod lint exited {proc.returncode}: {proc.stderr.strip()[:500]}")
    doc = json.loads(proc.stdout)
    if doc["errors"]:
        raise SystemExit(f"nb2prod could not read {len(doc['errors'])} labelled notebooks")
    return [f for f in doc["findings"] if family(f["code"]) in FAMILIES]


def spot_of(finding: dict[str, Any]) -> Spot:
    cell = finding["cell"]
    return Spot(Path(finding["path"]).name, cell or 0, finding["line"] if cell else 0)


def matches(label: dict[str, Any], finding: dict[str, Any]) -> bool:
    s = spot_of(finding)
    return (
        (label["notebook"], label["cell"], label["line"]) == (s.notebook, s.cell, s.line)
        and family(finding["code"]) == label["family"]
        and (not label["code"] or label["code"] == finding["code"])
    )


def measure(folder: Path = FOLDER) -> tuple[Result, dict[str, Any]]:
    """Lint the labelled notebooks and match the findings to the labels.

    Each label takes a finding of its own (labels naming a code first, then those naming
    only a family), so two labels on one line need two findings. A finding left over that
    fits a label of its spot is a duplicate report, not a false positive.
    """
    doc = tomllib.loads((folder / "labels.toml").read_text(encoding="utf-8"))
    labels, negatives = doc["expected"], doc.get("negative", [])
    res = Result(labels, lint(folder))
    by_spot: dict[tuple, list[dict]] = defaultdict(list)
    for lab in labels:
        by_spot[(lab["notebook"], lab["cell"], lab["line"])].append(lab)
    found: dict[tuple, list[int]] = defaultdict(list)
    for i, f in enumerate(res.findings):
        found[tuple(asdict(spot_of(f)).values())].append(i)
    taken: set[int] = set()
    matched: dict[int, bool] = {}
    for key, labs in by_spot.items():
        for lab in sorted(labs, key=lambda lab: not lab["code"]):
            free = [i for i in found[key] if i not in taken and matches(lab, res.findings[i])]
            matched[id(lab)] = bool(free)
            taken.update(free[:1])
    res.matched = [matched[id(lab)] for lab in labels]
    for f in res.findings:
        s = spot_of(f)
        if not any(matches(lab, f) for lab in by_spot[(s.notebook, s.cell, s.line)]):
            res.false_positives.append(f)
    return res, {"negatives": negatives, "by_spot": by_spot}


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def scores(res: Result) -> dict[str, Any]:
    """TP/FP/FN, precision and recall per family and per code."""
    rows: dict[str, dict[str, int]] = defaultdict(
        lambda: {"tp": 0, "fp": 0, "fn": 0, "doc_tp": 0, "doc_n": 0}
    )
    for lab, ok in zip(res.labels, res.matched, strict=True):
        for key in (lab["family"], "code:" + (lab["code"] or lab["family"] + "*")):
            row = rows[key]
            row["tp" if ok else "fn"] += 1
            if not lab["stretch"]:
                row["doc_n"] += 1
                row["doc_tp"] += ok
    for f in res.false_positives:
        rows[family(f["code"])]["fp"] += 1
        rows["code:" + f["code"]]["fp"] += 1
    out: dict[str, Any] = {"families": {}, "codes": {}}
    for key in sorted(rows, key=lambda k: (k.startswith("code:"), k)):
        r = rows[key]
        entry = {
            "tp": r["tp"],
            "fp": r["fp"],
            "fn": r["fn"],
            "precision": _ratio(r["tp"], r["tp"] + r["fp"]),
            "recall": _ratio(r["tp"], r["tp"] + r["fn"]),
            "recall_documented": _ratio(r["doc_tp"], r["doc_n"]),
        }
        if key.startswith("code:"):
            out["codes"][key[5:]] = entry
        else:
            out["families"][key] = entry
    for fam in FAMILIES:  # a family without labels or findings still gets a row
        out["families"].setdefault(
            fam,
            {
                "tp": 0,
                "fp": 0,
                "fn": 0,
                "precision": None,
                "recall": None,
                "recall_documented": None,
            },
        )
    return out


def _mask(text: str) -> str:
    """Belt and braces over nb2prod's own masking: long token-like runs cut short."""
    return _LONG_RUN.sub(lambda m: m.group(0)[:6] + f"…({len(m.group(0))} chars)", text)


def details(res: Result, extra: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Every miss (with what was reported there instead) and every false positive."""
    by_spot, negs = extra["by_spot"], defaultdict(list)
    for n in extra["negatives"]:
        negs[(n["notebook"], n["cell"], n["line"])].append(n["note"])
    misses = []
    for lab, ok in zip(res.labels, res.matched, strict=True):
        if ok:
            continue
        key = (lab["notebook"], lab["cell"], lab["line"])
        instead = sorted(
            {f["code"] for f in res.findings if tuple(asdict(spot_of(f)).values()) == key}
        )
        misses.append({**lab, "reported_there": instead})
    fps = []
    for f in res.false_positives:
        s = spot_of(f)
        key = (s.notebook, s.cell, s.line)
        secret_line = any(lab["family"] == "SEC" for lab in by_spot[key])
        fps.append(
            {
                **asdict(s),
                "code": f["code"],
                "message": "(line holds a labelled secret: not shown)"
                if secret_line
                else _mask(f["message"]),
                "labelled_there": sorted(lab["code"] or lab["family"] for lab in by_spot[key]),
                "hard_negative": "; ".join(negs[key]),
            }
        )
    return {"misses": misses, "false_positives": fps}


def _pct(v: float | None) -> str:
    return "   -  " if v is None else f"{v * 100:5.1f}%"


def render(report: dict[str, Any]) -> str:
    lines = [f"{'':10} {'TP':>4} {'FP':>4} {'FN':>4}  precision  recall  recall(doc)"]
    for title, table in (("family", report["families"]), ("code", report["codes"])):
        lines.append(f"-- per {title}")
        for name, r in table.items():
            lines.append(
                f"{name:10} {r['tp']:4} {r['fp']:4} {r['fn']:4}  {_pct(r['precision']):>9}  "
                f"{_pct(r['recall']):>6}  {_pct(r['recall_documented']):>11}"
            )
    lines.append(
        f"\n{report['labels']} labels, {report['findings']} IO/SEC findings "
        f"({report['duplicates']} more than the labels of their line, all fitting one)"
    )
    lines.append(f"\nmisses ({len(report['misses'])}):")
    for m in report["misses"]:
        want = m["code"] or m["family"] + "*"
        instead = (
            f" [reported there: {', '.join(m['reported_there'])}]" if m["reported_there"] else ""
        )
        stretch = " (stretch)" if m["stretch"] else ""
        lines.append(
            f"  {m['notebook']}:cell {m['cell']}:{m['line']} {want}{stretch}: {m['note']}{instead}"
        )
    lines.append(f"\nfalse positives ({len(report['false_positives'])}):")
    for f in report["false_positives"]:
        where = (
            f" [labelled there: {', '.join(f['labelled_there'])}]" if f["labelled_there"] else ""
        )
        neg = f" [hard negative: {f['hard_negative']}]" if f["hard_negative"] else ""
        lines.append(
            f"  {f['notebook']}:cell {f['cell']}:{f['line']} {f['code']}: {f['message']}{where}{neg}"
        )
    return "\n".join(lines)


def run(folder: Path = FOLDER) -> dict[str, Any]:
    """The whole measurement as one JSON-ready document."""
    res, extra = measure(folder)
    report = scores(res)
    report.update(details(res, extra))
    report["labels"] = len(res.labels)
    report["findings"] = len(res.findings)
    # findings beyond the labels of their spot that fit one (e.g. two secrets in one output)
    report["duplicates"] = len(res.findings) - sum(res.matched) - len(res.false_positives)
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print one JSON document")
    ap.add_argument("--folder", type=Path, default=FOLDER, help="labelled notebooks + labels.toml")
    args = ap.parse_args(argv)
    report = run(args.folder)
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
