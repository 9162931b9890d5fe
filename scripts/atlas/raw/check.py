"""Check the structure of a raw extract before anything is built (docs/raw_data.md).

Every entry of the raw directory must be a source file of the contract or plainly none
(raw_files.py); every file of both sources must be readable, hold every required column of the
raw data contract, in Parquet give the typed columns a usable type (person_id one type in every
file), and be written in a convention the build reads (raw_conventions.py: CSV separator,
encoding, date form, detected and printed). No file or year may be delivered twice. Each
problem is reported with the file, the column and what was expected; the exit code is 2 when
there is any, 0 otherwise. Extra columns and stray files are ignored, with a notice. Row-level
problems (one date that does not parse, a missing person id, ...) are not errors here: the
build quarantines those rows with a reason. The rows counted per file are handed to the build,
whose reconciliation checks that it read every one.
"""

from __future__ import annotations

import argparse
import difflib
import re
import shutil
import sys
from pathlib import Path
from typing import Sequence

import duckdb

from atlas.publication.sql_text import quote_literal as quoted
from atlas.raw.check_result import CheckResult
from atlas.raw.contract import raw_contract

from atlas.raw.conventions import (
    BELGIAN_TIME_ZONE, DATE_COLUMNS, DMY_DATE, ISO_DATE, SAMPLE_ROWS, VALUE_FORMS, CsvDialect, check_values,
    detect_dialect, extract_dialect)
from atlas.raw.files import (
    FORMATS, SOURCES, RawFile, identical_files, list_extract, repeated_years, source_files)
from atlas.raw.read_errors import first_line, malformed_csv_line
from atlas.raw.transcoding import WINDOWS_1252, write_utf8_copies

__all__ = ["FORMATS", "SOURCES", "CheckResult", "check_extract", "report", "source_files"]

# The raw data contract, read from the dbt sources: {source: {column: string, integer or date}}.
REQUIRED_COLUMNS: dict[str, dict[str, str]] = raw_contract()

INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT"}
# Text is accepted for dates: the build parses it and quarantines rows that do not parse.
DATE_TYPES = {"DATE", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE",
              "VARCHAR"}
# Text columns hold identifiers and codes: text (BLOB is text some writers leave unannotated), or
# whole numbers, which the build writes back as the code's digits (zero-padded where the contract
# fixes a width). A decimal, a float or a nested value would become text such as '459.0' or '[459]'
# that no code list matches, silently: a column so typed is refused.
TEXT_TYPES = {"VARCHAR", "BLOB"} | INTEGER_TYPES
WHOLE_DECIMAL = re.compile(r"DECIMAL\(\d+,0\)")
EXPECTED_TYPE_TEXT = {
    "integer": "an integer type (INTEGER, BIGINT, ...)",
    "date": f"DATE, TIMESTAMP or text in {ISO_DATE} or {DMY_DATE}",
    "string": "text (VARCHAR), or whole numbers for a code",
}


def fits_contract(kind: str, column_type: str) -> bool:
    """Whether a Parquet column of this DuckDB type can be read as the contract's kind."""
    if kind == "integer":
        return column_type in INTEGER_TYPES
    if kind == "date":
        return column_type in DATE_TYPES
    return column_type in TEXT_TYPES or WHOLE_DECIMAL.fullmatch(column_type) is not None


# The column whose values tell which years a file delivers.
YEAR_COLUMN = {"beneficiaries": "year", "claims": "service_date"}


def reader(path: Path, file_format: str, dialect: CsvDialect) -> str:
    if file_format == "parquet":
        return f"read_parquet({quoted(str(path))})"
    # The same dialect as the dbt source (models/staging/ima/_ima__sources.yml).
    return (f"read_csv({quoted(str(path))}, header = true, all_varchar = true, delim = {quoted(dialect.delimiter)}, "
            f"quote = '\"', escape = '\"', encoding = {quoted(dialect.encoding or 'utf-8')})")


def year_expression(column: str, column_type: str) -> str:
    """The year of each row, as cheap as the column's type allows (one column is read)."""
    name = f'"{column}"'
    if column_type in INTEGER_TYPES:
        return name
    if column_type == "TIMESTAMP WITH TIME ZONE":
        return f"year(timezone('{BELGIAN_TIME_ZONE}', {name}))"
    if column_type in DATE_TYPES - {"VARCHAR"}:
        return f"year({name})"
    # YYYY-MM-DD and DD/MM/YYYY alike: the first run of four digits.
    return f"try_cast(regexp_extract({name}, '[0-9]{{4}}') as integer)"


def count_rows(connection: duckdb.DuckDBPyConnection, raw_file: RawFile, source_sql: str,
               columns: dict[str, tuple[str, str]]) -> dict[int | None, int]:
    """Rows per year of the file. A CSV is read in full here, so that a malformed line (a wrong
    number of fields, a broken quote) is reported with its line number."""
    year_column = YEAR_COLUMN[raw_file.source]
    if year_column in columns:
        delivered_name, column_type = columns[year_column]
        expression = year_expression(delivered_name, column_type)
    else:
        expression = "null"
    rows = connection.execute(f"select {expression}, count(*) from {source_sql} group by 1").fetchall()
    return {None if year is None else int(year): int(count) for year, count in rows}


def check_file(connection: duckdb.DuckDBPyConnection, raw_file: RawFile, result: CheckResult,
               person_id_types: dict[Path, str]) -> dict[int, int]:
    """Check one file; its rows per (parsed) year, for the duplicate-year check."""
    path, source, file_format = raw_file.path, raw_file.source, raw_file.file_format
    source_sql = reader(result.read_path(path), file_format, result.read_dialect)
    try:
        described = connection.execute(f"describe select * from {source_sql}").fetchall()
    except duckdb.Error as error:
        line = malformed_csv_line(connection, result.read_path(path), result.read_dialect) \
            if file_format == "csv" else None
        result.errors.append(f"{path}: cannot be read as {file_format.upper()}: {line or first_line(error)}")
        return {}
    # DuckDB (and Spark) resolve column names whatever their letter case: so does the check.
    columns = {str(row[0]).lower(): (str(row[0]), str(row[1])) for row in described}
    required = REQUIRED_COLUMNS[source]
    for name, (_, column_type) in columns.items():
        result.column_types[source].setdefault(name, set()).add(column_type)
    for name, kind in required.items():
        if name not in columns:
            unclaimed = [column for column in columns if column not in required]
            guess = difflib.get_close_matches(name, unclaimed, n=1, cutoff=0.6)
            hint = f"; did you mean '{guess[0]}'?" if guess else ""
            result.errors.append(
                f"{path}: required column '{name}' ({kind}) is missing{hint} "
                f"(found: {', '.join(columns) or 'no columns'})")
        elif file_format == "parquet":
            if not fits_contract(kind, columns[name][1]):
                result.errors.append(
                    f"{path}: column '{name}' has type {columns[name][1]}; expected {EXPECTED_TYPE_TEXT[kind]}")
        if name in DATE_COLUMNS and columns.get(name, ("", ""))[1] == "TIMESTAMP WITH TIME ZONE":
            result.detected.append(f"{path}: column '{name}' is a date-time with a time zone: each becomes "
                                   f"its calendar date in {BELGIAN_TIME_ZONE}")
    if "person_id" in columns:
        person_id_types[path] = columns["person_id"][1]
    extra = [column for column in columns if column not in required]
    if extra:
        result.notices.append(f"{path}: extra column(s) ignored: {', '.join(extra)}")
    sampled = [name for name in (*VALUE_FORMS, *DATE_COLUMNS)
               if name in required and name in columns and columns[name][1] == "VARCHAR"]
    try:
        if sampled:
            select = ", ".join(f'"{columns[name][0]}"' for name in sampled)
            sample = connection.execute(f"select {select} from {source_sql} limit {SAMPLE_ROWS}").fetchall()
            forms = check_values(path, {name: [row[index] for row in sample] for index, name in enumerate(sampled)})
            result.errors += forms.errors
            result.detected += forms.notices
            result.day_first = result.day_first or forms.day_first
        year_rows = count_rows(connection, raw_file, source_sql, columns)
    except duckdb.Error as error:
        result.errors.append(f"{path}: cannot be read as {file_format.upper()}: {first_line(error)}")
        return {}
    result.file_rows[source][str(path)] = sum(year_rows.values())
    return {year: rows for year, rows in year_rows.items() if year is not None}


def check_person_id_types(person_id_types: dict[Path, str], result: CheckResult) -> None:
    """person_id joins the two sources: typed differently in two files (INTEGER here, text
    there: '00123' against 123), no claim would find its person."""
    if len(set(person_id_types.values())) > 1:
        listed = ", ".join(f"{path.name} {column_type}" for path, column_type in sorted(person_id_types.items()))
        result.errors.append(f"column 'person_id' is not of one type in every file ({listed}): "
                             "deliver it as text (VARCHAR) in every file")


def check_dialects(files: list[RawFile], result: CheckResult) -> None:
    dialects = {}
    for raw_file in files:
        dialect = detect_dialect(raw_file.path, list(REQUIRED_COLUMNS[raw_file.source]))
        if isinstance(dialect, str):
            result.errors.append(dialect)
        else:
            dialects[raw_file.path] = dialect
    result.dialect, errors = extract_dialect(dialects)
    result.errors += errors
    shown = result.dialect.encoding if result.dialect.encoding == WINDOWS_1252 else next(
        (dialect.encoding for dialect in dialects.values() if dialect.encoding), None)
    encoding = {None: "ASCII", "utf-8": "UTF-8", "latin-1": "Latin-1 (or Windows-1252 without € and quotes)",
                WINDOWS_1252: "Windows-1252 (read from UTF-8 copies)"}
    result.detected.append(
        f"CSV: separator {result.dialect.delimiter!r}, encoding "
        f"{encoding[shown]}"
        + (", with a UTF-8 byte-order mark" if result.dialect.byte_order_mark else ""))


def check_extract(raw_dir: Path, copies_dir: Path | None = None) -> CheckResult:
    """Check every entry of raw_dir against the contract. A Windows-1252 extract is copied to
    UTF-8 into copies_dir (default: raw_dir's name + '.utf8' beside it), which the build then reads."""
    result = CheckResult(raw_dir=raw_dir)
    if not raw_dir.is_dir():
        result.errors.append(f"{raw_dir}: the raw directory does not exist")
        return result
    listing = list_extract(raw_dir)
    result.errors += listing.errors
    result.notices += listing.notices
    formats = listing.formats()
    if not formats:
        result.errors.append(
            f"{raw_dir}: no raw extract found: expected beneficiaries*.parquet and claims*.parquet "
            "(or beneficiaries*.csv and claims*.csv)")
        return result
    if len(formats) > 1:
        result.errors.append(f"{raw_dir}: holds both Parquet and CSV raw files; deliver every file in one format "
                             "(the build reads only one)")
        return result
    result.file_format = file_format = formats.pop()
    for source in SOURCES:
        if not any(raw_file.source == source for raw_file in listing.files):
            result.errors.append(
                f"{raw_dir}: no {source} file: expected {source}*.{file_format} beside the other source")
    if file_format == "csv":
        check_dialects(listing.files, result)
        if not result.ok:
            return result
        if result.dialect.encoding == WINDOWS_1252:
            result.read_dir = copies_dir or raw_dir.with_name(raw_dir.name + ".utf8")
            result.copies = write_utf8_copies([raw_file.path for raw_file in listing.files], result.read_dir)
    person_id_types: dict[Path, str] = {}
    year_rows: dict[str, dict[Path, dict[int, int]]] = {source: {} for source in SOURCES}
    with duckdb.connect() as connection:
        connection.execute(f"set TimeZone = '{BELGIAN_TIME_ZONE}'")  # as the build (profiles.yml)
        for raw_file in listing.files:
            year_rows[raw_file.source][raw_file.path] = check_file(connection, raw_file, result, person_id_types)
    check_person_id_types(person_id_types, result)
    result.errors += identical_files(listing.files)
    for source in SOURCES:
        result.errors += repeated_years(source, year_rows[source])
        for path, years in sorted(year_rows[source].items()):
            result.file_years[str(path)] = sorted(years)
            for year, rows_of_year in years.items():
                result.year_rows[source][year] = result.year_rows[source].get(year, 0) + rows_of_year
            rows = result.file_rows[source].get(str(path), 0)
            result.detected.append(f"{path.name}: {rows:,} rows ({', '.join(map(str, sorted(years))) or 'no year'})")
    if result.day_first:
        result.detected.append(f"dates: {DMY_DATE} (and {ISO_DATE}) read as dates")
    return result


def report(result: CheckResult) -> None:
    for line in result.detected:
        print(f"[check] detected: {line}", flush=True)
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
    if result.read_dir is not None:  # the copies serve a build, and this check builds nothing
        shutil.rmtree(result.read_dir, ignore_errors=True)
    report(result)
    if result.ok:
        print(f"[check] {args.raw_dir}: structure as the contract requires ({result.file_format})")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
