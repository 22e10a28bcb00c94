"""``nb2prod rules`` and ``nb2prod rule CODE``: the lint rules' own documentation, the
convert findings' text (CV codes) and, for ``PY`` + a ruff code, ruff's own text."""

from __future__ import annotations

import subprocess

from nb2prod.errors import InputError


def listing() -> str:
    """One line per rule: code, name, what it checks."""
    from nb2prod.lint.registry import FAMILIES, all_rules

    lines = [
        f"{code:<7} {rule.name:<34} {rule.message}{' (fixable)' if rule.fixable else ''}"
        for code, rule in all_rules().items()
    ]
    lines.append(f"{'PY*':<7} {'ruff':<34} {FAMILIES['PY']}")
    return "\n".join(lines) + "\n"


def explain(code: str) -> str:
    """The documentation of ``code`` (any case): a lint rule (IO001), a convert finding
    (CV007), the PY family (PY) or one of ruff's rules (PYF401, through ``ruff rule``).
    Raises :class:`InputError` for a code nobody knows."""
    from nb2prod.lint.registry import all_rules

    code = code.strip().upper()
    rules = all_rules()
    if code in rules:
        rule = rules[code]
        fixable = ", fixable" if rule.fixable else ""
        return f"{code} ({rule.name}) [{rule.severity}{fixable}]\n\n{rule.doc()}\n"
    if code.startswith("CV"):
        from nb2prod.convert.findings import CATALOGUE

        if code in CATALOGUE:
            severity, name, meaning = CATALOGUE[code]
            return f"{code} ({name}) [{severity}, reported by `nb2prod convert`]\n\n{meaning}\n"
    if code == "PY":
        from nb2prod.lint import ruff

        return f"{code} (ruff)\n\n{(ruff.__doc__ or '').strip()}\n"
    if code.startswith("PY") and len(code) > 2:
        return f"{code}: ruff's {code[2:]}, reported by the PY family\n\n{ruff_rule(code)}"
    raise InputError(f"unknown rule code '{code}' (see `nb2prod rules`)")


def ruff_rule(code: str) -> str:
    """``ruff rule`` of ``PY<ruff code>``, from the ruff binary lint runs."""
    from nb2prod.lint.ruff import ruff_binary

    try:
        proc = subprocess.run(
            [ruff_binary(), "rule", code[2:]],
            capture_output=True,
            text=True,
            encoding="utf-8",
            stdin=subprocess.DEVNULL,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise InputError(f"cannot run ruff for {code} ({exc})") from None
    if proc.returncode != 0 or not proc.stdout.strip():
        raise InputError(f"unknown rule code '{code}': ruff has no rule {code[2:]}")
    return proc.stdout if proc.stdout.endswith("\n") else proc.stdout + "\n"
