"""The converted project's manifest: ``[tool.nb2prod-convert]`` in its pyproject.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from nb2prod.errors import InputError

TABLE = "nb2prod-convert"
SCAFFOLD_TABLE = "nb2prod-scaffold"


@dataclass(slots=True)
class Manifest:
    """How ``nb2prod convert`` made the project in ``project``."""

    project: Path
    notebook: Path  # the source notebook, resolved from the project folder
    source: str  # the notebook's path as recorded (relative to the project folder)
    package: str
    exports: list[str] = field(default_factory=list)
    fix: bool = False  # converted with the lint --fix rewrites (``convert --fix``)
    scaffold: dict[str, object] = field(default_factory=dict)  # [tool.nb2prod-scaffold], if any


def read_manifest(project: str | Path) -> Manifest:
    """Read and check the manifest of the converted project ``project``; one-line
    :class:`InputError` for a folder that is not one, or whose notebook is gone."""
    folder = Path(project)
    where = str(folder)
    if not folder.exists():
        raise InputError("no such folder", where)
    if not folder.is_dir():
        raise InputError("not a folder (give the folder of a converted project)", where)
    pyproject = folder / "pyproject.toml"
    not_converted = "not a project made by `nb2prod convert`"
    if not pyproject.is_file():
        raise InputError(f"{not_converted} (no pyproject.toml)", where)
    try:
        doc = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"invalid TOML ({exc})", str(pyproject)) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror or exc})", str(pyproject)) from None
    tool = doc.get("tool") if isinstance(doc.get("tool"), dict) else {}
    table = tool.get(TABLE)
    if not isinstance(table, dict):
        raise InputError(f"{not_converted} (no [tool.{TABLE}] table)", str(pyproject))
    source, package = table.get("notebook"), table.get("package")
    exports = table.get("exports", [])
    fix = table.get("fix", False)
    if not isinstance(fix, bool):
        raise InputError(f"[tool.{TABLE}] `fix` must be true or false", str(pyproject))
    if not isinstance(source, str) or not source:
        raise InputError(f"[tool.{TABLE}] has no `notebook` path", str(pyproject))
    if not isinstance(package, str) or not package.isidentifier():
        raise InputError(f"[tool.{TABLE}] has no valid `package` name", str(pyproject))
    if not isinstance(exports, list) or not all(isinstance(e, str) for e in exports):
        raise InputError(f"[tool.{TABLE}] `exports` must be a list of names", str(pyproject))
    notebook = (folder / source).resolve()
    if not notebook.is_file():
        raise InputError(
            f"the notebook recorded in pyproject.toml ({source}) does not exist", where
        )
    scaffold = tool.get(SCAFFOLD_TABLE)
    return Manifest(
        project=folder,
        notebook=notebook,
        source=source,
        package=package,
        exports=list(exports),
        fix=fix,
        scaffold=dict(scaffold) if isinstance(scaffold, dict) else {},
    )
