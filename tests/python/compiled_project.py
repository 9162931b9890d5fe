"""Run the project's own compiled SQL on a raw directory in a second or two, without dbt.

A real `dbt build` takes most of a minute even on ten rows (start-up, 70 models, 300 tests).
Tests that need many small builds (property-based tests, one build per corrupted extract) use
this instead: dbt seeds and compiles the project once, then every build copies the seeded
database and runs each model's compiled SQL in dependency order, exactly the statements dbt
would run minus its bookkeeping, and can then run the compiled data tests too. Contracts and
unit tests are not checked here; the real dbt builds elsewhere in the suite check them.

    project = compiled_projects("csv", {"small_cell_threshold": 1})  # session fixture, conftest
    database = project.build(raw_dir, tmp_path / "case.duckdb")
    failures = project.failing_tests(database)
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb

from conftest import dbt_command

# Compiled SQL names the raw directory; compiling against this placeholder lets every build
# point the same SQL at its own directory.
RAW_DIR_PLACEHOLDER = "/atlas-raw-dir-placeholder"
CATALOG = "atlas"


class CompiledProject:
    def __init__(self, work_dir: Path) -> None:
        """A project compiled into work_dir by `compile` (or by another pytest-xdist worker)."""
        self.work_dir = work_dir
        self.seeded = work_dir / f"{CATALOG}.duckdb"
        manifest = json.loads((work_dir / "dbt_target" / "manifest.json").read_text())
        self.models = self._models_in_build_order(manifest["nodes"])
        self.tests = [node for node in manifest["nodes"].values()
                      if node["resource_type"] == "test" and node.get("compiled_code")]

    @staticmethod
    def seed(work_dir: Path) -> Path:
        """Load the seeds once into a database that every compiled project copies."""
        work_dir.mkdir(parents=True, exist_ok=True)
        seeded = work_dir / f"{CATALOG}.duckdb"
        result = dbt_command(["seed"], Path(RAW_DIR_PLACEHOLDER), seeded)
        if result.returncode != 0:
            raise RuntimeError(f"dbt seed failed:\n{result.stdout[-4000:]}")
        return seeded

    @classmethod
    def compile(cls, work_dir: Path, seeded: Path, raw_format: str = "parquet",
                dbt_vars: dict[str, Any] | None = None) -> CompiledProject:
        """Compile the project for a raw format and vars, beside a copy of the seeded database."""
        work_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(seeded, work_dir / f"{CATALOG}.duckdb")
        extra = ["--vars", json.dumps(dbt_vars)] if dbt_vars else []
        result = dbt_command(["compile", *extra], Path(RAW_DIR_PLACEHOLDER), work_dir / f"{CATALOG}.duckdb",
                             raw_format)
        if result.returncode != 0:
            raise RuntimeError(f"dbt compile failed:\n{result.stdout[-4000:]}")
        return cls(work_dir)

    @staticmethod
    def _models_in_build_order(nodes: dict[str, Any]) -> list[dict[str, Any]]:
        models = {key: node for key, node in nodes.items() if node["resource_type"] == "model"}
        ordered: list[dict[str, Any]] = []
        done: set[str] = set()

        def visit(key: str) -> None:
            if key in done:
                return
            done.add(key)
            for parent in models[key]["depends_on"]["nodes"]:
                if parent in models:
                    visit(parent)
            ordered.append(models[key])

        for key in sorted(models):
            visit(key)
        return ordered

    def _connect(self, database: Path) -> duckdb.DuckDBPyConnection:
        connection = duckdb.connect()
        connection.execute("set enable_progress_bar = false")
        connection.execute(f"attach '{database}' as {CATALOG}")
        connection.execute(f"use {CATALOG}")
        return connection

    def build(self, raw_dir: Path, database: Path) -> Path:
        """Build every model on raw_dir into database (a copy of the seeded database)."""
        shutil.copyfile(self.seeded, database)
        connection = self._connect(database)
        try:
            for model in self.models:
                sql = model["compiled_code"].replace(RAW_DIR_PLACEHOLDER, str(raw_dir))
                kind = "view" if model["config"]["materialized"] == "view" else "table"
                connection.execute(f"create or replace {kind} {model['relation_name']} as (\n{sql}\n)")
        finally:
            connection.close()
        return database

    def failing_tests(self, database: Path) -> dict[str, int]:
        """Data tests of the project that return rows on this database: test name -> rows."""
        connection = self._connect(database)
        try:
            failures = {}
            for test in self.tests:
                rows = connection.execute(f"select count(*) from (\n{test['compiled_code']}\n)").fetchall()[0][0]
                if rows:
                    failures[test["name"]] = int(rows)
            return failures
        finally:
            connection.close()
