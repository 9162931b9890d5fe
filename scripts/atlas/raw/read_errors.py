"""DuckDB's errors on reading a raw file, told in the structural check's words: its message
without the echo of our query, and, for a CSV file its sniffer gave up on, the line at fault."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from atlas.publication.sql_text import quote_literal as quoted
from atlas.raw.conventions import CsvDialect


def first_line(error: Exception) -> str:
    """DuckDB's message without the echo of our own query (its 'LINE 1:' part)."""
    message = str(error).split("\nLINE ")[0]
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return " ".join(lines[:3]) if lines else type(error).__name__


def header_columns(path: Path, dialect: CsvDialect) -> list[str]:
    """The column names of a CSV file's first line, as the delimiter and quotes split it."""
    with path.open(encoding=dialect.encoding or "utf-8", errors="replace", newline="") as file:
        header = next(csv.reader(file, delimiter=dialect.delimiter), [])
    return [name.lstrip("\ufeff") for name in header]


def malformed_csv_line(connection: duckdb.DuckDBPyConnection, path: Path, dialect: CsvDialect) -> str | None:
    """DuckDB's complaint about the first line of a CSV file it cannot read, naming that line, or
    None when the file reads. DuckDB's sniffer gives up on a whole file for one line (an
    unterminated quote, a row of extra fields: "not possible to automatically detect the CSV
    parsing dialect") without saying where; read without sniffing, with the dialect the check
    detected and the header's columns as text, DuckDB names the line and shows it."""
    try:
        names = header_columns(path, dialect)
    except OSError:
        return None
    if not names:
        return None
    columns = "{" + ", ".join(f"{quoted(name)}: 'VARCHAR'" for name in names) + "}"
    try:
        connection.execute(
            f"select count(*) from read_csv({quoted(str(path))}, header = true, auto_detect = false, "
            f"columns = {columns}, delim = {quoted(dialect.delimiter)}, quote = '\"', escape = '\"', "
            f"encoding = {quoted(dialect.encoding or 'utf-8')})").fetchall()
    except duckdb.Error as error:
        return first_line(error)
    return None
