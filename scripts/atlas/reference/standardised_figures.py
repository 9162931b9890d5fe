"""The standardised columns of the published tables (docs/standardisation.md): the strata of every
indicator, year and unit from the reference's own persons (age band x sex), Belgium's rates and
the reference population, the figures of standardisation.py, and the publication rules 1-4
("Where they are published"), with the withheld cells of the reference's own suppression."""

from __future__ import annotations

import pandas as pd

from atlas.indicator_models import STANDARDISED_COLUMNS
from atlas.reference.cells import TOTAL_BAND, at_every_level
from atlas.reference.project import Seeds
from atlas.reference.standardisation import SEXES, Standardisation, esp2013_by_band, standardised
from atlas.reference.suppression_patterns import is_small

UNIT = ["year", "geo_level", "geo_code"]
INDICATOR_UNIT = ["indicator_code", *UNIT]
STRATUM = ["age_band", "sex"]


def stratum_counts(located: pd.DataFrame, variables: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(beneficiaries, measures): per year, unit, band and sex, the beneficiaries; and per variable
    too, its patients and volume. Counted as the cells are (cells.at_every_level), by sex."""
    beneficiaries = at_every_level(located.assign(person=1), ["sex"], beneficiaries=("person", "sum"))
    placed = variables.merge(located, on=["person_id", "year"], how="inner")
    measures = at_every_level(placed, ["variable_name", "sex"], patients=("value", "size"), volume=("value", "sum"))
    return (beneficiaries[beneficiaries["age_band"] != TOTAL_BAND].reset_index(drop=True),
            measures[measures["age_band"] != TOTAL_BAND].reset_index(drop=True))


def indicator_strata(units: pd.DataFrame, beneficiaries: pd.DataFrame, measures: pd.DataFrame,
                     registry: pd.DataFrame) -> pd.DataFrame:
    """Per indicator unit (INDICATOR_UNIT) and stratum where it has beneficiaries: `population`
    N_s, `individuals` (the variable's patients) and `observed` n_s (the patients, or the
    volume for a volume indicator), with the indicator's variable and multiplier."""
    indicators = registry[["indicator_code", "source_variable", "measure", "multiplier"]].astype(
        {"multiplier": float})
    strata = units.merge(indicators, on="indicator_code").merge(beneficiaries, on=UNIT)
    strata = strata.merge(measures.rename(columns={"variable_name": "source_variable"}),
                          on=["source_variable", *UNIT, *STRATUM], how="left").fillna({"patients": 0, "volume": 0})
    strata["individuals"] = strata["patients"]
    strata["observed"] = strata["patients"].where(strata["measure"] == "patients", strata["volume"])
    return strata.rename(columns={"beneficiaries": "population"})


def with_reference(strata: pd.DataFrame, standard_population: str, seeds: Seeds) -> pd.DataFrame:
    """The strata with Belgium's rate R_s (the country row of the same indicator and year) and the
    reference population's share W_s / sum W: Belgium's beneficiaries of the year, or the ESP
    2013 (its weight of the band for each sex, over the sum of the 20 strata's weights)."""
    country = strata[strata["geo_level"] == "country"]
    rates = country.assign(reference_rate=country["observed"] / country["population"])[
        ["indicator_code", "year", *STRATUM, "reference_rate", "population"]].rename(
        columns={"population": "belgium"})
    strata = strata.merge(rates, on=["indicator_code", "year", *STRATUM], how="left")
    if standard_population == "belgium":
        totals = rates.groupby(["indicator_code", "year"])["belgium"].sum().rename("belgium_total").reset_index()
        strata = strata.merge(totals, on=["indicator_code", "year"], how="left")
        strata["standard_share"] = strata["belgium"] / strata["belgium_total"]
    elif standard_population == "esp2013":
        weights = esp2013_by_band(seeds.european_standard_population, seeds.age_bands)
        strata["standard_share"] = strata["age_band"].map(weights) / (weights.sum() * len(SEXES))
    else:
        raise ValueError(f"standard_population {standard_population!r}: 'belgium' or 'esp2013'")
    return strata


def publishable(figures: pd.DataFrame, strata: pd.DataFrame, suppressed: pd.DataFrame, threshold: int,
                rules: Standardisation) -> pd.Series:
    """Per row of figures (INDICATOR_UNIT, observed), whether the rules 1-4 publish its figures:
    1. its total cell is published; 2. none of its bands is withheld in the population pattern or
    in its variable's pattern, and none of its strata (age band x sex) has 1 to t - 1 beneficiaries
    or individuals; 3. O >= min_events; 4. a statistical sector has at least
    min_sector_beneficiaries beneficiaries."""
    totals = suppressed[suppressed["age_band"] == TOTAL_BAND].set_index(INDICATOR_UNIT)
    at = pd.MultiIndex.from_frame(figures[INDICATOR_UNIT])
    total_published = totals["suppression_flag"].reindex(at).isna().to_numpy()

    small_stratum = is_small(strata["population"], threshold) | is_small(strata["individuals"], threshold)
    unit_has_small_stratum = pd.Series(small_stratum, index=pd.MultiIndex.from_frame(
        strata[INDICATOR_UNIT])).groupby(level=list(range(len(INDICATOR_UNIT)))).any()
    bands = strata.groupby(["source_variable", *INDICATOR_UNIT, "age_band"])[["population", "individuals"]].sum()
    band_cells = suppressed[suppressed["age_band"] != TOTAL_BAND]
    population_withheld = band_cells.groupby([*UNIT, "age_band"])["population_withheld"].any()
    variable_withheld = band_cells.groupby(["variable", *UNIT, "age_band"])["variable_withheld"].any()
    band_keys = bands.index.to_frame(index=False)
    held_in_population = population_withheld.reindex(pd.MultiIndex.from_frame(band_keys[[*UNIT, "age_band"]]))
    held_in_variable = variable_withheld.reindex(pd.MultiIndex.from_frame(
        band_keys[["source_variable", *UNIT, "age_band"]]))
    withheld = held_in_population.fillna(False).to_numpy(dtype=bool) | \
        held_in_variable.fillna(False).to_numpy(dtype=bool)
    unit_has_withheld_band = pd.Series(withheld, index=bands.index).groupby(INDICATOR_UNIT).any()
    bands_published = ~unit_has_withheld_band.reindex(at).fillna(False).to_numpy(dtype=bool) & \
        ~unit_has_small_stratum.reindex(at).fillna(False).to_numpy(dtype=bool)

    enough_events = figures["observed"].to_numpy() >= rules.min_events
    beneficiaries = strata.groupby(INDICATOR_UNIT)["population"].sum().reindex(at).to_numpy()
    big_enough = (figures["geo_level"].to_numpy() != "statistical_sector") | (
        beneficiaries >= rules.min_sector_beneficiaries)
    return pd.Series(total_published & bands_published & enough_events & big_enough, index=figures.index)


def standardised_columns(located: pd.DataFrame, variables: pd.DataFrame, suppressed: pd.DataFrame,
                         seeds: Seeds, threshold: int, rules: Standardisation) -> pd.DataFrame:
    """Per indicator unit of the suppressed cells (their total rows): the eight standardised
    columns, null where the rules withhold them."""
    beneficiaries, measures = stratum_counts(located, variables)
    units = suppressed.loc[suppressed["age_band"] == TOTAL_BAND, INDICATOR_UNIT].drop_duplicates()
    registry = seeds.registry
    strata = with_reference(indicator_strata(units, beneficiaries, measures, registry), rules.standard_population,
                            seeds)
    figures = standardised(strata, INDICATOR_UNIT)
    shown = publishable(figures, strata, suppressed.assign(variable=suppressed["indicator_code"].map(
        registry.set_index("indicator_code")["source_variable"])), threshold, rules).to_numpy()
    columns = figures[[*INDICATOR_UNIT, *STANDARDISED_COLUMNS]].copy()
    for column in STANDARDISED_COLUMNS:
        columns[column] = columns[column].where(shown)
    columns["compared_with_belgium"] = columns["compared_with_belgium"].astype(object).where(shown, None)
    return columns.assign(age_band=TOTAL_BAND)
