"""Run the Atlas pipeline: synthetic data if the raw directory is empty, `dbt build`, a summary.

Called by scripts/run.sh inside the project's virtualenv. The raw directory and the database
file come from the options, else from ATLAS_RAW_DIR / ATLAS_DUCKDB_PATH, else the defaults.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

import duckdb

PROJECT_DIR = Path(__file__).resolve().parent.parent
# Run as a script, Python puts scripts/ on the path, not the project: the sibling modules are
# imported as the scripts package, as the tests and mypy see them.
sys.path.insert(0, str(PROJECT_DIR))
from scripts.check_raw_extract import check_extract, report  # noqa: E402

RAW_SOURCES = ("beneficiaries", "claims")


def raw_files(raw_dir: Path, source: str) -> list[Path]:
    return sorted(raw_dir.glob(f"{source}*.parquet")) + sorted(raw_dir.glob(f"{source}*.csv"))


def has_raw_files(raw_dir: Path) -> bool:
    return any(raw_files(raw_dir, source) for source in RAW_SOURCES)


def generate(raw_dir: Path, persons: int, first_year: int, last_year: int, seed: int) -> None:
    print(f"[run] {raw_dir} holds no extract: generating synthetic data "
          f"({persons:,} persons, {first_year}-{last_year}, seed {seed})", flush=True)
    command = [sys.executable, str(PROJECT_DIR / "scripts" / "generate_synthetic_data.py"),
               "--out-dir", str(raw_dir), "--persons", str(persons), "--first-year", str(first_year),
               "--last-year", str(last_year), "--seed", str(seed)]
    subprocess.run(command, check=True)


def dbt_build(raw_dir: Path, database: Path, file_format: str) -> int:
    env = {**os.environ, "ATLAS_RAW_DIR": str(raw_dir), "ATLAS_RAW_FORMAT": file_format,
           "ATLAS_DUCKDB_PATH": str(database), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    command = [str(Path(sys.executable).with_name("dbt")), "build", "--profiles-dir", str(PROJECT_DIR),
               "--project-dir", str(PROJECT_DIR)]
    print(f"[run] dbt build (raw: {raw_dir}, database: {database})", flush=True)
    return subprocess.run(command, cwd=PROJECT_DIR, env=env, check=False).returncode


def table_summary(database: Path) -> list[tuple[str, str, int]]:
    """(schema, table, rows) of every table in the database, marts first."""
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by table_name"
        ).fetchall()
        summary = []
        for schema, name in tables:
            rows = connection.execute(f'select count(*) from "{schema}"."{name}"').fetchall()[0][0]
            summary.append((schema, name, int(rows)))
    return sorted(summary, key=lambda row: (not row[1].startswith(("cube_", "stat_")), row[1]))


def reconciliation_summary(database: Path) -> list[str]:
    """Per source: rows read, used and quarantined (by reason), from the build's own tables."""
    with duckdb.connect(str(database), read_only=True) as connection:
        totals = connection.execute(
            "select source_name, sum(rows_read), sum(rows_used), sum(rows_quarantined), sum(rows_used_with_issue) "
            "from extract_reconciliation group by source_name order by source_name"
        ).fetchall()
        reasons = connection.execute(
            "select 'beneficiaries', reason_code, row_used, count(*) from quarantined_beneficiaries group by all "
            "union all select 'claims', reason_code, row_used, count(*) from quarantined_claims group by all "
            "order by 1, 3, 4 desc, 2"
        ).fetchall()
    lines = []
    for source, read, used, quarantined, flagged in totals:
        lines.append(f"{source}: {int(read):,} rows read = {int(used):,} used + {int(quarantined):,} quarantined"
                     + (f" ({int(flagged):,} of the used rows flagged)" if flagged else ""))
        for reason_source, reason, row_used, rows in reasons:
            if reason_source == source:
                lines.append(f"    {reason:<30} {int(rows):>10,}  {'used, flagged' if row_used else 'quarantined'}")
    return lines


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw-dir", type=Path, default=Path(os.environ.get("ATLAS_RAW_DIR", PROJECT_DIR / "data" / "raw")),
                        help="directory of the raw extract (default: $ATLAS_RAW_DIR or data/raw)")
    parser.add_argument("--database", type=Path,
                        default=Path(os.environ.get("ATLAS_DUCKDB_PATH", PROJECT_DIR / "data" / "atlas.duckdb")),
                        help="DuckDB file to build (default: $ATLAS_DUCKDB_PATH or data/atlas.duckdb)")
    parser.add_argument("--persons", type=int, default=100_000,
                        help="synthetic beneficiaries per year when data must be generated (default: %(default)s)")
    parser.add_argument("--first-year", type=int, default=2021, help="first synthetic year (default: %(default)s)")
    parser.add_argument("--last-year", type=int, default=2023, help="last synthetic year (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=42, help="synthetic data seed (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    raw_dir = args.raw_dir.resolve()
    database = args.database.resolve()
    raw_dir.mkdir(parents=True, exist_ok=True)
    database.parent.mkdir(parents=True, exist_ok=True)
    if not has_raw_files(raw_dir):
        generate(raw_dir, args.persons, args.first_year, args.last_year, args.seed)
    check = check_extract(raw_dir)
    report(check)
    if not check.ok:
        print(f"[run] stopped before the build: the raw extract in {raw_dir} does not match the contract "
              "(README \"Raw data contract\"); nothing was built or overwritten", file=sys.stderr)
        return 2
    returncode = dbt_build(raw_dir, database, check.file_format)
    if returncode != 0:
        print(f"[run] dbt build failed (exit {returncode}); see the messages above and logs/dbt.log",
              file=sys.stderr)
        return returncode
    print(f"\n[run] done in {time.monotonic() - started:.0f} s. DuckDB file: {database}")
    print(f"{'table':<45} {'rows':>12}")
    for schema, name, rows in table_summary(database):
        print(f"{schema + '.' + name:<45} {rows:>12,}")
    print("\n[run] raw rows (tables extract_reconciliation, quarantined_beneficiaries, quarantined_claims):")
    for line in reconciliation_summary(database):
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
