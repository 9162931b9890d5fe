"""The load of a Spark build's export into a working DuckDB file (scripts/atlas/spark/
working_database.py), without Spark: an export written from the DuckDB build of the CI extract as
Spark's on-run-end hook writes it (a folder of Parquet files per table), published through
`publish_database.py --from-spark-export` as after a build on a cluster (docs/spark.md), and
loaded by the run command's Spark build (scripts/atlas/spark/build.py) around a stand-in for
`dbt build --target spark`. test_spark.py builds on Spark itself."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Sequence

import duckdb
import pytest

import atlas.pipeline.yearly_update as yearly_update
import atlas.spark.build as spark_build
from atlas.publication.database import write_published_database
from atlas.raw.check import CheckResult, check_extract
from atlas.spark.working_database import exported_tables
from test_spark import differing_cells, publish_from_export, published_structure


@pytest.fixture(scope="module")
def export_of_duckdb_build(synthetic_build: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
                           ) -> tuple[Path, Path]:
    """(export folder, manifest) of the synthetic build's tables, one Parquet folder each."""
    _, database = synthetic_build
    manifest = database.parent / "dbt_target" / "manifest.json"
    export_dir = tmp_path_factory.mktemp("spark-export")
    with duckdb.connect(str(database), read_only=True) as connection:
        for table in exported_tables(manifest):
            (export_dir / table.name).mkdir()
            connection.execute(f"copy (select * from \"{table.name}\") to "
                               f"'{export_dir / table.name / 'part-00000.parquet'}' (format parquet)")
    return export_dir, manifest


def test_a_published_file_from_an_export_is_the_published_file(
        synthetic_build: tuple[Path, Path], export_of_duckdb_build: tuple[Path, Path], tmp_path: Path) -> None:
    _, database = synthetic_build
    result = publish_from_export(*export_of_duckdb_build, tmp_path, "--no-exports")
    assert result.returncode == 0, result.stderr
    write_published_database(database, tmp_path / "direct.duckdb")
    assert published_structure(tmp_path / "published.duckdb") == published_structure(tmp_path / "direct.duckdb")
    with duckdb.connect(str(tmp_path / "direct.duckdb"), read_only=True) as connection:
        tables = [name for (name,) in connection.execute("select table_name from publication").fetchall()]
    assert {name: cells for name in tables
            if (cells := differing_cells(tmp_path / "direct.duckdb", tmp_path / "published.duckdb", name)[1])} == {}


def test_an_export_missing_a_table_is_refused_by_name(export_of_duckdb_build: tuple[Path, Path],
                                                      tmp_path: Path) -> None:
    export_dir, manifest = export_of_duckdb_build
    partial = tmp_path / "export"
    shutil.copytree(export_dir, partial)
    shutil.rmtree(partial / "cube_013_001")
    (tmp_path / "atlas.duckdb").write_bytes(b"")  # a working database in place stays as it was
    result = publish_from_export(partial, manifest, tmp_path, "--no-exports")
    assert result.returncode == 1
    assert "cube_013_001" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "atlas.duckdb").read_bytes() == b""
    assert not (tmp_path / "published.duckdb").exists()


def test_the_run_command_builds_every_year_on_spark_and_loads_what_it_exported(
        synthetic_build: tuple[Path, Path], export_of_duckdb_build: tuple[Path, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`run_pipeline.py --target spark` calls dbt with the spark target and --full-refresh, its
    session and export folders beside the working database, then loads that export into the file
    being built; the export folder is removed afterwards."""
    raw_dir, database = synthetic_build
    export_dir, manifest = export_of_duckdb_build
    calls: list[tuple[tuple[str, ...], dict[str, str]]] = []

    def dbt_build_as_spark_would(raw: Path, building: Path, check: CheckResult, update: yearly_update.UpdatePlan,
                                 extra_args: Sequence[str] = (), extra_env: dict[str, str] | None = None,
                                 on_spark: bool = False) -> int:
        assert on_spark  # reads the extract where it is, not through the DuckDB build's link
        env = extra_env or {}
        calls.append((tuple(extra_args), env))
        shutil.copytree(export_dir, env["ATLAS_SPARK_EXPORT_DIR"])
        Path(env["DBT_TARGET_PATH"]).mkdir(parents=True)
        shutil.copy2(manifest, Path(env["DBT_TARGET_PATH"]) / "manifest.json")
        return 0

    monkeypatch.setattr(spark_build, "dbt_build", dbt_build_as_spark_would)
    monkeypatch.delenv("ATLAS_SPARK_DIR", raising=False)
    working, building = tmp_path / "atlas.duckdb", tmp_path / "atlas.building.duckdb"
    full_build = yearly_update.UpdatePlan(None, [], "--full-refresh")
    assert spark_build.build_on_spark(raw_dir, building, working, check_extract(raw_dir), full_build) == 0
    [(args, env)] = calls
    assert args == ("--target", "spark", "--full-refresh")
    assert env["ATLAS_SPARK_DIR"] == f"{working}.spark"
    assert not Path(env["ATLAS_SPARK_EXPORT_DIR"]).exists()
    for table in exported_tables(manifest):
        assert differing_cells(database, building, table.name)[1] == 0, table.name
