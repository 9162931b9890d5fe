"""Publish the Atlas figures for BI tools: a DuckDB file of aggregated tables only, plus exports.

The working database (what `dbt build` writes) holds every layer, person-level staging and
intermediate tables included: it must not leave the machine that builds it. The published
database holds an allow-list of tables copied from it, with their column types, NOT NULL
constraints and comments (DuckDB COMMENT):

- the indicator tables named in the registry (seed `indicator_registry`, column indicator_code),
- `indicator_values` and `indicators`,
- `publication`: when it was published, and each table's row count and checksum.

Exports: every table of the published file as Parquet (`parquet/<table>.parquet`) and as CSV
(`csv/<table>.csv`: UTF-8, a header, comma-separated, dot decimals, no thousands separators,
empty for null), for users without a DuckDB client.

Both are written beside their destination under a temporary name, checked, and only then moved
into place. The database: each publication is a file of its own in `published/` beside the
published path, which is a symbolic link swapped in one step to the new file
(scripts/publication_versions.py says why, and when old versions are deleted); a BI client
holding an old version open keeps reading it, and a new connection opens the complete new one,
even in a process that still holds the old one. The exports: two renames of the folder.
scripts/run_pipeline.py calls this after a successful `dbt build`; run alone, it publishes from
an existing working database.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import duckdb

from atlas.paths import PROJECT_DIR
# Run as a script, Python puts scripts/ on the path, not the project.

import atlas.publication.versions as publication_versions

DEFAULT_DATABASE = PROJECT_DIR / "data" / "atlas.duckdb"
DEFAULT_PUBLISHED_DATABASE = PROJECT_DIR / "data" / "atlas_published.duckdb"
DEFAULT_EXPORT_DIR = PROJECT_DIR / "data" / "exports"

REGISTRY_TABLE = "indicator_registry"
EXTRA_TABLES = ("indicators", "indicator_values")
PUBLICATION_TABLE = "publication"
# IMA publishes no cell of fewer than 5 individuals: the last guard before a file is published.
SMALL_CELL_THRESHOLD = 5
# Column names that would betray person-level data: the raw contract's columns (year aside).
PERSON_LEVEL_COLUMN = re.compile(
    r"person|patient_id|birth|death|\bsex\b|service_date|nomenclature|quantity|provider|billing"
    r"|_dec31|_jun30|pseudonym",
    re.IGNORECASE,
)
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")

PUBLICATION_COLUMNS = (
    ("publication_id", "VARCHAR", "Identifier of this publication (a random UUID): the same in every row."),
    ("published_at", "TIMESTAMP", "When this file was published (UTC)."),
    ("table_name", "VARCHAR", "A table of this file."),
    ("row_count", "BIGINT", "Rows of the table in this publication."),
    ("checksum", "VARCHAR",
     "Checksum of the table's rows, in any order: the bitwise xor of md5_number(cast(row as varchar)) "
     "over its rows, in decimal ('0' for an empty table); see checksum_sql in scripts/publish_database.py."),
    ("plausibility_gate", "VARCHAR",
     "The plausibility gate of the run command (README \"Plausibility gate\"): 'passed'; or 'overridden with "
     "--accept-quarantine', the note given and what the gate found; or 'not run' when published by "
     "scripts/publish_database.py alone. The same in every row."),
)
GATE_NOT_RUN = "not run: published by scripts/publish_database.py from an existing working database"
PUBLICATION_COMMENT = (
    "What this file holds: one row per published table, with its row count and checksum, and when "
    "and under which publication_id the file was published. A reader can check that the tables it "
    "sees are those of one complete publication."
)


class PublishError(Exception):
    """The working database cannot be published (a table is missing or a check failed)."""


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


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def wal_path(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def temporary_path(target: Path, label: str) -> Path:
    """A file or folder beside target (same file system, so a rename moves it in one step)."""
    if target.suffix:
        return target.with_name(f"{target.stem}.{label}{target.suffix}")
    return target.with_name(f"{target.name}.{label}")


def remove_database_file(path: Path) -> None:
    """Delete a DuckDB file and its write-ahead log, if present."""
    for candidate in (path, wal_path(path)):
        candidate.unlink(missing_ok=True)


def checksum_sql(relation: str) -> str:
    """SQL giving the checksum of a relation's rows, independent of their order."""
    return (f"select coalesce(cast(bit_xor(md5_number(cast(r as varchar))) as varchar), '0') "
            f"from {relation} as r")


def writer_lock_holder(database: Path) -> str | None:
    """The DuckDB error when another process holds database open for writing, else None."""
    if not database.exists():
        return None
    try:
        duckdb.connect(str(database), read_only=True).close()
    except duckdb.Error as error:  # not a lock (e.g. a half-written file): nothing holds it
        if "lock" in str(error).lower():
            return str(error).splitlines()[0]
    return None


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


def _copy_table(connection: duckdb.DuckDBPyConnection, table: str) -> None:
    """Create table in `published` with the source's column types, NOT NULL and comments; copy rows."""
    columns = connection.execute(
        "select column_name, data_type, is_nullable, comment from duckdb_columns()"
        " where database_name = 'working' and schema_name = 'main' and table_name = ? order by column_index",
        [table],
    ).fetchall()
    (table_comment,) = connection.execute(
        "select comment from duckdb_tables()"
        " where database_name = 'working' and schema_name = 'main' and table_name = ?",
        [table],
    ).fetchall()[0]
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
    if table_comment:
        connection.execute(f"comment on table {target} is {quote_literal(table_comment)}")
    for name, _, _, comment in columns:
        if comment:
            connection.execute(f"comment on column {target}.{quote_identifier(name)} is {quote_literal(comment)}")


def _write_publication_table(connection: duckdb.DuckDBPyConnection, tables: Sequence[str],
                             gate: str) -> Publication:
    publication_id = str(uuid.uuid4())
    published_at = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    published = []
    for table in tables:
        relation = f"published.main.{quote_identifier(table)}"
        (rows,) = connection.execute(f"select count(*) from {relation}").fetchall()[0]
        (checksum,) = connection.execute(checksum_sql(relation)).fetchall()[0]
        published.append(PublishedTable(table, int(rows), str(checksum)))
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
        for table in tables:
            _copy_table(connection, table)
        publication = _write_publication_table(connection, tables, gate)
        connection.execute("commit")
        # Self-contained: everything in the file, no write-ahead log beside it.
        connection.execute("checkpoint published")
        connection.execute("detach published")
        connection.execute("detach working")
    if wal_path(destination).exists():
        raise PublishError(f"{wal_path(destination)} was left after the checkpoint")
    return publication


def check_published_database(path: Path) -> list[str]:
    """What is wrong with a published file (empty when it may be published).

    Only the tables its publication table lists (and that table); no view; no person-level
    column name; row counts and checksums as recorded; every table and column commented; no
    published cell (suppression_flag null) with a denominator under the threshold or a numerator
    of 1 to threshold - 1, and no withheld cell with a figure.
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
            if {"suppression_flag", "numerator", "denominator", "value"} <= names_by_table[table]:
                (unsafe,) = connection.execute(
                    f"select count(*) from {relation} where case when suppression_flag is null"
                    f" then denominator is null or numerator is null or value is null"
                    f" or denominator < {SMALL_CELL_THRESHOLD} or numerator between 1 and {SMALL_CELL_THRESHOLD - 1}"
                    f" else coalesce(numerator, denominator, value) is not null end"
                ).fetchall()[0]
                if unsafe:
                    problems.append(f"{table}: {unsafe} small or inconsistently withheld cells")
    return problems


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


def replace_database_file(source: Path, target: Path) -> None:
    """Move a closed, checkpointed DuckDB file onto target in one step (os.replace): the working
    database (the published one goes through publication_versions.install_version).

    A stale write-ahead log of the old target would be replayed into the new file by the next
    writer, so it goes first. A reader holding the old file keeps its (unlinked) copy.
    """
    if wal_path(source).exists():
        raise PublishError(f"{source} still has a write-ahead log; checkpoint it before replacing {target}")
    wal_path(target).unlink(missing_ok=True)
    os.replace(source, target)
    publication_versions.fsync_directory(target.parent)


def replace_directory(source: Path, target: Path) -> None:
    """Put a complete folder in place of target: target moves aside, source takes its name."""
    previous = temporary_path(target, "previous")
    if previous.exists():
        shutil.rmtree(previous)
    if target.exists():
        os.rename(target, previous)
    os.rename(source, target)
    publication_versions.fsync_directory(target.parent)
    shutil.rmtree(previous, ignore_errors=True)


@dataclass
class StagedPublication:
    """A published database and exports written under temporary names, checked, not yet in place."""

    publication: Publication
    database: Path
    target_database: Path
    exports: Path | None
    target_exports: Path | None

    def commit(self) -> None:
        if wal_path(self.database).exists():
            raise PublishError(f"{self.database} still has a write-ahead log; checkpoint it before publishing")
        publication_versions.install_version(self.database, self.target_database, self.publication.publication_id)
        if self.exports is not None and self.target_exports is not None:
            replace_directory(self.exports, self.target_exports)

    def discard(self) -> None:
        remove_database_file(self.database)
        if self.exports is not None:
            shutil.rmtree(self.exports, ignore_errors=True)


def stage_publication(working: Path, published: Path, export_dir: Path | None,
                      gate: str = GATE_NOT_RUN) -> StagedPublication:
    """Write and check the published database and the exports beside their destinations.

    Nothing in place is touched: on any error the temporary files are removed and it raises.
    """
    if published.resolve() == working.resolve():
        raise PublishError("the published database must be another file than the working database")
    published.parent.mkdir(parents=True, exist_ok=True)
    staged_database = temporary_path(published, "publishing")
    staged_exports = temporary_path(export_dir, "writing") if export_dir is not None else None
    try:
        publication = write_published_database(working, staged_database, gate)
        problems = check_published_database(staged_database)
        if problems:
            raise PublishError("the published database failed its checks:\n  " + "\n  ".join(problems))
        if staged_exports is not None:
            staged_exports.parent.mkdir(parents=True, exist_ok=True)
            write_exports(staged_database, staged_exports)
    except BaseException:
        remove_database_file(staged_database)
        if staged_exports is not None:
            shutil.rmtree(staged_exports, ignore_errors=True)
        raise
    return StagedPublication(publication, staged_database, published, staged_exports, export_dir)


def publish(working: Path, published: Path, export_dir: Path | None) -> Publication:
    """Publish from a working database: stage, check, then move into place."""
    staged = stage_publication(working, published, export_dir)
    try:
        staged.commit()
    except BaseException:
        staged.discard()
        raise
    return staged.publication


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", type=Path,
                        default=Path(os.environ.get("ATLAS_DUCKDB_PATH", DEFAULT_DATABASE)),
                        help="working DuckDB file to publish from (default: $ATLAS_DUCKDB_PATH or data/atlas.duckdb)")
    parser.add_argument("--published-database", type=Path,
                        default=Path(os.environ.get("ATLAS_PUBLISHED_DUCKDB_PATH", DEFAULT_PUBLISHED_DATABASE)),
                        help="DuckDB file for BI tools: a link to the current version in published/ beside it "
                             "(default: $ATLAS_PUBLISHED_DUCKDB_PATH or data/atlas_published.duckdb)")
    parser.add_argument("--export-dir", type=Path,
                        default=Path(os.environ.get("ATLAS_EXPORT_DIR", DEFAULT_EXPORT_DIR)),
                        help="folder of the Parquet and CSV exports (default: $ATLAS_EXPORT_DIR or data/exports)")
    parser.add_argument("--no-exports", action="store_true", help="publish the database only")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    working = args.database.resolve()
    published = Path(os.path.abspath(args.published_database))  # the link itself, not its target
    export_dir = None if args.no_exports else args.export_dir.resolve()
    for database in (working, published):
        holder = writer_lock_holder(database)
        if holder:
            print(f"[publish] error: {database} is open for writing by another process: {holder}", file=sys.stderr)
            return 1
    try:
        publication = publish(working, published, export_dir)
    except PublishError as error:
        print(f"[publish] error: {error}", file=sys.stderr)
        return 1
    rows = sum(table.row_count for table in publication.tables)
    print(f"[publish] {published}: {len(publication.tables)} tables, {rows:,} rows "
          f"(publication {publication.publication_id}, {publication.published_at:%Y-%m-%d %H:%M:%S} UTC)")
    if export_dir is not None:
        print(f"[publish] exports: {export_dir}/parquet and {export_dir}/csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
