"""The plausibility gate's check for columns a delivery left empty (docs/running.md "Plausibility gate").

A column delivered empty breaks no row rule: one person without a domicile, or one imaging line
without its provider's qualification, is no data error, and the row is used. An extract whose
whole column is empty is built without a failing test, and publishes figures that look like
figures: country rows only (no domicile), no statistical sector rows (no sector), stat_013_007
at 0 everywhere (no qualification), medical-house patients undercounted (no billing practice: no
DMG can be told to be the medical house's own). So, per year, the rows that need a column are
counted against those that have it empty, in the working database's tables; more than
`gate_max_empty_column_share` of them stops the run.

Only the years a run builds are counted (all of them in a full build): an update's kept years
were judged when they were built, and at ten years of all of Belgium their claim lines would take
seconds to count again. The queries read person- and line-level tables, which a Spark build
leaves on the cluster; there the check is skipped.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class NeededColumn:
    source: str
    rows: str  # what the counted rows are, e.g. "the used imaging lines"
    lacking: str  # what the empty ones lack, and what follows for the figures
    question: str  # the likely cause, as a question to the person who delivered the extract
    # year, rows needing the column, rows with it empty; per year, in order; {years}: the filter on
    # the year column, named first in the select
    query: str


NEEDED_COLUMNS = (
    NeededColumn(
        "beneficiaries", "the used rows",
        "have no domicile, neither a 31 December nor a 30 June commune; they would count in the country rows only",
        "are the columns commune_dec31 and commune_jun30 empty in the delivered file?",
        # a reported code the geography does not know is flagged unknown_commune, judged with the quarantine
        "select year, count(*), count(*) filter (where domicile_reference = 'unknown' and domicile_issue is null)"
        " from int_beneficiary_years_located where {years} group by year order by year"),
    NeededColumn(
        "beneficiaries", "the used rows placed in a commune",
        "have no statistical sector; they would count in no sector, and the tables published by sector "
        "would have no sector rows",
        "are the columns sector_dec31 and sector_jun30 empty in the delivered file?",
        # a reported sector the geography does not know is flagged unknown_sector, judged with the quarantine
        "select year, count(*) filter (where domicile_reference <> 'unknown'), count(*) filter (where"
        " domicile_reference <> 'unknown' and sector_code is null and domicile_issue is null)"
        " from int_beneficiary_years_located where {years} group by year order by year"),
    NeededColumn(
        "claims", "the used imaging lines",
        "have no provider profession or qualification; they would count for no provider group (radiologists "
        "of stat_013_007, dentists, other specialists)",
        "are the columns provider_profession and provider_qualification empty in the delivered file?",
        "select service_year, count(*), count(*) filter (where provider_profession is null"
        " or provider_qualification is null) from int_claim_lines_checked where line_reason is null and {years}"
        " and nomenclature_code in (select nomenclature_code from imaging_nomenclature_codes)"
        " group by service_year order by service_year"),
    NeededColumn(
        "claims", "the used medical-house forfait and DMG lines",
        "have no billing practice; a DMG could not be told to be the medical house's own, and its patients "
        "would leave stat_003_007",
        "is the column billing_practice_id empty in the delivered file?",
        "select service_year, count(*), count(*) filter (where billing_practice_id is null)"
        " from int_claim_lines_checked where line_reason is null and {years}"
        " and nomenclature_code in (select nomenclature_code from general_practice_codes)"
        " group by service_year order by service_year"),
)


def year_filter(column: str, years: Collection[int] | None) -> str:
    """SQL keeping the rows of years (every row when None)."""
    if years is None:
        return "true"
    return f"{column} in ({', '.join(str(int(year)) for year in sorted(years))})" if years else "false"


def empty_column_findings(connection: duckdb.DuckDBPyConnection, min_rows: int, max_share: float,
                          years: Collection[int] | None = None) -> list[tuple[str, str]]:
    """(what, likely cause) for each source, year (of years; None: all) and needed column found
    empty in more than max_share of the rows that need it (and in at least min_rows)."""
    findings = []
    for needed in NEEDED_COLUMNS:
        column = "year" if needed.source == "beneficiaries" else "service_year"
        try:
            counts = connection.execute(needed.query.format(years=year_filter(column, years))).fetchall()
        except duckdb.CatalogException:
            return []  # no person- or line-level tables in the working database: a Spark build
        for year, needing, empty in counts:
            if empty >= min_rows and empty > max_share * needing:
                findings.append((f"{needed.source} {year}: {100 * empty / needing:.1f}% of {needed.rows} "
                                 f"({empty:,} of {needing:,}) {needed.lacking}", needed.question))
    return findings
