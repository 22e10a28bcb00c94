"""Render the service from templates/service into the converted project's file set.

Templates are plain jinja2 files (StrictUndefined); a ``{pkg}`` folder name becomes the
package name and the ``.j2`` suffix goes. Files under ``_extend/`` are not files of their
own: they are added to the package's README.md, .env.example and pyproject.toml.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from typing import Any

from nb2prod.convert.writer import template_environment
from nb2prod.errors import InputError
from nb2prod.resources import data_dir
from nb2prod.scaffold.model_finder import ModelChoice

# What the service needs besides the notebook's own dependencies, pinned to the versions
# installed where scaffold runs (the fallback when one is not installed here).
SERVICE_DISTS = {
    "fastapi": ">=0.110",
    "uvicorn": ">=0.29",
    "pydantic": ">=2.6",
    "prometheus-client": ">=0.20",
    "joblib": ">=1.3",
    "fsspec": ">=2024.2",
    "s3fs": ">=2024.2",
    "numpy": ">=1.26",
    "pandas": ">=2",
    "mlflow-skinny": ">=3",  # loads models:/<name>@production from a tracking server
}
# What the batch job (python -m <pkg>.batch) needs: the service's inference path without the
# web server, and Dask (dask's dataframe extra is pandas, numpy and pyarrow, listed here).
BATCH_DISTS = {
    "dask": ">=2024.8",
    "distributed": ">=2024.8",
    "pyarrow": ">=14",
    "pydantic": ">=2.6",
    "joblib": ">=1.3",
    "fsspec": ">=2024.2",
    "s3fs": ">=2024.2",
    "numpy": ">=1.26",
    "pandas": ">=2",
}
TEST_DISTS = {"httpx": ">=0.27"}
# python -m <pkg>.train --track / --promote: MLflow with its local store (sqlite) and registry
TRACKING_DISTS = {"mlflow": ">=3"}
_EXTEND = "_extend"
_OPTIONAL_DEPS = re.compile(r"^\[project\.optional-dependencies\][ \t]*$", re.MULTILINE)


def pinned(dists: dict[str, str]) -> list[str]:
    """``name==installed version`` for each distribution (``name<fallback>`` if absent)."""
    from nb2prod.convert.deps import installed_version

    return [
        f"{d}=={v}" if (v := installed_version(d)) else f"{d}{spec}" for d, spec in dists.items()
    ]


def _name(requirement: str) -> str:
    from nb2prod.convert.deps import canonical

    return canonical(_written_name(requirement))


def _written_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]


def lock(package_requirements: list[str], service: list[str]) -> list[str]:
    """The image's requirements: the notebook's, then the service's (the notebook's pin wins)."""
    seen = {_name(r) for r in package_requirements}
    return list(package_requirements) + [r for r in service if _name(r) not in seen]


def context(plan: Any, source: str, choice: ModelChoice) -> dict[str, Any]:
    """Template variables. ``plan`` is the convert plan (nb2prod.convert.model.PackagePlan)."""
    from nb2prod import __version__

    service = pinned(SERVICE_DISTS)
    prefix = plan.package.upper() + "_"
    first = plan.params[0].field if plan.params else None
    return {
        "package": plan.package,
        "distribution": plan.distribution,
        "notebook": plan.notebook,
        "source": source,
        "notebook_in_project": not source.startswith("../") and not Path(source).is_absolute(),
        "python_version": f"{sys.version_info.major}.{sys.version_info.minor}",
        "model": choice.model,
        "features": choice.features,
        "target": choice.target,
        "metrics": list(choice.metrics),
        "env_prefix": prefix,
        "env": {
            "model_uri": prefix + "MODEL_URI",
            "log_uri": prefix + "CALCULATION_LOG_URI",
            "log_batch": prefix + "CALCULATION_LOG_BATCH",
            "log_seconds": prefix + "CALCULATION_LOG_SECONDS",
            "max_batch": prefix + "MAX_BATCH",
        },
        "setting_example": (
            {"flag": "--" + first.lower().replace("_", "-"), "env": prefix + first.upper()}
            if first
            else None
        ),
        "service_requirements": service,
        "batch_requirements": pinned(BATCH_DISTS),
        "test_requirements": pinned(TEST_DISTS),
        "tracking_requirements": pinned(TRACKING_DISTS),
        "requirements": lock(list(plan.requirements), service),
        "requirement_names": [_written_name(r) for r in plan.requirements],
        "nb2prod_version": __version__,
    }


def render_service(ctx: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """(service files, additions to package files), each relative path -> text."""
    root = data_dir("templates") / "service"
    env = template_environment(root)
    files: dict[str, str] = {}
    extend: dict[str, str] = {}
    for path in sorted(root.rglob("*.j2")):
        rel = path.relative_to(root).as_posix()
        text = env.get_template(rel).render(**ctx).rstrip("\n") + "\n"
        out = rel[: -len(".j2")].replace("{pkg}", ctx["package"])
        if out.startswith(_EXTEND + "/"):
            extend[out[len(_EXTEND) + 1 :]] = text
        else:
            files[out] = text
    return files, extend


def extend_package(files: dict[str, str], extend: dict[str, str]) -> dict[str, str]:
    """The package files with the service's additions: README.md and .env.example get a
    section at the end; pyproject.toml gets the ``service`` extras (inserted into
    ``[project.optional-dependencies]``) and the ``[tool.nb2prod-scaffold]`` table."""
    out = dict(files)
    for rel in ("README.md", ".env.example"):
        if rel in extend:
            out[rel] = out.get(rel, "").rstrip("\n") + "\n\n" + extend[rel]
    pyproject = out.get("pyproject.toml")
    if pyproject is None:
        raise InputError("convert rendered no pyproject.toml: cannot add the service to it")
    extras = extend.get("pyproject-extras.toml", "")
    match = _OPTIONAL_DEPS.search(pyproject)
    if match:
        cut = match.end() + 1
        pyproject = pyproject[:cut] + extras + pyproject[cut:]
    else:
        pyproject = pyproject.rstrip("\n") + "\n\n[project.optional-dependencies]\n" + extras
    pyproject = pyproject.rstrip("\n") + "\n\n" + extend.get("pyproject.toml", "")
    try:
        tomllib.loads(pyproject)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"adding the service to pyproject.toml made it invalid ({exc})") from None
    out["pyproject.toml"] = pyproject
    return out
