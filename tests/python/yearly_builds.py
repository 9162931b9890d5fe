"""What the yearly-update tests share (test_yearly_update.py, test_yearly_update_unchanged.py): the
run command on an extract, the years it says it built or kept, and the comparison of two builds,
cell for cell: every table of the working database (quarantine and reconciliation included) and
of the published one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
from conftest import PROJECT_DIR, generate_synthetic

RUN_PIPELINE = PROJECT_DIR / "scripts" / "run_pipeline.py"
# Differ between any two builds by design: when and from what the publication was made.
BOOKKEEPING_TABLES = {"build_manifest", "publication"}


def run(raw_dir: Path, out: Path, *extra: str) -> str:
    result = subprocess.run(
        [sys.executable, str(RUN_PIPELINE), "--raw-dir", str(raw_dir), "--database", str(out / "atlas.duckdb"),
         "--published-database", str(out / "atlas_published.duckdb"), "--export-dir", str(out / "exports"), *extra],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def unique_test_sql(model: str) -> str:
    """The SQL the last run command ran for the unique test of an intermediate model, from the
    manifest it left in its target folder (conftest.run_command_dbt_dir)."""
    manifest = json.loads((Path(os.environ["DBT_TARGET_PATH"]) / "manifest.json").read_text(encoding="utf-8"))
    [sql] = [node["compiled_code"] for node in manifest["nodes"].values()
             if node["resource_type"] == "test" and node.get("attached_node") == f"model.atlas.{model}"
             and node["test_metadata"]["name"] == "unique_combination_of_columns"]
    return str(sql)


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


def generate_extract(folder: Path) -> None:
    """Three years, 2021-2023: claims_2021 bills late services of 2020 too."""
    generate_synthetic(folder, 1500, 2021, 2023, 11)


def build_everything(extract: Path, out: Path) -> None:
    """The whole extract built from nothing by the run command: the full build that the updated,
    the unchanged and the stepped builds are compared with."""
    assert years_line(run(extract, out), "built").startswith("[run] years built: every year (no earlier build")
