"""The plausibility gate's check for a claims year that stops or pauses (docs/running.md "Plausibility gate").

A claims file cut short at a line boundary, or an extract that left out a month, breaks no row
rule and no test: every line read is used, and the year's figures come out lower, as if fewer
people had an exam. Against a previous build the volume check sees it; a first build has none.
Services are spread over the whole year (a twelfth each month, a few percent less in February
or August), so a month with a small fraction of the year's monthly average says the lines are
missing, not the exams. Per year of used claim lines, the months under `gate_min_month_share`
of the average are named; only in years averaging at least `gate_min_monthly_lines` lines a
month, so that a small extract's few lines are not judged.

Only the years a run builds are counted, as in empty_columns.py. The query reads the line-level
table, which a Spark build leaves on the cluster; there the check is skipped.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection

import duckdb

from atlas.pipeline.empty_columns import year_filter

_MONTHS = """
with used as (
    select service_year as year, extract(month from service_date) as month, count(*) as lines
    from int_claim_lines_checked
    where line_reason is null and {years}
    group by all
),
years as (
    select year, sum(lines) / 12.0 as monthly_average from used group by year
)
select years.year, months.month, coalesce(used.lines, 0), years.monthly_average
from years
cross join range(1, 13) as months (month)
left join used on used.year = years.year and used.month = months.month
order by 1, 2
"""


def sparse_month_findings(connection: duckdb.DuckDBPyConnection, min_monthly_lines: int, min_month_share: float,
                          years: Collection[int] | None = None) -> list[tuple[str, str]]:
    """(what, likely cause) for each claims year averaging at least min_monthly_lines used lines
    a month with months under min_month_share of that average."""
    try:
        rows = connection.execute(_MONTHS.format(years=year_filter("service_year", years))).fetchall()
    except duckdb.CatalogException:
        return []  # no line-level table in the working database: a Spark build
    sparse: dict[int, list[str]] = {}
    averages: dict[int, float] = {}
    for year, month, lines, average in rows:
        averages[year] = float(average)
        if average >= min_monthly_lines and lines < min_month_share * average:
            sparse.setdefault(year, []).append(f"{calendar.month_name[month]} ({lines:,})")
    return [(f"claims {year}: {len(months)} month{'s' if len(months) > 1 else ''} with under "
             f"{100 * min_month_share:.0f}% of the year's monthly average of {averages[year]:,.0f} used lines: "
             f"{', '.join(months)}; the year's figures would count only the months delivered",
             "is the claims file cut short, or a month missing from the extract?")
            for year, months in sparse.items()]
