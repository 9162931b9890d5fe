"""The structural check names the line of a CSV file that DuckDB's sniffer gives up on
(atlas.raw.read_errors); the whole check on such a file is in test_bad_input.py."""

from __future__ import annotations

from pathlib import Path

import duckdb

from atlas.raw.conventions import CsvDialect
from atlas.raw.read_errors import first_line, header_columns, malformed_csv_line

HEADER = "person_id;service_date;quantity"
COMMA_UTF8 = CsvDialect(",", "utf-8", False)
SEMICOLON_UTF8 = CsvDialect(";", "utf-8", True)


def test_the_header_is_split_as_the_dialect_says_without_its_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text("\ufeff" + HEADER + "\nP1;2020-01-02;1\n", encoding="utf-8")
    assert header_columns(path, SEMICOLON_UTF8) == ["person_id", "service_date", "quantity"]


def test_an_unterminated_quote_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    rows = [f"P{number},2020-01-02,1" for number in range(40)]
    rows[30] = '"P30,2020-01-02,1'
    path.write_text("person_id,service_date,quantity\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with duckdb.connect() as connection:
        message = malformed_csv_line(connection, path, COMMA_UTF8)
    assert message is not None
    assert "Line: 32" in message and '"P30,2020-01-02,1' in message  # the header is line 1


def test_a_file_that_reads_has_no_malformed_line(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text("person_id,service_date,quantity\nP1,2020-01-02,1\n", encoding="utf-8")
    with duckdb.connect() as connection:
        assert malformed_csv_line(connection, path, COMMA_UTF8) is None
        assert malformed_csv_line(connection, tmp_path / "absent.csv", COMMA_UTF8) is None


def test_duckdb_messages_lose_the_echo_of_the_query() -> None:
    with duckdb.connect() as connection:
        try:
            connection.execute("select * from no_such_table").fetchall()
        except duckdb.Error as error:
            message = first_line(error)
    assert "no_such_table" in message and "LINE 1" not in message
