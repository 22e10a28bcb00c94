"""Command line: parses options and hands them to ``nb2prod.console`` (what each command
does at the terminal) or to ``nb2prod.init``. Nothing else.

Exit codes are an interface: 0 clean, 1 findings, 2 usage or input error.

No ``from __future__ import annotations`` here: typer reads every command's annotations at
each start, and evaluating them from strings (compiling each one) costs more than building
them once at import.
"""

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from nb2prod.console import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS
from nb2prod.errors import InputError

__all__ = ["EXIT_CLEAN", "EXIT_ERROR", "EXIT_FINDINGS", "Format", "app", "main"]

app = typer.Typer(
    name="nb2prod",
    help="Carry Jupyter notebooks into production: lint, convert, scaffold.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


def _fail(message: str) -> typer.Exit:
    print(f"nb2prod: error: {message}", file=sys.stderr)
    return typer.Exit(EXIT_ERROR)


def _version(value: bool) -> None:
    if value:
        from nb2prod import __version__

        print(f"nb2prod {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Print the version; exit."
        ),
    ] = False,
) -> None:
    pass


def _settings(config: Path | None, start: Path | None, **options: Any):
    """Settings from ``config`` (or the pyproject.toml nearest ``start``) under the options
    given on the command line (lists: repeated options, codes comma-separated)."""
    from nb2prod.config import load_settings

    overrides: dict[str, Any] = {}
    for key, value in options.items():
        name = key.replace("_", "-")
        if isinstance(value, bool):
            overrides[name] = value
        elif name.endswith("exclude"):
            if value:
                overrides[name] = list(value)
        elif codes := [c.strip() for v in value or () for c in v.split(",") if c.strip()]:
            overrides[name] = codes
    return load_settings(config, start=start, overrides=overrides)


PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Notebooks or folders, searched recursively (default: the current folder); "
        "`-` reads a notebook from standard input.",
        show_default=False,
    ),
]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="pyproject.toml to read instead of the nearest one.")
]
SelectOpt = Annotated[
    list[str] | None,
    typer.Option("--select", help="Codes or prefixes to check (comma-separated, repeatable)."),
]
ExtendSelectOpt = Annotated[
    list[str] | None,
    typer.Option("--extend-select", help="Codes or prefixes to check on top of select."),
]
IgnoreOpt = Annotated[
    list[str] | None,
    typer.Option("--ignore", help="Codes or prefixes to skip (comma-separated, repeatable)."),
]
ExtendExcludeOpt = Annotated[
    list[str] | None,
    typer.Option("--extend-exclude", help="Folders or files to skip on top of exclude (globs)."),
]
ForceExcludeOpt = Annotated[
    bool | None,
    typer.Option(
        "--force-exclude/--no-force-exclude",
        help="Skip excluded notebooks even when named on the command line (as by pre-commit).",
        show_default=False,
    ),
]


def _selection(select, extend_select, ignore, extend_exclude, force_exclude) -> dict[str, Any]:
    forced = {} if force_exclude is None else {"force_exclude": force_exclude}
    return {
        "select": select,
        "extend_select": extend_select,
        "ignore": ignore,
        "extend_exclude": extend_exclude,
        **forced,
    }


@app.command()
def lint(
    paths: PathsArg = None,
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="Output format.")
    ] = Format.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to a file.")
    ] = None,
    select: SelectOpt = None,
    extend_select: ExtendSelectOpt = None,
    ignore: IgnoreOpt = None,
    extend_exclude: ExtendExcludeOpt = None,
    force_exclude: ForceExcludeOpt = None,
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
    statistics: Annotated[
        bool, typer.Option("--statistics", help="Count the findings of each code (text, json).")
    ] = False,
    fix: Annotated[
        bool, typer.Option("--fix", help="Rewrite fixable IO and SEC findings in place (atomic).")
    ] = False,
    diff: Annotated[
        bool,
        typer.Option("--diff", help="Show the --fix changes as a diff per cell; write nothing."),
    ] = False,
    show_fixes: Annotated[
        bool,
        typer.Option("--show-fixes", help="List the findings --fix fixed (or would fix)."),
    ] = False,
    stdin_filename: Annotated[
        str | None,
        typer.Option("--stdin-filename", help="Lint standard input as this notebook path."),
    ] = None,
) -> None:
    """Check notebooks against the team's production standards."""
    from nb2prod.console import lint as console

    try:
        todo = console.paths_to_lint([str(p) for p in paths or ()], stdin_filename)
        name = stdin_filename or "-"
        start = Path(name).parent if todo == ["-"] else Path(todo[0])
        selection = _selection(select, extend_select, ignore, extend_exclude, force_exclude)
        settings = _settings(config, start, **selection)
        request = console.Request(
            todo,
            output_format.value,
            output,
            baseline,
            use_cache=False if no_cache else None,
            jobs=jobs,
            exit_zero=exit_zero,
            quiet=quiet,
            statistics=statistics,
            fix=fix,
            diff=diff,
            show_fixes=show_fixes,
            stdin_name=name,
        )
        code = console.run(request, settings)
    except InputError as exc:
        raise _fail(str(exc)) from None
    raise typer.Exit(code)


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
    from nb2prod.console import project as console
    from nb2prod.convert import run
    from nb2prod.project.service import ServiceRequest

    if (model or features or id_field) and not service:
        raise _fail("--model, --features and --id-field go with --service")
    try:
        fix_settings = _settings(None, notebook) if fix else None
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
    try:
        console.converted(result, notebook, output)
    except InputError as exc:
        raise _fail(str(exc)) from None
    if verify and result.written:
        raise typer.Exit(console.verify(notebook, output, python or sys.executable, timeout))
    raise typer.Exit(result.exit_code)


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
    from nb2prod.console import project as console

    try:
        console.scaffold(package_dir, model, features, force, fix, id_field)
    except InputError as exc:
        raise _fail(str(exc)) from None


@app.command("baseline")
def baseline_cmd(
    paths: PathsArg = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Baseline file to write.")] = Path(
        ".nb2prod-baseline.json"
    ),
    select: SelectOpt = None,
    extend_select: ExtendSelectOpt = None,
    ignore: IgnoreOpt = None,
    extend_exclude: ExtendExcludeOpt = None,
    force_exclude: ForceExcludeOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Record today's findings so that `lint --baseline FILE` reports only new ones."""
    from nb2prod.console.lint import nothing_found
    from nb2prod.lint.baseline import write_baseline
    from nb2prod.lint.engine import lint_paths
    from nb2prod.report.output import print_problems

    todo = [str(p) for p in paths or ()] or ["."]
    selection = _selection(select, extend_select, ignore, extend_exclude, force_exclude)
    try:
        settings = _settings(config, Path(todo[0]), **selection)
        results = lint_paths(todo, settings)
    except InputError as exc:
        raise _fail(str(exc)) from None
    if not results:
        raise typer.Exit(nothing_found(todo, settings))
    print_problems(results)
    count = write_baseline([f for r in results for f in r.findings], str(output))
    print(f"recorded {count} finding{'s' if count != 1 else ''} in {output}")
    if any(r.error for r in results):
        raise typer.Exit(EXIT_ERROR)


@app.command("rules")
def rules_cmd() -> None:
    """List the rules: code, name, what it checks."""
    from nb2prod.console.rules import listing

    sys.stdout.write(listing())


@app.command("rule")
def rule_cmd(
    code: Annotated[
        str, typer.Argument(help="A rule code: IO001, CV007 (convert), PY or PYF401 (ruff's F401).")
    ],
) -> None:
    """Explain one rule: what it does, why it matters, what to write instead."""
    from nb2prod.console.rules import explain

    try:
        sys.stdout.write(explain(code))
    except InputError as exc:
        raise _fail(str(exc)) from None


@app.command("init")
def init_cmd(
    folder: Annotated[
        Path, typer.Argument(help="The repository's root folder.", show_default=False)
    ] = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing pre-commit config and workflow.")
    ] = False,
    repo: Annotated[
        str | None,
        typer.Option(
            "--repo",
            help="URL of nb2prod's hooks repository: use its hooks at the release tag "
            "(default: local hooks that install nb2prod from where this one came from).",
        ),
    ] = None,
    install_spec: Annotated[
        str | None,
        typer.Option(
            "--install-spec",
            metavar="SPEC",
            help="What CI and the hooks pip-install: a requirement or URL, e.g. "
            "'acme-nb2prod==0.2.0' or a wheel's URL (default: from where this nb2prod came: "
            "its package index, VCS URL, or git remote at the checked-out commit).",
        ),
    ] = None,
) -> None:
    """Write the tool.nb2prod table into pyproject.toml, .pre-commit-config.yaml and a
    GitHub Actions job (.github/workflows/nb2prod.yml). Existing files are kept unless
    --force; an existing tool.nb2prod table is always kept."""
    from nb2prod import init
    from nb2prod.errors import printable

    try:
        result = init.run(folder, force=force, repo=repo, spec=install_spec)
    except InputError as exc:
        raise _fail(str(exc)) from None
    for name in result.written:
        print(f"wrote {folder / name}")
    for name in result.updated:
        print(f"added [tool.nb2prod] to {folder / name}")
    for name in result.kept:
        print(f"kept {folder / name}: it has a [tool.nb2prod] table already")
    print(f"installs: {result.spec}")
    for note in result.notes:
        print(printable(f"note: {note}"))
    print("next: pip install pre-commit && pre-commit install")


def main() -> None:
    """Console-script entry point: typer's usage errors exit 2, ours too; a bug is one line
    and exit 2, never a traceback (``NB2PROD_DEBUG=1`` shows it)."""
    for stream in (sys.stdout, sys.stderr):  # a file name need not be UTF-8: escape it
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        app()
    except KeyboardInterrupt:
        print("nb2prod: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:
        import os

        if os.environ.get("NB2PROD_DEBUG"):
            raise
        print(
            f"nb2prod: error: internal error ({type(exc).__name__}); please report it "
            "(NB2PROD_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        sys.exit(EXIT_ERROR)
