"""Find, without running it, the model a notebook fits: the last ``.fit(...)``-style call
on a notebook variable (``model.fit(X, y)``, ``model = Est(...).fit(X, y)``,
``search.fit(X_train, y_train)``). Its receiver is the model, its first argument the
training features, its second the target. Also the variables that hold the notebook's
metrics (bound to ``sklearn.metrics`` calls, or metric-named)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from nb2prod.errors import InputError
from nb2prod.notebook.model import Notebook
from nb2prod.notebook.parse import ParsedCell, parse_notebook

FIT_METHODS = frozenset({"fit", "fit_transform", "fit_predict"})
_METRIC_NAME = re.compile(
    r"(?:^|_)(?:acc|accuracy|auc|roc_auc|pr_auc|f1|precision|recall|rmse|mse|mae|mape|r2"
    r"|logloss|log_loss|brier|loss|score|scores|metric|metrics)(?:$|_)",
    re.IGNORECASE,
)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


@dataclass(slots=True)
class FitCall:
    """One ``.fit(...)``-style call on a notebook variable."""

    model: str
    features: str | None  # the variable passed as training features, if a plain name
    features_source: str  # the features argument as written ("" when there is none)
    target: str | None
    cell: int  # Cell.index
    line: int
    call: str  # the call as written, shortened, for messages


@dataclass(slots=True)
class ModelChoice:
    """What the service serves: the fitted model, its training features and target, and
    the notebook's metrics (variables; the numeric ones are recorded at train time)."""

    model: str
    features: str
    target: str | None = None
    metrics: list[str] = field(default_factory=list)
    cell: int | None = None  # where the model is fitted, when found in the notebook
    evaluation: str | None = None  # the held-out features it predicts on (``X_test``)


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """Nodes under ``node`` in source order, not entering functions, classes or lambdas
    (their names are not notebook variables). Iterative: deep expressions are fine."""
    stack = [c for c in reversed(list(ast.iter_child_nodes(node))) if not isinstance(c, _SCOPES)]
    while stack:
        child = stack.pop()
        yield child
        stack.extend(
            c for c in reversed(list(ast.iter_child_nodes(child))) if not isinstance(c, _SCOPES)
        )


def _imported(cells: list[ParsedCell]) -> set[str]:
    from nb2prod.analysis.names import collect_imports

    return set(collect_imports(c.tree for c in cells if c.tree is not None))


def _argument(call: ast.Call, position: int, keywords: tuple[str, ...]) -> ast.expr | None:
    if len(call.args) > position and not isinstance(call.args[position], ast.Starred):
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg in keywords), None)


def _short(node: ast.AST, limit: int = 60) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def fit_calls(cells: list[ParsedCell]) -> list[FitCall]:
    """Every ``.fit(...)``-style call with features on a notebook variable, in notebook order."""
    imported = _imported(cells)
    found: list[FitCall] = []
    for cell, stmt, node in _top_level_nodes(cells):
        fit = _fit_call(node, stmt, _single_target(stmt), imported)
        if fit is not None:
            fit.cell = cell
            found.append(fit)
    return found


def _top_level_nodes(cells: list[ParsedCell]) -> Iterator[tuple[int, ast.stmt, ast.AST]]:
    """``(cell index, statement, node)`` for each top-level statement of the cells that is
    not a function or class, and each node in it (the statement first, then :func:`_walk`),
    in notebook order."""
    for parsed in cells:
        if parsed.tree is None:
            continue
        for stmt in parsed.tree.body:
            if isinstance(stmt, _SCOPES):
                continue
            for node in [stmt, *_walk(stmt)]:
                yield parsed.cell.index, stmt, node


def _single_target(stmt: ast.stmt) -> ast.expr | None:
    """The one target of an assignment (``model = ...``, ``model: T = ...``), else None."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        return stmt.targets[0]
    if isinstance(stmt, ast.AnnAssign):
        return stmt.target
    return None


def _fit_call(
    node: ast.AST, stmt: ast.stmt, target: ast.expr | None, imported: set[str]
) -> FitCall | None:
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in FIT_METHODS
    ):
        return None
    features = _argument(node, 0, ("X", "x"))
    if features is None or isinstance(features, ast.Constant):
        return None  # statsmodels-style ``.fit()`` / ``.fit(4)``: no features in the call
    receiver = node.func.value
    if isinstance(receiver, ast.Name):
        if receiver.id in imported:
            return None  # ``norm.fit(data)``: a module-level function, not a model
        model = receiver.id
    elif (
        isinstance(receiver, ast.Call)
        and node.func.attr == "fit"
        and getattr(stmt, "value", None) is node
        and isinstance(target, ast.Name)
    ):
        model = target.id  # ``model = Est(...).fit(X, y)``: fit returns the estimator
    else:
        return None
    target_arg = _argument(node, 1, ("y", "Y"))
    return FitCall(
        model=model,
        features=features.id if isinstance(features, ast.Name) else None,
        features_source=ast.unparse(features),
        target=target_arg.id if isinstance(target_arg, ast.Name) else None,
        cell=0,
        line=node.lineno,
        call=_short(node),
    )


def metric_variables(cells: list[ParsedCell], exclude: set[str] = frozenset()) -> list[str]:
    """Notebook variables that look like metrics: assigned (outside functions) from an
    expression that calls ``sklearn.metrics``, or named like one (``rmse``, ``val_auc``,
    ``scores``; not ALL_CAPS constants). Which hold numbers is known only at train time."""
    from nb2prod.analysis.names import collect_imports, qualified

    imports = collect_imports(c.tree for c in cells if c.tree is not None)
    names: list[str] = []
    for parsed in cells:
        if parsed.tree is None:
            continue
        for stmt in parsed.tree.body:
            if isinstance(stmt, ast.Assign):
                targets, value = stmt.targets, stmt.value
            elif isinstance(stmt, ast.AugAssign | ast.AnnAssign) and stmt.value is not None:
                targets, value = [stmt.target], stmt.value
            else:
                continue
            calls_metric = any(
                isinstance(n, ast.Call)
                and (qualified(n.func, imports) or "").startswith("sklearn.metrics.")
                for n in [value, *_walk(value)]
            )
            for name in _target_names(targets):
                looks = bool(_METRIC_NAME.search(name)) and not name.isupper()
                if (calls_metric or looks) and name not in exclude and name not in names:
                    names.append(name)
    return names


def fitted_results(cells: list[ParsedCell]) -> list[str]:
    """Variables bound (outside functions) to what a ``.fit(...)`` call returns, with or
    without features: ``res = smf.ols(...).fit()``, ``model = ARIMA(y).fit()``,
    ``clf = Est().fit(X, y)``; and variables fitted through a chain of method calls
    (``clf.set_params(C=c).fit(X, y)``); in notebook order."""
    imported = _imported(cells)
    names: list[str] = []
    for _, _, node in _top_level_nodes(cells):
        chained = _chain_receiver(node)
        if chained is not None and chained not in imported and chained not in names:
            names.append(chained)
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        value = node.value
        if not (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr in ("fit", "fit_regularized")
        ):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for t in targets:
            if isinstance(t, ast.Name) and t.id not in names:
                names.append(t.id)
    return names


def _chain_receiver(node: ast.AST) -> str | None:
    """``clf`` of ``clf.set_params(...).fit(...)``: a ``.fit``-style call whose receiver is
    a method call on a variable (the variable it is fitted through)."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in FIT_METHODS
        and isinstance(node.func.value, ast.Call)
    ):
        return None
    inner = node.func.value
    while isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
        inner = inner.func.value
    return inner.id if isinstance(inner, ast.Name) and inner is not node.func.value else None


def products(cells: list[ParsedCell]) -> list[str]:
    """What the notebook makes, found without running it: its fitted models (receivers of
    ``.fit(X, ...)``-style calls, variables bound to a ``.fit(...)`` result) and then its
    metric variables (:func:`metric_variables`), each once, in notebook order. Convert
    has ``run()`` return those the steps keep."""
    models = [c.model for c in fit_calls(cells)]
    models += fitted_results(cells)
    found = list(dict.fromkeys(models))
    return found + metric_variables(cells, exclude=set(found))


def _target_names(targets: list[ast.expr]) -> Iterator[str]:
    for t in targets:
        if isinstance(t, ast.Name):
            yield t.id
        elif isinstance(t, ast.Tuple | ast.List):
            yield from _target_names(list(t.elts))


def find_model(nb: Notebook, model: str | None = None, features: str | None = None) -> ModelChoice:
    """The model to serve. ``model`` / ``features`` override what the notebook shows.
    Raises a one-line :class:`InputError` naming the notebook when there is none."""
    cells = parse_notebook(nb)
    calls = fit_calls(cells)
    if model is not None:
        calls = [c for c in calls if c.model == model]
    if not calls:
        if model is not None and features is not None:
            choice = ModelChoice(model, features)
        elif model is not None:
            raise InputError(
                f"no `.fit(...)` call with training features on `{model}` in the notebook;"
                " name the features with --features NAME",
                nb.path,
            )
        else:
            raise InputError(
                "no fitted model found (no `.fit(X, y)`-style call on a notebook variable);"
                " name it with --model NAME and its training features with --features NAME",
                nb.path,
            )
    else:
        last = calls[-1]
        chosen = features or last.features
        if chosen is None:
            raise InputError(
                f"the training features of `{last.call}` are the expression "
                f"`{_short(ast.parse(last.features_source, mode='eval').body, 40)}`, not a"
                " variable: assign them to a variable in the notebook, or name one with"
                " --features NAME",
                nb.path,
                last.cell,
            )
        target = last.target if last.features == chosen else None
        choice = ModelChoice(last.model, chosen, target, cell=last.cell)
    choice.evaluation = evaluation_features(cells, choice)
    later = rebound_after(cells, choice.features, choice.cell)
    if later is not None:
        raise InputError(
            f"`{choice.features}`, the training features of `{choice.model}`, is bound again"
            f" after the fit (cell {later}): the pipeline would hand on that later value;"
            " give the training features a variable of their own, or name one with --features",
            nb.path,
            later,
        )
    taken = {choice.model, choice.features, choice.target, choice.evaluation} - {None}
    choice.metrics = metric_variables(cells, exclude=taken)  # type: ignore[arg-type]
    return choice


def rebound_after(cells: list[ParsedCell], name: str, cell: int | None) -> int | None:
    """The first cell after ``cell`` whose top-level code binds ``name`` again."""
    if cell is None:
        return None
    for index, stmt, node in _top_level_nodes(cells):
        if index <= cell or node is not stmt:
            continue
        targets = getattr(stmt, "targets", None) or [getattr(stmt, "target", None)]
        if isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign) and name in set(
            _target_names([t for t in targets if t is not None])
        ):
            return index
    return None


PREDICT_METHODS = frozenset(
    {"predict", "predict_proba", "predict_log_proba", "decision_function", "score"}
)


def evaluation_features(cells: list[ParsedCell], choice: ModelChoice) -> str | None:
    """The variable the model first predicts on after its fit, other than its training
    features (``model.predict(X_test)``, ``model.score(X_test, y_test)``)."""
    for cell, _, node in _top_level_nodes(cells):
        if choice.cell is not None and cell < choice.cell:
            continue
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in PREDICT_METHODS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == choice.model
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id != choice.features
        ):
            return node.args[0].id
    return None
