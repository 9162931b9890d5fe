"""The published database: an allow-list of tables copied from the working database with their
column types, NOT NULL constraints and comments, and a `publication` table recording each
table's row count and checksum (scripts/atlas/publication/command.py tells the whole story)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import duckdb

from atlas.publication.errors import PublishError
from atlas.publication.files import remove_database_file, wal_path
from atlas.publication.sql_text import counts_and_checksums_sql, quote_identifier, quote_literal

REGISTRY_TABLE = "indicator_registry"

EXTRA_TABLES = ("indicators", "indicator_values")

PUBLICATION_TABLE = "publication"

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")

PUBLICATION_COLUMNS = (
    ("publication_id", "VARCHAR", "Identifier of this publication (a random UUID): the same in every row."),
    ("published_at", "TIMESTAMP", "When this file was published (UTC)."),
    ("table_name", "VARCHAR", "A table of this file."),
    ("row_count", "BIGINT", "Rows of the table in this publication."),
    ("checksum", "VARCHAR",
     "Checksum of the table's rows, in any order: the bitwise xor of md5_number(cast(row as varchar)) "
     "over its rows, in decimal ('0' for an empty table); see checksum_sql in scripts/atlas/publication/sql_text.py."),
    ("plausibility_gate", "VARCHAR",
     "The plausibility gate of the run command (docs/running.md \"Plausibility gate\"): 'passed'; or 'overridden with "
     "--accept-quarantine', the note given and what the gate found; or 'not run' when published by "
     "scripts/publish_database.py alone. The same in every row."),
)

GATE_NOT_RUN = "not run: published by scripts/publish_database.py from an existing working database"

PUBLICATION_COMMENT = (
    "What this file holds: one row per published table, with its row count and checksum, and when "
    "and under which publication_id the file was published. A reader can check that the tables it "
    "sees are those of one complete publication."
)


@dataclass(frozen=True)
class PublishedTable:
    name: str
    row_count: int
    checksum: str


@dataclass(frozen=True)
class Publication:
    publication_id: str
    published_at: datetime
    tables: tuple[PublishedTable, ...]


def published_table_names(connection: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    """The allow-list: the registry's indicator tables, then indicators and indicator_values."""
    tables = {name for (name,) in connection.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = 'main'", [catalog]
    ).fetchall()}
    if REGISTRY_TABLE not in tables:
        raise PublishError(f"the working database has no {REGISTRY_TABLE} table: was it built by dbt?")
    codes = [code for (code,) in connection.execute(
        f"select indicator_code from {catalog}.main.{REGISTRY_TABLE} order by indicator_code"
    ).fetchall()]
    names = [*codes, *EXTRA_TABLES]
    invalid = [name for name in names if not isinstance(name, str) or not _IDENTIFIER.match(name)]
    if invalid:
        raise PublishError(f"not a valid table name in {REGISTRY_TABLE}: {invalid}")
    missing = [name for name in names if name not in tables]
    if missing:
        raise PublishError(f"the working database lacks tables to publish: {', '.join(missing)}")
    if PUBLICATION_TABLE in names:
        raise PublishError(f"{PUBLICATION_TABLE!r} is reserved for the publication metadata")
    return names


def _copy_table(connection: duckdb.DuckDBPyConnection, table: str, table_comment: str | None,
                columns: Sequence[tuple[str, str, bool, str | None]]) -> None:
    """Create table in `published` with the source's column types, NOT NULL and comments; copy rows."""
    definitions = ", ".join(
        f"{quote_identifier(name)} {data_type}{'' if nullable else ' not null'}"
        for name, data_type, nullable, _ in columns
    )
    target = f"published.main.{quote_identifier(table)}"
    column_list = ", ".join(quote_identifier(name) for name, _, _, _ in columns)
    connection.execute(f"create table {target} ({definitions})")
    # Sorted, so that the file and the exports read in a stable order.
    connection.execute(f"insert into {target} select {column_list} from working.main.{quote_identifier(table)}"
                       " order by all")
    comments = [f"comment on table {target} is {quote_literal(table_comment)}"] if table_comment else []
    comments += [f"comment on column {target}.{quote_identifier(name)} is {quote_literal(comment)}"
                 for name, _, _, comment in columns if comment]
    if comments:
        connection.execute(";\n".join(comments))


def _working_tables(connection: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> dict[
        str, tuple[str | None, list[tuple[str, str, bool, str | None]]]]:
    """Each table's comment and columns (name, type, nullable, comment) in the working database,
    read in two catalog queries rather than two per table."""
    comments = dict(connection.execute(
        "select table_name, comment from duckdb_tables()"
        " where database_name = 'working' and schema_name = 'main' and list_contains(?, table_name)",
        [list(tables)]).fetchall())
    columns: dict[str, list[tuple[str, str, bool, str | None]]] = {table: [] for table in tables}
    for table, name, data_type, nullable, comment in connection.execute(
            "select table_name, column_name, data_type, is_nullable, comment from duckdb_columns()"
            " where database_name = 'working' and schema_name = 'main' and list_contains(?, table_name)"
            " order by table_name, column_index", [list(tables)]).fetchall():
        columns[table].append((name, data_type, nullable, comment))
    return {table: (comments.get(table), columns[table]) for table in tables}


def _write_publication_table(connection: duckdb.DuckDBPyConnection, tables: Sequence[str],
                             gate: str) -> Publication:
    publication_id = str(uuid.uuid4())
    published_at = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    facts = {name: (rows, checksum) for name, rows, checksum in connection.execute(
        counts_and_checksums_sql({table: f"published.main.{quote_identifier(table)}" for table in tables})).fetchall()}
    published = [PublishedTable(table, int(facts[table][0]), str(facts[table][1])) for table in tables]
    definitions = ", ".join(f"{name} {data_type} not null" for name, data_type, _ in PUBLICATION_COLUMNS)
    connection.execute(f"create table published.main.{PUBLICATION_TABLE} ({definitions})")
    connection.executemany(
        f"insert into published.main.{PUBLICATION_TABLE} values (?, ?, ?, ?, ?, ?)",
        [[publication_id, published_at, t.name, t.row_count, t.checksum, gate] for t in published],
    )
    connection.execute(f"comment on table published.main.{PUBLICATION_TABLE} is {quote_literal(PUBLICATION_COMMENT)}")
    for name, _, comment in PUBLICATION_COLUMNS:
        connection.execute(f"comment on column published.main.{PUBLICATION_TABLE}.{name} is {quote_literal(comment)}")
    return Publication(publication_id, published_at, tuple(published))


def write_published_database(working: Path, destination: Path, gate: str = GATE_NOT_RUN) -> Publication:
    """Write the published database to destination (a new file) from the working database."""
    if not working.exists():
        raise PublishError(f"no working database at {working}")
    remove_database_file(destination)
    with duckdb.connect() as connection:
        connection.execute(f"attach {quote_literal(str(working))} as working (read_only)")
        connection.execute(f"attach {quote_literal(str(destination))} as published")
        tables = published_table_names(connection, "working")
        connection.execute("begin transaction")
        for table, (comment, columns) in _working_tables(connection, tables).items():
            _copy_table(connection, table, comment, columns)
        publication = _write_publication_table(connection, tables, gate)
        connection.execute("commit")
        # Self-contained: everything in the file, no write-ahead log beside it.
        connection.execute("checkpoint published")
        connection.execute("detach published")
        connection.execute("detach working")
    if wal_path(destination).exists():
        raise PublishError(f"{wal_path(destination)} was left after the checkpoint")
    return publication
