"""The plausibility gate's check for indicators that count nobody (docs/running.md "Plausibility gate").

Every indicator of the Atlas counts a few percent of the population or more (the smallest at
full scale in the synthetic data: 1.4%). When one counts nobody at all in a year, among a
population of `gate_min_population_for_zero_figures` beneficiaries or more, the count is not
chance: no used claim line matched the nomenclature codes of its variable in that year. Either
the seeds' code lists have no code valid then (seeds/imaging_nomenclature_codes.csv lists MRI
codes from 2018-12-01 only, so MRI is 0 in every earlier year), or the extract lacks those codes.
Published, that 0 reads as a figure. Only the years a run builds are judged, as in
empty_columns.py; the country rows of indicator_values (one per indicator and year) are read, so
the check also runs after a Spark build.
"""

from __future__ import annotations

from collections.abc import Collection

import duckdb

from atlas.pipeline.empty_columns import year_filter

_ZERO_FIGURES = """
select figures.year, registry.source_variable, max(figures.denominator),
    string_agg(figures.indicator_code, ', ' order by figures.indicator_code)
from indicator_values as figures
inner join indicator_registry as registry on figures.indicator_code = registry.indicator_code
where figures.geo_level = 'country' and figures.age_band = 'total' and figures.numerator = 0
    and figures.denominator >= {min_population} and {years}
group by all
order by all
"""


def zero_figure_findings(connection: duckdb.DuckDBPyConnection, min_population: int,
                         years: Collection[int] | None = None) -> list[tuple[str, str]]:
    """(what, likely cause) for each year (of years; None: all) and variable whose indicators
    count nobody in a country population of at least min_population."""
    try:
        rows = connection.execute(_ZERO_FIGURES.format(min_population=int(min_population),
                                                       years=year_filter("figures.year", years))).fetchall()
    except duckdb.CatalogException:
        return []  # not a build of this project's layout: the other checks say so
    return [(f"figures of {year}: {variable} counts nobody among {population:,} beneficiaries ({codes} would "
             "publish 0 everywhere)",
             f"no used claim line has a nomenclature code of {variable} valid in {year}: do the seeds' code lists "
             "(seeds/imaging_nomenclature_codes.csv, seeds/general_practice_codes.csv) lack the codes of that year, "
             "or does the extract lack those codes?")
            for year, variable, population, codes in rows]
