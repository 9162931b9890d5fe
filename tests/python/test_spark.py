"""The same project on Spark (docs/spark.md): `dbt build --target spark` on the CI-sized synthetic
extract (every seed, model, unit test and data test, in one local session), the tables it exported
published as after a build on a cluster (`publish_database.py --from-spark-export`), and every
cell compared with the DuckDB build of the same extract: the published tables, suppression flags
included, the data-quality tables and the published file itself. Rates and other doubles agree to
1e-9, everything else exactly."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from atlas.publication.database import write_published_database
from atlas.raw.check import check_extract
from atlas.spark.working_database import exported_tables
from conftest import PROJECT_DIR, built_once, dbt_command, registry_codes

TOLERANCE = 1e-9
# Spark runs the suppression rounds unrolled, each round a pass over every member row: on the CI
# extract's variable pattern about 1.1 s a round (2026-12-07, code generation off, the query
# alone: 19 s to round 7, 33 s to round 21), so the default 20 would add at least a quarter of a
# minute to the suite for rounds that change nothing (with code generation on, they once cost two
# of the build's four minutes). The CI extract's cells settle in 5 (with 4 allowed, the data test
# on changed_in_last_round fails the build), and every round after that changes nothing, so the
# cells compared are the fixed point DuckDB's rounds stop at; the sixth is a round to spare.
SPARK_ROUNDS = 6


def publish_from_export(export_dir: Path, manifest: Path, outputs: Path,
                        *options: str) -> subprocess.CompletedProcess[str]:
    """`publish_database.py --from-spark-export`, as after a build on a cluster: the working
    database outputs/atlas.duckdb and the published outputs/published.duckdb."""
    return subprocess.run(
        [sys.executable, str(PROJECT_DIR / "scripts" / "publish_database.py"), "--from-spark-export", str(export_dir),
         "--manifest", str(manifest), "--database", str(outputs / "atlas.duckdb"),
         "--published-database", str(outputs / "published.duckdb"), *options],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def spark_build(synthetic_build: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of a Spark build of synthetic_build's extract: `dbt build --target spark` (its
    dbt_target/ and its session under spark/), then `publish_database.py --from-spark-export`
    (atlas.duckdb, published.duckdb, exports/)."""
    raw_dir, _ = synthetic_build

    def build(root: Path) -> None:
        # The catalog in memory rather than Derby: about a tenth less CPU (337 against 380 CPU-seconds
        # alone), and nothing reads the session's tables after this dbt command. The catalog only
        # keeps the tables' names: the SQL run and the files written are the same. On 4,000 persons,
        # compiling each query's expressions to Java costs more than it saves, and one thread
        # collecting garbage leaves the other test worker its core (docs/spark.md).
        spark_env = {"ATLAS_SPARK_DIR": str(root / "spark"), "ATLAS_SPARK_EXPORT_DIR": str(root / "export"),
                     "ATLAS_SPARK_CATALOG": "in-memory", "ATLAS_SPARK_CODEGEN": "false",
                     "ATLAS_SPARK_JAVA_OPTIONS": "-XX:+UseSerialGC"}
        # The rows the structural check counted per file, as the run command passes them.
        dbt_vars = {**check_extract(raw_dir).dbt_vars(), "secondary_suppression_rounds": SPARK_ROUNDS}
        built = dbt_command(["build", "--target", "spark", "--vars", json.dumps(dbt_vars)],
                            raw_dir, root / "unused.duckdb", extra_env=spark_env)
        (root / "build.log").write_text(built.stdout + built.stderr, encoding="utf-8")
        if built.returncode != 0:
            pytest.fail(f"dbt build --target spark failed (exit {built.returncode}):\n{built.stdout[-6000:]}")
        published = publish_from_export(root / "export", root / "dbt_target" / "manifest.json", root,
                                        "--export-dir", str(root / "exports"))
        if published.returncode != 0:
            pytest.fail(f"publish_database.py --from-spark-export failed:\n{published.stdout}\n{published.stderr}")

    return built_once(tmp_path_factory, "spark", build)


def differing_cells(duckdb_build: Path, spark_database: Path, table: str,
                    skipped: tuple[str, ...] = ()) -> tuple[int, int]:
    """(cells compared, cells that differ) of one table in both databases: rows matched on every
    column that is not a double, doubles compared to TOLERANCE; a row of one build missing from
    the other counts each of its cells. Columns in skipped are left out."""
    with duckdb.connect() as connection:
        connection.execute(f"attach '{duckdb_build}' as duckdb_build (read_only)")
        connection.execute(f"attach '{spark_database}' as spark_build (read_only)")
        columns = connection.execute(
            "select column_name, data_type from duckdb_columns() where database_name = 'duckdb_build'"
            " and table_name = ? order by column_index", [table]).fetchall()
        columns = [(name, data_type) for name, data_type in columns if name not in skipped]
        keys = [name for name, data_type in columns if data_type != "DOUBLE"]
        doubles = [name for name, data_type in columns if data_type == "DOUBLE"]
        column_list = ", ".join(f'"{name}"' for name in [*keys, *doubles])
        rows: dict[str, dict[tuple[Any, ...], tuple[Any, ...]]] = {}
        for catalog in ("duckdb_build", "spark_build"):
            fetched = connection.execute(f'select {column_list} from {catalog}.main."{table}"').fetchall()
            rows[catalog] = {row[:len(keys)]: row[len(keys):] for row in fetched}
            assert len(rows[catalog]) == len(fetched), f"{table}: rows not told apart by {keys} in {catalog}"
    compared = differing = 0
    for key in rows["duckdb_build"].keys() | rows["spark_build"].keys():
        left, right = rows["duckdb_build"].get(key), rows["spark_build"].get(key)
        compared += len(columns)
        if left is None or right is None:
            differing += len(columns)
            continue
        differing += sum(not same_double(a, b) for a, b in zip(left, right))
    return compared, differing


def same_double(left: float | None, right: float | None) -> bool:
    if left is None or right is None:
        return left is None and right is None
    return math.isclose(left, right, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def test_every_published_cell_is_the_same(synthetic_build: tuple[Path, Path], spark_build: Path) -> None:
    _, duckdb_build = synthetic_build
    tables = [*registry_codes(), "indicators", "indicator_values"]
    results = {table: differing_cells(duckdb_build, spark_build / "atlas.duckdb", table) for table in tables}
    assert {table: differing for table, (_, differing) in results.items() if differing} == {}
    assert sum(compared for compared, _ in results.values()) > 100_000  # the CI extract publishes that much


def test_every_other_loaded_table_is_the_same(synthetic_build: tuple[Path, Path], spark_build: Path) -> None:
    """The data-quality tables (quarantine, reconciliation) and the seeds: the same rows, the
    delivered files named by the same paths."""
    _, duckdb_build = synthetic_build
    published = {*registry_codes(), "indicators", "indicator_values"}
    others = [table.name for table in exported_tables(spark_build / "dbt_target" / "manifest.json")
              if table.name not in published]
    assert {"quarantined_claims", "quarantined_beneficiaries", "extract_reconciliation"} <= set(others)
    # The Spark build was given the rows the structural check counted per file (rows_delivered);
    # the plain `dbt build` of synthetic_build was not. Spark's build tested them against what
    # it read (extract_file_reconciliation's data tests); the rest of the table is compared.
    skipped = {"extract_file_reconciliation": ("rows_delivered",)}
    differing = {table: cells for table in others
                 if (cells := differing_cells(duckdb_build, spark_build / "atlas.duckdb", table,
                                              skipped.get(table, ()))[1])}
    assert differing == {}
    with duckdb.connect(str(spark_build / "atlas.duckdb"), read_only=True) as connection:
        assert connection.execute("select count(*) from extract_file_reconciliation"
                                  " where rows_delivered is distinct from rows_read").fetchall() == [(0,)]


def published_structure(database: Path) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(
            "select t.table_name, t.comment, c.column_index, c.column_name, c.data_type, c.is_nullable, c.comment"
            " from duckdb_tables() as t inner join duckdb_columns() as c using (database_name, schema_name, table_name)"
            " order by all").fetchall()


def test_the_published_file_is_the_same(synthetic_build: tuple[Path, Path], spark_build: Path,
                                        tmp_path: Path) -> None:
    """BI users get the same file whichever engine built it: tables, column order and types, NOT
    NULL, comments and every cell; and the exports of every table."""
    _, duckdb_build = synthetic_build
    from_duckdb = write_published_database(duckdb_build, tmp_path / "from_duckdb.duckdb")
    from_spark = spark_build / "published.duckdb"
    assert published_structure(from_spark) == published_structure(tmp_path / "from_duckdb.duckdb")
    with duckdb.connect(str(from_spark), read_only=True) as connection:
        counts = connection.execute("select table_name, row_count from publication order by table_name").fetchall()
    assert counts == sorted((t.name, t.row_count) for t in from_duckdb.tables)
    differing = {name: cells for name, _ in counts
                 if (cells := differing_cells(tmp_path / "from_duckdb.duckdb", from_spark, name)[1])}
    assert differing == {}
    for name, _ in counts:
        assert (spark_build / "exports" / "parquet" / f"{name}.parquet").is_file()
        assert (spark_build / "exports" / "csv" / f"{name}.csv").is_file()


def test_the_delivered_folder_is_left_as_it_was(synthetic_build: tuple[Path, Path], spark_build: Path) -> None:
    """Spark reads the extract through views: nothing is written among the delivered files."""
    raw_dir, _ = synthetic_build
    assert all(path.is_file() and path.suffix == ".parquet" for path in raw_dir.iterdir())


def test_every_model_unit_and_data_test_ran_on_spark(spark_build: Path) -> None:
    """The build ran every seed, model, unit test and data test, all on Spark, all passing."""
    build = json.loads((spark_build / "dbt_target" / "run_results.json").read_text(encoding="utf-8"))
    manifest = json.loads((spark_build / "dbt_target" / "manifest.json").read_text(encoding="utf-8"))
    assert build["args"]["target"] == "spark"
    statuses: dict[str, set[str]] = {}
    for result in build["results"]:
        statuses.setdefault(result["unique_id"].split(".")[0], set()).add(result["status"])
    assert statuses == {"seed": {"success"}, "model": {"success"}, "test": {"pass"}, "unit_test": {"pass"},
                        "operation": {"success"}, "exposure": {"no-op"}}
    ran = {result["unique_id"] for result in build["results"]}
    expected = {uid for uid in [*manifest["nodes"], *manifest["unit_tests"]]
                if uid.split(".")[0] in {"model", "seed", "test", "unit_test"}}
    assert expected - ran == set()
    assert len(manifest["unit_tests"]) > 0
