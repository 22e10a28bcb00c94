"""Command line: parses options, calls the engines, picks a renderer. Nothing else.

Exit codes are an interface: 0 clean, 1 findings, 2 usage or input error.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from nb2prod.errors import InputError

app = typer.Typer(
    name="nb2prod",
    help="Carry Jupyter notebooks into production: lint, convert, scaffold.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class Format(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


def _fail(message: str) -> typer.Exit:
    print(f"nb2prod: error: {message}", file=sys.stderr)
    return typer.Exit(EXIT_ERROR)


def _settings(config: Path | None, select: str | None, ignore: str | None, start: Path | None):
    from nb2prod.config import load_settings

    overrides: dict = {}
    if select:
        overrides["select"] = [s.strip() for s in select.split(",") if s.strip()]
    if ignore:
        overrides["ignore"] = [s.strip() for s in ignore.split(",") if s.strip()]
    return load_settings(config, start=start, overrides=overrides)


PathsArg = Annotated[
    list[Path], typer.Argument(help="Notebooks or folders (searched recursively).")
]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="pyproject.toml to read instead of the nearest one.")
]
SelectOpt = Annotated[
    str | None, typer.Option("--select", help="Comma-separated codes or prefixes to check.")
]
IgnoreOpt = Annotated[
    str | None, typer.Option("--ignore", help="Comma-separated codes or prefixes to skip.")
]


@app.command()
def lint(
    paths: PathsArg,
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="Output format.")
    ] = Format.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to a file.")
    ] = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    config: ConfigOpt = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="Only report findings not recorded in this baseline."),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Do not read or write the result cache.")
    ] = False,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", help="Parallel processes (default: CPU count).")
    ] = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Text format: no source lines.")
    ] = False,
    fix: Annotated[
        bool, typer.Option("--fix", help="Rewrite fixable IO and SEC findings in place (atomic).")
    ] = False,
    diff: Annotated[
        bool,
        typer.Option("--diff", help="Show the --fix changes as a diff per cell; write nothing."),
    ] = False,
) -> None:
    """Check notebooks against the team's production standards."""
    from nb2prod.lint.engine import apply_baseline, lint_paths

    try:
        settings = _settings(config, select, ignore, paths[0] if paths else None)
        if fix or diff:
            changed, failed = _fix(paths, settings, diff=diff)
            if diff:
                raise typer.Exit(EXIT_ERROR if failed else EXIT_FINDINGS if changed else EXIT_CLEAN)
        results = lint_paths(
            [str(p) for p in paths], settings, jobs=jobs, use_cache=False if no_cache else None
        )
        baseline_file = str(baseline) if baseline else settings["baseline"]
        if baseline_file:
            if not baseline and not Path(baseline_file).is_absolute():
                baseline_file = str(settings.root / baseline_file)
            apply_baseline(results, baseline_file)
    except InputError as exc:
        raise _fail(str(exc)) from None
    _print_problems(results)
    _emit(results, output_format, output, quiet)
    if any(r.error for r in results):
        raise typer.Exit(EXIT_ERROR)
    if any(r.findings for r in results) and not exit_zero:
        raise typer.Exit(EXIT_FINDINGS)


def _fix(paths: list[Path], settings, *, diff: bool) -> tuple[bool, bool]:
    """Run ``--fix`` (or ``--diff``) on every notebook; the report goes to stderr (stdout
    stays the lint report), the diffs to stdout. Returns (anything changed, any failure)."""
    from nb2prod.fix.engine import fix_notebook
    from nb2prod.fix.report import render_text
    from nb2prod.lint.engine import discover

    files, missing = discover([str(p) for p in paths], settings)
    changed = failed = bool(missing)
    for m in missing:
        print(f"nb2prod: error: {m.error}", file=sys.stderr)
    for f in files:
        try:
            result = fix_notebook(f, settings, write=not diff)
        except InputError as exc:
            print(f"nb2prod: error: {exc}", file=sys.stderr)
            failed = True
            continue
        changed = changed or result.changed
        report = render_text(result, diff=diff)
        print(report, file=sys.stdout if diff else sys.stderr)
    return changed, failed


def _print_problems(results) -> None:
    """One line per unreadable file (error) or per thing worth knowing (note), on stderr."""
    for r in results:
        if r.error:
            print(f"nb2prod: error: {r.error}", file=sys.stderr)
        for note in r.notes:
            print(f"nb2prod: note: {r.path}: {note}", file=sys.stderr)


def _emit(results, output_format: Format, output: Path | None, quiet: bool) -> None:
    import io

    if output_format is Format.text:
        if output is None:
            from nb2prod.report import text

            text.render(results, sys.stdout, show_source=not quiet)
            return
        buf = io.StringIO()
        from nb2prod.report import text

        text.render(results, buf, color=False, show_source=not quiet)
        rendered = buf.getvalue()
    elif output_format is Format.json:
        from nb2prod.report import json_report

        rendered = json_report.render(results)
    elif output_format is Format.sarif:
        from nb2prod.report import sarif

        rendered = sarif.render(results)
    else:
        from nb2prod.report import github

        rendered = github.render(results)
    if output is None:
        sys.stdout.write(rendered)
    else:
        output.write_text(rendered, encoding="utf-8")


@app.command()
def convert(
    notebook: Annotated[Path, typer.Argument(help="The notebook to convert.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the package to.")],
    name: Annotated[
        str | None,
        typer.Option("--name", help="Package name (default: from the notebook's file name)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing output folder.")
    ] = False,
    allow_partial: Annotated[
        bool,
        typer.Option(
            "--allow-partial",
            help="Write the package even where cells cannot be converted faithfully.",
        ),
    ] = False,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Apply the lint --fix rewrites (local IO to S3, secrets to environment) "
            "to the generated code; the notebook is not changed.",
        ),
    ] = False,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="Run the notebook (nbclient) and the package; compare what they print.",
        ),
    ] = False,
    python: Annotated[
        str | None,
        typer.Option("--python", help="Interpreter for --verify (default: this one)."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds allowed for each --verify run.")
    ] = 120,
    export: Annotated[
        list[str] | None,
        typer.Option(
            "--export",
            help="A notebook variable that pipeline.run() must also return (repeatable).",
        ),
    ] = None,
    service: Annotated[
        bool,
        typer.Option("--service", help="With the model service too (see `scaffold`)."),
    ] = False,
    model: Annotated[
        str | None,
        typer.Option("--model", help="With --service: the notebook variable of the model."),
    ] = None,
    features: Annotated[
        str | None,
        typer.Option("--features", help="With --service: the model's training features."),
    ] = None,
    id_field: Annotated[
        str | None,
        typer.Option(
            "--id-field", help="With --service: the client's record id field (default: id)."
        ),
    ] = None,
) -> None:
    """Turn a notebook into a Python package: step functions, pipeline, settings, tests."""
    from nb2prod.convert import run
    from nb2prod.lint.engine import FileResult
    from nb2prod.project.service import ServiceRequest
    from nb2prod.report import text

    if (model or features or id_field) and not service:
        raise _fail("--model, --features and --id-field go with --service")
    try:
        fix_settings = _settings(None, None, None, notebook) if fix else None
    except InputError as exc:
        raise _fail(str(exc)) from None
    result = run(
        notebook,
        output,
        name=name,
        force=force,
        allow_partial=allow_partial,
        fix_settings=fix_settings,
        exports=export or (),
        service=ServiceRequest(model, features, id_field) if service else None,
    )
    if result.error:
        raise _fail(result.error)
    if result.fix is not None:
        from nb2prod.fix.report import render_text

        print(render_text(result.fix), file=sys.stderr)
    if result.findings:
        text.render([FileResult(str(notebook), result.findings)], sys.stderr)
    if result.files:
        count = len(result.files) - len(result.service_files)
        print(f"wrote package {result.package} to {output} ({count} files)")
    else:
        print(
            "nb2prod: not converted: the findings above would change what the notebook does"
            " (--allow-partial writes the package anyway)",
            file=sys.stderr,
        )
    if result.model is not None and result.written:
        _service_lines(result.package, output, result.model, len(result.service_files))
    if verify and result.written:
        raise typer.Exit(_verify(notebook, output, python or sys.executable, timeout))
    raise typer.Exit(result.exit_code)


def _verify(notebook: Path, package_dir: Path, python: str, timeout: float) -> int:
    """Execute notebook and package; print mismatches by cell; record the notebook's values
    as the package's golden values. Exit code 0 / 1 / 2."""
    from nb2prod.convert.verify import has_nbclient, record_golden, verify

    if not has_nbclient(python):
        print(
            f"nb2prod: error: --verify needs nbclient and ipykernel importable in {python}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    v = verify(notebook, package_dir, python, timeout=timeout)
    for m in v.mismatches:
        if m.kind == "returned":
            print(f"{notebook}:cell {m.cell}: step {m.expected}: {m.actual}")
        else:
            print(f"{notebook}:cell {m.cell}: {m.kind}: expected {m.expected!r}, got {m.actual!r}")
    if v.error:
        print(f"nb2prod: verify: {v.error}", file=sys.stderr)
        return EXIT_FINDINGS
    changing = sorted(f"{step}: {n}" for step, names in v.unstable_values.items() for n in names)
    if changing or v.unstable_lines:
        print(
            f"not compared, they change from run to run: {len(v.unstable_lines)} printed"
            f" line(s){', values ' + ', '.join(changing) if changing else ''}"
        )
    golden = record_golden(package_dir, v)
    if golden is not None:
        print(f"recorded the notebook's values in {golden} (the generated tests compare them)")
    what = f"{v.expected_lines} printed lines and {v.compared_values} step values"
    print(f"faithful: {what} as in the notebook" if v.faithful else f"not faithful ({what})")
    return EXIT_CLEAN if v.faithful else EXIT_FINDINGS


@app.command()
def scaffold(
    package_dir: Annotated[Path, typer.Argument(help="A project written by `nb2prod convert`.")],
    model: Annotated[
        str | None,
        typer.Option("--model", help="The notebook variable holding the fitted model."),
    ] = None,
    features: Annotated[
        str | None,
        typer.Option("--features", help="The notebook variable holding its training features."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing service files.")] = False,
    fix: Annotated[
        bool,
        typer.Option("--fix", help="Apply the lint --fix rewrites, as `convert --fix` did."),
    ] = False,
    id_field: Annotated[
        str | None,
        typer.Option("--id-field", help="The client's record id field (default: id, if read)."),
    ] = None,
) -> None:
    """Add a model service to a converted project: train entry point, FastAPI app,
    calculation log, metrics, tests, Dockerfile and CI."""
    _scaffold_report(package_dir, model, features, force, fix, id_field)


def _scaffold_report(
    package_dir: Path,
    model: str | None = None,
    features: str | None = None,
    force: bool = False,
    fix: bool = False,
    id_field: str | None = None,
) -> None:
    """Run scaffold, print what it did; a failure exits 2 with one line."""
    from nb2prod.scaffold import run as scaffold_run

    result = scaffold_run(package_dir, model, features, force=force, fix=fix, id_field=id_field)
    if result.error:
        raise _fail(result.error)
    if result.findings:
        from nb2prod.lint.engine import FileResult
        from nb2prod.report import text

        text.render([FileResult(str(result.notebook), result.findings)], sys.stderr)
    _service_lines(result.package, package_dir, result, len(result.files))


def _service_lines(package: str | None, folder: Path, choice: Any, written: int) -> None:
    """What scaffold did: the model served (``choice``: model, features, metrics)."""
    metrics = f", metrics {', '.join(choice.metrics)}" if choice.metrics else ""
    print(
        f"scaffolded the service of {package} in {folder}: model `{choice.model}`"
        f" trained on `{choice.features}`{metrics} ({written} files written)"
    )
    print(f"next: python -m {package}.train && python -m {package}.service")


@app.command("baseline")
def baseline_cmd(
    paths: PathsArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="Baseline file to write.")] = Path(
        ".nb2prod-baseline.json"
    ),
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Record today's findings so that `lint --baseline FILE` reports only new ones."""
    from nb2prod.lint.baseline import write_baseline
    from nb2prod.lint.engine import lint_paths

    try:
        settings = _settings(config, select, ignore, paths[0] if paths else None)
        results = lint_paths([str(p) for p in paths], settings)
    except InputError as exc:
        raise _fail(str(exc)) from None
    _print_problems(results)
    count = write_baseline([f for r in results for f in r.findings], str(output))
    print(f"recorded {count} finding{'s' if count != 1 else ''} in {output}")
    if any(r.error for r in results):
        raise typer.Exit(EXIT_ERROR)


@app.command("rules")
def rules_cmd() -> None:
    """List the rules: code, name, what it checks."""
    from nb2prod.lint.registry import FAMILIES, all_rules

    for code, rule in all_rules().items():
        fix = " (fixable)" if rule.fixable else ""
        print(f"{code:<7} {rule.name:<34} {rule.message}{fix}")
    print(f"{'PY*':<7} {'ruff':<34} {FAMILIES['PY']}")


@app.command("rule")
def rule_cmd(code: Annotated[str, typer.Argument(help="A rule code, e.g. IO001, or PY.")]) -> None:
    """Explain one rule: what it does, why it matters, what to write instead."""
    from nb2prod.lint.registry import all_rules

    code = code.upper()
    rules = all_rules()
    if code in rules:
        rule = rules[code]
        print(f"{code} ({rule.name}) [{rule.severity}{', fixable' if rule.fixable else ''}]\n")
        print(rule.doc())
        return
    if code.startswith("PY"):
        from nb2prod.lint import ruff

        print(f"{code} (ruff)\n")
        print((ruff.__doc__ or "").strip())
        return
    raise _fail(f"unknown rule code '{code}' (see `nb2prod rules`)")


def main() -> None:
    """Console-script entry point: typer's usage errors exit 2, ours too."""
    try:
        app()
    except KeyboardInterrupt:
        print("nb2prod: interrupted", file=sys.stderr)
        sys.exit(130)
