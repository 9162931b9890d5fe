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
an existing working database, or with --from-spark-export from the tables a Spark build wrote
(docs/spark.md: a build on a cluster).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from atlas.paths import PROJECT_DIR
from atlas.publication.errors import PublishError
from atlas.publication.files import writer_lock_holder
from atlas.publication.files import remove_database_file, replace_database_file, temporary_path
from atlas.publication.staging import publish
from atlas.spark.working_database import SparkExportError, write_working_database

DEFAULT_DATABASE = PROJECT_DIR / "data" / "atlas.duckdb"

DEFAULT_PUBLISHED_DATABASE = PROJECT_DIR / "data" / "atlas_published.duckdb"

DEFAULT_EXPORT_DIR = PROJECT_DIR / "data" / "exports"


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
    parser.add_argument("--from-spark-export", type=Path, metavar="DIR",
                        help="first write the working database from the tables a Spark build exported to DIR "
                             "(its ATLAS_SPARK_EXPORT_DIR; docs/spark.md), replacing the one at --database")
    parser.add_argument("--manifest", type=Path, default=PROJECT_DIR / "target" / "manifest.json",
                        help="with --from-spark-export: the dbt manifest of that build, whose contracts give the "
                             "tables their types and comments (default: target/manifest.json)")
    return parser.parse_args(argv)


def load_spark_export(export_dir: Path, manifest: Path, working: Path) -> None:
    """The working database, replaced by one loaded from a Spark build's export."""
    loading = temporary_path(working, "loading")
    remove_database_file(loading)
    try:
        write_working_database(export_dir, manifest, loading, progress=lambda line: print(line.replace("[spark]", "[publish]")))
        replace_database_file(loading, working)
    finally:
        remove_database_file(loading)


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
        if args.from_spark_export:
            load_spark_export(args.from_spark_export.resolve(), args.manifest.resolve(), working)
        publication = publish(working, published, export_dir)
    except (PublishError, SparkExportError) as error:
        print(f"[publish] error: {error}", file=sys.stderr)
        return 1
    rows = sum(table.row_count for table in publication.tables)
    print(f"[publish] {published}: {len(publication.tables)} tables, {rows:,} rows "
          f"(publication {publication.publication_id}, {publication.published_at:%Y-%m-%d %H:%M:%S} UTC)")
    if export_dir is not None:
        print(f"[publish] exports: {export_dir}/parquet and {export_dir}/csv")
    return 0
