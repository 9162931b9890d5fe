"""Write the static HTML report of the Atlas indicators from a built DuckDB file.

For every indicator: the trend over the years for Belgium and its regions, the values by age
band for the latest year (indicators with age bands only), and a sortable table of the
communes for the latest year, all ages, with suppressed cells shown as such. An index page
lists every indicator with its title and unit.

The pages open from disk (no server, no network): the charts are drawn by plotly.js, written
once as plotly.min.js beside the pages, with report.js (the table sorter) and report.css.

The database is opened read-only and needs only the tables `indicators` and `indicator_values`
(the working database data/atlas.duckdb or the published one, data/atlas_published.duckdb).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

if TYPE_CHECKING:  # imported where used, so that --help works before the dependencies are installed
    import duckdb
    import plotly.graph_objects as go

from atlas.paths import PROJECT_DIR
PUBLISHED_DATABASE = PROJECT_DIR / "data" / "atlas_published.duckdb"
WORKING_DATABASE = PROJECT_DIR / "data" / "atlas.duckdb"
DEFAULT_OUT_DIR = PROJECT_DIR / "data" / "report"
REQUIRED_TABLES = ("indicators", "indicator_values")
TOTAL = "total"
SUPPRESSED_LABELS = {"small_cell": "suppressed (small cell)", "secondary": "suppressed (secondary)"}
DEFAULT_SOURCE_NOTE = (
    "the DuckDB file named below, built by this project from the extract in its raw directory. "
    "When that directory held no extract, the pipeline generated synthetic data: the values are "
    "then synthetic and describe no real person."
)
PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}
# One colour per line or bar group: Belgium first, then the regions (Okabe-Ito, colour-blind safe).
COLOURS = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00")

STYLESHEET = """\
:root { color-scheme: light; --muted: #5a5a5a; --line: #d0d0d0; --accent: #0b5394; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       margin: 0; color: #1a1a1a; background: #fff; line-height: 1.45; }
header, main, footer { max-width: 72rem; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 1rem; }
nav.pager { display: flex; gap: 1.5rem; flex-wrap: wrap; font-size: 0.95rem; }
a { color: var(--accent); }
h1 { font-size: 1.6rem; margin: 0.6rem 0 0.2rem; }
h1 .code, .code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.9em;
                  color: var(--muted); font-weight: normal; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid var(--line); padding-bottom: 0.2rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem; margin: 0.8rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
figure { margin: 0.5rem 0 1rem; }
figcaption { color: var(--muted); font-size: 0.92rem; margin-top: 0.3rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
caption { text-align: left; color: var(--muted); padding: 0.3rem 0; caption-side: top; }
th, td { padding: 0.3rem 0.55rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
thead th { background: #f3f5f8; position: sticky; top: 0; }
thead th button { all: unset; cursor: pointer; font-weight: 600; display: inline-flex; gap: 0.3rem; }
thead th button:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
thead th button::after { content: "\\2195"; color: #999; }
thead th[aria-sort="ascending"] button::after { content: "\\25B2"; color: var(--accent); }
thead th[aria-sort="descending"] button::after { content: "\\25BC"; color: var(--accent); }
td.suppressed { color: var(--muted); font-style: italic; }
.table-scroll { max-height: 36rem; overflow: auto; border: 1px solid var(--line); }
details { margin: 0.3rem 0 1rem; }
summary { cursor: pointer; color: var(--accent); }
p.note { background: #f6f6f6; border-left: 4px solid var(--line); padding: 0.6rem 0.8rem; }
footer { margin-top: 2.5rem; padding-top: 0.8rem; padding-bottom: 2rem; border-top: 1px solid var(--line);
         color: var(--muted); font-size: 0.88rem; }
"""

SORTER = """\
// Sortable tables: click (or press Enter/Space on) a column header button to sort by it; again
// to reverse. Numeric columns sort by their data-sort value; empty ones (suppressed cells) go last
// in either direction. Ties keep the original row order.
(function () {
  "use strict";
  function key(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
  }
  function sortTable(table, index, type, direction) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var factor = direction === "ascending" ? 1 : -1;
    rows.forEach(function (row, position) {
      if (!row.hasAttribute("data-order")) { row.setAttribute("data-order", String(position)); }
    });
    rows.sort(function (a, b) {
      var ka = key(a, index), kb = key(b, index), result = 0;
      if (type === "number") {
        var na = ka === "" ? NaN : Number(ka), nb = kb === "" ? NaN : Number(kb);
        if (isNaN(na) !== isNaN(nb)) { return isNaN(na) ? 1 : -1; }
        result = isNaN(na) ? 0 : factor * (na - nb);
      } else {
        result = factor * ka.localeCompare(kb, "fr", { sensitivity: "base", numeric: true });
      }
      return result || (Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order")));
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row); });
    body.appendChild(fragment);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, position) {
      if (position === index) { th.setAttribute("aria-sort", direction); } else { th.removeAttribute("aria-sort"); }
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = th.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var next = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        sortTable(table, index, button.getAttribute("data-type") || "text", next);
      });
    });
  });
})();
"""


@dataclass(frozen=True)
class Indicator:
    code: str
    title_fr: str
    title_nl: str | None
    unit: str
    description_fr: str | None
    calculation_method_fr: str | None
    has_age_bands: bool
    smallest_geo_level: str | None
    first_year: int | None


@dataclass(frozen=True)
class Cell:
    year: int
    geo_level: str
    geo_code: str
    geo_name: str | None
    geo_name_nl: str | None
    age_band: str
    numerator: int | None
    denominator: int | None
    value: float | None
    suppression_flag: str | None


CELL_COLUMNS = ("year, geo_level, geo_code, geo_name, geo_name_nl, age_band, numerator, denominator, value, "
                "suppression_flag")


def esc(text: object) -> str:
    """HTML-escape any text for element content and double- or single-quoted attributes."""
    return html.escape("" if text is None else str(text), quote=True)


def format_value(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def format_count(count: int | None) -> str:
    return "" if count is None else f"{count:,}"


def suppressed_label(flag: str) -> str:
    return SUPPRESSED_LABELS.get(flag, f"suppressed ({flag})")


def geo_label(cell: Cell) -> str:
    if cell.geo_name and cell.geo_name_nl and cell.geo_name_nl != cell.geo_name:
        return f"{cell.geo_name} / {cell.geo_name_nl}"
    return cell.geo_name or cell.geo_name_nl or cell.geo_code


# --- reading -------------------------------------------------------------------------------

def check_tables(connection: duckdb.DuckDBPyConnection) -> None:
    present = {row[0] for row in connection.execute(
        "select table_name from information_schema.tables").fetchall()}
    missing = [name for name in REQUIRED_TABLES if name not in present]
    if missing:
        raise SystemExit(f"[report] error: the database has no table {', '.join(missing)}: "
                         "build it first (bash scripts/run.sh)")


def read_indicators(connection: duckdb.DuckDBPyConnection) -> list[Indicator]:
    rows = connection.execute(
        "select indicator_code, title_fr, title_nl, unit, description_fr, calculation_method_fr, dimensions, "
        "smallest_geo_level, first_year from indicators order by indicator_code").fetchall()
    return [Indicator(code=str(r[0]), title_fr=str(r[1] or r[0]), title_nl=r[2], unit=str(r[3] or ""),
                      description_fr=r[4], calculation_method_fr=r[5],
                      has_age_bands=(r[6] or "none") != "none", smallest_geo_level=r[7], first_year=r[8])
            for r in rows]


def read_cells(connection: duckdb.DuckDBPyConnection, where: str, parameters: Sequence[Any]) -> list[Cell]:
    rows = connection.execute(
        f"select {CELL_COLUMNS} from indicator_values where {where} order by geo_level, geo_code, year, age_band",
        list(parameters)).fetchall()
    return [Cell(int(r[0]), str(r[1]), str(r[2]), r[3], r[4], str(r[5]), r[6], r[7], r[8], r[9]) for r in rows]


@dataclass(frozen=True)
class IndicatorData:
    indicator: Indicator
    years: list[int]
    trend: list[Cell]       # country and regions, all ages, every year
    age_bands: list[Cell]   # country and regions, by age band, latest year
    communes: list[Cell]    # communes, all ages, latest year

    @property
    def latest_year(self) -> int | None:
        return self.years[-1] if self.years else None


def read_indicator_data(connection: duckdb.DuckDBPyConnection, indicator: Indicator) -> IndicatorData:
    years = [int(r[0]) for r in connection.execute(
        "select distinct year from indicator_values where indicator_code = ? order by year",
        [indicator.code]).fetchall()]
    if not years:
        return IndicatorData(indicator, [], [], [], [])
    latest = years[-1]
    trend = read_cells(connection, "indicator_code = ? and geo_level in ('country', 'region') and age_band = ?",
                       [indicator.code, TOTAL])
    age_bands = read_cells(
        connection, "indicator_code = ? and geo_level in ('country', 'region') and age_band <> ? and year = ?",
        [indicator.code, TOTAL, latest]) if indicator.has_age_bands else []
    communes = read_cells(connection, "indicator_code = ? and geo_level = 'commune' and age_band = ? and year = ?",
                          [indicator.code, TOTAL, latest])
    return IndicatorData(indicator, years, trend, age_bands, communes)


# --- charts --------------------------------------------------------------------------------

def geographies(cells: Iterable[Cell]) -> list[tuple[str, str]]:
    """(geo_code, label) of the country first, then the regions by name."""
    seen: dict[str, Cell] = {}
    for cell in cells:
        seen.setdefault(cell.geo_code, cell)
    ordered = sorted(seen.values(), key=lambda c: (c.geo_level != "country", geo_label(c)))
    return [(c.geo_code, geo_label(c)) for c in ordered]


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


def chart_html(figure: go.Figure, div_id: str) -> str:
    """The chart's div and the script drawing it (plotly.min.js is loaded once in the page's head).
    Its accessible name is the figure's caption; the numbers are in the table that follows."""
    body: str = figure.to_html(include_plotlyjs=False, full_html=False, div_id=div_id, config=PLOTLY_CONFIG,
                               default_width="100%", default_height="420px")
    return body


def trend_figure(data: IndicatorData) -> go.Figure:
    import plotly.graph_objects as go

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
    import plotly.graph_objects as go

    figure = go.Figure()
    unit = data.indicator.unit
    bands = sorted({c.age_band for c in data.age_bands}, key=age_band_key)
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


def age_band_key(band: str) -> tuple[int, str]:
    digits = "".join(ch for ch in band.split("-")[0] if ch.isdigit())
    return (int(digits) if digits else 10_000, band)


# --- HTML ----------------------------------------------------------------------------------

def page(title: str, body: str, footer: str, scripts: Sequence[str] = ()) -> str:
    head_scripts = "".join(f'\n<script src="{esc(s)}"></script>' for s in scripts)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="report.css">{head_scripts}
</head>
<body>
{body}
{footer}
<script src="report.js"></script>
</body>
</html>
"""


def footer_html(database: Path, source_note: str, generated: str) -> str:
    return f"""<footer>
<p>Data source: {esc(source_note)} Database file: <code>{esc(database.name)}</code>.
Report generated on {esc(generated)} by <code>scripts/build_report.py</code>.</p>
<p>Suppression: a cell counting 1 to 4 individuals or beneficiaries (fewer than the project's small-cell
threshold, 5 by default) is withheld and shown as &ldquo;suppressed (small cell)&rdquo;; a cell that would let
such a cell be recovered by subtraction from its parent is withheld too and shown as &ldquo;suppressed
(secondary)&rdquo;. Withheld cells have no value, numerator or denominator; charts leave them out.</p>
</footer>"""


def sortable_header(label: str, sort_type: str, numeric: bool = False, initial: str | None = None) -> str:
    classes = ' class="num"' if numeric else ""
    aria = f' aria-sort="{initial}"' if initial else ""
    return (f'<th scope="col"{classes}{aria}><button type="button" data-type="{sort_type}">{esc(label)}'
            "</button></th>")


def number_cell(text: str, sort_value: object, flag: str | None, label: str | None = None) -> str:
    if flag is not None:
        return f'<td class="num suppressed" data-sort="">{esc(label or "suppressed")}</td>'
    return f'<td class="num" data-sort="{esc(sort_value)}">{esc(text)}</td>'


def commune_table(data: IndicatorData) -> str:
    cells = sorted(data.communes, key=lambda c: c.geo_code)
    suppressed = sum(1 for c in cells if c.suppression_flag is not None)
    unit = data.indicator.unit
    rows = []
    for c in cells:
        flag = c.suppression_flag
        label = suppressed_label(flag) if flag is not None else None
        rows.append(
            f'<tr><td>{esc(c.geo_code)}</td><td lang="fr">{esc(c.geo_name or "")}</td>'
            f'<td lang="nl">{esc(c.geo_name_nl or "")}</td>'
            + number_cell(format_value(c.value), c.value, flag, label)
            + number_cell(format_count(c.numerator), c.numerator, flag)
            + number_cell(format_count(c.denominator), c.denominator, flag)
            + "</tr>")
    header = "".join([
        sortable_header("NIS code", "text", initial="ascending"),
        sortable_header("Commune (FR)", "text"),
        sortable_header("Gemeente (NL)", "text"),
        sortable_header(f"Value ({unit})", "number", numeric=True),
        sortable_header("Numerator", "number", numeric=True),
        sortable_header("Denominator", "number", numeric=True),
    ])
    caption = (f"{len(cells)} communes, {data.latest_year}, all ages; {suppressed} suppressed cells, shown as such "
               "and sorted last. Click a column header to sort, again to reverse.")
    return f"""<div class="table-scroll">
<table class="sortable" id="commune-table">
<caption>{esc(caption)}</caption>
<thead><tr>{header}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</div>"""


def chart_data_table(cells: list[Cell], columns: list[str], column_of: str, caption: str) -> str:
    """The numbers behind a chart: one row per geography, one column per year or age band."""
    head = "".join(f'<th scope="col" class="num">{esc(col)}</th>' for col in columns)
    rows = []
    for code, label in geographies(cells):
        mine = {(c.year if column_of == "year" else c.age_band): c for c in cells if c.geo_code == code}
        tds = []
        for col in columns:
            cell = mine.get(int(col) if column_of == "year" else col)
            if cell is None:
                tds.append('<td class="num"></td>')
            elif cell.suppression_flag is not None:
                tds.append(f'<td class="num suppressed">{esc(suppressed_label(cell.suppression_flag))}</td>')
            else:
                tds.append(f'<td class="num">{esc(format_value(cell.value))}</td>')
        rows.append(f'<tr><th scope="row">{esc(label)}</th>{"".join(tds)}</tr>')
    return f"""<details>
<summary>Data behind this chart</summary>
<table>
<caption>{esc(caption)}</caption>
<thead><tr><th scope="col">Area</th>{head}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</details>"""


def indicator_page(data: IndicatorData, previous: Indicator | None, following: Indicator | None, footer: str) -> str:
    ind = data.indicator
    years = f"{data.years[0]}–{data.years[-1]}" if data.years else "none in this database"
    links = ['<a href="index.html">&larr; All indicators</a>']
    if previous is not None:
        links.append(f'<a href="{esc(previous.code)}.html" rel="prev">Previous: {esc(previous.code)}</a>')
    if following is not None:
        links.append(f'<a href="{esc(following.code)}.html" rel="next">Next: {esc(following.code)}</a>')
    facts = [("Code", f'<span class="code">{esc(ind.code)}</span>'), ("Unit", esc(ind.unit)),
             ("Years in this database", esc(years)),
             ("Age bands", "10-year bands and all ages" if ind.has_age_bands else "none (all ages only)")]
    if ind.smallest_geo_level:
        facts.append(("Smallest geographic level", esc(ind.smallest_geo_level.replace("_", " "))))
    if ind.title_nl:
        facts.append(("Titel (NL)", f'<span lang="nl">{esc(ind.title_nl)}</span>'))
    if ind.description_fr:
        facts.append(("Description", f'<span lang="fr">{esc(ind.description_fr)}</span>'))
    if ind.calculation_method_fr:
        facts.append(("Méthode de calcul", f'<span lang="fr">{esc(ind.calculation_method_fr)}</span>'))
    facts_html = "\n".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)

    sections = []
    if not data.years:
        sections.append('<p class="note">This database holds no rows for this indicator.</p>')
    else:
        trend_caption = (f"{ind.title_fr} ({ind.unit}), all ages, Belgium (dashed) and its regions, {years}. "
                         "Suppressed cells are left out (gaps); an area with every cell suppressed is marked so "
                         "in the legend.")
        sections.append(f"""<section aria-labelledby="trend-heading">
<h2 id="trend-heading">Trend by region</h2>
<figure id="trend">
{chart_html(trend_figure(data), "trend-chart")}
<figcaption>{esc(trend_caption)}</figcaption>
</figure>
{chart_data_table(data.trend, [str(y) for y in data.years], "year", trend_caption)}
</section>""")
        if ind.has_age_bands and data.age_bands:
            bands = sorted({c.age_band for c in data.age_bands}, key=age_band_key)
            age_caption = (f"{ind.title_fr} ({ind.unit}) by 10-year age band, {data.latest_year}, Belgium and its "
                           "regions. Suppressed cells are left out (no bar).")
            age_html = f"""<figure id="age-bands">
{chart_html(age_band_figure(data), "age-band-chart")}
<figcaption>{esc(age_caption)}</figcaption>
</figure>
{chart_data_table(data.age_bands, bands, "age_band", age_caption)}"""
        elif ind.has_age_bands:
            age_html = f'<p class="note">No age-band rows for {data.latest_year} in this database.</p>'
        else:
            age_html = ('<p class="note" id="no-age-bands">This indicator has no age bands: it is published for all '
                        "ages only.</p>")
        sections.append(f"""<section aria-labelledby="age-heading">
<h2 id="age-heading">Values by age band, {data.latest_year}</h2>
{age_html}
</section>""")
        communes = (commune_table(data) if data.communes
                    else f'<p class="note">No commune rows for {data.latest_year} in this database.</p>')
        sections.append(f"""<section aria-labelledby="communes-heading">
<h2 id="communes-heading">Communes, {data.latest_year}, all ages</h2>
{communes}
</section>""")

    body = f"""<header>
<nav class="pager" aria-label="Indicators">{" ".join(links)}</nav>
<h1><span lang="fr">{esc(ind.title_fr)}</span> <span class="code">{esc(ind.code)}</span></h1>
</header>
<main>
<dl class="facts">
{facts_html}
</dl>
{chr(10).join(sections)}
</main>"""
    return page(f"{ind.code} {ind.title_fr} — Atlas report", body, footer, scripts=["plotly.min.js"])


def index_page(datasets: list[IndicatorData], database: Path, footer: str) -> str:
    with_nl = any(d.indicator.title_nl for d in datasets)
    rows = []
    for d in datasets:
        ind = d.indicator
        years = f"{d.years[0]}–{d.years[-1]}" if d.years else "none"
        nl = f'<td lang="nl">{esc(ind.title_nl or "")}</td>' if with_nl else ""
        rows.append(
            f'<tr><td><a href="{esc(ind.code)}.html"><span class="code">{esc(ind.code)}</span></a></td>'
            f'<td lang="fr"><a href="{esc(ind.code)}.html">{esc(ind.title_fr)}</a></td>{nl}'
            f"<td>{esc(ind.unit)}</td><td>{'yes' if ind.has_age_bands else 'no'}</td>"
            f'<td data-sort="{d.years[0] if d.years else ""}">{esc(years)}</td></tr>')
    header = "".join([
        sortable_header("Code", "text", initial="ascending"),
        sortable_header("Title (FR)", "text"),
        sortable_header("Titel (NL)", "text") if with_nl else "",
        sortable_header("Unit", "text"),
        sortable_header("Age bands", "text"),
        sortable_header("Years", "number"),
    ])
    body = f"""<header>
<h1>IMA-AIM Atlas indicators: report</h1>
</header>
<main>
<p>{len(datasets)} indicators computed from <code>{esc(database.name)}</code>. Each page shows the trend over the
years for Belgium and its regions, the values by age band for the latest year (when the indicator has age bands)
and a sortable table of the communes.</p>
<table class="sortable" id="indicator-table">
<caption>All indicators with their titles and units. Click a column header to sort.</caption>
<thead><tr>{header}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</main>"""
    return page("IMA-AIM Atlas indicators: report", body, footer)


# --- main ----------------------------------------------------------------------------------

def default_database() -> Path:
    from_env = os.environ.get("ATLAS_PUBLISHED_DUCKDB_PATH")
    if from_env:
        return Path(from_env)
    return PUBLISHED_DATABASE if PUBLISHED_DATABASE.exists() else WORKING_DATABASE


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", type=Path, default=None,
                        help="DuckDB file to read (default: $ATLAS_PUBLISHED_DUCKDB_PATH, else "
                             "data/atlas_published.duckdb if it exists, else data/atlas.duckdb)")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR,
                        help="directory to write the pages to (default: data/report)")
    parser.add_argument("--source-note", default=DEFAULT_SOURCE_NOTE,
                        help="where the data come from, for the footer of every page")
    return parser.parse_args(argv)


def remove_stale_pages(out_dir: Path, written: set[str]) -> None:
    for path in list(out_dir.glob("cube_*.html")) + list(out_dir.glob("stat_*.html")):
        if path.name not in written:
            path.unlink()


def build_report(database: Path, out_dir: Path, source_note: str = DEFAULT_SOURCE_NOTE) -> list[Path]:
    """Write the report; return the files written."""
    import duckdb
    import plotly.offline

    if not database.is_file():
        raise SystemExit(f"[report] error: no database file {database}: build it first (bash scripts/run.sh) "
                         "or pass --database")
    print(f"[report] reading {database} (read-only)", flush=True)
    with duckdb.connect(str(database), read_only=True) as connection:
        check_tables(connection)
        indicators = read_indicators(connection)
        datasets = []
        for number, indicator in enumerate(indicators, start=1):
            datasets.append(read_indicator_data(connection, indicator))
            if number % 10 == 0 or number == len(indicators):
                print(f"[report] read {number}/{len(indicators)} indicators", flush=True)
    if not datasets:
        raise SystemExit("[report] error: the indicators table is empty")

    out_dir.mkdir(parents=True, exist_ok=True)
    generated = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    footer = footer_html(database, source_note.strip(), generated)
    written: list[Path] = []

    def write(name: str, text: str) -> None:
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)

    write("plotly.min.js", plotly.offline.get_plotlyjs())
    write("report.js", SORTER)
    write("report.css", STYLESHEET)
    write("index.html", index_page(datasets, database, footer))
    for position, data in enumerate(datasets):
        previous = datasets[position - 1].indicator if position > 0 else None
        following = datasets[position + 1].indicator if position + 1 < len(datasets) else None
        write(f"{data.indicator.code}.html", indicator_page(data, previous, following, footer))
        if (position + 1) % 10 == 0 or position + 1 == len(datasets):
            print(f"[report] wrote {position + 1}/{len(datasets)} indicator pages", flush=True)
    remove_stale_pages(out_dir, {p.name for p in written})
    return written


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    database: Path = args.database if args.database is not None else default_database()
    out_dir: Path = args.out_dir
    written = build_report(database, out_dir, args.source_note)
    size = sum(p.stat().st_size for p in written)
    print(f"[report] wrote {len(written)} files ({size / 1_048_576:.1f} MiB) to {out_dir}", flush=True)
    print(f"[report] open {(out_dir / 'index.html').resolve().as_uri()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
