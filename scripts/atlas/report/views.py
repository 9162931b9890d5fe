"""The data of each page, shaped for its template: every text worded and formatted, every table
row and cell laid out, the charts drawn. The templates only place (and escape) them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from markupsafe import Markup

from atlas.report.charts import age_band_chart_html, trend_chart_html
from atlas.report.formatting import (format_count, format_interval, format_value, geographies, ordered_age_bands,
                                     suppressed_label, year_range)
from atlas.report.funnel_view import FunnelSection, funnel_section
from atlas.report.model import Cell, Indicator, IndicatorData
from atlas.report.page_parts import ChartSection, DataTable, NumberCell, SortableColumn


@dataclass(frozen=True)
class CommuneRow:
    code: str
    name_fr: str
    name_nl: str
    value: NumberCell
    numerator: NumberCell
    denominator: NumberCell
    standardised_rate: NumberCell
    standardised_interval: NumberCell
    compared_with_belgium: NumberCell


@dataclass(frozen=True)
class CommuneTable:
    columns: list[SortableColumn]
    caption: str
    rows: list[CommuneRow]


@dataclass(frozen=True)
class Fact:
    term: str
    text: str
    lang: str | None = None
    code: bool = False


@dataclass(frozen=True)
class IndicatorPage:
    indicator: Indicator
    previous_code: str | None
    next_code: str | None
    facts: list[Fact]
    latest_year: int | None
    trend: ChartSection | None        # None: the database has no rows for this indicator
    age_bands: ChartSection | None    # None: a note instead, as indicator.has_age_bands says which
    funnel: FunnelSection | None      # None: no communes
    communes: CommuneTable


@dataclass(frozen=True)
class IndexRow:
    indicator: Indicator
    years: str
    first_year: str                   # the years column's sort key; "" when there are none


@dataclass(frozen=True)
class IndexPage:
    database_name: str
    with_nl: bool                     # a Dutch title column only when some indicator has a Dutch title
    columns: list[SortableColumn]
    rows: list[IndexRow]


def indicator_page(data: IndicatorData, previous: Indicator | None, following: Indicator | None) -> IndicatorPage:
    ind = data.indicator
    years = year_range(data.years, "none in this database")
    return IndicatorPage(
        indicator=ind,
        previous_code=previous.code if previous is not None else None,
        next_code=following.code if following is not None else None,
        facts=indicator_facts(ind, years),
        latest_year=data.latest_year,
        trend=trend_section(data, years) if data.years else None,
        age_bands=age_band_section(data) if data.years and ind.has_age_bands and data.age_bands else None,
        funnel=funnel_section(data) if data.years else None,
        communes=commune_table(data),
    )


def indicator_facts(ind: Indicator, years: str) -> list[Fact]:
    facts = [Fact("Code", ind.code, code=True), Fact("Unit", ind.unit), Fact("Years in this database", years),
             Fact("Age bands", "10-year bands and all ages" if ind.has_age_bands else "none (all ages only)")]
    if ind.reference_population:
        facts.append(Fact("Standardised rates to", ind.reference_population))
    if ind.smallest_geo_level:
        facts.append(Fact("Smallest geographic level", ind.smallest_geo_level.replace("_", " ")))
    if ind.title_nl:
        facts.append(Fact("Titel (NL)", ind.title_nl, lang="nl"))
    if ind.description_fr:
        facts.append(Fact("Description", ind.description_fr, lang="fr"))
    if ind.calculation_method_fr:
        facts.append(Fact("Méthode de calcul", ind.calculation_method_fr, lang="fr"))
    return facts


def trend_section(data: IndicatorData, years: str) -> ChartSection:
    ind = data.indicator
    caption = (f"{ind.title_fr} ({ind.unit}), all ages, Belgium (dashed) and its regions, {years}. "
               "Suppressed cells are left out (gaps); an area with every cell suppressed is marked so "
               "in the legend.")
    table = chart_data_table(data.trend, data.years, lambda cell: cell.year, caption)
    return ChartSection(Markup(trend_chart_html(data, "trend-chart")), caption, table)


def age_band_section(data: IndicatorData) -> ChartSection:
    ind = data.indicator
    caption = (f"{ind.title_fr} ({ind.unit}) by 10-year age band, {data.latest_year}, Belgium and its "
               "regions. Suppressed cells are left out (no bar).")
    bands = ordered_age_bands(data.age_bands)
    table = chart_data_table(data.age_bands, bands, lambda cell: cell.age_band, caption)
    return ChartSection(Markup(age_band_chart_html(data, "age-band-chart")), caption, table)


def chart_data_table(cells: list[Cell], columns: list[int] | list[str], column_of: Callable[[Cell], int | str],
                     caption: str) -> DataTable:
    rows = []
    for code, label in geographies(cells):
        by_column = {column_of(c): c for c in cells if c.geo_code == code}
        rows.append((label, [chart_data_cell(by_column.get(column)) for column in columns]))
    return DataTable(caption, [str(column) for column in columns], rows)


def chart_data_cell(cell: Cell | None) -> NumberCell:
    if cell is None:
        return NumberCell("")
    if cell.suppression_flag is not None:
        return NumberCell(suppressed_label(cell.suppression_flag), suppressed=True)
    return NumberCell(format_value(cell.value))


def commune_table(data: IndicatorData) -> CommuneTable:
    communes = sorted(data.communes, key=lambda c: c.geo_code)
    suppressed = sum(1 for c in communes if c.suppression_flag is not None)
    caption = (f"{len(communes)} communes, {data.latest_year}, all ages; {suppressed} suppressed cells, shown as "
               "such and sorted last. The standardised rate is the rate at the reference population's age-sex "
               "structure, with its 95% interval; \"compared with Belgium\" says whether the commune's count "
               "differs from what Belgium's age-sex rates predict beyond 95% chance. They are empty where withheld "
               "or based on too few events. Click a column header to sort, again to reverse.")
    columns = [
        SortableColumn("NIS code", "text", initial_sort="ascending"),
        SortableColumn("Commune (FR)", "text"),
        SortableColumn("Gemeente (NL)", "text"),
        SortableColumn(f"Value ({data.indicator.unit})", "number", numeric=True),
        SortableColumn("Numerator", "number", numeric=True),
        SortableColumn("Denominator", "number", numeric=True),
        SortableColumn(f"Standardised rate ({data.indicator.unit})", "number", numeric=True),
        SortableColumn("95% interval", "number", numeric=True),
        SortableColumn("Compared with Belgium", "number"),
    ]
    return CommuneTable(columns, caption, [commune_row(c) for c in communes])


def commune_row(cell: Cell) -> CommuneRow:
    if cell.suppression_flag is not None:
        # An empty sort key, so that report.js sorts a suppressed cell last in either direction.
        withheld = NumberCell("suppressed", suppressed=True, sort_key="")
        value = NumberCell(suppressed_label(cell.suppression_flag), suppressed=True, sort_key="")
        numerator = denominator = withheld
    else:
        value = sortable_number(format_value(cell.value), cell.value)
        numerator = sortable_number(format_count(cell.numerator), cell.numerator)
        denominator = sortable_number(format_count(cell.denominator), cell.denominator)
    figures = cell.standardised
    return CommuneRow(cell.geo_code, cell.geo_name or "", cell.geo_name_nl or "", value, numerator, denominator,
                      standardised_rate=sortable_number(format_value(figures.rate), figures.rate),
                      # An interval sorts by its lower limit; the rate itself has its own column.
                      standardised_interval=sortable_number(format_interval(figures.rate_lower, figures.rate_upper),
                                                            figures.rate_lower),
                      compared_with_belgium=comparison_cell(figures.compared_with_belgium))


# The comparison sorts from lower to higher than Belgium, a missing one last ("").
COMPARISON_ORDER = {"lower": "-1", "not different": "0", "higher": "1"}


def comparison_cell(comparison: str | None) -> NumberCell:
    return NumberCell(comparison or "", sort_key=COMPARISON_ORDER.get(comparison or "", ""), numeric=False)


def sortable_number(text: str, number: float | None) -> NumberCell:
    return NumberCell(text, sort_key="" if number is None else str(number))


def index_page(datasets: list[IndicatorData], database: Path) -> IndexPage:
    with_nl = any(d.indicator.title_nl for d in datasets)
    columns = [SortableColumn("Code", "text", initial_sort="ascending"), SortableColumn("Title (FR)", "text")]
    if with_nl:
        columns.append(SortableColumn("Titel (NL)", "text"))
    columns += [SortableColumn("Unit", "text"), SortableColumn("Age bands", "text"),
                SortableColumn("Years", "number")]
    rows = [IndexRow(d.indicator, year_range(d.years, "none"), str(d.years[0]) if d.years else "")
            for d in datasets]
    return IndexPage(database.name, with_nl, columns, rows)
