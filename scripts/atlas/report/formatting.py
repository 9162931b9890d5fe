"""How cells read on every page, shared by the charts and the tables so that they agree: the text
of numbers, area names and suppression flags, and the order areas and age bands come in."""

from __future__ import annotations

import html
from typing import Iterable

from atlas.report.model import Cell

SUPPRESSED_LABELS = {"small_cell": "suppressed (small cell)", "secondary": "suppressed (secondary)"}


def esc(text: object) -> str:
    """HTML-escape any text for element content and double- or single-quoted attributes."""
    return html.escape("" if text is None else str(text), quote=True)


def format_value(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def format_interval(lower: float | None, upper: float | None) -> str:
    return "" if lower is None or upper is None else f"{lower:,.2f}–{upper:,.2f}"


def format_count(count: int | None) -> str:
    return "" if count is None else f"{count:,}"


def suppressed_label(flag: str) -> str:
    return SUPPRESSED_LABELS.get(flag, f"suppressed ({flag})")


def geo_label(cell: Cell) -> str:
    if cell.geo_name and cell.geo_name_nl and cell.geo_name_nl != cell.geo_name:
        return f"{cell.geo_name} / {cell.geo_name_nl}"
    return cell.geo_name or cell.geo_name_nl or cell.geo_code


def year_range(years: list[int], when_none: str) -> str:
    return f"{years[0]}–{years[-1]}" if years else when_none


def geographies(cells: Iterable[Cell]) -> list[tuple[str, str]]:
    """(geo_code, label) of the country first, then the regions by name."""
    seen: dict[str, Cell] = {}
    for cell in cells:
        seen.setdefault(cell.geo_code, cell)
    ordered = sorted(seen.values(), key=lambda c: (c.geo_level != "country", geo_label(c)))
    return [(c.geo_code, geo_label(c)) for c in ordered]


def ordered_age_bands(cells: Iterable[Cell]) -> list[str]:
    """The age bands present, youngest first ("0-9" before "10-19"); a band without a leading number last."""
    return sorted({c.age_band for c in cells}, key=age_band_key)


def age_band_key(band: str) -> tuple[int, str]:
    digits = "".join(ch for ch in band.split("-")[0] if ch.isdigit())
    return (int(digits) if digits else 10_000, band)
