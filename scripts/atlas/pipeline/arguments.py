"""The run command's command line (scripts/run_pipeline.py --help)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Sequence

import atlas.publication.command as publication_command
import atlas.spark.build as spark_build
from atlas.paths import PROJECT_DIR


def parse_args(argv: Sequence[str] | None, description: str) -> argparse.Namespace:
    """The run command's options; each path falls back on its environment variable, then on data/."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw-dir", type=Path, default=Path(os.environ.get("ATLAS_RAW_DIR", PROJECT_DIR / "data" / "raw")),
                        help="directory of the raw extract (default: $ATLAS_RAW_DIR or data/raw)")
    parser.add_argument("--database", type=Path,
                        default=Path(os.environ.get("ATLAS_DUCKDB_PATH", publication_command.DEFAULT_DATABASE)),
                        help="working DuckDB file to build, every layer, person-level "
                             "(default: $ATLAS_DUCKDB_PATH or data/atlas.duckdb)")
    parser.add_argument("--published-database", type=Path,
                        default=Path(os.environ.get("ATLAS_PUBLISHED_DUCKDB_PATH",
                                                    publication_command.DEFAULT_PUBLISHED_DATABASE)),
                        help="DuckDB file for BI tools, aggregated tables only "
                             "(default: $ATLAS_PUBLISHED_DUCKDB_PATH or data/atlas_published.duckdb)")
    parser.add_argument("--export-dir", type=Path,
                        default=Path(os.environ.get("ATLAS_EXPORT_DIR", publication_command.DEFAULT_EXPORT_DIR)),
                        help="folder of the Parquet and CSV exports of the published tables "
                             "(default: $ATLAS_EXPORT_DIR or data/exports)")
    parser.add_argument("--persons", type=int, default=100_000,
                        help="synthetic beneficiaries per year when data must be generated (default: %(default)s)")
    parser.add_argument("--first-year", type=int, default=2021, help="first synthetic year (default: %(default)s)")
    parser.add_argument("--last-year", type=int, default=2023, help="last synthetic year (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=42, help="synthetic data seed (default: %(default)s)")
    parser.add_argument("--full-refresh", action="store_true",
                        help="rebuild every year, even where the delivered files are those of the last build "
                             "(by default only the years of added, changed or removed files are rebuilt)")
    parser.add_argument("--max-lines-per-step", type=int, default=60_000_000, metavar="LINES",
                        help="build a full history, or an update of several years, in steps of whole years of at "
                             "most LINES claim lines each, so that memory stays bounded however many years "
                             "(default: %(default)s, about a year of all of Belgium)")
    parser.add_argument("--target", choices=["duckdb", spark_build.TARGET], default="duckdb",
                        help="the profiles.yml target dbt builds on: duckdb (default), or spark, whose tables are "
                             "then loaded into the working database (docs/spark.md)")
    parser.add_argument("--accept-quarantine", nargs="?", const="", default=None, metavar="NOTE",
                        help="publish even when the plausibility gate finds the build implausible (a year mostly "
                             "quarantined, a year missing from a source, a volume far from the previous build); "
                             "recorded, with NOTE (why), in the publication table's plausibility_gate column")
    return parser.parse_args(argv)
