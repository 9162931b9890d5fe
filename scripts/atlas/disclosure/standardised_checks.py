"""What the standardised figures give away, judged on the published file (docs/protection.md,
"What an auditor finds"; the rules in docs/standardisation.md, "Where they are published").

Three findings, each a failure of the audit:

- **recovered**: a row publishes `standardised_ratio` and `expected` while its numerator is
  published nowhere: ratio x expected is the numerator O. (The interval it gives also enters
  the propagation, so what O reveals further is judged with the other relations.)
- **exposed**: a withheld cell that the equation of a published standardised figure touches.
  A figure of (table, year, unit) is a known function of the unit's stratum counts: its
  numerators n_s and beneficiaries N_s by age band and sex (the rate weighs n_s / N_s, the
  expected count is sum N_s R_s). The auditor does not solve linear programs, and the
  coefficients (the weights, the strata's beneficiaries, Belgium's rates) are not in the file,
  so the equation is not added to the propagation; the conservative rule instead: every cell
  of the unit and year that the equation touches, its `total` and every age band of the same
  variable and measure, in any table (for a stat_ table, the bands of the cube_ table of its
  variable and measure), must be published, numerator and denominator. Why that is sound:
  when all of them are published, the equation's unknowns are only the split of each band by
  sex, which no published figure and no relation of docs/protection.md involves; the true
  split satisfies it, so every assignment of the withheld cells that the other relations
  allow still extends to one satisfying the equation: every withheld cell keeps its interval.
- **misplaced**: a standardised value on a row that is not `age_band = 'total'`, or on a row
  with a suppression flag (docs/standardisation.md publishes them on published totals only).

Errors (the publication contradicts itself): two tables disagreeing on a figure, and a
published numerator outside ratio x expected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from atlas.indicator_models import STANDARDISED_COLUMNS

STATUSES = ("recovered", "exposed", "misplaced")


@dataclass(frozen=True)
class Finding:
    """One finding: the cell concerned, the row whose figure concerns it, and what is known."""

    status: str
    indicator_code: str
    year: int
    geo_level: str
    geo_code: str
    age_band: str
    figure_indicator: str
    figure_band: str
    detail: str


@dataclass
class StandardisedFindings:
    figures: int = 0
    recovered: int = 0
    exposed: int = 0
    misplaced: int = 0
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.recovered + self.exposed + self.misplaced


def _any_figure(alias: str) -> str:
    return " or ".join(f"{alias}.{column} is not null" for column in STANDARDISED_COLUMNS)


def _create_findings(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(f"""
        create table standardised_findings as
        with figures as (
            select s.*, o.variable, o.measure, o.suppression_flag
            from standardised_rows as s
            join observed_rows as o using (indicator_code, year, geo_level, geo_code, age_band)
        ),
        recovered as (
            select 'recovered' as status, r.indicator_code, r.year, r.geo_level, r.geo_code, r.age_band,
                r.indicator_code as figure_indicator, r.age_band as figure_band,
                'numerator = standardised_ratio x expected in [' || c.lower::bigint || ', '
                    || c.upper::bigint || ']' as detail
            from ratio_counts as c join row_quantities as r using (row_id)
            where c.published_value is null
        ),
        exposed as (
            -- Every withheld cell of the same variable and measure, unit and year: the total
            -- and the bands, in any table.
            select distinct 'exposed' as status, cell.indicator_code, cell.year, cell.geo_level, cell.geo_code,
                cell.age_band, f.indicator_code as figure_indicator, f.age_band as figure_band,
                'withheld (' || coalesce(cell.suppression_flag, 'no flag') || ') under a standardised figure'
                    as detail
            from figures as f
            join observed_rows as cell
                on cell.variable = f.variable and cell.measure = f.measure and cell.year = f.year
                and cell.geo_level = f.geo_level and cell.geo_code = f.geo_code
            where cell.numerator is null or cell.denominator is null
        ),
        misplaced as (
            select 'misplaced' as status, indicator_code, year, geo_level, geo_code, age_band,
                indicator_code as figure_indicator, age_band as figure_band,
                case when age_band != 'total' then 'standardised figure on an age band row'
                     else 'standardised figure on a row flagged ' || suppression_flag end as detail
            from figures
            where age_band != 'total' or suppression_flag is not null
        )
        select * from recovered union all select * from exposed union all select * from misplaced
    """)


def _errors(connection: duckdb.DuckDBPyConnection) -> list[str]:
    conflicting = [f"{code} {year} {level} {geo} {band}: tables {tables} publish different standardised figures"
                   for code, year, level, geo, band, tables in connection.execute("""
                       select indicator_code, year, geo_level, geo_code, age_band, source_tables
                       from standardised_rows where conflicting order by all limit 20
                   """).fetchall()]
    disagreeing = [f"{code} {year} {level} {geo} {band}: published numerator {value:g} outside "
                   f"standardised_ratio x expected [{lower:g}, {upper:g}]"
                   for code, year, level, geo, band, value, lower, upper in connection.execute("""
                       select r.indicator_code, r.year, r.geo_level, r.geo_code, r.age_band,
                           c.published_value, c.lower, c.upper
                       from ratio_counts as c join row_quantities as r using (row_id)
                       where c.published_value < c.lower or c.published_value > c.upper
                       order by all limit 20
                   """).fetchall()]
    return conflicting + disagreeing


def check_standardised(connection: duckdb.DuckDBPyConnection, sample_size: int) -> StandardisedFindings:
    """Needs `standardised_rows`, `ratio_counts`, `observed_rows` and `row_quantities`."""
    _create_findings(connection)
    result = StandardisedFindings()
    (result.figures,) = connection.execute("select count(*) from standardised_rows").fetchone() or (0,)
    counts = dict(connection.execute("""
        select status, count(distinct (indicator_code, year, geo_level, geo_code, age_band))
        from standardised_findings group by status
    """).fetchall())
    result.recovered, result.exposed, result.misplaced = (int(counts.get(status, 0)) for status in STATUSES)
    result.findings = [Finding(str(status), str(code), int(year), str(level), str(geo), str(band),
                               str(figure_code), str(figure_band), str(detail))
                       for status, code, year, level, geo, band, figure_code, figure_band, detail
                       in connection.execute("""
                           select status, indicator_code, year, geo_level, geo_code, age_band,
                               figure_indicator, figure_band, detail
                           from standardised_findings
                           order by status desc, year, geo_level, geo_code, indicator_code, age_band,
                               figure_indicator
                           limit ?
                       """, [sample_size]).fetchall()]
    result.errors = _errors(connection)
    return result
