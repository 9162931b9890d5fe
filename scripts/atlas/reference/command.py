"""The command `python scripts/reference_indicators.py`: the reference tables of a raw extract,
computed and written to a DuckDB file or a directory of Parquet files (step 9)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Sequence

import duckdb
import pandas as pd

import atlas.reference
from atlas.reference.extract import Conventions
from atlas.reference.indicators import ReferenceResult, compute, log
from atlas.reference.project import DEFAULT_SMALL_CELL_THRESHOLD, SEED_DIR


def write_outputs(result: ReferenceResult, out: Path) -> None:
    """A DuckDB file (out ending in .duckdb) with one table per indicator code plus
    indicator_values, indicator_cells_computed and row_reasons; else a directory of Parquet files
    with the same names."""
    tables: dict[str, pd.DataFrame] = {
        "indicator_values": result.indicator_values,
        "indicator_cells_computed": result.cells,
        "row_reasons": result.reasons,
    }
    for code, table in result.indicator_values.groupby("indicator_code"):
        tables[str(code)] = table.reset_index(drop=True)
    if out.suffix == ".duckdb":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.unlink(missing_ok=True)
        with duckdb.connect(str(out)) as connection:
            for name, table in tables.items():
                connection.register("frame", table)
                connection.execute(f'create table "{name}" as select * from frame')
                connection.unregister("frame")
    else:
        out.mkdir(parents=True, exist_ok=True)
        with duckdb.connect() as connection:
            for name, table in tables.items():
                connection.register("frame", table)
                connection.execute(f"copy frame to '{out / (name + '.parquet')}' (format parquet)")
                connection.unregister("frame")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=atlas.reference.__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw-dir", type=Path, default=Path(os.environ.get("ATLAS_RAW_DIR", "data/raw")),
                        help="directory of the raw extract (default: $ATLAS_RAW_DIR or data/raw)")
    parser.add_argument("--raw-format", choices=["parquet", "csv"],
                        default=os.environ.get("ATLAS_RAW_FORMAT", "parquet"),
                        help="format of the raw files (default: $ATLAS_RAW_FORMAT or parquet)")
    parser.add_argument("--csv-delimiter", choices=[",", ";"], default=",",
                        help="CSV separator (default: %(default)s)")
    parser.add_argument("--csv-encoding", choices=["utf-8", "latin-1", "windows-1252"], default="utf-8",
                        help="CSV encoding (default: %(default)s)")
    parser.add_argument("--day-first-dates", action="store_true",
                        help="read dates written DD/MM/YYYY too (as the run command does when it detects them)")
    parser.add_argument("--out", type=Path, required=True,
                        help="a .duckdb file to (re)create, or a directory for one Parquet file per table")
    parser.add_argument("--threshold", type=int, default=DEFAULT_SMALL_CELL_THRESHOLD,
                        help="small-cell threshold: cells of 1 to N-1 individuals or beneficiaries are "
                             "withheld; 1 disables suppression (default: %(default)s)")
    parser.add_argument("--seed-dir", type=Path, default=SEED_DIR, help="seed CSVs (default: the project's)")
    args = parser.parse_args(argv)
    log(f"reference: raw {args.raw_dir} ({args.raw_format}), threshold {args.threshold}")
    conventions = Conventions(args.csv_delimiter, args.csv_encoding, args.day_first_dates)
    result = compute(args.raw_dir, args.raw_format, args.threshold, args.seed_dir, conventions=conventions)
    write_outputs(result, args.out)
    log(f"wrote {result.indicator_values['indicator_code'].nunique()} indicator tables to {args.out}")
    return 0
