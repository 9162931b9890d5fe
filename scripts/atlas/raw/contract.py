"""The raw data contract, read from the one place it is written: the columns and data types of the
dbt sources (models/staging/ima/_ima__sources.yml). The structural check, the synthetic-data
generator, the reference implementation and the tests all take it from here."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml  # type: ignore[import-untyped,unused-ignore]  # no stubs in requirements.txt

from atlas.paths import PROJECT_DIR

SOURCES_FILE = PROJECT_DIR / "models" / "staging" / "ima" / "_ima__sources.yml"
CONTRACT_KINDS = ("string", "integer", "date")
DUCKDB_TYPES = {"string": "varchar", "integer": "integer", "date": "date"}


class ContractError(ValueError):
    """The sources file does not state the contract as expected."""


@cache
def raw_contract() -> dict[str, dict[str, str]]:
    """{source table: {column: kind}}, kinds being string, integer or date, in file order."""
    document: dict[str, Any] = yaml.safe_load(SOURCES_FILE.read_text(encoding="utf-8"))
    contract: dict[str, dict[str, str]] = {}
    for source in document["sources"]:
        for table in source["tables"]:
            columns = {column["name"]: column.get("data_type") for column in table.get("columns", [])}
            unknown = {name: kind for name, kind in columns.items() if kind not in CONTRACT_KINDS}
            if unknown:
                raise ContractError(f"{SOURCES_FILE}: table {table['name']}: columns without a data_type among "
                                    f"{', '.join(CONTRACT_KINDS)}: {unknown}")
            contract[table["name"]] = {name: str(kind) for name, kind in columns.items()}
    return contract


def contract_columns(source: str) -> tuple[str, ...]:
    """The contract's column names of one source, in order."""
    return tuple(raw_contract()[source])


def duckdb_columns(source: str) -> dict[str, str]:
    """{column: DuckDB type} of one source, to write or cast a file in the contract's types."""
    return {name: DUCKDB_TYPES[kind] for name, kind in raw_contract()[source].items()}
