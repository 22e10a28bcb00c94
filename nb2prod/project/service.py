"""The service part of the plan: the model the notebook fits, the package rendered so that
``run()`` returns it, and the service files (templates/service) added to the project."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nb2prod.project.package import render_package
from nb2prod.project.source import Source

if TYPE_CHECKING:
    from nb2prod.convert.model import PackagePlan
    from nb2prod.project.feature_code import FeatureCode
    from nb2prod.scaffold.model_finder import ModelChoice


@dataclass(slots=True)
class ServiceRequest:
    """Asks for the model service; ``model`` / ``features`` override what is found."""

    model: str | None = None
    features: str | None = None
    id_field: str | None = None  # the client's record identifier (default: id, when present)


def choose_model(src: Source, request: ServiceRequest) -> ModelChoice:
    """The model to serve (a one-line :class:`InputError` naming the notebook if none)."""
    from nb2prod.scaffold.model_finder import find_model

    return find_model(src.nb, request.model, request.features)


def render_with_model(
    src: Source,
    choice: ModelChoice,
    name: str | None,
    exports: Sequence[str],
    recorded: str | None,
) -> tuple[PackagePlan, dict[str, str]]:
    """The package rendered so that ``run()`` returns the model, features, target and
    metrics. A metric (or target) the steps do not keep is dropped from ``choice``; a
    model or features variable they do not keep is a one-line error."""
    from nb2prod.convert.plan import ExportNotKept
    from nb2prod.errors import InputError

    roles = {choice.model: "--model", choice.features: "--features"}
    wanted = list(dict.fromkeys([*exports, choice.model, choice.features]))
    extra = (choice.target, choice.evaluation, *choice.metrics)
    optional = [n for n in extra if n and n not in wanted]
    try:
        plan, files = render_package(src, name, wanted, recorded, optional=optional)
    except ExportNotKept as exc:
        if exc.name not in roles:
            raise
        raise InputError(
            f"{roles[exc.name]} {exc.name}: not a variable that the notebook's steps define"
            " and keep (a notebook-level variable, not deleted later)",
            src.path,
        ) from None
    if choice.target not in plan.results:
        choice.target = None
    if choice.evaluation not in plan.results:
        choice.evaluation = None
    choice.metrics = [m for m in choice.metrics if m in plan.results]
    return plan, files


def add_service(
    plan: PackagePlan,
    files: dict[str, str],
    recorded: str,
    choice: ModelChoice,
    request: ServiceRequest | None = None,
    notebook_sha256: str = "",
) -> tuple[dict[str, str], frozenset[str], FeatureCode]:
    """The package files with the service added: (all files, the service's own files, the
    feature function it serves raw records through). ``notebook_sha256`` (of the notebook's
    text) is the tag that ties a tracked training run to its source."""
    from nb2prod.errors import InputError
    from nb2prod.project.feature_code import feature_code
    from nb2prod.scaffold import render

    code = feature_code(plan, choice)
    ctx = render.context(plan, recorded, choice)
    ctx["feature"] = feature_context(code, request.id_field if request else None)
    ctx["notebook_sha256"] = notebook_sha256
    service, extend = render.render_service(ctx)
    overlap = set(service) & set(files)
    if overlap:  # a template clash: never silently drop a package file
        raise InputError(f"service templates overwrite package files: {sorted(overlap)}")
    return {**render.extend_package(files, extend), **service}, frozenset(service), code


def feature_context(code: FeatureCode, id_field: str | None) -> dict[str, object]:
    """Template variables of ``features.py``."""
    piece = code.piece
    return {
        "replayable": code.replayable,
        "reasons": code.reasons,
        "cells": piece.cells,
        "features": piece.features,
        "target": piece.target,
        "target_variable": code.target_variable,
        "imports": code.imports,
        "functions": piece.functions,
        "settings": piece.settings,
        "body": code.body,
        "function": code.function,
        "filters": piece.filters,
        "id_field": id_field,
        "evaluation": code.evaluation,
        "split_parts": piece.split_parts,
    }
