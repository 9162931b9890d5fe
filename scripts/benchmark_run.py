"""Time the run command (synthetic data generation + dbt build) at several scales.

Each scale runs scripts/run_pipeline.py in a fresh temporary directory and prints the wall time
of the generation and of the whole run, and the peak resident memory of the largest process.
Figures, not a test: the machines are shared, so compare scales within one run.
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

PROJECT_DIR = Path(__file__).resolve().parent.parent


def run_scale(persons: int, first_year: int, last_year: int) -> tuple[float, float, int]:
    """(generation seconds, total seconds, peak RSS in MiB) of one run at this scale."""
    with tempfile.TemporaryDirectory(prefix="atlas-benchmark-") as work_dir:
        command = [sys.executable, str(PROJECT_DIR / "scripts" / "run_pipeline.py"),
                   "--raw-dir", f"{work_dir}/raw", "--database", f"{work_dir}/atlas.duckdb",
                   # Every output in the scratch folder: never the project's own published file.
                   "--published-database", f"{work_dir}/atlas_published.duckdb", "--export-dir", f"{work_dir}/exports",
                   "--persons", str(persons), "--first-year", str(first_year), "--last-year", str(last_year)]
        started = time.monotonic()
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        total = time.monotonic() - started
        if result.returncode != 0:
            raise SystemExit(f"run failed at {persons:,} persons:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}")
        generated = re.findall(r"\[\s*([\d.]+) s\] done:", result.stdout)
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
        return (float(generated[-1]) if generated else 0.0), total, peak_mib


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="scales to run, in beneficiaries (default: %(default)s)")
    parser.add_argument("--first-year", type=int, default=2021, help="first year (default: %(default)s)")
    parser.add_argument("--last-year", type=int, default=2023, help="last year (default: %(default)s)")
    args = parser.parse_args(argv)
    print(f"{'persons':>12} {'years':>10} {'generate s':>11} {'run s':>8} {'peak RSS MiB':>13}", flush=True)
    for persons in args.persons:
        generate_seconds, total_seconds, peak_mib = run_scale(persons, args.first_year, args.last_year)
        # ru_maxrss of children is the largest single child so far: scales run smallest first.
        print(f"{persons:>12,} {f'{args.first_year}-{args.last_year}':>10} {generate_seconds:>11.1f} "
              f"{total_seconds:>8.1f} {peak_mib:>13,}", flush=True)


if __name__ == "__main__":
    main()
