"""Check the structure of a raw extract before anything is built (README "Structural checks").

Every file of both sources must be readable, hold every required column of the raw data
contract under its exact name, and, in Parquet, give the typed columns a usable type. Each
problem is reported with the file, the column and what was expected; the exit code is 2 when
there is any, 0 otherwise. Extra columns are ignored, with a notice. Row-level problems (a
date that does not parse in a CSV, a missing person id, ...) are not errors here: the build
quarantines those rows with a reason.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import duckdb

SOURCES = ("beneficiaries", "claims")
FORMATS = ("parquet", "csv")

# The raw data contract (README "Raw data contract"): column -> kind of value.
REQUIRED_COLUMNS: dict[str, dict[str, str]] = {
    "beneficiaries": {
        "person_id": "text", "year": "integer", "birth_year": "integer", "sex": "text",
        "death_date": "date", "commune_dec31": "text", "sector_dec31": "text",
        "commune_jun30": "text", "sector_jun30": "text",
    },
    "claims": {
        "person_id": "text", "service_date": "date", "nomenclature_code": "text", "quantity": "integer",
        "provider_profession": "text", "provider_qualification": "text", "billing_practice_id": "text",
    },
}

INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT"}
# Text is accepted for dates: the build parses it and quarantines rows that do not parse.
DATE_TYPES = {"DATE", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE",
              "VARCHAR"}
EXPECTED_TYPE_TEXT = {
    "integer": "an integer type (INTEGER, BIGINT, ...)",
    "date": "DATE, TIMESTAMP or text in YYYY-MM-DD",
}


@dataclass
class CheckResult:
    """What the check found: errors stop the run, notices are only printed."""

    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    file_format: str = "parquet"

    @property
    def ok(self) -> bool:
        return not self.errors


def source_files(raw_dir: Path, source: str, file_format: str) -> list[Path]:
    return sorted(raw_dir.glob(f"{source}*.{file_format}"))


def detect_format(raw_dir: Path, result: CheckResult) -> str | None:
    """The one format the extract is delivered in; mixed or missing formats are errors."""
    present = [fmt for fmt in FORMATS if any(source_files(raw_dir, source, fmt) for source in SOURCES)]
    if not present:
        result.errors.append(
            f"{raw_dir}: no raw extract found: expected beneficiaries*.parquet and claims*.parquet "
            "(or beneficiaries*.csv and claims*.csv)")
        return None
    if len(present) > 1:
        result.errors.append(
            f"{raw_dir}: holds both Parquet and CSV raw files; deliver every file in one format "
            "(the build reads only one)")
        return None
    return present[0]


def read_columns(connection: duckdb.DuckDBPyConnection, path: Path, file_format: str) -> dict[str, str]:
    """Column name -> DuckDB type of one file. A CSV is read in full, so that a malformed line
    (a wrong number of fields, a broken quote) is reported here, with its line number."""
    quoted = "'" + str(path).replace("'", "''") + "'"
    if file_format == "csv":
        # The same dialect as the dbt source: the contract's CSV is comma-separated, double-quoted.
        reader = f"read_csv({quoted}, header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"')"
        connection.execute(f"select count(*) from {reader}").fetchall()
    else:
        reader = f"read_parquet({quoted})"
    rows = connection.execute(f"describe select * from {reader}").fetchall()
    return {str(row[0]): str(row[1]) for row in rows}


def first_line(error: Exception) -> str:
    """DuckDB's message without the echo of our own query (its 'LINE 1:' part)."""
    message = str(error).split("\nLINE ")[0]
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return " ".join(lines[:3]) if lines else type(error).__name__


def check_file(connection: duckdb.DuckDBPyConnection, path: Path, source: str, file_format: str,
               result: CheckResult) -> None:
    try:
        columns = read_columns(connection, path, file_format)
    except duckdb.Error as error:
        result.errors.append(f"{path}: cannot be read as {file_format.upper()}: {first_line(error)}")
        return
    # DuckDB (and Spark) resolve column names whatever their letter case: so does the check.
    columns = {name.lower(): column_type for name, column_type in columns.items()}
    required = REQUIRED_COLUMNS[source]
    for name, kind in required.items():
        if name not in columns:
            unclaimed = [column for column in columns if column not in required]
            guess = difflib.get_close_matches(name, unclaimed, n=1, cutoff=0.6)
            hint = f"; did you mean '{guess[0]}'?" if guess else ""
            result.errors.append(
                f"{path}: required column '{name}' ({kind}) is missing{hint} "
                f"(found: {', '.join(columns) or 'no columns'})")
        elif file_format == "parquet" and kind in EXPECTED_TYPE_TEXT:
            allowed = INTEGER_TYPES if kind == "integer" else DATE_TYPES
            if columns[name] not in allowed:
                result.errors.append(
                    f"{path}: column '{name}' has type {columns[name]}; expected {EXPECTED_TYPE_TEXT[kind]}")
    extra = [column for column in columns if column not in required]
    if extra:
        result.notices.append(f"{path}: extra column(s) ignored: {', '.join(extra)}")


def check_extract(raw_dir: Path) -> CheckResult:
    """Check every raw file of raw_dir against the contract."""
    result = CheckResult()
    if not raw_dir.is_dir():
        result.errors.append(f"{raw_dir}: the raw directory does not exist")
        return result
    file_format = detect_format(raw_dir, result)
    if file_format is None:
        return result
    result.file_format = file_format
    with duckdb.connect() as connection:
        for source in SOURCES:
            files = source_files(raw_dir, source, file_format)
            if not files:
                result.errors.append(
                    f"{raw_dir}: no {source} file: expected {source}*.{file_format} beside the other source")
            for path in files:
                check_file(connection, path, source, file_format, result)
    return result


def report(result: CheckResult) -> None:
    for notice in result.notices:
        print(f"[check] notice: {notice}", flush=True)
    for error in result.errors:
        print(f"[check] error: {error}", file=sys.stderr, flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw-dir", type=Path, default=Path("data/raw"),
                        help="directory of the raw extract (default: data/raw)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    result = check_extract(args.raw_dir.resolve())
    report(result)
    if result.ok:
        print(f"[check] {args.raw_dir}: structure as the contract requires ({result.file_format})")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
