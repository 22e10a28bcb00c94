"""Lint a notebook given as text (``nb2prod lint -``): the same rules, ruff and noqa as a
file, the findings named by ``--stdin-filename``; nothing is cached."""

from __future__ import annotations

from nb2prod.config import Settings
from nb2prod.errors import InputError
from nb2prod.lint.engine import _attach_help, _with_locations, check_loaded, internal_error
from nb2prod.lint.excerpt import shorten
from nb2prod.lint.findings import FileResult, Finding
from nb2prod.notebook.load import load_notebook_text


def lint_text(text: str, name: str, settings: Settings) -> FileResult:
    """Lint the notebook JSON ``text`` as if it were the file ``name``. Never raises for bad
    input: the error is in the result."""
    try:
        nb = load_notebook_text(text.removeprefix("\ufeff"), name)
    except InputError as exc:
        return FileResult(name, error=str(exc))
    try:
        result = check_loaded(nb, name, settings)
    except InputError:
        raise
    except Exception as exc:  # a bug: an error naming the notebook, not a traceback
        return FileResult(name, error=internal_error(name, exc))
    if result.error:
        return result
    if result.ruff_input is not None:
        from nb2prod.lint import ruff

        key = name if name.endswith(".ipynb") else "stdin.ipynb"  # ruff reads it as JSON
        run = ruff.start_documents(
            {key: result.ruff_input},
            settings["ruff-select"],
            settings["ruff-ignore"],
            float(settings["subprocess-timeout"]),
        )
        py = run.results().get(key, [])
        result.findings.extend(_with_locations(py, result, settings))
        if key in run.errors:  # never "clean" when ruff could not check it
            result.error = run.errors[key].replace(key, name, 1)
        result.cells, result.noqa, result.ruff_input = {}, [], None
    shorten(result.findings)  # the rules' findings on long lines (see excerpt.py)
    result.findings.sort(key=Finding.sort_key)
    _attach_help([result], settings)
    return result
