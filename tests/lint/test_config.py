"""``[tool.nb2prod]`` settings: select, ignore, per-file-ignores, help, validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from nb2prod.cli import app
from nb2prod.config import defaults, load_settings, option_table
from nb2prod.errors import InputError
from nb2prod.lint.engine import lint_paths
from tests.helpers import code, notebook, write

# NB001 (line 1), NB002 (line 2), NB003 (line 3)
SOURCE = "!pip install pandas\n!ls data/\n%who"


def project(tmp_path: Path, table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        f"[project]\nname = 'x'\n\n[tool.nb2prod]\ncache = false\n{table}\n", encoding="utf-8"
    )
    return tmp_path


def codes_in(tmp_path: Path, *paths: Path, **overrides) -> dict[str, list[str]]:
    settings = load_settings(start=tmp_path, overrides=overrides or None)
    results = lint_paths([str(p) for p in paths], settings)
    return {Path(r.path).name: [f.code for f in r.findings] for r in results}


def test_every_option_has_type_default_and_help() -> None:
    for name, spec in option_table().items():
        assert set(spec) == {"type", "default", "help"}, name
        assert spec["help"].strip(), name
    assert defaults()["allowed-magics"] == [
        "matplotlib",
        "config",
        "load_ext",
        "autoreload",
        "reload_ext",
    ]


def test_select_and_ignore(tmp_path: Path) -> None:
    project(tmp_path, 'select = ["NB"]\nignore = ["NB002"]')
    nb = write(tmp_path / "a.ipynb", notebook([code(SOURCE)]))
    assert codes_in(tmp_path, nb) == {"a.ipynb": ["NB001", "NB003"]}


def test_select_single_code_and_command_line_override(tmp_path: Path) -> None:
    project(tmp_path, 'select = ["NB002"]')
    nb = write(tmp_path / "a.ipynb", notebook([code(SOURCE)]))
    assert codes_in(tmp_path, nb) == {"a.ipynb": ["NB002"]}
    assert codes_in(tmp_path, nb, select=["NB003"]) == {"a.ipynb": ["NB003"]}


def test_per_file_ignores_globs_relative_to_pyproject(tmp_path: Path) -> None:
    project(tmp_path, 'select = ["NB"]\n[tool.nb2prod.per-file-ignores]\n"scratch/*" = ["NB00"]')
    (tmp_path / "scratch").mkdir()
    kept = write(tmp_path / "kept.ipynb", notebook([code(SOURCE)]))
    skipped = write(tmp_path / "scratch" / "try.ipynb", notebook([code(SOURCE)]))
    assert codes_in(tmp_path, kept, skipped) == {
        "kept.ipynb": ["NB001", "NB002", "NB003"],
        "try.ipynb": [],
    }


def test_underscored_keys_and_allowed_magics(tmp_path: Path) -> None:
    project(tmp_path, 'select = ["NB003"]\nallowed_magics = ["who"]')
    nb = write(tmp_path / "a.ipynb", notebook([code("%who\n%matplotlib inline")]))
    # the team's list replaces the default one: %matplotlib is now reported
    settings = load_settings(start=tmp_path)
    assert settings["allowed-magics"] == ["who"]
    results = lint_paths([str(nb)], settings)
    assert [(f.code, f.line) for f in results[0].findings] == [("NB003", 2)]


def test_nearest_pyproject_wins(tmp_path: Path) -> None:
    project(tmp_path, 'select = ["NB001"]')
    inner = tmp_path / "team"
    inner.mkdir()
    project(inner, 'select = ["NB003"]')
    nb = write(inner / "a.ipynb", notebook([code(SOURCE)]))
    settings = load_settings(start=nb)
    assert settings.source == str(inner / "pyproject.toml")
    assert settings.root == inner
    assert settings["select"] == ["NB003"]


def test_standalone_config_file(tmp_path: Path) -> None:
    config = tmp_path / "nb2prod.toml"
    config.write_text('select = ["NB002"]\ncache = false\n', encoding="utf-8")
    settings = load_settings(config=config, start=tmp_path)
    assert settings["select"] == ["NB002"] and settings["cache"] is False


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="configuration file not found"):
        load_settings(config=tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("colour = true", "unknown option 'colour'"),
        ('select = "NB"', "option 'select' must be list[str]"),
        ("baseline = 1", "option 'baseline' must be str"),
        ('[tool.nb2prod.per-file-ignores]\n"*" = "NB"', "option 'per-file-ignores' must be"),
        ('[tool.nb2prod.per-file-ignores]\n"*" = ["QQ1"]', "unknown rule code 'QQ1'"),
        ('[tool.nb2prod.help]\nZZ = "x"', "unknown rule code 'ZZ' in help"),
        ('promotion = "auc >= 0.7"', "unknown option 'promotion'"),  # a table, not a value
    ],
)
def test_invalid_settings_name_the_file(tmp_path: Path, table: str, expected: str) -> None:
    project(tmp_path, table)
    with pytest.raises(InputError) as info:
        load_settings(start=tmp_path)
    assert str(info.value).startswith(str(tmp_path / "pyproject.toml"))
    assert expected in str(info.value)


def test_bad_code_on_command_line_blames_the_command_line(tmp_path: Path) -> None:
    project(tmp_path, 'select = ["NB"]')
    with pytest.raises(InputError, match=r"^command line: unknown rule code 'NB9' in ignore"):
        load_settings(start=tmp_path, overrides={"ignore": ["NB9"]})


def test_python_selectors_are_accepted(tmp_path: Path) -> None:
    settings = load_settings(start=tmp_path, overrides={"select": ["PYF401", "PY", "NB"]})
    assert settings.is_enabled("PYF401") and settings.is_enabled("NB005")


def test_help_text_shown_with_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(
        tmp_path,
        'select = ["NB"]\n[tool.nb2prod.help]\nNB = "See the notebook guide."\n'
        'NB001 = "Add it to requirements.txt; ask #ml-platform."',
    )
    write(tmp_path / "a.ipynb", notebook([code(SOURCE)]))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["lint", "a.ipynb"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    at = {code: i for i, ln in enumerate(lines) for code in ("NB001", "NB002") if code in ln}
    help_after = {
        code: next(ln for ln in lines[i + 1 :] if "help:" in ln) for code, i in at.items()
    }
    assert "Add it to requirements.txt; ask #ml-platform." in help_after["NB001"]
    assert "See the notebook guide." in help_after["NB002"]


def test_the_promotion_rules_of_a_generated_project_are_not_lint_options(tmp_path: Path) -> None:
    """[tool.nb2prod.promotion] belongs to the scaffolded project's `train --promote`."""
    project(tmp_path, 'select = ["NB"]\n[tool.nb2prod.promotion]\nauc = ">= 0.7"')
    settings = load_settings(start=tmp_path)
    assert settings.values["select"] == ["NB"]
    assert "promotion" not in settings.values
