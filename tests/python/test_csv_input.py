"""CSV extracts are accepted and give exactly the figures of the same extract in Parquet.

Built with the project's compiled SQL (compiled_project.py); the run command builds a CSV
extract with dbt itself in test_bad_input.py."""

from __future__ import annotations

from pathlib import Path

from typing import Any

from conftest import generate_synthetic, query

TABLES = ("cube_013_001", "cube_013_002", "cube_013_023", "stat_013_007", "stat_003_007")


def test_csv_and_parquet_give_the_same_tables(tmp_path: Path, compiled_projects: Any) -> None:
    results = {}
    for file_format in ("parquet", "csv"):
        raw_dir, database = tmp_path / file_format / "raw", tmp_path / file_format / "atlas.duckdb"
        generate_synthetic(raw_dir, 1500, 2016, 2016, seed=11, file_format=file_format)
        compiled_projects(file_format).build(raw_dir, database)
        results[file_format] = {
            table: query(database, f"select * from {table} order by year, geo_level, geo_code, age_band")
            for table in TABLES
        }
    for table in TABLES:
        assert results["csv"][table], table
        assert results["csv"][table] == results["parquet"][table], table


def test_codes_that_lost_their_leading_zeros_are_padded_back(tmp_path: Path, compiled_projects: Any) -> None:
    """A spreadsheet saved qualification 003 (general practitioner) as 3: read as text, '3'
    would sort among the specialists' codes and put A's echography in stat_013_007."""
    raw_dir, database = tmp_path / "raw", tmp_path / "atlas.duckdb"
    raw_dir.mkdir()
    (raw_dir / "beneficiaries.csv").write_text(
        "person_id,year,birth_year,sex,death_date,commune_dec31,sector_dec31,commune_jun30,sector_jun30\n"
        "A,2016,1980,F,,11002,11002ZZ1-,,\n"
        "B,2016,1980,M,,11002,11002ZZ1-,,\n",
        encoding="utf-8",
    )
    (raw_dir / "claims.csv").write_text(
        "person_id,service_date,nomenclature_code,quantity,provider_profession,provider_qualification,"
        "billing_practice_id\n"
        "A,2016-05-01,460014,1,1,3,\n",
        encoding="utf-8",
    )
    # Two beneficiaries are a small cell: switch suppression off to read the figures themselves.
    compiled_projects("csv", {"small_cell_threshold": 1}).build(raw_dir, database)
    counted = "select numerator, denominator from {} where geo_level = 'commune' and age_band = 'total'"
    assert query(database, counted.format("cube_013_001")) == [(1, 2)]
    assert query(database, counted.format("stat_013_007")) == [(0, 2)]
