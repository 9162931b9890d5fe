"""The generator's command-line arguments, and the dbt vars whose values its defaults must follow."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from atlas.paths import PROJECT_DIR
from atlas.project_vars import project_vars

FILE_FORMATS = ("parquet", "csv")


@dataclass(frozen=True)
class Config:
    out_dir: Path
    persons: int
    first_year: int
    last_year: int
    seed: int
    file_format: str
    seed_dir: Path
    overwrite: bool
    memory_limit: str
    threads: int | None
    temp_dir: Path | None
    defects: bool = True


class GeneratorError(Exception):
    """A problem with the arguments or the seeds, reported as a message and exit code 2."""


def parse_args(argv: Sequence[str] | None) -> Config:
    # By default the files go where, and in the format, the build reads them by default.
    defaults = project_vars("raw_dir", "raw_format")
    raw_dir, raw_format = str(defaults["raw_dir"]), str(defaults["raw_format"])
    parser = argparse.ArgumentParser(
        description="Generate a deterministic SYNTHETIC raw extract (beneficiaries_<year> and "
        "claims_<year> files) following the atlas-dbt raw data contract.",
    )
    parser.add_argument("--out-dir", type=Path, default=Path(raw_dir),
                        help=f"directory to write the raw files to (default: {raw_dir})")
    parser.add_argument("--persons", type=int, default=100_000,
                        help="persons alive at the start of the first year (default: 100000; "
                        "all of Belgium is about 11800000)")
    parser.add_argument("--first-year", type=int, default=2021, help="first year generated (default: 2021)")
    parser.add_argument("--last-year", type=int, default=2023, help="last year generated (default: 2023)")
    parser.add_argument("--seed", type=int, default=42,
                        help="seed of the hash-based draws; same seed, same files (default: 42)")
    parser.add_argument("--format", dest="file_format", choices=FILE_FORMATS, default=raw_format,
                        help=f"file format of the raw files (default: {raw_format}; csv has a header)")
    parser.add_argument("--seed-dir", type=Path, default=PROJECT_DIR / "seeds",
                        help="directory with the dbt seeds read at run time (default: <repo>/seeds)")
    parser.add_argument("--overwrite", action="store_true",
                        help="delete existing beneficiaries*/claims* files in --out-dir first "
                        "(without it the script refuses to write into a directory holding raw files)")
    parser.add_argument("--memory-limit", default="8GB", help="DuckDB memory_limit (default: 8GB)")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: DuckDB's choice)")
    parser.add_argument("--temp-dir", type=Path, default=None,
                        help="DuckDB work/spill directory (default: a temporary folder in --out-dir, "
                        "removed at the end)")
    parser.add_argument("--no-defects", dest="defects", action="store_false",
                        help="leave out the rows the row rules must quarantine or flag (docs/row_rules.md); "
                        "corrections, duplicates and previous-December dates stay")
    args = parser.parse_args(argv)
    if args.persons < 1:
        parser.error("--persons must be at least 1")
    if args.first_year > args.last_year:
        parser.error("--first-year must not be after --last-year")
    return Config(
        out_dir=args.out_dir, persons=args.persons, first_year=args.first_year, last_year=args.last_year,
        seed=args.seed, file_format=args.file_format, seed_dir=args.seed_dir, overwrite=args.overwrite,
        memory_limit=args.memory_limit, threads=args.threads, temp_dir=args.temp_dir, defects=args.defects,
    )
