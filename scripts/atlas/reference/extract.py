"""Step 1: the raw extract as delivered (README "The raw contract"): the `beneficiaries*` and
`claims*` files of a raw directory, CSV as text, Parquet with its own types (parsing.py reads
either)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import duckdb
import pandas as pd

from atlas.raw.contract import contract_columns

BENEFICIARY_COLUMNS = contract_columns("beneficiaries")
CLAIM_COLUMNS = contract_columns("claims")


def raw_files(raw_dir: Path, source: str, raw_format: str) -> list[Path]:
    """Each source may be split over several files (e.g. one per year): beneficiaries*.parquet."""
    files = sorted(raw_dir.glob(f"{source}*.{raw_format}"))
    if not files:
        raise SystemExit(f"no {source}*.{raw_format} file in {raw_dir}")
    return files


@functools.cache
def parquet_reader() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB connection to read Parquet files with (opening one costs more than
    reading a small file, and the property test runs the reference hundreds of times)."""
    return duckdb.connect()


@dataclass(frozen=True)
class Conventions:
    """How the extract is written, where the contract allows a choice (docs/raw_data.md "Structural
    checks"): the CSV separator and encoding (a UTF-8 byte-order mark is skipped), and whether
    dates may be written DD/MM/YYYY."""

    csv_delimiter: str = ","
    csv_encoding: str = "utf-8"
    day_first: bool = False


def read_raw(raw_dir: Path, source: str, columns: Sequence[str], raw_format: str,
             conventions: Conventions = Conventions()) -> pd.DataFrame:
    """The raw rows of one source: CSV entirely as text (a header, no types), Parquet with its
    own column types (parsing.py reads text or typed values alike). Extra columns are
    ignored; a missing column is an error, as in the structural checks."""
    frames: list[pd.DataFrame] = []
    encoding = "utf-8-sig" if conventions.csv_encoding == "utf-8" else conventions.csv_encoding
    for path in raw_files(raw_dir, source, raw_format):
        if raw_format == "csv":
            # Text as written: no NA guessing, so "NA" stays a value and a blank is a blank.
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False,
                                sep=conventions.csv_delimiter, encoding=encoding)
        else:
            # pandas needs pyarrow for Parquet; DuckDB is only the file reader here.
            frame = parquet_reader().execute("select * from read_parquet(?)", [str(path)]).df()
        # Column names in any letter case (structural checks); the first of a name is taken.
        frame.columns = [str(column).lower() for column in frame.columns]
        frame = frame.loc[:, ~frame.columns.duplicated()]
        missing = [column for column in columns if column not in frame.columns]
        if missing:
            raise SystemExit(f"{path}: missing column(s) {', '.join(missing)}")
        frames.append(frame[list(columns)])
    # Files may disagree on a column's type (one typed, one text): pandas then keeps both as
    # objects, which parsing.py accepts.
    return pd.concat(frames, ignore_index=True)
