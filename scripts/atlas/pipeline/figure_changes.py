"""The plausibility gate's look at the figures themselves: each indicator's country figure of a
year against the previous build's (docs/running.md "Plausibility gate").

A delivery can keep every row and still change what counts: nomenclature codes that no longer
match the seeds' code lists, a claims file swapped for another's. No row is quarantined and no
volume moves, but the figures of a year already published collapse or jump. A re-delivered year
moves by its late bills (a recent claims year up to about 10%); the figures of the same year
moving by more than the gate's share are named here. Years not in both builds are not compared:
a new year has nothing to compare with, a withdrawn one is a finding of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

# (indicator_code, year) -> (numerator, value): the country, all ages, as published (None where withheld).
Figures = dict[tuple[str, int], tuple[int | None, float | None]]


def rows_of(database: Path, sql: str) -> list[tuple[Any, ...]] | None:
    """The rows of a query on an earlier build's file, read-only; None when there is no such file,
    or it is not a build (another layout, not DuckDB): then there is nothing to compare with."""
    if not database.is_file():
        return None
    try:
        with duckdb.connect(str(database), read_only=True) as connection:
            return connection.execute(sql).fetchall()
    except duckdb.Error:
        return None


def country_figures(database: Path) -> Figures | None:
    """The country figures of indicator_values in a working or published database."""
    rows = rows_of(database, "select indicator_code, year, numerator, value from indicator_values"
                             " where geo_level = 'country' and age_band = 'total'")
    if rows is None:
        return None
    return {(code, int(year)): (None if numerator is None else int(numerator), None if value is None else float(value))
            for code, year, numerator, value in rows}


def changed_figures(figures: Figures, previous: Figures, max_change: float,
                    min_numerator: int) -> dict[int, list[tuple[str, float, float | None]]]:
    """Per year, the indicators whose value moved by more than max_change against the previous
    build's, or is now withheld (a collapse to a small count), largest move first: (code, previous
    value, value). A previous numerator under min_numerator is too small to tell a delivery's
    change from chance."""
    moved: dict[int, list[tuple[str, float, float | None]]] = {}
    for (code, year), (numerator, value) in previous.items():
        now = figures.get((code, year))
        if now is None or numerator is None or value is None or numerator < min_numerator or value == 0:
            continue
        if now[1] is None or abs(now[1] - value) > max_change * abs(value):
            moved.setdefault(year, []).append((code, value, now[1]))
    return {year: sorted(found, key=lambda item: -_relative_move(item[1], item[2]))
            for year, found in sorted(moved.items())}


def _relative_move(before: float, after: float | None) -> float:
    return 1.0 if after is None else abs(after - before) / abs(before)


def describe(year: int, moved: list[tuple[str, float, float | None]]) -> str:
    """One line for a year: its largest moves, and how many indicators moved."""
    shown = ", ".join(f"{code} {before:g} -> withheld" if after is None else
                      f"{code} {before:g} -> {after:g} ({(after - before) / before:+.0%})"
                      for code, before, after in moved[:3])
    more = f", and {len(moved) - 3} other indicator(s)" if len(moved) > 3 else ""
    return f"figures of {year} far from the previous build's: {shown}{more}"
