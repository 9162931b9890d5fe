"""The funnel plot section of an indicator page: which communes it plots, the sentence saying how
many it leaves out and why, its caption and the data behind it."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from atlas.report.charts import funnel_chart_html
from atlas.report.formatting import format_count, format_interval, format_value, geo_label
from atlas.report.funnel import limit_curves, population_grid
from atlas.report.model import Cell, IndicatorData
from atlas.report.page_parts import DataTable, NumberCell

# The grid of the limits reaches a little beyond the smallest and largest commune, so that a lone
# commune still sits between two curves.
GRID_MARGIN = 1.25


@dataclass(frozen=True)
class FunnelSection:
    chart: Markup | None              # None: the note says why there is no plot
    caption: str
    left_out: str                     # the one sentence saying how many communes are left out and why
    table: DataTable | None
    note: str | None = None


def plotted(cell: Cell) -> bool:
    """A commune on the funnel: it has a standardised ratio and a population to place it."""
    return cell.standardised.ratio is not None and cell.denominator is not None and cell.denominator > 0


def funnel_section(data: IndicatorData) -> FunnelSection | None:
    """None when the page has no communes (its commune section says so)."""
    if not data.communes:
        return None
    communes = sorted(data.communes, key=lambda c: c.geo_code)
    points = [c for c in communes if plotted(c)]
    left_out = left_out_sentence(communes, points)
    belgium = next((c for c in data.trend if c.geo_level == "country" and c.year == data.latest_year), None)
    if belgium is None or belgium.numerator is None or not belgium.denominator:
        return FunnelSection(None, "", left_out, None, f"No funnel plot: Belgium's rate of {data.latest_year}, "
                             "around which the control limits are drawn, is not published.")
    if belgium.numerator == 0:
        return FunnelSection(None, "", left_out, None, f"No funnel plot: Belgium counts no event in "
                             f"{data.latest_year}, so no commune can be compared with its rate.")
    # The limits span the communes whose population is published, plotted or not, so that the funnel
    # shows what a commune of any published size would need to differ from Belgium.
    populations = [float(c.denominator) for c in communes if c.denominator]
    if not populations:
        return FunnelSection(None, "", left_out, None, "No funnel plot: no commune's population is published.")
    grid = population_grid(min(populations) / GRID_MARGIN, max(populations) * GRID_MARGIN)
    curves = limit_curves(grid, belgium.numerator / belgium.denominator)
    chart = Markup(funnel_chart_html(points, curves, "funnel-chart"))
    ind = data.indicator
    caption = (f"{ind.title_fr}: each commune's age-sex standardised ratio (its count over the count expected at "
               f"Belgium's age-sex rates) against its population, the indicator's denominator (log scale), "
               f"{data.latest_year}. The solid line is Belgium (ratio 1); the dashed and dotted lines are the 95% and "
               f"99.8% control limits (Spiegelhalter, Stat Med 2005;24:1185-1202) of a commune of that population "
               f"expecting Belgium's rate ({format_value(belgium.value)} {ind.unit}): a commune outside them "
               "differs from Belgium beyond what chance explains.")
    return FunnelSection(chart, caption, left_out, funnel_data_table(points, caption))


def left_out_sentence(communes: list[Cell], points: list[Cell]) -> str:
    left_out = len(communes) - len(points)
    if left_out == 0:
        return f"All {len(communes)} communes are plotted: none has its standardised figures withheld."
    suppressed = sum(1 for c in communes if c.suppression_flag is not None)
    reasons = [f"{suppressed} because the commune's cell is suppressed" if suppressed else "",
               f"{left_out - suppressed} because one of its age bands is withheld, an age-sex group is small,"
               " or it counts too few events" if left_out > suppressed else ""]
    return (f"{left_out} of the {len(communes)} communes are left out, their standardised figures being withheld: "
            f"{', '.join(r for r in reasons if r)}.")


def funnel_data_table(points: list[Cell], caption: str) -> DataTable:
    rows = []
    for cell in points:
        ratio = cell.standardised
        rows.append((f"{geo_label(cell)} ({cell.geo_code})", [
            NumberCell(format_count(cell.denominator)), NumberCell(format_value(ratio.ratio)),
            NumberCell(format_interval(ratio.ratio_lower, ratio.ratio_upper)),
            NumberCell(ratio.compared_with_belgium or "", numeric=False)]))
    return DataTable(caption, ["Population", "Standardised ratio", "95% interval", "Compared with Belgium"], rows)
