"""The last guard before a file is published: what is wrong with a published DuckDB file."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from atlas.indicator_models import STANDARDISED_COLUMNS
from atlas.project_vars import project_vars
from atlas.publication.database import PUBLICATION_TABLE
from atlas.publication.files import wal_path
from atlas.publication.sql_text import checksum_sql, quote_identifier

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
        for table in sorted(set(recorded) & set(tables)):
            relation = quote_identifier(table)
            (rows,) = connection.execute(f"select count(*) from {relation}").fetchall()[0]
            (checksum,) = connection.execute(checksum_sql(relation)).fetchall()[0]
            if (int(rows), checksum) != recorded[table]:
                problems.append(f"{table}: {rows} rows, checksum {checksum}; recorded {recorded[table]}")
            # docs/standardisation.md: standardised figures only on published total rows.
            standardised_columns = sorted(set(STANDARDISED_COLUMNS) & names_by_table[table])
            standardised = "".join(f" or {quote_identifier(column)} is not null" for column in standardised_columns)
            if standardised_columns and "age_band" in names_by_table[table]:
                (misplaced,) = connection.execute(
                    f"select count(*) from {relation} where age_band != 'total' and (false{standardised})"
                ).fetchall()[0]
                if misplaced:
                    problems.append(f"{table}: {misplaced} rows other than a total with standardised figures")
            if {"suppression_flag", "numerator", "denominator", "value"} <= names_by_table[table]:
                (unsafe,) = connection.execute(
                    f"select count(*) from {relation} where case when suppression_flag is null"
                    f" then denominator is null or numerator is null or value is null"
                    f" or denominator < {SMALL_CELL_THRESHOLD} or numerator between 1 and {SMALL_CELL_THRESHOLD - 1}"
                    f" else coalesce(numerator, denominator, value) is not null{standardised} end"
                ).fetchall()[0]
                if unsafe:
                    problems.append(f"{table}: {unsafe} small or inconsistently withheld cells")
    return problems
