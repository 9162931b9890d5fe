"""The exports: every table of the published file as Parquet and as CSV (UTF-8, a header,
comma-separated, dot decimals, no thousands separators, empty for null), for users without a
DuckDB client."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from atlas.publication.sql_text import quote_identifier, quote_literal


def write_exports(published: Path, destination: Path) -> list[Path]:
    """Every table of the published file as parquet/<table>.parquet and csv/<table>.csv."""
    if destination.exists():
        shutil.rmtree(destination)
    (destination / "parquet").mkdir(parents=True)
    (destination / "csv").mkdir()
    written = []
    with duckdb.connect(str(published), read_only=True) as connection:
        connection.execute("set preserve_insertion_order = true")
        tables = [name for (name,) in connection.execute(
            "select table_name from duckdb_tables() where database_name = current_database()"
            " and schema_name = 'main' order by table_name"
        ).fetchall()]
        for table in tables:
            source = f"(select * from {quote_identifier(table)})"
            parquet = destination / "parquet" / f"{table}.parquet"
            csv = destination / "csv" / f"{table}.csv"
            connection.execute(f"copy {source} to {quote_literal(str(parquet))} (format parquet, compression zstd)")
            connection.execute(f"copy {source} to {quote_literal(str(csv))}"
                               " (format csv, header true, delimiter ',', quote '\"', escape '\"', null '')")
            written += [parquet, csv]
    return written
