"""The published database and the exports: what a BI server receives.

The CI-sized synthetic build (conftest.synthetic_build) is published once with
scripts/publish_database.py; the tests open the published file read-only and check every table
and column: only the allow-list, no person-level column or identifier, aggregated tables, no
unsuppressed small cell, the working database's content, types and comments; then read the
Parquet and CSV exports back and compare them with it.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from conftest import BENEFICIARY_COLUMNS, CLAIM_COLUMNS, PROJECT_DIR, registry_codes

import atlas.publication.checks as publication_checks
import atlas.publication.database as publication_database
import atlas.publication.errors as publication_errors
import atlas.publication.files as publication_files
import atlas.publication.sql_text as publication_sql_text
import atlas.publication.staging as publication_staging

INDICATOR_KEY = ["year", "geo_level", "geo_code", "age_band"]
CONTRACT_TYPES = {"string": "VARCHAR", "integer": "INTEGER", "bigint": "BIGINT", "double": "DOUBLE", "date": "DATE"}


def contract_columns() -> dict[str, list[tuple[str, str]]]:
    """(column, DuckDB type) of every published mart, as documented in the models' YAML."""
    columns = {}
    for path in (PROJECT_DIR / "models" / "marts" / "_marts__models.yml",
                 PROJECT_DIR / "models" / "marts" / "indicator_tables" / "_indicator_tables__models.yml"):
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            columns[model["name"]] = [(c["name"], CONTRACT_TYPES[c["data_type"]]) for c in model["columns"]]
    return columns


def rows(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list[Any] | None = None) -> list[tuple[Any, ...]]:
    return connection.execute(sql, parameters or []).fetchall()


@pytest.fixture(scope="module")
def published(synthetic_build: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    raw_dir, working = synthetic_build
    out = tmp_path_factory.mktemp("published")
    paths = {"raw": raw_dir, "working": working, "published": out / "atlas_published.duckdb",
             "exports": out / "exports"}
    publication_staging.publish(working, paths["published"], paths["exports"])
    return paths


@pytest.fixture()
def con(published: dict[str, Path]) -> Any:
    with duckdb.connect(str(published["published"]), read_only=True) as connection:
        yield connection


def test_the_file_holds_exactly_the_allow_list(con: duckdb.DuckDBPyConnection, published: dict[str, Path]) -> None:
    tables = rows(con, "select schema_name, table_name from duckdb_tables() where not internal order by 2")
    expected = sorted([*registry_codes(), "indicator_values", "indicators", "publication"])
    assert tables == [("main", name) for name in expected]
    assert rows(con, "select view_name from duckdb_views() where not internal") == []
    assert registry_codes()  # the allow-list is more than its fixed tables
    assert not publication_files.wal_path(published["published"]).exists()
    assert not list(published["published"].parent.glob("*.publishing*"))


def test_columns_are_the_documented_ones_with_their_types(con: duckdb.DuckDBPyConnection) -> None:
    documented = contract_columns()
    documented["publication"] = [(name, data_type) for name, data_type, _ in publication_database.PUBLICATION_COLUMNS]
    person_level = (set(BENEFICIARY_COLUMNS) | set(CLAIM_COLUMNS)) - {"year"}
    for (table,) in rows(con, "select table_name from duckdb_tables()"):
        columns = rows(con, "select column_name, data_type from duckdb_columns() where table_name = ?"
                            " order by column_index", [table])
        assert columns == documented[table], table
        for column, _ in columns:
            assert column not in person_level, (table, column)
            assert not publication_checks.PERSON_LEVEL_COLUMN.search(column), (table, column)
            assert not re.search(r"person|patient|pseudo|_id$", column) or column == "publication_id", (table, column)


def test_no_person_identifier_in_any_cell(con: duckdb.DuckDBPyConnection, published: dict[str, Path]) -> None:
    text_columns = rows(con, "select table_name, column_name from duckdb_columns()"
                                 " where not internal and data_type = 'VARCHAR'")
    values = " union ".join(f'select distinct cast("{column}" as varchar) as v from "{table}"'
                            for table, column in text_columns)
    raw = published["raw"]
    ids = (f"select person_id from read_parquet('{raw}/beneficiaries*.parquet')"
           f" union select person_id from read_parquet('{raw}/claims*.parquet')")
    assert rows(con, f"select count(*) from ({ids})")[0][0] > 1000
    assert rows(con, f"select count(*) from ({values}) where v in ({ids})") == [(0,)]


def test_every_table_is_aggregated(con: duckdb.DuckDBPyConnection) -> None:
    total = 0
    for code in registry_codes():
        count, keys, codes, smallest = rows(con, f"""
            select count(*), count(distinct ({', '.join(INDICATOR_KEY)})), count(distinct indicator_code),
                min(denominator)
            from {code}""")[0]
        assert count == keys > 0, code
        assert codes == 1 and rows(con, f"select any_value(indicator_code) from {code}") == [(code,)]
        assert smallest >= 5, code
        total += count
    count, keys, smallest = rows(con, """
        select count(*), count(distinct (indicator_code, year, geo_level, geo_code, age_band)), min(denominator)
        from indicator_values""")[0]
    assert count == keys == total and smallest >= 5
    indicators = len(registry_codes())
    assert rows(con, "select count(*), count(distinct indicator_code) from indicators") == [(indicators, indicators)]
    assert rows(con, "select count(*), count(distinct table_name), count(distinct publication_id) from publication") \
        == [(indicators + 2, indicators + 2, 1)]


def test_no_unsuppressed_small_cell(con: duckdb.DuckDBPyConnection, published: dict[str, Path]) -> None:
    con.execute(f"attach '{published['working']}' as working (read_only)")
    flags: dict[str, int] = {}
    for table in [*registry_codes(), "indicator_values"]:
        # What is published on its own: no figure under 5 people, nothing shown for a withheld cell.
        assert rows(con, f"""
            select count(*) from {table}
            where (suppression_flag is null and (denominator < 5 or numerator between 1 and 4
                                                 or value is null or numerator is null or denominator is null))
                or (suppression_flag is not null and coalesce(numerator, denominator, value) is not null)
                or suppression_flag not in ('small_cell', 'secondary')""") == [(0,)], table
        # Against the unsuppressed truth of the working database: every small cell is withheld, and
        # a 'small_cell' flag is never on a cell that is not small (a small cell says 'secondary'
        # where its flag would tell more: docs/protection.md).
        assert rows(con, f"""
            select count(*) from {table} as published
            join working.main.int_indicator_cells_computed as truth
                using (indicator_code, year, geo_level, geo_code, age_band)
            where (
                (truth.individuals between 1 and 4 or truth.denominator between 1 and 4)
                and (published.suppression_flag is null
                     or coalesce(published.numerator, published.denominator, published.value) is not null)
            ) or (
                published.suppression_flag = 'small_cell'
                and not (truth.individuals between 1 and 4 or truth.denominator between 1 and 4)
            )
        """) == [(0,)], table
        for flag, count in rows(con, f"select coalesce(suppression_flag, 'published'), count(*) from {table} group by 1"):
            flags[flag] = flags.get(flag, 0) + count
    assert flags["small_cell"] > 0 and flags["secondary"] > 0 and flags["published"] > 0


def test_same_content_types_and_comments_as_the_working_database(
    con: duckdb.DuckDBPyConnection, published: dict[str, Path]
) -> None:
    con.execute(f"attach '{published['working']}' as working (read_only)")
    catalogue = """
        select table_name, column_name, column_index, data_type, is_nullable, comment from duckdb_columns()
        where database_name = ? and schema_name = 'main' and table_name != 'publication'
            and list_contains(?, table_name)"""
    tables = [*registry_codes(), "indicator_values", "indicators"]
    here = rows(con, catalogue + " order by all", [con.execute("select current_database()").fetchall()[0][0], tables])
    there = rows(con, catalogue + " order by all", ["working", tables])
    # 20 columns per indicator table and in indicator_values (12, and 8 standardised), 24 in indicators.
    assert here == there and len(here) == len(registry_codes()) * 20 + 20 + 24
    table_comments = "select table_name, comment from duckdb_tables() where database_name = ? and list_contains(?, table_name) order by 1"
    assert rows(con, table_comments, ["working", tables]) == rows(
        con, table_comments, [con.execute("select current_database()").fetchall()[0][0], tables])
    # the same rows: counts and checksums (publication) of the working database's tables
    for table, row_count, checksum in rows(con, "select table_name, row_count, checksum from publication"):
        relation = f"working.main.{table}"
        assert rows(con, f"select count(*), ({publication_sql_text.checksum_sql(relation)}) from {relation}") \
            == [(row_count, checksum)], table


def test_every_table_and_column_has_a_comment(con: duckdb.DuckDBPyConnection) -> None:
    for table, comment in rows(con, "select table_name, comment from duckdb_tables() where not internal"):
        assert comment and comment.strip() and "{{" not in comment, table
    for table, column, comment in rows(con, "select table_name, column_name, comment from duckdb_columns()"
                                              " where not internal"):
        assert comment and comment.strip() and "{{" not in comment, (table, column)


def test_publication_records_counts_and_checksums(con: duckdb.DuckDBPyConnection, published: dict[str, Path]) -> None:
    recorded = rows(con, "select table_name, row_count from publication order by 1")
    assert recorded == [(t, rows(con, f"select count(*) from {t}")[0][0]) for t, _ in recorded]
    assert rows(con, "select count(*) from publication where checksum = '0' or length(checksum) < 20") == [(0,)]
    # ... and checks the checksums
    assert publication_checks.check_published_database(published["published"]) == []


def test_the_last_check_refuses_an_unsafe_file(published: dict[str, Path], tmp_path: Path) -> None:
    unsafe = tmp_path / "unsafe.duckdb"
    shutil.copyfile(published["published"], unsafe)
    with duckdb.connect(str(unsafe)) as connection:
        connection.execute("""update cube_013_001 set numerator = 2, denominator = 3, value = 66.7,
                              suppression_flag = null where suppression_flag = 'small_cell'""")
        connection.execute("create table stg_people (person_id varchar)")
    problems = "\n".join(publication_checks.check_published_database(unsafe))
    assert "cube_013_001: " in problems and "small or inconsistently withheld cells" in problems
    assert "stg_people.person_id: a person-level column name" in problems
    assert "stg_people has no comment" in problems
    assert "are not those recorded in publication" in problems


def test_the_last_check_refuses_standardised_figures_on_a_withheld_cell_or_a_band(
        published: dict[str, Path], tmp_path: Path) -> None:
    unsafe = tmp_path / "unsafe.duckdb"
    shutil.copyfile(published["published"], unsafe)
    with duckdb.connect(str(unsafe)) as connection:
        connection.execute("update cube_013_003 set standardised_ratio = 1.5 where suppression_flag is not null")
        connection.execute("update cube_013_005 set compared_with_belgium = 'higher' where age_band = '50-59'")
    problems = publication_checks.check_published_database(unsafe)
    assert any(problem.startswith("cube_013_003: ") and "inconsistently withheld" in problem for problem in problems)
    assert any(problem.startswith("cube_013_005: ") and "rows other than a total" in problem for problem in problems)


def test_only_the_registry_tables_are_copied_and_a_missing_one_stops_it(
    published: dict[str, Path], tmp_path: Path
) -> None:
    working = tmp_path / "working.duckdb"
    shutil.copyfile(published["working"], working)
    with duckdb.connect(str(working)) as connection:
        connection.execute("drop table stat_013_026")
    target = tmp_path / "out" / "published.duckdb"
    with pytest.raises(publication_errors.PublishError, match="lacks tables to publish: stat_013_026"):
        publication_staging.publish(working, target, tmp_path / "out" / "exports")
    assert not (tmp_path / "out").exists() or sorted(p.name for p in (tmp_path / "out").iterdir()) == []


def test_exports_hold_every_table_and_read_back_identical(
    con: duckdb.DuckDBPyConnection, published: dict[str, Path]
) -> None:
    exports = published["exports"]
    tables = sorted(name for (name,) in rows(con, "select table_name from duckdb_tables()"))
    assert sorted(p.name for p in (exports / "parquet").iterdir()) == [f"{t}.parquet" for t in tables]
    assert sorted(p.name for p in (exports / "csv").iterdir()) == [f"{t}.csv" for t in tables]
    for table in tables:
        columns = rows(con, "select column_name, data_type from duckdb_columns() where table_name = ?"
                            " order by column_index", [table])
        parquet, csv_file = exports / "parquet" / f"{table}.parquet", exports / "csv" / f"{table}.csv"
        # CSV: UTF-8 with a header; read back with the published types.
        with csv_file.open(encoding="utf-8") as handle:
            assert handle.readline().rstrip("\n") == ",".join(name for name, _ in columns), table
        types = "{" + ", ".join(f"'{name}': '{data_type}'" for name, data_type in columns) + "}"
        read_csv = (f"read_csv('{csv_file}', header = true, delim = ',', quote = '\"', escape = '\"',"
                    f" nullstr = '', allow_quoted_nulls = false, columns = {types})")
        assert rows(con, f"select column_name, column_type from (describe select * from '{parquet}')") == columns
        recorded = rows(con, "select row_count, checksum from publication where table_name = ?", [table])
        if table == "publication":
            recorded = rows(con, f"select count(*), ({publication_sql_text.checksum_sql(table)}) from {table}")
        for exported in (f"'{parquet}'", read_csv):
            # the same rows: the count, and the checksum of their text (every double to the last digit)
            assert rows(con, f"select count(*), ({publication_sql_text.checksum_sql(exported)}) from {exported}") \
                == recorded, (table, exported[:40])


def test_csv_numbers_have_a_dot_decimal_and_no_thousands_separator(published: dict[str, Path]) -> None:
    number = re.compile(r"^-?[0-9]+(\.[0-9]+)?(e-?[0-9]+)?$")
    decimals = 0
    for path in [published["exports"] / "csv" / "indicator_values.csv", published["exports"] / "csv" / "cube_013_002.csv"]:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                for column in ("year", "numerator", "denominator", "value"):
                    if row[column] != "":
                        assert number.match(row[column]), (path.name, column, row[column])
                decimals += "." in row["value"]
                assert "," not in row["value"]
    assert decimals > 100
    text = (published["exports"] / "csv" / "indicators.csv").read_text(encoding="utf-8")
    assert "Méthode" in text or "é" in text


def test_command_line_help() -> None:
    script = PROJECT_DIR / "scripts" / "publish_database.py"
    result = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, check=True)
    for option in ("--database", "--published-database", "--export-dir", "--no-exports"):
        assert option in result.stdout
