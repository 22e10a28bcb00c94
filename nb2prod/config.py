"""Settings: ``[tool.nb2prod]`` in the nearest pyproject.toml over the defaults in
``rules/settings.toml``, where every option is declared once (type, default, help)."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from nb2prod.errors import InputError
from nb2prod.resources import data_dir


@cache
def option_table() -> dict[str, dict[str, Any]]:
    """The declared options: ``{"select": {"type": ..., "default": ..., "help": ...}, ...}``."""
    with open(data_dir("rules") / "settings.toml", "rb") as fh:
        return tomllib.load(fh)


@dataclass(slots=True)
class Settings:
    """Resolved settings. ``values`` is keyed by the declared (hyphenated) option name."""

    values: dict[str, Any]
    root: Path = field(default_factory=Path.cwd)  # folder of pyproject.toml, or the cwd
    source: str | None = None  # the pyproject.toml read, if any

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def fingerprint(self) -> str:
        blob = json.dumps(self.values, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def is_enabled(self, code: str, path: str | None = None) -> bool:
        from nb2prod.lint.registry import matches

        if not matches(code, self.values["select"]) or matches(code, self.values["ignore"]):
            return False
        return not (path and matches(code, self.ignored_for(path)))

    def ignored_for(self, path: str) -> list[str]:
        """Codes that ``per-file-ignores`` switches off for ``path``."""
        if not self.values["per-file-ignores"]:
            return []
        codes: list[str] = []
        try:
            rel = Path(path).resolve().relative_to(self.root.resolve()).as_posix()
        except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop
            rel = Path(path).as_posix()
        for pattern, ignored in self.values["per-file-ignores"].items():
            if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(Path(path).as_posix(), pattern):
                codes.extend(ignored)
        return codes


def defaults() -> dict[str, Any]:
    return {name: spec["default"] for name, spec in option_table().items()}


def find_pyproject(start: Path) -> Path | None:
    try:
        start = start.resolve()
    except (OSError, RuntimeError):  # a symlink loop: look from where it is written
        start = start.absolute()
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_settings(
    config: Path | None = None, start: Path | None = None, overrides: dict[str, Any] | None = None
) -> Settings:
    """Read settings from ``config`` or the nearest pyproject.toml above ``start``.

    Raises :class:`InputError` for unreadable TOML, an unknown option, a value of the wrong
    type, or an unknown rule code.
    """
    values = defaults()
    source = config or find_pyproject(start or Path.cwd())
    # Without a pyproject.toml the working folder is the root (as for ruff): the cache is
    # never written into the folder being linted.
    root = source.parent if source else Path.cwd()
    if source is not None:
        try:
            with open(source, "rb") as fh:
                doc = tomllib.load(fh)
        except FileNotFoundError:
            raise InputError("configuration file not found", str(source)) from None
        except (tomllib.TOMLDecodeError, OSError) as exc:
            raise InputError(f"cannot read configuration: {exc}", str(source)) from None
        table = doc.get("tool", {}).get("nb2prod", {})
        if config is not None and not table and "select" in doc:
            table = doc  # a stand-alone nb2prod.toml
        from_file = _validate(table, str(source))
        _check_codes(from_file, str(source))
        values.update(from_file)
    extend = values["extend-select"]
    if overrides:
        checked = _validate(overrides, "command line")
        _check_codes(checked, "command line")  # blame the option that holds the bad code
        if "select" in checked:  # as ruff: --select replaces select and extend-select
            extend = []
        extend = [*extend, *checked.pop("extend-select", [])]
        if "extend-exclude" in checked:  # --extend-exclude adds to the file's
            checked["extend-exclude"] = [*values["extend-exclude"], *checked["extend-exclude"]]
        values.update(checked)
    values["select"] = [*values["select"], *(c for c in extend if c not in values["select"])]
    values["extend-select"] = extend
    return Settings(values, root=root, source=str(source) if source else None)


# Sub-tables of [tool.nb2prod] read by a generated project, not by lint:
# promotion = the rules of `python -m <pkg>.train --promote` (nb2prod scaffold).
OWNED_ELSEWHERE = frozenset({"promotion"})


def notebook_settings(path: str | Path) -> Settings:
    """The settings that apply to the notebook at ``path`` (its folder's pyproject.toml);
    the defaults when that cannot be read."""
    try:
        return load_settings(start=Path(path).resolve().parent)
    except InputError:
        return Settings(defaults())


def _validate(table: dict[str, Any], where: str) -> dict[str, Any]:
    options = option_table()
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("_", "-")
        if key in OWNED_ELSEWHERE and isinstance(value, dict):
            continue
        if name not in options:
            raise InputError(f"unknown option '{key}' in [tool.nb2prod]", where)
        expected = options[name]["type"]
        if not _type_ok(value, expected):
            raise InputError(f"option '{key}' must be {expected}, got {value!r}", where)
        out[name] = value
    return out


def _type_ok(value: Any, expected: str) -> bool:
    match expected:
        case "str":
            return isinstance(value, str)
        case "bool":
            return isinstance(value, bool)
        case "number":  # a positive number of seconds, say
            return isinstance(value, int | float) and not isinstance(value, bool) and value > 0
        case "list[str]":
            return isinstance(value, list) and all(isinstance(v, str) for v in value)
        case "list[dict]":
            return isinstance(value, list) and all(isinstance(v, dict) for v in value)
        case "dict[str, str]":
            return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        case "dict[str, list[str]]":
            return isinstance(value, dict) and all(
                isinstance(v, list) and all(isinstance(c, str) for c in v) for v in value.values()
            )
    return False


def _check_codes(values: dict[str, Any], where: str) -> None:
    from nb2prod.lint.registry import is_known_selector

    groups = [(k, values[k]) for k in ("select", "extend-select", "ignore") if k in values]
    groups += [
        (f"per-file-ignores '{k}'", v) for k, v in values.get("per-file-ignores", {}).items()
    ]
    groups += [("help", list(values.get("help", {})))]
    for option, codes in groups:
        for code in codes:
            if not is_known_selector(code):
                raise InputError(f"unknown rule code '{code}' in {option}", where)
