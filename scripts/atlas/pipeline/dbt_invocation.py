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


def run_echoed(command: list[str], env: dict[str, str]) -> tuple[int, list[str]]:
    """Run command, echoing its output as it comes, and keep the output to read its errors."""
    lines: list[str] = []
    with subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
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


def dbt_build(raw_dir: Path, database: Path, check: CheckResult, update: yearly_update.UpdatePlan,
              extra_args: Sequence[str] = (), extra_env: dict[str, str] | None = None) -> int:
    """`dbt build` into database; extra_args (a selection, another target) and extra_env go to dbt."""
    env = {**os.environ, "ATLAS_RAW_DIR": str(check.read_dir or raw_dir), "ATLAS_RAW_FORMAT": check.file_format,
           "ATLAS_DUCKDB_PATH": str(database), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **(extra_env or {})}
    # The conventions the check detected, and the rows it counted per file for the reconciliation.
    command = [*dbt_command(), *extra_args, "--vars", json.dumps({**check.dbt_vars(), **update.dbt_vars()})]
    print(f"[run] dbt build (raw: {raw_dir}, database: {database})", flush=True)
    returncode, lines = run_echoed(command, env)
    full = run_errors.disk_full_line(lines) if returncode else None
    if full:
        raise run_errors.disk_full(full, temp_directory(database), extract_bytes(raw_dir))
    return returncode
