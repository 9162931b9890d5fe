"""The plotly charts of an indicator page, as HTML fragments: the trend over the years, the
values by age band and the funnel plot of the communes' standardised ratios. plotly.min.js is
loaded once in the page's head, so a fragment is only the chart's div and the script drawing it."""

from __future__ import annotations

from typing import Any, Iterable

import plotly.graph_objects as go

from atlas.report.formatting import esc, format_interval, geo_label, geographies, ordered_age_bands
from atlas.report.funnel import LimitCurves
from atlas.report.model import Cell, IndicatorData

PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}
# One colour per line or bar group: Belgium first, then the regions (Okabe-Ito, colour-blind safe).
COLOURS = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00")


def trend_chart_html(data: IndicatorData, div_id: str) -> str:
    return chart_html(trend_figure(data), div_id)


def age_band_chart_html(data: IndicatorData, div_id: str) -> str:
    return chart_html(age_band_figure(data), div_id)


def chart_html(figure: go.Figure, div_id: str) -> str:
    """The chart's div and its script. Its accessible name is the figure's caption; the numbers are
    in the table that follows."""
    body: str = figure.to_html(include_plotlyjs=False, full_html=False, div_id=div_id, config=PLOTLY_CONFIG,
                               default_width="100%", default_height="420px")
    return body


def legend_name(label: str, cells: Iterable[Cell]) -> str:
    """The area's name in a chart legend, saying so when every one of its cells is suppressed."""
    return label if any(c.value is not None for c in cells) else f"{label} (suppressed)"


def chart_layout(unit: str, x_title: str) -> dict[str, Any]:
    return {
        "template": "none",
        "height": 420,
        "margin": {"l": 70, "r": 20, "t": 20, "b": 110},
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif", "size": 13},
        "xaxis": {"title": {"text": x_title}, "showgrid": False, "linecolor": "#888"},
        "yaxis": {"title": {"text": unit}, "rangemode": "tozero", "gridcolor": "#e5e5e5", "zeroline": False},
        "legend": {"orientation": "h", "x": 0, "y": -0.22, "yanchor": "top"},
        "hoverlabel": {"namelength": -1},
    }


# Trace names and hover templates are escaped because plotly draws them as HTML-like rich text.

def trend_figure(data: IndicatorData) -> go.Figure:
    figure = go.Figure()
    unit = data.indicator.unit
    for index, (code, label) in enumerate(geographies(data.trend)):
        by_year = {c.year: c for c in data.trend if c.geo_code == code}
        country = by_year[next(iter(by_year))].geo_level == "country"
        figure.add_trace(go.Scatter(
            x=data.years, y=[by_year[y].value if y in by_year else None for y in data.years],
            name=esc(legend_name(label, by_year.values())), mode="lines+markers", connectgaps=False,
            line={"color": COLOURS[index % len(COLOURS)], "width": 3 if country else 2,
                  "dash": "dash" if country else "solid"},
            hovertemplate=f"%{{x}}: %{{y:,.2f}} {esc(unit)}<extra>{esc(label)}</extra>",
        ))
    figure.update_layout(chart_layout(unit, "Year"))
    figure.update_xaxes(tickmode="array", tickvals=data.years, ticktext=[str(y) for y in data.years])
    return figure


def age_band_figure(data: IndicatorData) -> go.Figure:
    figure = go.Figure()
    unit = data.indicator.unit
    bands = ordered_age_bands(data.age_bands)
    for index, (code, label) in enumerate(geographies(data.age_bands)):
        by_band = {c.age_band: c for c in data.age_bands if c.geo_code == code}
        figure.add_trace(go.Bar(
            x=bands, y=[by_band[b].value if b in by_band else None for b in bands],
            name=esc(legend_name(label, by_band.values())),
            marker={"color": COLOURS[index % len(COLOURS)]},
            hovertemplate=f"age %{{x}}: %{{y:,.2f}} {esc(unit)}<extra>{esc(label)}</extra>",
        ))
    figure.update_layout(chart_layout(unit, "Age band (years)"), barmode="group", bargap=0.2)
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=bands)
    return figure


# The funnel's points by comparison with Belgium, in legend order, with their colours (Okabe-Ito).
COMPARISONS = (("higher", "#D55E00"), ("not different", "#999999"), ("lower", "#0072B2"))
LIMIT_DASHES = {"95%": "dash", "99.8%": "dot"}


def funnel_chart_html(communes: list[Cell], curves: list[LimitCurves], div_id: str) -> str:
    return chart_html(funnel_figure(communes, curves), div_id)


def funnel_figure(communes: list[Cell], curves: list[LimitCurves]) -> go.Figure:
    """Each commune's standardised ratio (y) against its population (x, log scale), with Belgium's
    ratio of 1 and the control limits around it. Every commune given has a ratio and a population."""
    figure = go.Figure()
    for curve in curves:
        for side, limits in (("upper", curve.upper), ("lower", curve.lower)):
            # Rounded: four significant digits of population and four decimals of ratio are finer
            # than the plot shows, and keep the page small.
            figure.add_trace(go.Scatter(
                x=[float(f"{p:.4g}") for p in curve.populations], y=[round(limit, 4) for limit in limits],
                mode="lines", name=f"{curve.label} limits",
                legendgroup=curve.label, showlegend=side == "upper",
                line={"color": "#555555", "width": 1.5, "dash": LIMIT_DASHES.get(curve.label, "solid")},
                hovertemplate=f"{curve.label} {side} limit at population %{{x:,.0f}}: %{{y:.2f}}<extra></extra>",
            ))
    populations = curves[0].populations
    figure.add_trace(go.Scatter(
        x=[populations[0], populations[-1]], y=[1, 1], mode="lines", name="Belgium (ratio 1)",
        line={"color": COLOURS[0], "width": 2}, hoverinfo="skip"))
    for comparison, colour in COMPARISONS:
        points = [c for c in communes if c.standardised.compared_with_belgium == comparison]
        if points:
            figure.add_trace(funnel_points(points, f"{comparison} than Belgium" if comparison != "not different"
                                           else "not different from Belgium", colour))
    others = [c for c in communes if c.standardised.compared_with_belgium not in dict(COMPARISONS)]
    if others:
        figure.add_trace(funnel_points(others, "not compared", COLOURS[4]))
    layout = chart_layout("Standardised ratio (Belgium = 1)", "Population (denominator, log scale)")
    layout["yaxis"]["rangemode"] = "normal"
    figure.update_layout(layout)
    figure.update_xaxes(type="log")
    return figure


def funnel_points(communes: list[Cell], name: str, colour: str) -> go.Scatter:
    texts = [esc(f"{geo_label(c)} ({c.geo_code}): ratio {c.standardised.ratio:.2f}, 95% interval "
                 f"{format_interval(c.standardised.ratio_lower, c.standardised.ratio_upper)}, population "
                 f"{c.denominator:,}") for c in communes]
    return go.Scatter(
        x=[c.denominator for c in communes], y=[c.standardised.ratio for c in communes], mode="markers",
        name=esc(name), text=texts, hovertemplate="%{text}<extra></extra>",
        marker={"color": colour, "size": 8, "opacity": 0.85, "line": {"color": "#ffffff", "width": 0.5}})
