"""Steps 6 and 7: the counts of every geographic unit and age band (beneficiaries, and per
variable its patients and volume), and from them every indicator cell of the registry
(seeds/indicator_registry.csv) before suppression: value = numerator / (denominator / multiplier)."""

from __future__ import annotations

import pandas as pd

from atlas.reference.geography import GEO_LEVELS, geo_units
from atlas.reference.project import Seeds

# The all-ages band: the age_bands seed has no row for it.
TOTAL_BAND = "total"
# The unsuppressed cells: the mart columns plus the parent unit and the individuals behind the numerator.
CELL_COLUMNS = ["indicator_code", "year", "geo_level", "geo_code", "geo_name", "geo_name_nl",
                "parent_geo_level", "parent_geo_code", "age_band", "individuals", "numerator",
                "denominator", "value", "unit"]


def at_every_level(rows: pd.DataFrame, by: list[str], **counts: tuple[str, str]) -> pd.DataFrame:
    """The named counts of the rows per year, geographic unit (every level) and age band, and per
    year and unit over all ages (age_band 'total'). A row without a unit at a level (no known
    domicile, or no known sector) is counted at the levels above it only.

    The rows are counted once per finest place (sector, commune, ... together); each place
    then counts in its unit of every level, and the bands add up to the all-ages total (each
    person is in one place and one band)."""
    finest = rows.groupby(["year", *GEO_LEVELS, "age_band", *by], dropna=False).agg(**counts).reset_index()
    placed = finest.melt(id_vars=["year", "age_band", *by, *counts], value_vars=list(GEO_LEVELS),
                         var_name="geo_level", value_name="geo_code").dropna(subset=["geo_code"])
    by_band = placed.groupby(["year", "geo_level", "geo_code", "age_band", *by])[list(counts)].sum().reset_index()
    total = (by_band.groupby(["year", "geo_level", "geo_code", *by])[list(counts)].sum().reset_index()
             .assign(age_band=TOTAL_BAND))
    return pd.concat([by_band, total], ignore_index=True)


def beneficiary_cells(located: pd.DataFrame) -> pd.DataFrame:
    """The denominator: beneficiaries of the year per unit and band ("Nombre de bénéficiaires",
    births and deaths of the year included). Only cells with someone in them exist."""
    return at_every_level(located.assign(person=1), [], beneficiaries=("person", "sum"))


def measure_cells(located: pd.DataFrame, variables: pd.DataFrame) -> pd.DataFrame:
    """Per unit, band and variable: patients (persons with the variable at 1 or more) and volume
    (the sum of the variable), counted where the person lives."""
    placed = variables.merge(located, on=["person_id", "year"], how="inner")
    return at_every_level(placed, ["variable_name"], patients=("value", "size"), volume=("value", "sum"))


def indicator_cells(located: pd.DataFrame, variables: pd.DataFrame, seeds: Seeds) -> pd.DataFrame:
    """Every cell every registry indicator publishes, before suppression: the years from its
    first year, its levels (the statistical sector from its sector year, when the sector is its
    smallest level), its age bands ('age_band_10y': each band and 'total'; 'none': 'total').
    Pages: "Nombre de patients comptant au moins un examen ... / (Nombre de bénéficiaires / 100)"
    and "Nombre d'examens ... / (Nombre de bénéficiaires / 1.000)"; `individuals` are the
    persons behind the numerator (the patients, also for a volume)."""
    registry = seeds.registry.assign(
        first_year=seeds.registry["first_year"].astype(int),
        sector_from_year=pd.to_numeric(seeds.registry["sector_from_year"]),
        multiplier=seeds.registry["multiplier"].astype(float),
        smallest_level_rank=seeds.registry["smallest_geo_level"].map(GEO_LEVELS.index),
    ).rename(columns={"source_variable": "variable_name"})
    cells = beneficiary_cells(located).merge(registry, how="cross")
    cells = cells[
        (cells["year"] >= cells["first_year"])
        & ((cells["dimensions"] == "age_band_10y") | (cells["age_band"] == TOTAL_BAND))
        & (cells["geo_level"].map(GEO_LEVELS.index) <= cells["smallest_level_rank"])
        & ((cells["geo_level"] != "statistical_sector") | (cells["year"] >= cells["sector_from_year"]))
    ]
    key = ["year", "geo_level", "geo_code", "age_band", "variable_name"]
    cells = cells.merge(measure_cells(located, variables), on=key, how="left").fillna({"patients": 0, "volume": 0})
    cells = cells.merge(geo_units(seeds), on=["geo_level", "geo_code"], how="left")
    cells["individuals"] = cells["patients"]
    cells["numerator"] = cells["patients"].where(cells["measure"] == "patients", cells["volume"])
    cells["denominator"] = cells["beneficiaries"]
    cells["value"] = cells["numerator"] / (cells["denominator"] / cells["multiplier"])
    result = cells[CELL_COLUMNS].astype({"year": "int32", "individuals": "int64", "numerator": "int64",
                                         "denominator": "int64"})
    return result.sort_values(["indicator_code", "year", "geo_level", "geo_code", "age_band"], ignore_index=True)
