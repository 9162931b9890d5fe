"""The yearly update (issue 13): an unchanged extract rebuilds no year, --full-refresh rebuilds all,
and a history built in steps is the full build, cell for cell (yearly_builds.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from yearly_builds import assert_same_build, run, years_line


def test_an_unchanged_extract_rebuilds_no_year_and_full_refresh_rebuilds_all(
        yearly_extract: Path, yearly_full_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(yearly_full_build, out, symlinks=True)
    again = run(yearly_extract, out)
    assert years_line(again, "built").startswith("[run] years built: none (0 file versions")
    assert "[run] dbt build skipped: no year to rebuild" in again
    assert_same_build(out, yearly_full_build, (yearly_extract, yearly_extract))
    refreshed = run(yearly_extract, out, "--full-refresh")
    assert years_line(refreshed, "built") == "[run] years built: every year (--full-refresh)"
    assert_same_build(out, yearly_full_build, (yearly_extract, yearly_extract))


def test_a_history_built_in_steps_is_the_full_build(
        yearly_extract: Path, yearly_full_build: Path, tmp_path: Path) -> None:
    with duckdb.connect() as connection:
        lines = dict(connection.execute(
            f"select year(service_date), count(*) from read_parquet('{yearly_extract}/claims_*.parquet')"
            " group by 1").fetchall())
    # claims_2021 bills late services of 2020, a year of its own: two steps, 2020-2022 and 2023
    most = sum(count for year, count in lines.items() if year <= 2022)
    stepped = tmp_path / "stepped"
    output = run(yearly_extract, stepped, "--max-lines-per-step", str(most))
    assert f"[run] the history is built in 2 steps of at most {most:,} claim lines: 2020-2022; 2023" in output
    assert_same_build(stepped, yearly_full_build, (yearly_extract, yearly_extract))
