"""The pieces the pages and their sections are made of: sortable columns, table cells, the data
table behind a chart and a chart section. Their own module, so that every section's module
(views, funnel_view) can use them without importing each other."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup


@dataclass(frozen=True)
class SortableColumn:
    label: str
    sort_type: str                    # "text" or "number", as report.js compares them
    numeric: bool = False             # right-aligned
    initial_sort: str | None = None   # the order the rows are written in, if by this column


@dataclass(frozen=True)
class NumberCell:
    text: str
    suppressed: bool = False
    sort_key: str | None = None       # report.js sorts by it ("" last); None in tables that do not sort
    numeric: bool = True              # right-aligned; False for a word (the comparison with Belgium)


@dataclass(frozen=True)
class DataTable:
    """The numbers behind a chart: one row (area label, cells) per area, one column per year or age band."""
    caption: str
    columns: list[str]
    rows: list[tuple[str, list[NumberCell]]]


@dataclass(frozen=True)
class ChartSection:
    chart: Markup                     # plotly's div and script, trusted as HTML
    caption: str
    table: DataTable
