"""Time the pandas reference implementation against the dbt build on the same raw extract.

Runs `scripts/reference_indicators.py` and `dbt build` (the project's models and tests, as
scripts/run.sh does) one after the other on one raw directory, each in a process of its own,
and prints the wall time and the peak resident memory of each. A figure, not a test: the
machines are shared, so run both in one go and compare them with each other.

    python scripts/benchmark_reference.py --raw-dir /tmp/ref1m --work-dir /tmp/ref1m-bench

With --database, an existing dbt-built DuckDB file is reused (no dbt run, so no dbt time).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import duckdb

from atlas.paths import PROJECT_DIR

# Runs one command and reports its peak RSS: RUSAGE_CHILDREN of a fresh process covers only
# the command, whatever ran before in the benchmark.
MEASURE = """
import json, resource, subprocess, sys, time
started = time.monotonic()
returncode = subprocess.run(sys.argv[1:], stdout=sys.stderr).returncode
print(json.dumps({"seconds": time.monotonic() - started, "returncode": returncode,
                  "peak_rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


@dataclass(frozen=True)
class Measure:
    seconds: float
    peak_rss_mib: float


def measure(command: Sequence[str], env: dict[str, str], log_path: Path) -> Measure:
    """Wall time and peak RSS of one command; its output goes to log_path."""
    with log_path.open("w") as log:
        result = subprocess.run([sys.executable, "-c", MEASURE, *command], env=env, cwd=PROJECT_DIR,
                                stdout=subprocess.PIPE, stderr=log, text=True, check=False)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    if report["returncode"] != 0:
        raise SystemExit(f"failed (exit {report['returncode']}): {' '.join(command)}; see {log_path}")
    return Measure(report["seconds"], report["peak_rss_kib"] / 1024)


def count_rows(database: Path, table: str) -> int:
    with duckdb.connect(str(database), read_only=True) as connection:
        row = connection.execute(f"select count(*) from {table}").fetchone()
    return int(row[0]) if row else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw-dir", type=Path, required=True, help="the raw extract (beneficiaries*, claims*)")
    parser.add_argument("--raw-format", choices=["parquet", "csv"], default="parquet",
                        help="format of the raw files (default: %(default)s)")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="where the outputs and logs go (default: a temporary directory, removed)")
    parser.add_argument("--database", type=Path, default=None,
                        help="an existing dbt-built DuckDB file of the same extract: dbt is not run")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="atlas-benchmark-reference-") as temporary:
        work_dir = args.work_dir or Path(temporary)
        work_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        raw_dir = args.raw_dir.resolve()

        reference_out = work_dir / "reference.duckdb"
        print(f"[benchmark] reference implementation on {raw_dir}", flush=True)
        reference = measure([sys.executable, str(PROJECT_DIR / "scripts" / "reference_indicators.py"),
                             "--raw-dir", str(raw_dir), "--raw-format", args.raw_format, "--out", str(reference_out)],
                            env, work_dir / "reference.log")
        print(f"[benchmark] reference: {reference.seconds:.1f} s, peak RSS {reference.peak_rss_mib:,.0f} MiB, "
              f"{count_rows(reference_out, 'indicator_values'):,} cells", flush=True)

        database = args.database
        dbt: Measure | None = None
        if database is None:
            database = work_dir / "atlas.duckdb"
            database.unlink(missing_ok=True)
            print(f"[benchmark] dbt build on {raw_dir}", flush=True)
            dbt_env = {**env, "ATLAS_RAW_DIR": str(raw_dir), "ATLAS_RAW_FORMAT": args.raw_format,
                       "ATLAS_DUCKDB_PATH": str(database)}
            dbt = measure([str(Path(sys.executable).with_name("dbt")), "build", "--profiles-dir", str(PROJECT_DIR),
                           "--project-dir", str(PROJECT_DIR), "--target-path", str(work_dir / "dbt_target"),
                           "--log-path", str(work_dir / "dbt_logs")], dbt_env, work_dir / "dbt.log")
            print(f"[benchmark] dbt build: {dbt.seconds:.1f} s, peak RSS {dbt.peak_rss_mib:,.0f} MiB, "
                  f"{count_rows(database, 'indicator_values'):,} cells", flush=True)

        print(f"\n{'':<26}{'wall s':>10}{'peak RSS MiB':>15}")
        print(f"{'reference (pandas)':<26}{reference.seconds:>10.1f}{reference.peak_rss_mib:>15,.0f}")
        if dbt:
            print(f"{'dbt build':<26}{dbt.seconds:>10.1f}{dbt.peak_rss_mib:>15,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
