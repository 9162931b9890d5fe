"""Writing the report: read the database, shape and render every page, write them with the static
files beside them, and remove the pages of indicators that are no longer in the database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import plotly.offline

from atlas.report.database import read_database
from atlas.report.pages import STATIC_FILES, Footer, render_index_page, render_indicator_page, static_text
from atlas.report.views import index_page, indicator_page

INDICATOR_PAGE_PATTERNS = ("cube_*.html", "stat_*.html")


def build_report(database: Path, out_dir: Path, source_note: str) -> list[Path]:
    """Write the report; return the files written."""
    datasets = read_database(database)
    out_dir.mkdir(parents=True, exist_ok=True)
    generated = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    footer = Footer(source_note.strip(), database.name, generated)
    written: list[Path] = []

    def write(name: str, text: str) -> None:
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)

    write("plotly.min.js", plotly.offline.get_plotlyjs())
    for name in STATIC_FILES:
        write(name, static_text(name))
    write("index.html", render_index_page(index_page(datasets, database), footer))
    for position, data in enumerate(datasets):
        previous = datasets[position - 1].indicator if position > 0 else None
        following = datasets[position + 1].indicator if position + 1 < len(datasets) else None
        write(f"{data.indicator.code}.html", render_indicator_page(indicator_page(data, previous, following), footer))
        if (position + 1) % 10 == 0 or position + 1 == len(datasets):
            print(f"[report] wrote {position + 1}/{len(datasets)} indicator pages", flush=True)
    remove_stale_pages(out_dir, {p.name for p in written})
    return written


def remove_stale_pages(out_dir: Path, written: set[str]) -> None:
    for pattern in INDICATOR_PAGE_PATTERNS:
        for path in list(out_dir.glob(pattern)):
            if path.name not in written:
                path.unlink()
