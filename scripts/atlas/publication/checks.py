"""The last guard before a file is published: what is wrong with a published DuckDB file."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from atlas.indicator_models import STANDARDISED_COLUMNS
from atlas.project_vars import project_vars
from atlas.publication.database import PUBLICATION_TABLE
from atlas.publication.files import wal_path
from atlas.publication.sql_text import counts_and_checksums_sql, quote_identifier, quote_literal

# The last guard checks the threshold the build applied (var small_cell_threshold), and never
# less than IMA's own rule, no published cell of fewer than 5 individuals: a build run with a
# lower threshold (the tests do, to see every cell) must not reach a published file.
IMA_SMALL_CELL_FLOOR = 5
SMALL_CELL_THRESHOLD = max(int(project_vars("small_cell_threshold")["small_cell_threshold"]), IMA_SMALL_CELL_FLOOR)

# Column names that would betray person-level data: the raw contract's columns (year aside).
PERSON_LEVEL_COLUMN = re.compile(
    r"person|patient_id|birth|death|\bsex\b|service_date|nomenclature|quantity|provider|billing"
    r"|_dec31|_jun30|pseudonym",
    re.IGNORECASE,
)




def check_published_database(path: Path) -> list[str]:
    """What is wrong with a published file (empty when it may be published).

    Only the tables its publication table lists (and that table); no view; no person-level
    column name; row counts and checksums as recorded; every table and column commented; no
    published cell (suppression_flag null) with a denominator under the threshold or a numerator
    of 1 to threshold - 1, and no withheld cell with a figure, standardised figures included, nor
    a standardised figure outside a total row.
    """
    problems: list[str] = []
    if wal_path(path).exists():
        problems.append(f"{wal_path(path)} exists: the file is not self-contained")
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = {name: comment for name, comment in connection.execute(
            "select table_name, comment from duckdb_tables() where not internal"
            " and database_name = current_database() and schema_name = 'main'"
        ).fetchall()}
        others = connection.execute(
            "select schema_name || '.' || table_name from duckdb_tables()"
            " where not internal and database_name = current_database() and schema_name != 'main'"
            " union all select schema_name || '.' || view_name from duckdb_views()"
            " where not internal and database_name = current_database()"
        ).fetchall()
        problems += [f"unexpected table or view {name}" for (name,) in others]
        if PUBLICATION_TABLE not in tables:
            return [*problems, f"no {PUBLICATION_TABLE} table"]
        recorded = {name: (int(rows), checksum) for name, rows, checksum in connection.execute(
            f"select table_name, row_count, checksum from {PUBLICATION_TABLE}"
        ).fetchall()}
        if set(tables) != {*recorded, PUBLICATION_TABLE}:
            problems.append(f"tables {sorted(tables)} are not those recorded in {PUBLICATION_TABLE}")
        columns = connection.execute(
            "select table_name, column_name, comment from duckdb_columns()"
            " where database_name = current_database() and schema_name = 'main' order by table_name, column_index"
        ).fetchall()
        problems += [f"{table}.{column}: a person-level column name" for table, column, _ in columns
                     if PERSON_LEVEL_COLUMN.search(column)]
        problems += [f"{table} has no comment" for table, comment in tables.items() if not (comment or "").strip()]
        problems += [f"{table}.{column} has no comment" for table, column, comment in columns
                     if not (comment or "").strip()]
        names_by_table: dict[str, set[str]] = {}
        for table, column, _ in columns:
            names_by_table.setdefault(table, set()).add(column)
        checked = sorted(set(recorded) & set(tables))
        if checked:
            for table, rows, checksum in sorted(connection.execute(
                    counts_and_checksums_sql({table: quote_identifier(table) for table in checked})).fetchall()):
                if (int(rows), checksum) != recorded[table]:
                    problems.append(f"{table}: {rows} rows, checksum {checksum}; recorded {recorded[table]}")
        problems += _unsafe_cells(connection, {table: names_by_table[table] for table in checked})
    return problems


def _unsafe_cells(connection: duckdb.DuckDBPyConnection, columns_by_table: dict[str, set[str]]) -> list[str]:
    """Rows that publish what they must not, counted per table in one query: small or
    inconsistently withheld cells, and standardised figures outside a total row."""
    counts = []
    for table, names in columns_by_table.items():
        relation = quote_identifier(table)
        # docs/standardisation.md: standardised figures only on published total rows.
        standardised_columns = sorted(set(STANDARDISED_COLUMNS) & names)
        standardised = "".join(f" or {quote_identifier(column)} is not null" for column in standardised_columns)
        if standardised_columns and "age_band" in names:
            counts.append(f"select {quote_literal(table)}, 'misplaced', count(*) from {relation}"
                          f" where age_band != 'total' and (false{standardised})")
        if {"suppression_flag", "numerator", "denominator", "value"} <= names:
            counts.append(
                f"select {quote_literal(table)}, 'unsafe', count(*) from {relation} where case"
                f" when suppression_flag is null then denominator is null or numerator is null or value is null"
                f" or denominator < {SMALL_CELL_THRESHOLD} or numerator between 1 and {SMALL_CELL_THRESHOLD - 1}"
                f" else coalesce(numerator, denominator, value) is not null{standardised} end")
    if not counts:
        return []
    problems = []
    # Sorted: a union's rows come in no set order, the problems in the order of the tables.
    for table, kind, count in sorted(connection.execute(" union all ".join(counts)).fetchall()):
        if count and kind == "misplaced":
            problems.append(f"{table}: {count} rows other than a total with standardised figures")
        elif count:
            problems.append(f"{table}: {count} small or inconsistently withheld cells")
    return problems
