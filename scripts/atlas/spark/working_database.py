"""The working DuckDB file of a Spark build: the tables Spark wrote as Parquet after the build
(macros/export_for_publication.sql), loaded as a DuckDB build would have made them, so that the
plausibility gate, the publication, the exports and the report run unchanged (docs/spark.md).

A model under an enforced contract gets the contract's column order and types, its not-null
constraints and, where dbt persists its docs, the same table and column comments as on DuckDB:
BI users get the same published file whichever engine built it. Other tables (the seeds) are
loaded with the types of their Parquet files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import duckdb

from atlas.publication.sql_text import quote_identifier, quote_literal


class SparkExportError(Exception):
    """The Spark build's export lacks a table, or a table does not fit its contract."""


@dataclass(frozen=True)
class ExportedTable:
    """One table of the export: its name and what its dbt node declares."""

    name: str
    contract_columns: tuple[tuple[str, str, bool, str], ...]  # name, data type, not null, description
    description: str
    persists_docs: bool


def exported_tables(manifest_path: Path) -> list[ExportedTable]:
    """The tables the export holds, from the dbt manifest of the Spark build: the seeds and the
    models of models/marts that are tables (the selection of is_exported_for_publication)."""
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SparkExportError(f"cannot read the dbt manifest {manifest_path}: {error}") from error
    project = manifest["metadata"].get("project_name", "atlas")
    tables = []
    for node in manifest["nodes"].values():
        if node["package_name"] != project or not _is_exported(node):
            continue
        config = node["config"]
        enforced = bool(config.get("contract", {}).get("enforced"))
        columns = tuple(
            (name, column["data_type"], any(c["type"] == "not_null" for c in column.get("constraints", [])),
             column.get("description") or "")
            for name, column in node["columns"].items()
        ) if enforced else ()
        persist = config.get("persist_docs") or {}
        tables.append(ExportedTable(node["alias"], columns, node.get("description") or "",
                                    bool(persist.get("relation"))))
    return sorted(tables, key=lambda table: table.name)


def _is_exported(node: dict[str, Any]) -> bool:
    if node["resource_type"] == "seed":
        return True
    return (node["resource_type"] == "model" and len(node["fqn"]) > 1 and node["fqn"][1] == "marts"
            and node["config"].get("materialized") != "view")


def parquet_files(export_dir: Path, table: str) -> str:
    folder = export_dir / table
    if not any(folder.glob("*.parquet")):
        raise SparkExportError(f"the Spark export {export_dir} has no Parquet files for table {table!r} "
                               f"(expected {folder}/*.parquet): did the Spark build finish?")
    return str(folder / "*.parquet")


def load_table(connection: duckdb.DuckDBPyConnection, export_dir: Path, table: ExportedTable) -> None:
    source = f"read_parquet({quote_literal(parquet_files(export_dir, table.name))})"
    target = quote_identifier(table.name)
    if not table.contract_columns:
        connection.execute(f"create table {target} as select * from {source}")
        return
    definitions = ", ".join(f"{quote_identifier(name)} {data_type}{' not null' if not_null else ''}"
                            for name, data_type, not_null, _ in table.contract_columns)
    column_list = ", ".join(quote_identifier(name) for name, _, _, _ in table.contract_columns)
    connection.execute(f"create table {target} ({definitions})")
    try:
        connection.execute(f"insert into {target} ({column_list}) select {column_list} from {source}")
    except duckdb.Error as error:
        raise SparkExportError(f"table {table.name!r} of the Spark export does not fit its contract: {error}") from error
    if table.persists_docs:
        if table.description:
            connection.execute(f"comment on table {target} is {quote_literal(table.description)}")
        for name, _, _, description in table.contract_columns:
            if description:
                connection.execute(f"comment on column {target}.{quote_identifier(name)} is {quote_literal(description)}")


def write_working_database(export_dir: Path, manifest_path: Path, database: Path,
                           progress: Callable[[str], None] = print) -> int:
    """Load every exported table into database (a new file); returns how many."""
    tables = exported_tables(manifest_path)
    if not tables:
        raise SparkExportError(f"the dbt manifest {manifest_path} names no table to load")
    progress(f"[spark] loading {len(tables)} tables of the Spark build from {export_dir} into {database}")
    with duckdb.connect(str(database)) as connection:
        connection.execute("begin transaction")
        for table in tables:
            load_table(connection, export_dir, table)
        connection.execute("commit")
        connection.execute("checkpoint")
    return len(tables)
