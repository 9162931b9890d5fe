"""The build's own SQL for the standardised figures (int_indicator_rates_standardised, compiled
by dbt) run on the literature's worked examples (standardisation_worked_examples.py: PHE's
PHEindicatormethods test data) instead of the extract, so that the method the published tables
use, not only the reference's, is checked against published results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from atlas.paths import PROJECT_DIR
from compiled_project import CATALOG
from standardisation_worked_examples import DSR_EXAMPLE, ESP2013_5Y, ISR_EXAMPLE

MODEL = "int_indicator_rates_standardised"
DSR_YEAR, ISR_YEAR = 2020, 2021
UNIT = ("commune", "00001")
# The worked examples have nineteen 5-year bands of one population; the model takes its strata
# as they come (age band x sex), so they are given as bands of one sex.
BANDS = [f"{5 * i}-{5 * i + 4}" for i in range(18)] + ["90+"]


def stratum_rows(year: int, observed: list[int], population: list[int], reference_observed: list[int],
                 reference_population: list[int]) -> list[tuple[Any, ...]]:
    """The strata of the unit and of Belgium, whose beneficiaries are the reference population
    (the default standard_population 'belgium' weighs by them)."""
    rows = []
    for band, events, persons, belgium_events, belgium_persons in zip(
            BANDS, observed, population, reference_observed, reference_population):
        rows.append((year, *UNIT, band, "F", "V", persons, events, events))
        rows.append((year, "country", "BE", band, "F", "V", belgium_persons, belgium_events, belgium_events))
    return rows


@pytest.fixture(scope="module")
def figures(compiled_projects: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict[str, Any]]:
    project = compiled_projects()
    (model,) = [node for node in project.models if node["name"] == MODEL]
    database = tmp_path_factory.mktemp("worked") / f"{CATALOG}.duckdb"
    strata = stratum_rows(DSR_YEAR, DSR_EXAMPLE["observed"], DSR_EXAMPLE["population"],
                          # Belgium's rates do not enter the direct rate: any will do.
                          [persons // 10 for persons in ESP2013_5Y], DSR_EXAMPLE["standard_population"])
    strata += stratum_rows(ISR_YEAR, ISR_EXAMPLE["observed"], ISR_EXAMPLE["population"],
                           ISR_EXAMPLE["reference_observed"], ISR_EXAMPLE["reference_population"])
    with duckdb.connect(str(database)) as connection:
        connection.execute("create table indicator_registry (indicator_code varchar, source_variable varchar,"
                           " measure varchar, multiplier integer)")
        connection.execute("insert into indicator_registry values ('x_001', 'V', 'patients', ?)",
                           [DSR_EXAMPLE["multiplier"]])
        connection.execute("create table int_stratum_cells_rolled_up (year integer, geo_level varchar,"
                           " geo_code varchar, age_band varchar, sex varchar, variable_name varchar,"
                           " beneficiaries bigint, patients bigint, volume bigint)")
        connection.executemany("insert into int_stratum_cells_rolled_up values (?, ?, ?, ?, ?, ?, ?, ?, ?)", strata)
        units = [(year, level, code) for year in (DSR_YEAR, ISR_YEAR) for level, code in (UNIT, ("country", "BE"))]
        connection.execute("create table int_indicator_cells_suppressed (indicator_code varchar, year integer,"
                           " geo_level varchar, geo_code varchar, age_band varchar, is_suppressed boolean)")
        connection.executemany("insert into int_indicator_cells_suppressed values ('x_001', ?, ?, ?, 'total', false)",
                               units)
        connection.execute("create table int_population_cells_suppressed (year integer, geo_level varchar,"
                           " geo_code varchar, age_band varchar, is_suppressed boolean)")
        connection.execute("create table int_variable_cells_suppressed (variable_name varchar, year integer,"
                           " geo_level varchar, geo_code varchar, age_band varchar, is_suppressed boolean)")
        for seed in ("european_standard_population", "age_bands", "poisson_exact_limits"):
            connection.execute(f"create table {seed} as select * from read_csv('{PROJECT_DIR / 'seeds' / seed}.csv')")
        result = connection.execute(model["compiled_code"])
        names = [column[0] for column in result.description]
        rows = [dict(zip(names, row)) for row in result.fetchall()]
    return {row["year"]: row for row in rows if (row["geo_level"], row["geo_code"]) == UNIT}


def test_the_direct_rate_of_the_worked_example(figures: dict[int, dict[str, Any]]) -> None:
    row = figures[DSR_YEAR]
    assert row["observed"] == sum(DSR_EXAMPLE["observed"]) == 91
    assert row["standardised_rate"] == pytest.approx(DSR_EXAMPLE["rate"], rel=1e-12)
    # PHE's Dobson limits take the count's limits from Byar's approximation, ours exact: 2.9e-5
    # and 1.1e-5 apart (the arithmetic is in test_standardisation.py), the exact interval the narrower.
    assert row["standardised_rate_lower"] == pytest.approx(DSR_EXAMPLE["lower"], rel=5e-5)
    assert row["standardised_rate_upper"] == pytest.approx(DSR_EXAMPLE["upper"], rel=5e-5)
    assert DSR_EXAMPLE["lower"] < row["standardised_rate_lower"] < row["standardised_rate_upper"] < DSR_EXAMPLE["upper"]


def test_the_ratio_of_the_worked_example(figures: dict[int, dict[str, Any]]) -> None:
    row = figures[ISR_YEAR]
    assert row["observed"] == sum(ISR_EXAMPLE["observed"]) == 9
    # Fewer than 10 events: PHE's limits are exact, as ours.
    assert row["expected"] == pytest.approx(ISR_EXAMPLE["expected"], rel=1e-12)
    assert row["standardised_ratio"] == pytest.approx(ISR_EXAMPLE["ratio"], rel=1e-12)
    assert row["standardised_ratio_lower"] == pytest.approx(ISR_EXAMPLE["lower"], rel=1e-12)
    assert row["standardised_ratio_upper"] == pytest.approx(ISR_EXAMPLE["upper"], rel=1e-12)
    assert row["compared_with_belgium"] == "lower"
    # 9 events: too few for the default rule 3 (10), whatever else holds.
    assert row["is_published"] is False
