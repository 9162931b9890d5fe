"""The yearly update (issue 13): an unchanged extract rebuilds no year, --full-refresh rebuilds all,
and a history built in steps is the full build, cell for cell (yearly_builds.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import built_once
from yearly_builds import assert_same_build, build_everything, generate_extract, run, years_line


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_once(tmp_path_factory, "yearly-extract", generate_extract)


@pytest.fixture(scope="module")
def full_build(extract: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole extract built once per run, shared by both yearly-update modules."""
    return built_once(tmp_path_factory, "yearly-full-build", lambda out: build_everything(extract, out))


def test_an_unchanged_extract_rebuilds_no_year_and_full_refresh_rebuilds_all(
        extract: Path, full_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(full_build, out, symlinks=True, ignore=shutil.ignore_patterns("dbt"))
    again = run(extract, out)
    assert years_line(again, "built").startswith("[run] years built: none (0 file versions")
    assert_same_build(out, full_build, (extract, extract))
    refreshed = run(extract, out, "--full-refresh")
    assert years_line(refreshed, "built") == "[run] years built: every year (--full-refresh)"
    assert_same_build(out, full_build, (extract, extract))


def test_a_history_built_in_steps_is_the_full_build(extract: Path, full_build: Path, tmp_path: Path) -> None:
    with duckdb.connect() as connection:
        lines = dict(connection.execute(
            f"select year(service_date), count(*) from read_parquet('{extract}/claims_*.parquet') group by 1").fetchall())
    # claims_2021 bills late services of 2020, a year of its own: two steps, 2020-2022 and 2023
    most = sum(count for year, count in lines.items() if year <= 2022)
    stepped = tmp_path / "stepped"
    output = run(extract, stepped, "--max-lines-per-step", str(most))
    assert f"[run] the history is built in 2 steps of at most {most:,} claim lines: 2020-2022; 2023" in output
    assert_same_build(stepped, full_build, (extract, extract))
