"""How the run command calls `dbt build`: the command line, the environment that points it at
the extract and the database, its output echoed as it comes, and a full disk named as such."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Sequence

import atlas.pipeline.errors as run_errors
import atlas.pipeline.parse_cache as parse_cache
import atlas.pipeline.yearly_update as yearly_update
from atlas.paths import PROJECT_DIR
from atlas.raw.check import CheckResult


def temp_directory(database: Path) -> Path:
    """Where DuckDB spills during the build (profiles.yml: the same default)."""
    return Path(os.environ.get("ATLAS_DUCKDB_TEMP_DIRECTORY", f"{database}.tmp"))


def dbt_command() -> list[str]:
    # Unit tests check the SQL on fixtures, not the extract: the test suite runs them (with every
    # dbt build of tests/python/conftest.py), the run command need not pay for them each time.
    return [str(Path(sys.executable).with_name("dbt")), "build", "--exclude-resource-type", "unit_test",
            "--profiles-dir", str(PROJECT_DIR), "--project-dir", str(PROJECT_DIR)]


def run_echoed(command: list[str], env: dict[str, str], cwd: Path = PROJECT_DIR) -> tuple[int, list[str]]:
    """Run command, echoing its output as it comes, and keep the output to read its errors."""
    lines: list[str] = []
    with subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace") as process:
        try:
            assert process.stdout is not None
            for line in process.stdout:
                print(line, end="", flush=True)
                lines.append(line)
        except BaseException:  # interrupted: the child must not go on writing the build
            process.kill()
            process.wait()
            raise
    return process.returncode, lines


def extract_bytes(raw_dir: Path) -> int:
    return sum(path.stat().st_size for path in raw_dir.glob("*") if path.is_file()) if raw_dir.is_dir() else 0


# The vars a run sets for its extract and its update (macro run_var): passed in the environment,
# since dbt parses the whole project again, about 5 s, whenever the command line's vars differ from
# its last run's. The conventions of the extract stay on the command line: they shape the sources,
# which dbt renders when it parses, and a user's deliveries keep them from year to year.
RUN_VARS = frozenset({"raw_file_rows", "raw_typed_columns", "raw_read_dir", "raw_delivered_dir",
                      "build_years", "population_build_years", "changed_claim_files", "tested_years"})


def raw_link(database: Path) -> Path:
    """The link beside the database through which a DuckDB build reads the extract."""
    return database.with_name(database.name + ".raw")


def dbt_build(raw_dir: Path, database: Path, check: CheckResult, update: yearly_update.UpdatePlan,
              extra_args: Sequence[str] = (), extra_env: dict[str, str] | None = None,
              on_spark: bool = False) -> int:
    """`dbt build` into database; extra_args (a selection, another target) and extra_env go to dbt."""
    dbt_vars = {**check.dbt_vars(), **update.dbt_vars()}
    env = {**os.environ, "ATLAS_RAW_FORMAT": check.file_format, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    if on_spark:
        env.update(ATLAS_RAW_DIR=str(check.read_dir or raw_dir), ATLAS_DUCKDB_PATH=str(database))
        return run_build(raw_dir, database, dbt_vars, {**env, **(extra_env or {})}, extra_args, PROJECT_DIR)
    # dbt also parses again what names the extract's folder (the sources) and everything when the
    # profile's connection changes. So dbt runs in the database's folder, names the database
    # relative to it (DuckDB's temp_directory follows), and reads the extract through a link of a
    # fixed name there; the files are named by their delivered path all the same (macro
    # delivered_file_name).
    link = raw_link(database)
    link.unlink(missing_ok=True)
    link.symlink_to((check.read_dir or raw_dir).resolve(), target_is_directory=True)
    dbt_vars.update(raw_read_dir=link.name, raw_delivered_dir=str(raw_dir))
    env.update(ATLAS_RAW_DIR=link.name, ATLAS_DUCKDB_PATH=database.name)
    if "ATLAS_DUCKDB_TEMP_DIRECTORY" in env:
        env["ATLAS_DUCKDB_TEMP_DIRECTORY"] = str(Path(env["ATLAS_DUCKDB_TEMP_DIRECTORY"]).resolve())
    try:
        return run_build(raw_dir, database, dbt_vars, {**env, **(extra_env or {})}, extra_args, database.parent)
    finally:
        link.unlink(missing_ok=True)


def run_build(raw_dir: Path, database: Path, dbt_vars: dict[str, object], env: dict[str, str],
              extra_args: Sequence[str], cwd: Path) -> int:
    """dbt build with the run's vars split between the environment and the command line; a full
    disk raised as such."""
    env = {**env, "ATLAS_RUN_VARS": json.dumps({name: value for name, value in dbt_vars.items() if name in RUN_VARS})}
    command = [*dbt_command(), *extra_args,
               "--vars", json.dumps({name: value for name, value in dbt_vars.items() if name not in RUN_VARS})]
    if parse_cache.forget_if_macros_changed(parse_cache.target_dir(env)):
        print("[run] the macros changed since dbt last parsed the project: it parses it all again", flush=True)
    print(f"[run] dbt build (raw: {raw_dir}, database: {database})", flush=True)
    returncode, lines = run_echoed(command, env, cwd)
    full = run_errors.disk_full_line(lines) if returncode else None
    if full:
        raise run_errors.disk_full(full, temp_directory(database), extract_bytes(raw_dir))
    return returncode
