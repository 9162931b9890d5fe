"""The standardised figures (docs/standardisation.md) as an outsider reads them, and the count
each one gives back: `standardised_ratio = O / expected`, so ratio x expected is the row's
numerator O.

Every table of the publication with the row key and any standardised column is read (the
indicator tables and indicator_values): the outsider sees them all, and a figure published in
one table only is published all the same. A publication without these columns has no figure.
"""

from __future__ import annotations

import duckdb
import numpy as np
import numpy.typing as npt

from atlas.indicator_models import STANDARDISED_COLUMN_SPECS, STANDARDISED_COLUMNS
from atlas.publication.sql_text import quote_identifier, quote_literal

# As in relations.py, which imports this module through quantities.py.
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

TEXT_COLUMNS = tuple(name for name, data_type, _, _ in STANDARDISED_COLUMN_SPECS if data_type == "string")
ROW_KEY = ("indicator_code", "year", "geo_level", "geo_code", "age_band")
# The finest rounding a published figure is assumed to have: beyond it, its float error.
FINEST_DECIMALS = 9
RELATIVE_FLOAT_ERROR = 1e-12


def _column_type(column: str) -> str:
    return "varchar" if column in TEXT_COLUMNS else "double"


def read_standardised_rows(connection: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """Create `standardised_rows`: one row per key with a standardised figure in any table of
    the attached catalog, each column's value and whether two tables disagree on it."""
    tables = connection.execute("""
        select table_name, list(column_name) from duckdb_columns()
        where database_name = ? and schema_name = 'main' group by table_name order by table_name
    """, [catalog]).fetchall()
    selects = []
    for table, names in tables:
        present = set(STANDARDISED_COLUMNS) & set(names)
        if not present or not set(ROW_KEY) <= set(names):
            continue
        figures = ", ".join(f"{quote_identifier(c) if c in present else 'null'}::{_column_type(c)} as {c}"
                            for c in STANDARDISED_COLUMNS)
        selects.append(f"select {quote_literal(str(table))} as source_table, indicator_code, "
                       f"cast(year as integer) as year, geo_level, geo_code, age_band, {figures} "
                       f"from {catalog}.main.{quote_identifier(str(table))}")
    empty = ("select null::varchar as source_table, null::varchar as indicator_code, null::integer as year, "
             "null::varchar as geo_level, null::varchar as geo_code, null::varchar as age_band, "
             + ", ".join(f"null::{_column_type(c)} as {c}" for c in STANDARDISED_COLUMNS) + " where false")
    connection.execute("create table standardised_source as " + " union all ".join(selects or [empty]))
    values = ", ".join(f"max({c}) as {c}" for c in STANDARDISED_COLUMNS)
    conflicts = " or ".join(f"count(distinct {c}) > 1" for c in STANDARDISED_COLUMNS)
    published = " or ".join(f"{c} is not null" for c in STANDARDISED_COLUMNS)
    connection.execute(f"""
        create table standardised_rows as
        select indicator_code, year, geo_level, geo_code, age_band, {values}, {conflicts} as conflicting,
            list(distinct source_table order by source_table) as source_tables
        from standardised_source where {published}
        group by indicator_code, year, geo_level, geo_code, age_band
    """)
    connection.execute("drop table standardised_source")


def half_unit(values: FloatArray) -> FloatArray:
    """Half the last decimal place each figure may have been rounded to: the coarsest k in
    0..FINEST_DECIMALS at which it is a k-decimal number gives 0.5 * 10^-k, else its float
    error. A figure rounded at k decimals is a k-decimal number, so its true value lies within
    this; a figure that happens to look coarser only widens the interval (still sound)."""
    tolerance = RELATIVE_FLOAT_ERROR * np.maximum(1.0, np.abs(values))
    result = tolerance.copy()
    found = np.zeros(len(values), dtype=bool)
    for decimals in range(FINEST_DECIMALS + 1):
        here = ~found & (np.abs(values - np.round(values, decimals)) <= tolerance)
        result[here] = np.maximum(0.5 * 10.0 ** -decimals, tolerance[here])
        found |= here
    return result


def derive_observed_counts(connection: duckdb.DuckDBPyConnection) -> None:
    """Create `ratio_counts`: per published row with a ratio and an expected count, the interval
    of its numerator O = ratio x expected (both possibly rounded), the numerator's quantity and
    its published value, if any table publishes it."""
    frame = connection.execute("""
        select r.row_id, r.numerator_qid, s.standardised_ratio as ratio, s.expected,
            q.published_value
        from standardised_rows as s
        join row_quantities as r using (indicator_code, year, geo_level, geo_code, age_band)
        join quantities as q on q.qid = r.numerator_qid
        where s.standardised_ratio is not null and s.expected is not null
        order by r.row_id
    """).df()
    ratio = np.asarray(frame["ratio"], dtype=np.float64)
    expected = np.asarray(frame["expected"], dtype=np.float64)
    ratio_error, expected_error = half_unit(ratio), half_unit(expected)
    # Both are >= 0: the product is monotone in each.
    low = np.maximum(ratio - ratio_error, 0.0) * np.maximum(expected - expected_error, 0.0)
    high = (ratio + ratio_error) * (expected + expected_error)
    frame["lower"] = np.maximum(np.ceil(low - 1e-9), 0.0)
    frame["upper"] = np.floor(high + 1e-9)
    connection.register("ratio_frame", frame)
    connection.execute("create table ratio_counts as select * from ratio_frame")
    connection.unregister("ratio_frame")


def ratio_bounds(connection: duckdb.DuckDBPyConnection) -> tuple[IntArray, FloatArray, FloatArray]:
    """(qid, lower, upper) of the unpublished numerators that a ratio and expected bound; the
    published ones are checked against them instead (standardised_checks)."""
    columns = connection.execute("""
        select numerator_qid, lower, upper from ratio_counts where published_value is null order by row_id
    """).fetchnumpy()
    return (np.asarray(columns["numerator_qid"], dtype=np.int64),
            np.asarray(columns["lower"], dtype=np.float64), np.asarray(columns["upper"], dtype=np.float64))


def apply_ratio_bounds(connection: duckdb.DuckDBPyConnection, lower: FloatArray, upper: FloatArray) -> int:
    """Narrow the initial bounds by what ratio x expected says; returns how many quantities."""
    qids, low, high = ratio_bounds(connection)
    np.maximum.at(lower, qids, low)
    np.minimum.at(upper, qids, high)
    return len(np.unique(qids))
