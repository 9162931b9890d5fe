"""Shared pytest helpers: write a raw extract in the documented contract and build it with dbt."""

from __future__ import annotations

import csv
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import duckdb
import pytest
from hypothesis import HealthCheck, settings

from atlas.raw.contract import duckdb_columns

# Hypothesis profiles (HYPOTHESIS_PROFILE): `quick` for the developer loop, `ci` (the default) for
# the full suite, `thorough` by hand and before a release. Each example of the property test is a
# build of the models and a run of the reference, about a second.
_PROPERTY_SETTINGS = {"deadline": None, "database": None, "print_blob": True,
                      "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                                                HealthCheck.large_base_example]}
settings.register_profile("quick", max_examples=10, **_PROPERTY_SETTINGS)
settings.register_profile("ci", max_examples=25, **_PROPERTY_SETTINGS)
settings.register_profile("thorough", max_examples=500, **_PROPERTY_SETTINGS)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PROJECT_DIR = Path(__file__).resolve().parents[2]

# The raw data contract (models/staging/ima/_ima__sources.yml): column name -> DuckDB type.
BENEFICIARY_COLUMNS: dict[str, str] = duckdb_columns("beneficiaries")
CLAIM_COLUMNS: dict[str, str] = duckdb_columns("claims")


def registry_codes(project_dir: Path = PROJECT_DIR) -> list[str]:
    """The indicator codes of the registry seed, sorted: how many indicators there are is read here,
    never written in a test (README "Adding an indicator")."""
    with (project_dir / "seeds" / "indicator_registry.csv").open(newline="", encoding="utf-8") as handle:
        return sorted(row["indicator_code"] for row in csv.DictReader(handle))


def write_raw_file(path: Path, columns: dict[str, str], rows: Iterable[dict[str, Any]]) -> None:
    """Write rows (dicts; missing keys are null) as a Parquet or CSV file with the contract's types."""
    rows = list(rows)
    column_sql = ", ".join(f"{name} {sql_type}" for name, sql_type in columns.items())
    with duckdb.connect() as connection:
        connection.execute(f"create table raw_rows ({column_sql})")
        if rows:
            placeholders = ", ".join("?" for _ in columns)
            connection.executemany(
                f"insert into raw_rows values ({placeholders})",
                [[row.get(name) for name in columns] for row in rows],
            )
        file_format = "csv, header true" if path.suffix == ".csv" else "parquet"
        connection.execute(f"copy raw_rows to '{path}' (format {file_format})")


def write_raw_extract(
    raw_dir: Path,
    beneficiaries: Iterable[dict[str, Any]],
    claims: Iterable[dict[str, Any]],
    file_format: str = "parquet",
) -> Path:
    raw_dir.mkdir(parents=True, exist_ok=True)
    write_raw_file(raw_dir / f"beneficiaries.{file_format}", BENEFICIARY_COLUMNS, beneficiaries)
    write_raw_file(raw_dir / f"claims.{file_format}", CLAIM_COLUMNS, claims)
    return raw_dir


def dbt_command(
    args: Sequence[str], raw_dir: Path, db_path: Path, raw_format: str = "parquet", project_dir: Path = PROJECT_DIR,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run one dbt command on the project (or a copy of it) against the given raw directory and database file."""
    env = {
        **os.environ,
        "ATLAS_RAW_DIR": str(raw_dir),
        "ATLAS_RAW_FORMAT": raw_format,
        "ATLAS_DUCKDB_PATH": str(db_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(extra_env or {}),
    }
    dbt = Path(sys.executable).with_name("dbt")
    target_path = db_path.parent / "dbt_target"
    command = [str(dbt), *args, "--profiles-dir", str(project_dir), "--project-dir", str(project_dir),
               "--target-path", str(target_path), "--log-path", str(db_path.parent / "dbt_logs")]
    return subprocess.run(command, cwd=project_dir, env=env, capture_output=True, text=True, check=False)


def dbt_build(raw_dir: Path, db_path: Path, raw_format: str = "parquet", *extra: str,
              project_dir: Path = PROJECT_DIR) -> None:
    result = dbt_command(["build", *extra], raw_dir, db_path, raw_format, project_dir)
    if result.returncode != 0:
        pytest.fail(f"dbt build failed (exit {result.returncode}):\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")


def query(db_path: Path, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db_path), read_only=True) as connection:
        return connection.execute(sql, list(parameters)).fetchall()


SYNTHETIC_YEARS = (2015, 2016)


def generate_synthetic(raw_dir: Path, persons: int, first_year: int, last_year: int, seed: int,
                       file_format: str = "parquet") -> None:
    """Run the project's synthetic-data generator into raw_dir."""
    subprocess.run(
        [sys.executable, str(PROJECT_DIR / "scripts" / "generate_synthetic_data.py"), "--out-dir", str(raw_dir),
         "--persons", str(persons), "--first-year", str(first_year), "--last-year", str(last_year),
         "--seed", str(seed), "--format", file_format],
        check=True, capture_output=True, text=True,
    )


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], object]) -> Path:
    """A folder built once per test run and shared by every pytest-xdist worker: the first worker
    to ask builds it under a file lock, the others wait for it and reuse it. A build is the
    costly part of most tests; each worker building its own would double the suite's time."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    folder = root / f"shared-{name}"
    with (root / f"shared-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = folder / ".built"
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            build(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def synthetic_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(raw directory, database) of one dbt build on CI-sized synthetic data (4,000 persons,
    2015-2016), shared by every test module that only reads it."""
    def build(root: Path) -> None:
        generate_synthetic(root / "raw", 4000, SYNTHETIC_YEARS[0], SYNTHETIC_YEARS[1], seed=7)
        dbt_build(root / "raw", root / "atlas.duckdb")

    root = built_once(tmp_path_factory, "synthetic", build)
    return root / "raw", root / "atlas.duckdb"


@pytest.fixture(scope="session")
def compiled_projects(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Any]:
    """compiled_projects(raw_format="parquet", dbt_vars=None) -> a CompiledProject (see
    compiled_project.py), compiled once per format and vars for the whole run, all copying one
    seeded database."""
    from compiled_project import CompiledProject

    seeded = built_once(tmp_path_factory, "seeded", CompiledProject.seed) / "atlas.duckdb"
    projects: dict[str, Any] = {}

    def get(raw_format: str = "parquet", dbt_vars: dict[str, Any] | None = None) -> Any:
        key = json.dumps([raw_format, dbt_vars or {}], sort_keys=True)
        if key not in projects:
            name = "compiled-" + hashlib.sha256(key.encode()).hexdigest()[:12]
            folder = built_once(tmp_path_factory, name,
                                lambda work_dir: CompiledProject.compile(work_dir, seeded, raw_format, dbt_vars))
            projects[key] = CompiledProject(folder)
        return projects[key]

    return get


# The developer loop (`bash scripts/test.sh --quick`): the Python's own unit tests, the
# hand-built fixture (whose default build also runs every dbt unit test), the metadata, the
# declarations and the README, sharing one build per variant. Everything else is in the full run.
QUICK_MODULES = {
    "test_build_geography_seeds", "test_hand_built_fixture", "test_indicator_declaration", "test_metadata",
    "test_parse_cache", "test_poisson_limits", "test_profiles", "test_readme", "test_reference_suppression",
    "test_read_errors", "test_reference_geography", "test_report_funnel", "test_standardisation", "test_suppression", "test_yearly_update_plan",
}


@pytest.fixture(scope="session", autouse=True)
def run_command_dbt_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the run command, when a test starts it, keeps dbt's target/ and logs/: out of the
    project, and one folder per pytest-xdist worker, so that its builds after the first skip
    parsing the project as a user's do (docs/running.md "What a run passes to dbt"). dbt commands
    of this file name their own (dbt_command)."""
    folder = tmp_path_factory.getbasetemp() / f"run-command-dbt-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    os.environ["DBT_TARGET_PATH"] = str(folder / "target")
    os.environ["DBT_LOG_PATH"] = str(folder / "logs")
    # Without every query's SQL in dbt.log, a build of a small extract takes about 8 % less CPU
    # (14.0 s against 15.2 s, three of each); a failing test prints dbt's output, which names the error.
    os.environ.setdefault("DBT_LOG_LEVEL_FILE", "info")
    return folder


# The modules that take minutes, longest first, so that they start first and the short ones fill
# in around them, rather than a long module (Spark's takes 4 to 7 minutes) starting late and ending
# alone. pytest-xdist (--dist loadfile) hands out modules in collection order only without its
# default reordering, which puts the modules with the most tests first, and so these last.
LONGEST_MODULES = (
    "test_spark", "test_yearly_update", "test_yearly_update_unchanged", "test_run_pipeline",
    "test_indicator_declaration", "test_plausibility_gate", "test_run_failures",
)


def pytest_configure(config: pytest.Config) -> None:
    # --no-loadscope-reorder, whoever starts pytest: without it LONGEST_MODULES has no effect.
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        in_quick_module = item.module is not None and item.module.__name__ in QUICK_MODULES
        if in_quick_module and item.get_closest_marker("own_build") is None:
            item.add_marker(pytest.mark.quick)

    def start_rank(item: pytest.Item) -> int:
        name = item.module.__name__ if item.module is not None else ""
        return LONGEST_MODULES.index(name) if name in LONGEST_MODULES else len(LONGEST_MODULES)

    items.sort(key=start_rank)


def _hand_built_raw(root: Path) -> Path:
    from hand_built_extract import BENEFICIARIES, CLAIMS

    return write_raw_extract(root / "raw", BENEFICIARIES, CLAIMS)


@pytest.fixture(scope="session")
def hand_built_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-built extract (hand_built_extract.py) built with the defaults: every dbt unit test
    runs here, once per run; tests that need any small real build share it."""
    def build(root: Path) -> None:
        dbt_build(_hand_built_raw(root), root / "atlas.duckdb")

    return built_once(tmp_path_factory, "hand-built", build) / "atlas.duckdb"


@pytest.fixture(scope="session")
def hand_built_unsuppressed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-built extract built with small-cell suppression disabled: every cell published, and
    the standardised figures of every unit with at least one event."""
    def build(root: Path) -> None:
        # The dbt unit tests do not depend on the data: they run in hand_built_build.
        dbt_build(_hand_built_raw(root), root / "atlas.duckdb", "parquet",
                  "--vars", "{small_cell_threshold: 1, standardisation_min_events: 1}",
                  "--exclude-resource-type", "unit_test")

    return built_once(tmp_path_factory, "hand-built-unsuppressed", build) / "atlas.duckdb"


@pytest.fixture(scope="session")
def yearly_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The yearly-update tests' extract (yearly_builds.py), generated once per run."""
    from yearly_builds import generate_extract

    return built_once(tmp_path_factory, "yearly-extract", generate_extract)


@pytest.fixture(scope="session")
def yearly_full_build(yearly_extract: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """That extract built whole by the run command, once per run: what both yearly-update modules
    compare their builds with."""
    from yearly_builds import build_everything

    return built_once(tmp_path_factory, "yearly-full-build", lambda out: build_everything(yearly_extract, out))
