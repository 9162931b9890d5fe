"""The run command forgets dbt's saved parse when a macro changed (scripts/atlas/pipeline/parse_cache.py):
dbt does not parse a model again when a macro it reaches through adapter.dispatch() changes, and the
per-year models take their materialization and pre-hook from one."""

from __future__ import annotations

from pathlib import Path

from atlas.paths import PROJECT_DIR
from atlas.pipeline import parse_cache


def saved_parse(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    path = target / parse_cache.SAVED_PARSE
    path.write_bytes(b"parsed")
    return path


def test_the_saved_parse_goes_when_a_macro_changes_and_stays_while_none_does(tmp_path: Path) -> None:
    macros, target = tmp_path / "macros", tmp_path / "target"
    (macros / "generic_tests").mkdir(parents=True)
    macro = macros / "per_year_model.sql"
    macro.write_text("{% macro per_year_model() %}incremental{% endmacro %}", encoding="utf-8")
    (macros / "generic_tests" / "holds.sql").write_text("{% test holds() %}{% endtest %}", encoding="utf-8")

    parse = saved_parse(target)
    assert parse_cache.forget_if_macros_changed(target, macros), "no digest yet: the parse's macros are unknown"
    assert not parse.exists()

    parse = saved_parse(target)
    assert not parse_cache.forget_if_macros_changed(target, macros)
    assert parse.exists(), "the macros as they were when the digest was written: the parse stays"

    macro.write_text("{% macro per_year_model() %}per_year_table{% endmacro %}", encoding="utf-8")
    assert parse_cache.forget_if_macros_changed(target, macros)
    assert not parse.exists()

    parse = saved_parse(target)
    (macros / "generic_tests" / "holds.sql").unlink()
    assert parse_cache.forget_if_macros_changed(target, macros), "a macro file removed is a change too"
    assert not parse.exists()


def test_a_first_run_without_a_target_folder_makes_it(tmp_path: Path) -> None:
    target = tmp_path / "new" / "target"
    assert not parse_cache.forget_if_macros_changed(target, PROJECT_DIR / "macros")
    assert (target / parse_cache.MACROS_DIGEST).read_text(encoding="utf-8") == parse_cache.macros_digest()


def test_the_target_folder_is_dbts(tmp_path: Path) -> None:
    assert parse_cache.target_dir({}) == PROJECT_DIR / "target"
    assert parse_cache.target_dir({"DBT_TARGET_PATH": str(tmp_path)}) == tmp_path
    assert parse_cache.target_dir({"DBT_TARGET_PATH": "elsewhere"}) == PROJECT_DIR / "elsewhere"
