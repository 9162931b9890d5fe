"""The yearly update (issue 13): adding a year, or re-delivering a corrected one, rebuilds only the
years its files touch, and the result is the full build's, cell for cell: every table of the
working database (quarantine and reconciliation included) and of the published one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_DIR, generate_synthetic

RUN_PIPELINE = PROJECT_DIR / "scripts" / "run_pipeline.py"
# Differ between any two builds by design: when and from what the publication was made.
BOOKKEEPING_TABLES = {"build_manifest", "publication"}


def run(raw_dir: Path, out: Path, *extra: str) -> str:
    env = {**os.environ, "DBT_TARGET_PATH": str(out / "dbt" / "target"), "DBT_LOG_PATH": str(out / "dbt" / "logs")}
    result = subprocess.run(
        [sys.executable, str(RUN_PIPELINE), "--raw-dir", str(raw_dir), "--database", str(out / "atlas.duckdb"),
         "--published-database", str(out / "atlas_published.duckdb"), "--export-dir", str(out / "exports"), *extra],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def years_line(output: str, kind: str) -> str:
    [line] = [line for line in output.splitlines() if line.startswith(f"[run] years {kind}:")]
    return line


def differing_tables(first: Path, second: Path, raw_dirs: tuple[Path, Path]) -> dict[str, int]:
    """Tables whose rows differ (as multisets), with how many rows differ, or -1 when missing. The
    two builds may read the same files from two folders (raw_dirs): quarantine and reconciliation
    name the delivered file by its path, so each build's folder is read as one placeholder."""
    with duckdb.connect() as connection:
        connection.execute(f"attach '{first}' as first_build (read_only)")
        connection.execute(f"attach '{second}' as second_build (read_only)")
        tables = {catalog: {row[0] for row in connection.execute(
            "select table_name from information_schema.tables where table_catalog = ? and table_type = 'BASE TABLE'",
            [catalog]).fetchall()} - BOOKKEEPING_TABLES for catalog in ("first_build", "second_build")}
        differing = {name: -1 for name in tables["first_build"] ^ tables["second_build"]}
        for name in sorted(tables["first_build"] & tables["second_build"]):
            rows = [relation(connection, catalog, name, raw_dir)
                    for catalog, raw_dir in zip(("first_build", "second_build"), raw_dirs)]
            count = connection.execute(
                f"select count(*) from (({rows[0]} except all {rows[1]}) union all ({rows[1]} except all {rows[0]}))"
            ).fetchall()[0][0]
            if count:
                differing[name] = int(count)
    return differing


def relation(connection: duckdb.DuckDBPyConnection, catalog: str, table: str, raw_dir: Path) -> str:
    """select of every column of a table, its text columns with the raw folder replaced."""
    columns = connection.execute(
        "select column_name, data_type from information_schema.columns where table_catalog = ? and table_name = ?"
        " order by ordinal_position", [catalog, table]).fetchall()
    folder = str(raw_dir).replace("'", "''")
    select = ", ".join(f"replace(\"{name}\", '{folder}', '<raw>')" if data_type == "VARCHAR" else f'"{name}"'
                       for name, data_type in columns)
    return f'select {select} from {catalog}."{table}"'


def assert_same_build(updated: Path, full: Path, raw_dirs: tuple[Path, Path]) -> None:
    for database in ("atlas.duckdb", "atlas_published.duckdb"):
        assert differing_tables(updated / database, full / database, raw_dirs) == {}, database


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    generated = tmp_path_factory.mktemp("yearly_update") / "generated"
    generate_synthetic(generated, 1500, 2021, 2023, 11)
    return generated


@pytest.fixture(scope="module")
def full_build(extract: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole extract built from nothing by the run command, once: the full build that the
    updated, the unchanged and the stepped builds below are compared with."""
    out = tmp_path_factory.mktemp("full_build") / "out"
    assert years_line(run(extract, out), "built").startswith("[run] years built: every year (no earlier build")
    return out


def test_adding_correcting_and_withdrawing_years_rebuilds_those_years_as_a_full_build_would(
        extract: Path, full_build: Path, tmp_path: Path) -> None:
    raw_dir, updated = tmp_path / "raw", tmp_path / "updated"
    raw_dir.mkdir()
    for path in extract.iterdir():
        if "2023" not in path.name:
            shutil.copy2(path, raw_dir / path.name)
    history = run(raw_dir, updated)
    assert years_line(history, "built").startswith("[run] years built: every year (no earlier build")

    for path in extract.glob("*2023*"):
        shutil.copy2(path, raw_dir / path.name)
    added = run(raw_dir, updated)
    # claims_2023 also bills late services of 2022: both years are rebuilt, 2021 is kept
    assert years_line(added, "built").startswith("[run] years built: 2022, 2023 (")
    assert "2021" in years_line(added, "kept")
    assert_same_build(updated, full_build, (raw_dir, extract))

    # A corrected 2022 claims file: a tenth of its lines withdrawn.
    claims_2022 = raw_dir / "claims_2022.parquet"
    corrected = tmp_path / "claims_2022.parquet"
    with duckdb.connect() as connection:
        connection.execute(f"copy (select * from read_parquet('{claims_2022}') where hash(person_id, service_date) % 10 "
                           f"<> 0) to '{corrected}' (format parquet)")
    os.replace(corrected, claims_2022)
    redelivered = run(raw_dir, updated)
    built = years_line(redelivered, "built")
    assert built.startswith("[run] years built: 2021, 2022 (")  # the file's late bills of 2021 too
    assert "2023" in years_line(redelivered, "kept")
    full = tmp_path / "full"
    run(raw_dir, full)
    assert_same_build(updated, full, (raw_dir, raw_dir))

    # The first year withdrawn: its rows go, though no delivered file holds that year any more.
    for path in raw_dir.glob("*2021*"):
        path.unlink()
    withdrawn = run(raw_dir, updated)
    assert years_line(withdrawn, "built").startswith("[run] years built: 2020, 2021 (")
    shutil.rmtree(full)
    run(raw_dir, full)
    assert_same_build(updated, full, (raw_dir, raw_dir))


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
