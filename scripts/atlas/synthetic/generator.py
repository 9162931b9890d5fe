"""The generator's run: arguments, the DuckDB connection and its work directory, then year by year
the persons, the beneficiaries file and the claims file, with a progress line per step.
`python scripts/generate_synthetic_data.py --help`; the model is described in the package docstring.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from typing import Sequence

import duckdb

from atlas.synthetic.claims import claims_sql
from atlas.synthetic.config import Config, GeneratorError, parse_args
from atlas.synthetic.draws import create_draw_macros
from atlas.synthetic.files import copy_to_file, existing_raw_files, raw_file
from atlas.synthetic.lookups import create_day_codes, create_lookups
from atlas.synthetic.population import beneficiaries_sql, create_persons
from atlas.synthetic.seeds import load_seeds


class Progress:
    """Prints one line per step with the elapsed time, so long runs show where they are."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def log(self, message: str) -> None:
        print(f"[{time.monotonic() - self.start:8.1f} s] {message}", flush=True)


def connect(config: Config, work_dir: Path) -> duckdb.DuckDBPyConnection:
    settings: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": config.memory_limit,
        # Tables larger than the memory limit spill here.
        "temp_directory": str(work_dir / "spill"),
        # Output order comes from explicit ORDER BY; elsewhere order does not matter.
        "preserve_insertion_order": False,
    }
    if config.threads:
        settings["threads"] = config.threads
    # In memory: the only table kept is one year's persons (about 2-3 GB at 11.8M persons), which
    # fits the memory limit and is evicted to temp_directory if not; nothing to clean up after.
    connection = duckdb.connect(":memory:", config=settings)
    create_draw_macros(connection, config.seed)
    return connection


def write_year(connection: duckdb.DuckDBPyConnection, config: Config, year: int, progress: Progress) -> None:
    count = create_persons(connection, config, year)
    progress.log(f"{year}: persons built: {count:,} rows")
    create_day_codes(connection, year)
    for source, query in (("beneficiaries", beneficiaries_sql(config, year)), ("claims", claims_sql(config, year))):
        path = raw_file(config.out_dir, source, year, config.file_format)
        written = copy_to_file(connection, query, path, config.file_format)
        progress.log(f"{year}: wrote {path.name}: {written:,} rows")


def generate(config: Config) -> None:
    progress = Progress()
    config.out_dir.mkdir(parents=True, exist_ok=True)
    for path in existing_raw_files(config.out_dir):
        path.unlink()  # only reached with --overwrite: stale years would otherwise be globbed
    work_dir = config.temp_dir or config.out_dir / ".synthetic_work"
    created_work_dir = not work_dir.exists()
    work_dir.mkdir(parents=True, exist_ok=True)
    try:
        connection = connect(config, work_dir)
        try:
            load_seeds(connection, config.seed_dir)
            create_lookups(connection)
            progress.log(f"seeds and lookups loaded from {config.seed_dir}")
            for year in range(config.first_year, config.last_year + 1):
                write_year(connection, config, year, progress)
        finally:
            connection.close()
    finally:
        shutil.rmtree(work_dir / "spill", ignore_errors=True)
        if created_work_dir:
            shutil.rmtree(work_dir, ignore_errors=True)
    progress.log(f"done: {config.last_year - config.first_year + 1} year(s) in {config.out_dir}")


def main(argv: Sequence[str] | None = None) -> int:
    try:
        config = parse_args(argv)
        existing = existing_raw_files(config.out_dir)
        if existing and not config.overwrite:
            print(
                f"error: {config.out_dir} already holds raw files ({', '.join(p.name for p in existing[:3])}"
                f"{', ...' if len(existing) > 3 else ''}); pass --overwrite to replace them",
                file=sys.stderr,
            )
            return 2
        generate(config)
    except GeneratorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
