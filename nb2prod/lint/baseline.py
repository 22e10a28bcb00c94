"""Baselines: today's findings, recorded so that CI fails only on new ones.

A finding is recorded by a content fingerprint (code, notebook path relative to the
baseline file, the offending line's text), not by its cell or line number, so moving or
inserting cells does not revive it. Counts make the record a multiset.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path

from nb2prod.errors import InputError
from nb2prod.lint.findings import Finding

VERSION = 1


def fingerprint(f: Finding, baseline_path: str) -> str:
    base = Path(baseline_path).resolve().parent
    try:
        rel = Path(f.path).resolve().relative_to(base).as_posix()
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop
        rel = Path(f.path).as_posix()
    text = " ".join(f.source_line.split()) or f.message
    basis = "\x1f".join((f.code, rel, text))
    return hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def write_baseline(findings: list[Finding], baseline_path: str) -> int:
    """Write the baseline file atomically; return the number of findings recorded."""
    counts = Counter(fingerprint(f, baseline_path) for f in findings)
    first = {}
    for f in findings:
        first.setdefault(fingerprint(f, baseline_path), f)
    entries = [
        {"fingerprint": fp, "code": first[fp].code, "path": first[fp].path, "count": n}
        for fp, n in sorted(counts.items(), key=lambda kv: (first[kv[0]].path, kv[0]))
    ]
    doc = {"tool": "nb2prod", "version": VERSION, "findings": entries}
    tmp = f"{baseline_path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2)
        fh.write("\n")
    os.replace(tmp, baseline_path)
    return sum(counts.values())


def load_baseline(baseline_path: str) -> dict[str, int]:
    try:
        with open(baseline_path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except FileNotFoundError:
        raise InputError(
            "baseline file not found (create it with `nb2prod baseline`)", baseline_path
        ) from None
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read baseline: {exc}", baseline_path) from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        raise InputError("not an nb2prod baseline (version 1)", baseline_path)
    try:
        return {e["fingerprint"]: int(e.get("count", 1)) for e in doc["findings"]}
    except (KeyError, TypeError, ValueError):
        raise InputError("baseline entries need 'fingerprint' and 'count'", baseline_path) from None
