"""The raw files the generator writes: their names, their columns (the raw contract's, in its
order and types, from models/staging/ima/_ima__sources.yml) and how they are written."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import duckdb

from atlas.raw.contract import duckdb_columns, raw_contract
from atlas.synthetic.config import FILE_FORMATS, GeneratorError
from atlas.synthetic.sql import sql_string


def raw_file(out_dir: Path, source: str, year: int, file_format: str) -> Path:
    return out_dir / f"{source}_{year}.{file_format}"


def existing_raw_files(out_dir: Path) -> list[Path]:
    """Files in `out_dir` the build would read along with the generated ones."""
    if not out_dir.is_dir():
        return []
    patterns = [f"{source}*.{file_format}" for source in raw_contract() for file_format in FILE_FORMATS]
    return sorted({path for pattern in patterns for path in out_dir.glob(pattern)})


def contract_select_list(source: str, computed: Mapping[str, str] | None = None) -> str:
    """The select list of a `source` file: every column of the raw contract, in its order, taken
    as it is from the query's table unless `computed` gives its SQL expression. Each is cast to
    the contract's type, so the file's types never depend on how an expression was written."""
    expressions = dict(computed or {})
    columns = duckdb_columns(source)
    outside = sorted(set(expressions) - set(columns))
    if outside:
        raise GeneratorError(f"columns {', '.join(outside)} are not in the raw contract of {source}")
    return ", ".join(f"cast({expressions.get(name, name)} as {sql_type}) as {name}"
                     for name, sql_type in columns.items())


def copy_options(file_format: str) -> str:
    return "format csv, header true" if file_format == "csv" else "format parquet, compression zstd"


def copy_to_file(connection: duckdb.DuckDBPyConnection, query: str, path: Path, file_format: str) -> int:
    """COPY a query to `path` through a `.partial` name, so an interrupted run leaves no raw file."""
    partial = path.with_name(path.name + ".partial")
    written = connection.execute(
        f"copy ({query}) to {sql_string(str(partial))} ({copy_options(file_format)})"
    ).fetchall()[0][0]
    partial.replace(path)
    return int(written)
