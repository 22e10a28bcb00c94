"""Rule docstrings are complete, and the generated docs are up to date."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

from nb2prod import docs
from nb2prod.lint import rules as rules_package
from nb2prod.lint.findings import SEVERITIES
from nb2prod.lint.registry import all_rules
from nb2prod.lint.rule import Rule

REGENERATE = "run `.venv/bin/python -m nb2prod.docs` and commit the result"


def rule_classes() -> list[type[Rule]]:
    """Every Rule subclass defined in nb2prod/lint/rules/, found without the registry."""
    found = []
    for info in pkgutil.iter_modules(rules_package.__path__):
        module = importlib.import_module(f"{rules_package.__name__}.{info.name}")
        found += [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, Rule)
            and obj is not Rule
            and obj.__module__ == module.__name__
        ]
    return found


CLASSES = rule_classes()


def test_codes_and_names_are_unique() -> None:
    classes = CLASSES
    assert classes
    codes = [c.code for c in classes]
    assert len(set(codes)) == len(codes), f"duplicate codes: {sorted(codes)}"
    names = [c.name for c in classes]
    assert len(set(names)) == len(names), f"duplicate names: {sorted(names)}"
    assert list(all_rules()) == sorted(codes)  # the registry finds them all


@pytest.mark.parametrize("rule", CLASSES, ids=[getattr(c, "code", c.__name__) for c in CLASSES])
def test_rule_metadata_and_docstring(rule: type[Rule]) -> None:
    code = rule.code
    assert re.fullmatch(r"(IO|SEC|NB)\d{3}", code), code
    assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", rule.name), rule.name
    assert rule.severity in SEVERITIES
    assert rule.message.strip()
    found = docs.sections(rule.doc())
    missing = [s for s in docs.SECTIONS if not found.get(s, "").strip()]
    assert not missing, f"{code} docstring lacks sections {missing}"
    order = [s for s in found if s in docs.SECTIONS]
    assert order == list(docs.SECTIONS), f"{code}: sections out of order: {order}"


def test_ruff_family_doc_has_the_sections() -> None:
    found = docs.sections(docs.ruff_doc())
    assert [s for s in found if s in docs.SECTIONS] == list(docs.SECTIONS)


def test_sections_ignore_headings_in_code() -> None:
    doc = "## What it does\nx\n```python\n## not a heading\n```\n## Example\ny"
    assert docs.sections(doc) == {
        "What it does": "x\n```python\n## not a heading\n```",
        "Example": "y",
    }
    assert docs.summary(doc) == "x ```python ## not a heading ```"


@pytest.mark.parametrize("name", sorted(docs.GENERATED))
def test_generated_docs_are_up_to_date(name: str) -> None:
    path = docs.DOCS_DIR / name
    assert path.is_file(), f"docs/{name} is missing: {REGENERATE}"
    assert path.read_text(encoding="utf-8") == docs.GENERATED[name](), (
        f"docs/{name} is out of date: {REGENERATE}"
    )


@pytest.mark.parametrize("name", sorted(docs.AT_ROOT))
def test_generated_files_at_the_root_are_up_to_date(name: str) -> None:
    path = docs.DOCS_DIR.parent / name
    assert path.is_file(), f"{name} is missing: {REGENERATE}"
    assert path.read_text(encoding="utf-8") == docs.AT_ROOT[name](), (
        f"{name} is out of date: {REGENERATE}"
    )


def test_root_files_are_written_beside_docs(tmp_path: Path) -> None:
    assert docs.write(tmp_path, docs.AT_ROOT) == sorted(docs.AT_ROOT)
    assert docs.stale(tmp_path, docs.AT_ROOT) == []
    assert (tmp_path / ".pre-commit-hooks.yaml").read_text().startswith("# pre-commit hooks")


def test_rules_doc_covers_every_rule_and_option() -> None:
    from nb2prod.config import option_table

    rules_md = docs.render_rules()
    for code, rule in all_rules().items():
        assert f"## {code}: {rule.name}\n" in rules_md
        assert f"(#{code.lower()}-{rule.name})" in rules_md
    assert "## PY: ruff" in rules_md
    config_md = docs.render_configuration()
    for name in option_table():
        assert f"## {name}\n" in config_md


def test_generator_is_deterministic_and_checks(tmp_path: Path) -> None:
    assert docs.render_rules() == docs.render_rules()
    assert str(Path.cwd()) not in docs.render_rules()
    assert sorted(docs.write(tmp_path)) == sorted(docs.GENERATED)
    assert docs.stale(tmp_path) == [] and docs.write(tmp_path) == []
    (tmp_path / "rules.md").write_text("old", encoding="utf-8")
    assert docs.stale(tmp_path) == ["rules.md"]
    assert docs.main(["--bogus"]) == 2


def test_toml_defaults() -> None:
    assert docs._toml(["a", 'b"']) == '["a", "b\\""]'
    assert docs._toml({}) == "{}"
    assert docs._toml({"x": ["A"]}) == '{ "x" = ["A"] }'
    assert docs._toml(True) == "true"
