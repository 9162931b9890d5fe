"""Reading the built (working or published) DuckDB file, read-only: the tables `indicators` and
`indicator_values` are all the report needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import duckdb

from atlas.indicator_models import STANDARDISED_COLUMNS
from atlas.report.model import Cell, Indicator, IndicatorData, Standardised

REQUIRED_TABLES = ("indicators", "indicator_values")
TOTAL = "total"
CELL_COLUMNS = ("year, geo_level, geo_code, geo_name, geo_name_nl, age_band, numerator, denominator, value, "
                "suppression_flag")
# In the order of model.Standardised's fields, which is the published one.
STANDARDISED_SELECT = ", ".join(STANDARDISED_COLUMNS)


def read_database(database: Path) -> list[IndicatorData]:
    """Every indicator with its cells, in code order; stops with a clear message when the database
    is missing, lacks a table or has no indicators."""
    if not database.is_file():
        raise SystemExit(f"[report] error: no database file {database}: build it first (bash scripts/run.sh) "
                         "or pass --database")
    print(f"[report] reading {database} (read-only)", flush=True)
    with duckdb.connect(str(database), read_only=True) as connection:
        check_tables(connection)
        indicators = read_indicators(connection)
        datasets = []
        for number, indicator in enumerate(indicators, start=1):
            datasets.append(read_indicator_data(connection, indicator))
            if number % 10 == 0 or number == len(indicators):
                print(f"[report] read {number}/{len(indicators)} indicators", flush=True)
    if not datasets:
        raise SystemExit("[report] error: the indicators table is empty")
    return datasets


def check_tables(connection: duckdb.DuckDBPyConnection) -> None:
    present = {row[0] for row in connection.execute(
        "select table_name from information_schema.tables").fetchall()}
    missing = [name for name in REQUIRED_TABLES if name not in present]
    if missing:
        raise SystemExit(f"[report] error: the database has no table {', '.join(missing)}: "
                         "build it first (bash scripts/run.sh)")


def read_indicators(connection: duckdb.DuckDBPyConnection) -> list[Indicator]:
    rows = connection.execute(
        "select indicator_code, title_fr, title_nl, unit, description_fr, calculation_method_fr, dimensions, "
        "smallest_geo_level, first_year, reference_population from indicators order by indicator_code").fetchall()
    return [Indicator(code=str(r[0]), title_fr=str(r[1] or r[0]), title_nl=r[2], unit=str(r[3] or ""),
                      description_fr=r[4], calculation_method_fr=r[5],
                      has_age_bands=(r[6] or "none") != "none", smallest_geo_level=r[7], first_year=r[8],
                      reference_population=r[9])
            for r in rows]


def read_cells(connection: duckdb.DuckDBPyConnection, where: str, parameters: Sequence[Any]) -> list[Cell]:
    rows = connection.execute(
        f"select {CELL_COLUMNS}, {STANDARDISED_SELECT} from indicator_values where {where} "
        "order by geo_level, geo_code, year, age_band", list(parameters)).fetchall()
    return [Cell(int(r[0]), str(r[1]), str(r[2]), r[3], r[4], str(r[5]), r[6], r[7], r[8], r[9], Standardised(*r[10:]))
            for r in rows]


def read_indicator_data(connection: duckdb.DuckDBPyConnection, indicator: Indicator) -> IndicatorData:
    years = [int(r[0]) for r in connection.execute(
        "select distinct year from indicator_values where indicator_code = ? order by year",
        [indicator.code]).fetchall()]
    if not years:
        return IndicatorData(indicator, [], [], [], [])
    latest = years[-1]
    trend = read_cells(connection, "indicator_code = ? and geo_level in ('country', 'region') and age_band = ?",
                       [indicator.code, TOTAL])
    # Only indicators with age bands have rows other than the total, so the others skip the query.
    age_bands = read_cells(
        connection, "indicator_code = ? and geo_level in ('country', 'region') and age_band <> ? and year = ?",
        [indicator.code, TOTAL, latest]) if indicator.has_age_bands else []
    communes = read_cells(connection, "indicator_code = ? and geo_level = 'commune' and age_band = ? and year = ?",
                          [indicator.code, TOTAL, latest])
    return IndicatorData(indicator, years, trend, age_bands, communes)
