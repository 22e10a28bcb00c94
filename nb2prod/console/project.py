"""What ``convert`` (and ``convert --verify``) and ``scaffold`` did, printed: the files
written, the findings at their cells, the service's model, the faithfulness check."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from nb2prod.console import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS
from nb2prod.errors import InputError


def converted(result: Any, notebook: Path, output: Path) -> None:
    """Print what ``convert.run`` did (``result``: its result); an error raises."""
    from nb2prod.lint.findings import FileResult
    from nb2prod.report import text

    if result.error:
        raise InputError(result.error)
    if result.fix is not None:
        from nb2prod.fix.report import render_text

        print(render_text(result.fix), file=sys.stderr)
    if result.findings:
        text.render([FileResult(str(notebook), result.findings)], sys.stderr)
    if result.files:
        count = len(result.files) - len(result.service_files)
        print(f"wrote package {result.package} to {output} ({count} files)")
        for note in result.notes:
            print(f"nb2prod: note: {output}: {note}", file=sys.stderr)
    else:
        print(
            "nb2prod: not converted: the findings above would change what the notebook does"
            " (--allow-partial writes the package anyway)",
            file=sys.stderr,
        )
    if result.model is not None and result.written:
        service_lines(result.package, output, result.model, len(result.service_files))


def verify(notebook: Path, package_dir: Path, python: str, timeout: float) -> int:
    """Execute notebook and package; print mismatches by cell; record the notebook's values
    as the package's golden values. Exit code 0 / 1 / 2."""
    from nb2prod.convert.verify import has_nbclient, record_golden
    from nb2prod.convert.verify import verify as run_both

    if not has_nbclient(python):
        print(
            f"nb2prod: error: --verify needs nbclient and ipykernel importable in {python}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    from nb2prod.convert.golden_secrets import notebook_masker
    from nb2prod.convert.verify_run import load_or_none

    nb = load_or_none(notebook)  # read once: run, and masker of what either side printed
    v = run_both(notebook, package_dir, python, timeout=timeout, nb=nb)
    masker = notebook_masker(nb)

    def hidden(text: str | None) -> str | None:
        return None if text is None else masker(text)  # its secrets, then provider formats

    for m in v.mismatches:
        expected, actual = hidden(m.expected), hidden(m.actual)
        if m.kind == "returned":
            print(f"{notebook}:cell {m.cell}: step {expected}: {actual}")
        else:
            print(f"{notebook}:cell {m.cell}: {m.kind}: expected {expected!r}, got {actual!r}")
    if v.error:
        print(f"nb2prod: verify: {hidden(v.error)}", file=sys.stderr)
        return EXIT_FINDINGS
    changing = sorted(f"{step}: {n}" for step, names in v.unstable_values.items() for n in names)
    if changing or v.unstable_lines:
        print(
            f"not compared, they change from run to run: {len(v.unstable_lines)} printed"
            f" line(s){', values ' + ', '.join(changing) if changing else ''}"
        )
    golden = record_golden(package_dir, v, masker)
    if golden is not None:
        print(f"recorded the notebook's values in {golden} (the generated tests compare them)")
    what = f"{v.expected_lines} printed lines and {v.compared_values} step values"
    print(f"faithful: {what} as in the notebook" if v.faithful else f"not faithful ({what})")
    return EXIT_CLEAN if v.faithful else EXIT_FINDINGS


def scaffold(
    package_dir: Path,
    model: str | None = None,
    features: str | None = None,
    force: bool = False,
    fix: bool = False,
    id_field: str | None = None,
) -> None:
    """Run scaffold, print what it did; a failure raises (one line, exit 2)."""
    from nb2prod.scaffold import run as scaffold_run

    result = scaffold_run(package_dir, model, features, force=force, fix=fix, id_field=id_field)
    if result.error:
        raise InputError(result.error)
    if result.findings:
        from nb2prod.lint.findings import FileResult
        from nb2prod.report import text

        text.render([FileResult(str(result.notebook), result.findings)], sys.stderr)
    service_lines(result.package, package_dir, result, len(result.files))
    for note in result.notes:
        print(f"nb2prod: note: {package_dir}: {note}", file=sys.stderr)


def service_lines(package: str | None, folder: Path, choice: Any, written: int) -> None:
    """What scaffold did: the model served (``choice``: model, features, metrics)."""
    metrics = f", metrics {', '.join(choice.metrics)}" if choice.metrics else ""
    print(
        f"scaffolded the service of {package} in {folder}: model `{choice.model}`"
        f" trained on `{choice.features}`{metrics} ({written} files written)"
    )
    print(f"next: python -m {package}.train && python -m {package}.service")
