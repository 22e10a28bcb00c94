"""The wheel ships the data folders and the console script; the pre-commit hook runs it."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.helpers import code, notebook, write

ROOT = Path(__file__).resolve().parents[1]
DATA = ("rules", "templates")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)]
    if importlib.util.find_spec("hatchling"):  # the test extra: build offline and fast
        cmd.insert(4, "--no-build-isolation")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (path,) = out.glob("nb2prod-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_ships_the_data_folders(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    assert "nb2prod/_data/rules/settings.toml" in names
    assert "nb2prod/cli.py" in names
    for folder in DATA:
        assert (ROOT / folder).is_dir(), f"{folder}/ is missing from the checkout"
        shipped = [
            p.relative_to(ROOT).as_posix()
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        ]
        assert shipped, f"{folder}/ is empty: git does not keep it, and the build fails"
        for rel in shipped:
            assert f"nb2prod/_data/{rel}" in names, f"{rel} is not in the wheel"


def test_wheel_declares_the_console_script(wheel: zipfile.ZipFile) -> None:
    (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    text = wheel.read(entry_points).decode()
    assert "[console_scripts]" in text
    assert "nb2prod = nb2prod.cli:main" in text


def hooks() -> list[dict]:
    """.pre-commit-hooks.yaml, with PyYAML when installed, else a minimal reader of the
    flat list-of-mappings layout the file uses."""
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    try:
        import yaml
    except ImportError:
        return _minimal_yaml(text)
    return yaml.safe_load(text)


def _minimal_yaml(text: str) -> list[dict]:
    items: list[dict] = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].rstrip()
        if not line or line.lstrip().startswith("#"):
            continue
        if line.startswith("- "):
            items.append({})
            line = line[2:]
        key, _, value = line.strip().partition(":")
        value = value.strip()
        if value.startswith("[") and value.endswith("]"):
            items[-1][key] = [v.strip() for v in value[1:-1].split(",") if v.strip()]
        else:
            items[-1][key] = {"true": True, "false": False}.get(value, value)
    return items


def test_pre_commit_hook() -> None:
    (hook,) = [h for h in hooks() if h["id"] == "nb2prod-lint"]
    assert hook["entry"] == "nb2prod lint"
    assert hook["language"] == "python"
    assert hook["types"] == ["jupyter"]
    assert hook["require_serial"] is False
    assert hook["name"] and hook["description"]
    assert hooks() == _minimal_yaml((ROOT / ".pre-commit-hooks.yaml").read_text())


def test_hook_entry_resolves_to_the_console_script() -> None:
    (hook,) = [h for h in hooks() if h["id"] == "nb2prod-lint"]
    script, *args = hook["entry"].split()
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert declared[script] == "nb2prod.cli:main"
    (ep,) = [
        e for e in importlib.metadata.entry_points(group="console_scripts") if e.name == script
    ]
    assert ep.value == "nb2prod.cli:main" and callable(ep.load())
    assert args == ["lint"]


def test_hook_runs_like_pre_commit(tmp_path: Path) -> None:
    """pre-commit runs ``entry`` followed by the staged file names."""
    (hook,) = [h for h in hooks() if h["id"] == "nb2prod-lint"]
    script, *args = hook["entry"].split()
    exe = Path(sys.executable).parent / script
    assert exe.exists(), f"console script {exe} not installed"
    (tmp_path / "pyproject.toml").write_text('[tool.nb2prod]\nselect = ["NB001"]\ncache = false\n')
    clean = write(tmp_path / "clean.ipynb", notebook([code("x = 1")]))
    dirty = write(tmp_path / "dirty.ipynb", notebook([code("!pip install xgboost")]))
    run = [str(exe), *args]
    ok = subprocess.run([*run, str(clean)], cwd=tmp_path, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = subprocess.run(
        [*run, str(clean), str(dirty)], cwd=tmp_path, capture_output=True, text=True
    )
    assert bad.returncode == 1 and "dirty.ipynb:cell 1:1:1: NB001" in bad.stdout


def test_unpacked_wheel_runs_from_its_own_data(wheel: zipfile.ZipFile, tmp_path: Path) -> None:
    """Installed (here: unpacked and first on sys.path), nb2prod reads the data folders
    shipped inside the package, not the checkout's."""
    wheel.extractall(tmp_path / "site")
    nb = write(tmp_path / "a.ipynb", notebook([code("!pip install xgboost")]))
    probe = (
        "import nb2prod.resources as r, nb2prod.config as c;"
        "print(r.data_dir('rules')); print(sorted(c.option_table())[0])"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    data_dir, first_option = out.stdout.splitlines()
    assert Path(data_dir) == tmp_path / "site" / "nb2prod" / "_data" / "rules"
    assert first_option
    lint = subprocess.run(
        [sys.executable, "-m", "nb2prod", "lint", "--no-cache", str(nb)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert lint.returncode == 1, lint.stderr
    assert "NB001" in lint.stdout
