"""Discover rule classes in ``nb2prod.lint.rules`` and key them by code."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from nb2prod.lint.rule import Rule

FAMILIES = {
    "IO": "Local file access instead of S3",
    "SEC": "Hard-coded secrets",
    "NB": "Notebook hygiene",
    "PY": "Python quality through ruff (PY + ruff code, e.g. PYF401)",
}


@cache
def all_rules() -> dict[str, type[Rule]]:
    """Every rule class, by code, in code order."""
    from nb2prod.lint import rules as package

    found: dict[str, type[Rule]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule:
                code = getattr(obj, "code", None)
                if code and obj.__module__ == module.__name__:
                    if code in found and found[code] is not obj:
                        raise RuntimeError(f"duplicate rule code {code}")
                    found[code] = obj
    return dict(sorted(found.items()))


def is_known_selector(selector: str) -> bool:
    """A selector is a rule code, a prefix of one, or a ``PY`` ruff selector."""
    if selector == "ALL":
        return True
    if selector.startswith("PY") and (selector == "PY" or selector[2:3].isalpha()):
        return True
    return any(code.startswith(selector) for code in all_rules())


def matches(code: str, selectors: list[str] | tuple[str, ...]) -> bool:
    return any(s == "ALL" or code.startswith(s) for s in selectors)
