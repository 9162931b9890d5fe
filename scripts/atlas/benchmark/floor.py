"""The floor: one DuckDB query doing the least any build of the atlas must do on a raw extract.

Scan the claim lines, keep the imaging codes, sum quantity per person and year, join the
population (left join: a person without an exam still counts) with its age band, and count per
year x commune x age band the persons, the persons with an exam and the exams. No row rules, no
corrections, no suppression, no tests: the time and memory of the run above this are what the
project's care costs. Parquet extracts only (`<raw>/claims*.parquet`, `<raw>/beneficiaries*.parquet`).

Run as `python -m scripts.benchmark.floor --raw-dir DIR` (from the project folder) it prints one
JSON line, so the benchmark can measure it in a process of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import duckdb

from atlas.paths import PROJECT_DIR
SEEDS_DIR = PROJECT_DIR / "seeds"
DEFAULT_THREADS = 2


def profile_threads() -> int:
    """The DuckDB threads of the dbt profile (profiles.yml: ATLAS_DUCKDB_THREADS, default 2), so
    the floor gets the same cores as the build."""
    try:
        return int(os.environ.get("ATLAS_DUCKDB_THREADS", DEFAULT_THREADS))
    except ValueError:
        return DEFAULT_THREADS


def sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def floor_sql(raw_dir: Path, seeds_dir: Path = SEEDS_DIR) -> str:
    claims = sql_path(raw_dir / "claims*.parquet")
    beneficiaries = sql_path(raw_dir / "beneficiaries*.parquet")
    codes = sql_path(seeds_dir / "imaging_nomenclature_codes.csv")
    bands = sql_path(seeds_dir / "age_bands.csv")
    return f"""
        with imaging_codes as (
            -- distinct: a code is listed once per validity period
            select distinct lpad(nomenclature_code, 6, '0') as nomenclature_code
            from read_csv('{codes}', header = true, types = {{'nomenclature_code': 'varchar'}})
        ),
        exams as (
            select claims.person_id, year(claims.service_date) as year, sum(claims.quantity) as exams
            from read_parquet('{claims}') as claims
            join imaging_codes using (nomenclature_code)
            group by all
        ),
        population as (
            -- distinct: the extract may deliver a person-year twice
            select distinct person_id, year, birth_year, coalesce(commune_dec31, commune_jun30) as commune
            from read_parquet('{beneficiaries}')
        ),
        bands as (select * from read_csv('{bands}', header = true)),
        -- One row per age: an equality join on millions of person-years, not a range join.
        ages as (
            select age, bands.age_band
            from range((select min(age_from) from bands), (select max(age_to) from bands) + 1) as ages(age)
            join bands on ages.age between bands.age_from and bands.age_to
        )
        select population.year, population.commune, ages.age_band,
            count(*) as persons,
            count(exams.person_id) as persons_with_exam,
            coalesce(sum(exams.exams), 0) as exams
        from population
        left join exams on exams.person_id = population.person_id and exams.year = population.year
        left join ages on ages.age = population.year - population.birth_year
        group by all
    """


@dataclass(frozen=True)
class FloorResult:
    seconds: float
    rows: int
    persons: int
    persons_with_exam: int
    exams: int


def run_floor(raw_dir: Path, threads: int = DEFAULT_THREADS, temp_directory: Path | None = None,
              seeds_dir: Path = SEEDS_DIR) -> FloorResult:
    """Run the floor query in this process and fetch its whole result."""
    with duckdb.connect(config={"threads": threads}) as connection:
        if temp_directory is not None:
            connection.execute(f"set temp_directory = '{sql_path(temp_directory)}'")
        started = time.monotonic()
        rows = connection.execute(floor_sql(raw_dir, seeds_dir)).fetchall()
        seconds = time.monotonic() - started
    return FloorResult(seconds, len(rows), sum(int(row[3]) for row in rows), sum(int(row[4]) for row in rows),
                       sum(int(row[5]) for row in rows))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw-dir", type=Path, required=True, help="folder of the Parquet raw extract")
    parser.add_argument("--threads", type=int, default=profile_threads(),
                        help="DuckDB threads (default: the dbt profile's, %(default)s)")
    parser.add_argument("--temp-directory", type=Path, default=None, help="where DuckDB may spill")
    args = parser.parse_args(argv)
    result = run_floor(args.raw_dir, args.threads, args.temp_directory)
    # The process's own peak too: on a tiny extract the query can end between two samples.
    peak_bytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({**asdict(result), "max_rss_bytes": peak_bytes}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
