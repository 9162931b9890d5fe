"""The plotly charts of an indicator page, as HTML fragments: the trend over the years and the
values by age band. plotly.min.js is loaded once in the page's head, so a fragment is only the
chart's div and the script drawing it."""

from __future__ import annotations

from typing import Any, Iterable

import plotly.graph_objects as go

from atlas.report.formatting import esc, geographies, ordered_age_bands
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
