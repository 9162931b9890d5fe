"""The run command's build on Spark (`run_pipeline.py --target spark`, docs/spark.md): `dbt build
--target spark`, every year each time (the yearly update is DuckDB's), then the tables Spark wrote
for the publication loaded into the temporary working DuckDB file, from which the plausibility
gate, the publication, the exports and the report go on as after a DuckDB build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import atlas.pipeline.yearly_update as yearly_update
from atlas.pipeline.dbt_invocation import dbt_build
from atlas.raw.check import CheckResult
from atlas.spark.working_database import write_working_database

TARGET = "spark"


def spark_dir(database: Path) -> Path:
    """Where the local session keeps its catalog and tables: $ATLAS_SPARK_DIR, else beside the
    working database."""
    return Path(os.environ.get("ATLAS_SPARK_DIR", f"{database}.spark"))


def build_on_spark(raw_dir: Path, building: Path, database: Path, check: CheckResult,
                   update: yearly_update.UpdatePlan) -> int:
    """dbt build on Spark, then its tables into building (a new DuckDB file); dbt's exit code."""
    export_dir = Path(f"{building}.spark-export")
    shutil.rmtree(export_dir, ignore_errors=True)
    # dbt's own files (manifest, run results) with the session's: the load reads this build's
    # manifest, not one another dbt command left in the project's target/.
    target_path = spark_dir(database) / "target"
    spark_env = {"DBT_TARGET_PATH": str(target_path), "ATLAS_SPARK_DIR": str(spark_dir(database)),
                 "ATLAS_SPARK_EXPORT_DIR": str(export_dir)}
    try:
        # Every year, every time: the session's tables of an earlier build are replaced.
        returncode = dbt_build(raw_dir, building, check, update, ("--target", TARGET, "--full-refresh"), spark_env,
                               on_spark=True)
        if returncode == 0:
            write_working_database(export_dir, target_path / "manifest.json", building)
        return returncode
    finally:
        shutil.rmtree(export_dir, ignore_errors=True)
