"""Raw extracts as providers deliver them: CSV in the Belgian conventions, and the file-level
mistakes the structural check must stop (tests/python/test_bad_input.py, test_csv_input.py)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable, Iterable

import duckdb

from conftest import BENEFICIARY_COLUMNS, CLAIM_COLUMNS

Row = dict[str, Any]


def day_first(column: str, value: str) -> str:
    """A YYYY-MM-DD date as a Belgian spreadsheet writes it: DD/MM/YYYY."""
    if column.endswith("_date") and len(value) == 10 and value[4] == "-":
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
    return value


def write_csv(path: Path, columns: Iterable[str], rows: list[Row], separator: str = ",", encoding: str = "utf-8",
              byte_order_mark: bool = False, convert: Callable[[str, str], str] = lambda column, value: value,
              line_end: str = "\n") -> None:
    """A CSV file written by hand (no quoting needed: the test values hold no separator)."""
    names = list(columns)
    lines = [separator.join(names)] + [
        separator.join("" if row.get(name) is None else convert(name, str(row[name])) for name in names)
        for row in rows]
    text = line_end.join(lines) + line_end
    path.write_bytes((b"\xef\xbb\xbf" if byte_order_mark else b"") + text.encode(encoding))


def write_csv_extract(raw_dir: Path, beneficiaries: list[Row], claims: list[Row], **convention: Any) -> Path:
    raw_dir.mkdir(parents=True, exist_ok=True)
    write_csv(raw_dir / "beneficiaries.csv", BENEFICIARY_COLUMNS, beneficiaries, **convention)
    write_csv(raw_dir / "claims.csv", CLAIM_COLUMNS, claims, **convention)
    return raw_dir


def parquet_to_csv(raw_dir: Path, **convention: Any) -> None:
    """Replace the Parquet extract of raw_dir by the same rows in CSV, written as `convention` says."""
    with duckdb.connect() as connection:
        for path in sorted(raw_dir.glob("*.parquet")):
            table = connection.execute(f"select * from read_parquet('{path}')").fetchdf()
            rows = [{name: (None if value is None or value != value else str(value)[:10] if "date" in name
                            else str(value)) for name, value in record.items()}
                    for record in table.to_dict("records")]
            write_csv(path.with_suffix(".csv"), table.columns, rows, **convention)
            path.unlink()


def rewrite(raw_dir: Path, file_name: str, select_sql: str, target: str | None = None) -> Path:
    """Write `select_sql` over one Parquet file of the extract (view `f`) to `target` (default: in place)."""
    path = raw_dir / file_name
    staged = raw_dir / ".staged.parquet"
    with duckdb.connect() as connection:
        connection.execute(f"create view f as select * from read_parquet('{path}')")
        connection.execute(f"copy ({select_sql}) to '{staged}' (format parquet)")
    destination = raw_dir / (target or file_name)
    destination.parent.mkdir(parents=True, exist_ok=True)
    staged.replace(destination)
    return destination


def copy_as(raw_dir: Path, file_name: str, new_name: str) -> None:
    shutil.copyfile(raw_dir / file_name, raw_dir / new_name)


def part_files(raw_dir: Path) -> None:
    """A year delivered as Spark writes it: a folder named like a file, holding part files."""
    rewrite(raw_dir, "claims_2020.parquet", "select * from f where false",
            "claims_2021.parquet/part-00000-1b2c.snappy.parquet")
    (raw_dir / "claims_2021.parquet" / "_SUCCESS").write_text("")


def second_file_of_a_year(raw_dir: Path, source: str) -> None:
    """The same year sent again under a new name, not byte for byte (a row fewer)."""
    rewrite(raw_dir, f"{source}_2020.parquet", "select * from f limit (select count(*) - 1 from f)",
            f"{source}_2020_resent.parquet")


def person_id_typed_integer(raw_dir: Path) -> None:
    """A second claims file whose person_id is INTEGER where the first holds it as text."""
    rewrite(raw_dir, "claims_2020.parquet",
            "select * replace (cast(regexp_extract(person_id, '[0-9]+') as integer) as person_id) from f",
            "claims_2021.parquet")


def csv_extract(raw_dir: Path, **convention: Any) -> Path:
    parquet_to_csv(raw_dir, **convention)
    return raw_dir


def edit_csv(raw_dir: Path, file_name: str, edit: Callable[[bytes], bytes]) -> None:
    path = raw_dir / file_name
    path.write_bytes(edit(path.read_bytes()))


def replace_column(raw_dir: Path, file_name: str, column: str, value: str, separator: str = ",") -> None:
    """Every value of one CSV column replaced (a whole-column convention)."""
    path = raw_dir / file_name
    lines = path.read_text(encoding="utf-8").splitlines()
    index = lines[0].split(separator).index(column)
    rows = [line.split(separator) for line in lines[1:]]
    for row in rows:
        row[index] = value
    path.write_text("\n".join([lines[0], *(separator.join(row) for row in rows)]) + "\n", encoding="utf-8")
