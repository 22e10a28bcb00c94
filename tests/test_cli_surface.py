"""The command-line surface a team that uses ruff and pre-commit expects: --version, standard
input, --statistics, --show-fixes, extend-select / extend-exclude / force-exclude, a default
path, NO_COLOR / FORCE_COLOR, the progress bar, "no notebook found", `rule` for CV and PY
codes, repeated --select, `nb2prod init`, the pre-commit hooks, and the README kept in step
with the code."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import nb2prod
from nb2prod import init
from nb2prod.cli import app
from nb2prod.config import load_settings
from nb2prod.lint.engine import Exclusion, discover
from nb2prod.lint.findings import FileResult, Finding
from nb2prod.report import progress, text
from tests.conftest import SAMPLES, console_script
from tests.helpers import code, notebook, write

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CHURN = SAMPLES / "churn_model.ipynb"
ANSI = "\x1b["
DIRTY = "!pip install pandas\n!ls data/\n%who"  # NB001, NB002, NB003


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(app, list(args), input=stdin)


def script(*args: str, cwd: Path, stdin: str | None = None, env: dict | None = None):
    return subprocess.run(
        [console_script(), *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with a pyproject.toml (NB rules, no cache) as the working folder."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.nb2prod]\nselect = ["NB"]\ncache = false\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def dirty(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write(path, notebook([code(DIRTY)]))


def codes(stdout: str) -> list[str]:
    return [f["code"] for f in json.loads(stdout)["findings"]]


def paths(stdout: str) -> set[str]:
    return {Path(f["path"]).as_posix() for f in json.loads(stdout)["findings"]}


# -- --version ------------------------------------------------------------------------------
def test_version(tmp_path: Path) -> None:
    for flag in ("--version", "-V"):
        result = run(flag)
        assert result.exit_code == 0
        assert result.stdout == f"nb2prod {nb2prod.__version__}\n"
    proc = script("--version", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout == f"nb2prod {nb2prod.__version__}\n"


# -- a default path of "." ------------------------------------------------------------------
def test_no_path_lints_the_current_folder(project: Path) -> None:
    dirty(project / "a.ipynb")
    dirty(project / "sub" / "b.ipynb")
    result = run("lint", "--format", "json")
    assert result.exit_code == 1
    assert paths(result.stdout) == {"a.ipynb", "sub/b.ipynb"}  # no "./" prefix, as ruff
    assert run("lint", "-q").stdout.startswith("a.ipynb:cell 1:1:1: NB001")
    assert run("baseline", "-o", "base.json").exit_code == 0
    assert run("lint", "--baseline", "base.json").exit_code == 0


# -- --select A --select B ------------------------------------------------------------------
def test_repeated_select_and_ignore_accumulate(project: Path) -> None:
    nb = dirty(project / "a.ipynb")
    result = run("lint", "-f", "json", "--select", "NB001", "--select", "NB002,NB003", str(nb))
    assert codes(result.stdout) == ["NB001", "NB002", "NB003"]
    result = run("lint", "-f", "json", "--ignore", "NB001", "--ignore", "NB003", str(nb))
    assert codes(result.stdout) == ["NB002"]
    assert run("baseline", "--select", "NB001", "--select", "NB002", "-o", "b.json").exit_code == 0
    assert len(json.loads((project / "b.json").read_text())["findings"]) == 2


# -- extend-select --------------------------------------------------------------------------
def test_extend_select_setting_and_flag(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.nb2prod]\nselect = ["NB001"]\nextend-select = ["NB002"]\ncache = false\n'
    )
    nb = dirty(project / "a.ipynb")
    assert codes(run("lint", "-f", "json", str(nb)).stdout) == ["NB001", "NB002"]
    flag = run("lint", "-f", "json", "--extend-select", "NB003", str(nb))
    assert codes(flag.stdout) == ["NB001", "NB002", "NB003"]
    # as ruff: --select replaces select and the file's extend-select
    assert codes(run("lint", "-f", "json", "--select", "NB003", str(nb)).stdout) == ["NB003"]
    both = run("lint", "-f", "json", "--select", "NB003", "--extend-select", "NB001", str(nb))
    assert codes(both.stdout) == ["NB001", "NB003"]
    bad = run("lint", "--extend-select", "XX1", str(nb))
    assert bad.exit_code == 2 and "XX1" in bad.stderr


def test_extend_select_in_settings(tmp_path: Path) -> None:
    s = load_settings(start=tmp_path, overrides={"select": ["IO"], "extend-select": ["SEC"]})
    assert s["select"] == ["IO", "SEC"] and s.is_enabled("SEC001")


# -- exclude, extend-exclude, force-exclude ------------------------------------------------
def tree(project: Path) -> None:
    dirty(project / "keep.ipynb")
    dirty(project / ".ipynb_checkpoints" / "keep-checkpoint.ipynb")
    dirty(project / "archive" / "old.ipynb")
    dirty(project / "nbs" / "scratch" / "s.ipynb")
    dirty(project / "nbs" / "t-scratch.ipynb")


def test_extend_exclude_keeps_the_default_excludes(project: Path) -> None:
    tree(project)
    (project / "pyproject.toml").write_text(
        '[tool.nb2prod]\nselect = ["NB001"]\ncache = false\n'
        'extend-exclude = ["archive", "nbs/scratch"]\n'
    )
    found = paths(run("lint", "-f", "json").stdout)
    assert found == {"keep.ipynb", "nbs/t-scratch.ipynb"}
    flag = run("lint", "-f", "json", "--extend-exclude", "*-scratch.ipynb")
    assert paths(flag.stdout) == {"keep.ipynb"}


def test_exclude_patterns_as_ruff_reads_them(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.nb2prod]\n")  # the root of the globs
    settings = load_settings(
        start=tmp_path, overrides={"exclude": ["old", "*-tmp.ipynb", "nbs/*/draft.ipynb"]}
    )
    ex = Exclusion(settings)
    assert ex.found(str(tmp_path / "x"), "old") and ex.found(str(tmp_path), "a-tmp.ipynb")
    assert ex.found(str(tmp_path / "nbs" / "ch1"), "draft.ipynb")
    assert not ex.found(str(tmp_path / "draft"), "draft.ipynb")
    assert not ex.found(str(tmp_path), ".ipynb_checkpoints")  # exclude replaced the defaults
    assert ex.named(str(tmp_path / "old" / "a.ipynb"))
    assert ex.named(str(tmp_path / "nbs" / "x" / "draft.ipynb"))
    assert not ex.named(str(tmp_path / "nbs" / "a.ipynb"))


def test_named_files_are_linted_unless_force_exclude(project: Path) -> None:
    tree(project)
    checkpoint = ".ipynb_checkpoints/keep-checkpoint.ipynb"
    named = ["keep.ipynb", checkpoint, "archive/old.ipynb"]
    (project / "pyproject.toml").write_text(
        '[tool.nb2prod]\nselect = ["NB001"]\ncache = false\nextend-exclude = ["archive"]\n'
    )
    assert paths(run("lint", "-f", "json", *named).stdout) == set(named)  # as ruff
    forced = run("lint", "-f", "json", "--force-exclude", *named)
    assert paths(forced.stdout) == {"keep.ipynb"}
    assert run("lint", "--force-exclude", "archive").exit_code == 0  # a named folder too
    # the setting does the same; --no-force-exclude turns it off again
    (project / "pyproject.toml").write_text(
        '[tool.nb2prod]\nselect = ["NB001"]\ncache = false\nforce-exclude = true\n'
    )
    assert paths(run("lint", "-f", "json", *named).stdout) == {"keep.ipynb", "archive/old.ipynb"}
    off = run("lint", "-f", "json", "--no-force-exclude", *named)
    assert paths(off.stdout) == set(named)
    files, missing = discover([checkpoint], load_settings(start=project))
    assert files == [] and missing == []


def test_force_exclude_only_looks_below_the_project_root(tmp_path: Path) -> None:
    """A default exclude (``build``) above the project root does not skip the project."""
    root = tmp_path / "build" / "repo"
    nb = dirty(root / "a.ipynb")
    (root / "pyproject.toml").write_text("[tool.nb2prod]\nforce-exclude = true\n")
    assert not Exclusion(load_settings(start=root)).named(str(nb))


# -- no notebook found ---------------------------------------------------------------------
def test_no_notebook_found_warns_and_exits_2(project: Path) -> None:
    (project / "src").mkdir()
    (project / "src" / "x.py").write_text("x = 1\n")
    result = run("lint", "src")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "nb2prod: warning: no notebooks found in src\n"
    assert run("baseline", "src").exit_code == 2
    assert run("lint", "--exit-zero", "src").exit_code == 2  # not findings: a usage error


def test_only_force_excluded_files_named_exits_0(project: Path) -> None:
    """pre-commit names the staged files; if all of them are excluded there is nothing to do."""
    nb = dirty(project / ".ipynb_checkpoints" / "a-checkpoint.ipynb")
    result = run("lint", "--force-exclude", str(nb))
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""
    assert run("lint", str(nb)).exit_code == 1


# -- standard input ------------------------------------------------------------------------
def test_stdin_findings_named_by_stdin_filename(project: Path) -> None:
    doc = json.dumps(notebook([code(DIRTY)]))
    result = run("lint", "-", "--stdin-filename", "nbs/a.ipynb", "-f", "json", stdin=doc)
    assert result.exit_code == 1, result.output
    assert codes(result.stdout) == ["NB001", "NB002", "NB003"]
    assert paths(result.stdout) == {"nbs/a.ipynb"}
    plain = run("lint", "-", stdin=doc)  # without a name: "-", as ruff
    assert plain.exit_code == 1 and plain.stdout.startswith("-:cell 1:1:1: NB001")
    clean = run("lint", "-", stdin=json.dumps(notebook([code("x = 1")])))
    assert clean.exit_code == 0
    # --stdin-filename alone reads standard input too (as ruff)
    assert run("lint", "--stdin-filename", "b.ipynb", "-q", stdin=doc).exit_code == 1


def test_stdin_name_picks_settings_and_excludes(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.nb2prod]\nselect = ["NB"]\ncache = false\nextend-exclude = ["scratch"]\n'
        '[tool.nb2prod.per-file-ignores]\n"nbs/*" = ["NB001"]\n'
    )
    doc = json.dumps(notebook([code(DIRTY)]))
    named = run("lint", "-", "--stdin-filename", "nbs/a.ipynb", "-f", "json", stdin=doc)
    assert codes(named.stdout) == ["NB002", "NB003"]
    skipped = run("lint", "-", "--stdin-filename", "scratch/a.ipynb", "--force-exclude", stdin=doc)
    assert skipped.exit_code == 0 and skipped.stdout == ""
    echoed = run(
        "lint", "-", "--stdin-filename", "scratch/a.ipynb", "--force-exclude", "--fix", stdin=doc
    )
    assert echoed.exit_code == 0 and echoed.stdout == doc


def test_stdin_errors(project: Path) -> None:
    bad = run("lint", "-", "--stdin-filename", "a.ipynb", stdin="not json")
    assert bad.exit_code == 2
    assert bad.stderr.count("nb2prod: error: a.ipynb:") == 1
    mixed = run("lint", "-", "a.ipynb")
    assert mixed.exit_code == 2 and "standard input" in mixed.stderr


def test_stdin_fix_writes_the_fixed_notebook_to_stdout(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.nb2prod]\ndata-uri = "s3://acme-data/churn"\ncache = false\n'
    )
    original = CHURN.read_text(encoding="utf-8")
    proc = script(
        "lint", "-", "--stdin-filename", "churn.ipynb", "--fix", "--show-fixes",
        "--select", "SEC", cwd=tmp_path, stdin=original,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    fixed = json.loads(proc.stdout)  # the whole notebook, valid JSON
    sources = "".join("".join(c["source"]) for c in fixed["cells"])
    assert 'os.environ["AWS_ACCESS_KEY_ID"]' in sources
    assert "AKIA" not in proc.stdout
    assert "Fixed " in proc.stderr and "SEC001 (" in proc.stderr
    # --fix changes only what the selected rules report: nothing SEC is left to fix
    again = script("lint", "-", "--stdin-filename", "churn.ipynb", "--fix", "--select", "SEC",
                   cwd=tmp_path, stdin=proc.stdout)  # fmt: skip
    assert again.stdout == proc.stdout  # the notebook as given


# -- --statistics ---------------------------------------------------------------------------
def test_statistics_text_and_json(project: Path) -> None:
    dirty(project / "a.ipynb")
    dirty(project / "b.ipynb")
    write(project / "c.ipynb", notebook([code("!pip install x")]))
    result = run("lint", "--statistics")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "3\tNB001\t[ ] shell-install"
    assert [ln.split("\t")[1] for ln in lines[:3]] == ["NB001", "NB002", "NB003"]
    assert lines[-1].startswith("7 findings in 3 of 3 notebooks")
    rows = json.loads(run("lint", "--statistics", "-f", "json").stdout)
    assert rows[0] == {
        "code": "NB001",
        "name": "shell-install",
        "count": 3,
        "fixable": False,
        "fixable_count": 0,
    }
    assert run("lint", "--statistics", "-f", "sarif").exit_code == 2


# -- --show-fixes ---------------------------------------------------------------------------
def test_show_fixes(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.nb2prod]\ndata-uri = "s3://acme-data/churn"\ncache = false\n'
    )
    nb = Path(shutil.copy(CHURN, tmp_path / "churn.ipynb"))
    runner = CliRunner()
    would = runner.invoke(app, ["lint", "--show-fixes", "--select", "SEC", str(nb)])
    assert would.exit_code == 1
    assert "Would fix" in would.stderr and f"- {nb}:" in would.stderr
    assert re.search(r"^    \d+ × SEC001 \(", would.stderr, re.MULTILINE)
    fixed = runner.invoke(app, ["lint", "--fix", "--show-fixes", "--select", "SEC", str(nb)])
    assert "Fixed " in fixed.stderr and "SEC001" in fixed.stderr
    quiet = runner.invoke(app, ["lint", "--fix", "--select", "SEC", str(nb)])
    assert "Fixed " not in quiet.stderr


# -- NO_COLOR / FORCE_COLOR -----------------------------------------------------------------
def test_colour_follows_no_color_and_force_color(monkeypatch: pytest.MonkeyPatch) -> None:
    f = Finding("NB001", "m", "a.ipynb", 1, 1, 1, source_line="!pip install x")

    def render() -> str:
        buf = io.StringIO()
        text.render([FileResult(f.path, [f])], buf)
        return buf.getvalue()

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert ANSI not in render()  # piped
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert ANSI in render()
    monkeypatch.setenv("NO_COLOR", "1")
    assert ANSI not in render()  # NO_COLOR wins
    monkeypatch.setenv("NO_COLOR", "")  # empty: not set (no-color.org)
    assert ANSI in render()


def test_force_color_through_the_console_script(project: Path) -> None:
    nb = dirty(project / "a.ipynb")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    plain = script("lint", str(nb), cwd=project, env=env)
    assert ANSI not in plain.stdout
    forced = script("lint", str(nb), cwd=project, env={**env, "FORCE_COLOR": "1"})
    assert ANSI in forced.stdout and forced.returncode == 1
    off = script("lint", str(nb), cwd=project, env={**env, "FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert ANSI not in off.stdout


# -- progress bar --------------------------------------------------------------------------
def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not progress.wanted(io.StringIO())
    read, write_end = os.pipe()
    with os.fdopen(write_end, "w") as pipe:
        assert not progress.wanted(pipe)
    os.close(read)
    if hasattr(os, "openpty"):
        leader, follower = os.openpty()
        with os.fdopen(follower, "w") as tty:
            monkeypatch.delenv("TERM", raising=False)
            assert progress.wanted(tty)
            monkeypatch.setenv("TERM", "dumb")
            assert not progress.wanted(tty)
        os.close(leader)


def test_progress_bar_shows_for_long_runs_and_goes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(3):
        dirty(project / f"n{i}.ipynb")
    monkeypatch.setattr(progress, "wanted", lambda stream=None: True)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    result = run("lint", "-j", "1", "-q")
    assert result.exit_code == 1
    assert "linting" in result.stderr and "/3" in result.stderr  # the bar, on stderr
    assert "linting" not in result.stdout
    short = io.StringIO()
    with progress.Bar(short, delay=60) as bar:  # a short run: never shown
        bar(1, 3)
    assert short.getvalue() == ""


def test_piped_run_has_no_progress_bar(project: Path) -> None:
    for i in range(12):
        dirty(project / f"n{i:02}.ipynb")
    proc = script("lint", "-q", cwd=project)
    assert proc.returncode == 1
    assert proc.stderr == "" and "linting" not in proc.stdout


# -- nb2prod rule ----------------------------------------------------------------------------
def test_rule_cv_code_prints_the_convert_finding() -> None:
    from nb2prod.convert.findings import CATALOGUE

    result = run("rule", "cv007")
    assert result.exit_code == 0
    severity, name, meaning = CATALOGUE["CV007"]
    assert result.stdout.startswith(f"CV007 ({name}) [{severity}")
    assert meaning in result.stdout
    assert run("rule", "CV999").exit_code == 2


def test_rule_py_code_prints_ruffs_own_text() -> None:
    result = run("rule", "PYF401")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("PYF401")
    assert "unused-import (F401)" in result.stdout and "## What it does" in result.stdout
    unknown = run("rule", "PYX999")
    assert unknown.exit_code == 2 and unknown.stdout == ""
    assert len(unknown.stderr.splitlines()) == 1 and "PYX999" in unknown.stderr
    family = run("rule", "PY")
    assert family.exit_code == 0 and "ruff" in family.stdout


# -- nb2prod init ---------------------------------------------------------------------------
def from_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """nb2prod as if installed from a package index (tests/test_init.py: other origins)."""
    monkeypatch.setattr(init, "installed", lambda: (nb2prod.__version__, None))


def test_init_writes_the_three_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    from_the_index(monkeypatch)
    result = run("init", str(tmp_path))
    assert result.exit_code == 0, result.output
    table = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["nb2prod"]
    assert table["force-exclude"] is True and table["select"] == ["IO", "SEC", "NB", "PY"]
    assert load_settings(start=tmp_path)["force-exclude"] is True  # valid settings
    config = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    hooks = config["repos"][0]["hooks"]
    assert [h["id"] for h in hooks] == ["nb2prod-lint", "nb2prod-fix"]
    for hook, published in zip(hooks, init.HOOKS, strict=True):
        assert {k: v for k, v in hook.items() if k in published} == published
        assert hook["additional_dependencies"] == [f"nb2prod=={nb2prod.__version__}"]
    assert hooks[1]["stages"] == ["manual"]
    job = yaml.safe_load((tmp_path / ".github" / "workflows" / "nb2prod.yml").read_text())
    steps = job["jobs"]["nb2prod"]["steps"]
    assert any(s.get("run") == "nb2prod lint --format github ." for s in steps)


def test_init_adds_the_table_and_never_clobbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_the_index(monkeypatch)
    old = '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 100\n'
    (tmp_path / "pyproject.toml").write_text(old)
    assert run("init", str(tmp_path)).exit_code == 0
    text_now = (tmp_path / "pyproject.toml").read_text()
    assert text_now.startswith(old) and "[tool.nb2prod]" in text_now
    assert tomllib.loads(text_now)["tool"]["ruff"] == {"line-length": 100}

    # a second run: the files exist -> one line, exit 2, nothing written
    before = {p: p.read_text() for p in tmp_path.rglob("*") if p.is_file()}
    again = run("init", str(tmp_path))
    assert again.exit_code == 2 and again.stdout == ""
    assert len(again.stderr.splitlines()) == 1 and "--force" in again.stderr
    assert {p: p.read_text() for p in tmp_path.rglob("*") if p.is_file()} == before

    # --force replaces the pre-commit config and the workflow, keeps the table
    (tmp_path / "pyproject.toml").write_text(old + '\n[tool.nb2prod]\nselect = ["IO"]\n')
    forced = run("init", "--force", "--repo", "https://github.com/acme/nb2prod", str(tmp_path))
    assert forced.exit_code == 0 and "kept" in forced.stdout
    assert tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["nb2prod"] == {
        "select": ["IO"]
    }
    config = (tmp_path / ".pre-commit-config.yaml").read_text()
    assert "repo: https://github.com/acme/nb2prod" in config and f"rev: {init.REV}" in config
    job = (tmp_path / ".github" / "workflows" / "nb2prod.yml").read_text()
    assert f'pip install "nb2prod @ git+https://github.com/acme/nb2prod@{init.REV}"' in job
    assert "tool.nb2prod" in run("init", "--help").stdout  # no brackets lost to rich markup


def test_init_refuses_an_unreadable_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n")
    result = run("init", str(tmp_path))
    assert result.exit_code == 2 and "pyproject.toml" in result.stderr
    assert not (tmp_path / ".pre-commit-config.yaml").exists()
    (tmp_path / "pyproject.toml").write_text("tool = { black = { line-length = 88 } }\n")
    inline = run("init", str(tmp_path))
    assert inline.exit_code == 2 and "cannot add [tool.nb2prod]" in inline.stderr


# -- pre-commit hooks ---------------------------------------------------------------------
def published_hooks() -> list[dict]:
    import yaml

    return yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def test_hooks_file_is_generated_from_init() -> None:
    assert (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8") == init.hooks_yaml()
    hooks = {h["id"]: h for h in published_hooks()}
    assert set(hooks) == {"nb2prod-lint", "nb2prod-fix"}
    for hook in hooks.values():
        assert hook["entry"] == "nb2prod lint" and "--force-exclude" in hook["args"]
        assert hook["types"] == ["jupyter"]
    assert "--fix" in hooks["nb2prod-fix"]["args"]


@pytest.mark.parametrize(
    ("path", "skipped"),
    [
        (".ipynb_checkpoints/a-checkpoint.ipynb", True),
        ("nbs/.ipynb_checkpoints/a-checkpoint.ipynb", True),
        ("nbs/a.ipynb", False),
        ("my.ipynb_checkpoints.ipynb", False),
    ],
)
def test_hooks_skip_checkpoints(path: str, skipped: bool) -> None:
    for hook in published_hooks():
        assert bool(re.search(hook["exclude"], path)) is skipped


def test_hooks_run_as_pre_commit_runs_them(project: Path) -> None:
    """pre-commit: ``entry`` + ``args`` + the staged files that pass ``types`` / ``exclude``."""
    (project / "pyproject.toml").write_text(
        '[tool.nb2prod]\nselect = ["NB001"]\ncache = false\nextend-exclude = ["archive"]\n'
    )
    tree(project)
    staged = [str(p.relative_to(project)) for p in sorted(project.rglob("*.ipynb"))]
    (lint,) = [h for h in published_hooks() if h["id"] == "nb2prod-lint"]
    passed = [p for p in staged if not re.search(lint["exclude"], p)]
    assert len(passed) == 4  # the checkpoint is not even passed
    proc = script(*lint["entry"].split()[1:], *lint["args"], "-f", "json", *passed, cwd=project)
    assert proc.returncode == 1, proc.stderr
    assert paths(proc.stdout) == {"keep.ipynb", "nbs/scratch/s.ipynb", "nbs/t-scratch.ipynb"}
    only_excluded = script(*lint["entry"].split()[1:], *lint["args"], "archive/old.ipynb",
                           cwd=project)  # fmt: skip
    assert only_excluded.returncode == 0, only_excluded.stderr


# -- the README says what the code does ---------------------------------------------------
def lint_options() -> set[str]:
    command = typer.main.get_command(app).commands["lint"]  # type: ignore[attr-defined]
    out = set()
    for param in command.params:
        out |= {o for o in [*param.opts, *param.secondary_opts] if o.startswith("--")}
    return out


def readme_section(title: str) -> str:
    body = README.read_text(encoding="utf-8").split(f"\n## {title}\n", 1)[1]
    return body.split("\n## ", 1)[0]


def test_readme_options_table_is_lint_help() -> None:
    section = readme_section("Linting")
    table = [ln for ln in section.splitlines() if ln.startswith("| `")]
    documented = {o for ln in table for o in re.findall(r"`(--[a-z-]+)", ln.split(" | ")[0])}
    options = lint_options()
    assert options - documented == set(), "options missing from README's Linting table"
    assert documented - options == set(), "README documents options `lint` does not have"
    help_text = CliRunner().invoke(app, ["lint", "--help"], env={"COLUMNS": "200"}).stdout
    for option in options:
        assert option in help_text


def test_docs_name_a_rev_the_hooks_have() -> None:
    ids = {h["id"] for h in init.HOOKS}
    for doc in (README, ROOT / "docs" / "integrations.md"):
        body = doc.read_text(encoding="utf-8")
        revs = set(re.findall(r"^\s*rev: (\S+)", body, re.MULTILINE))
        assert revs == {init.REV}, doc
        used = set(re.findall(r"^\s*- id: (\S+)", body, re.MULTILINE))
        assert used and used <= ids, doc
    assert re.fullmatch(r"v\d+\.\d+\.\d+", init.REV)


# -- start-up stays light ------------------------------------------------------------------
def test_importing_the_cli_loads_nothing_heavy() -> None:
    probe = (
        "import sys, nb2prod.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('rich', 'yaml', 'libcst', 'jinja2', 'nbformat') or m in "
        "('nb2prod.init', 'nb2prod.console.lint', 'nb2prod.lint.engine')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
