"""The standardised figures of docs/standardisation.md ("The figures"), from the strata of each
unit: the directly standardised rate with Dobson's interval, the expected count at Belgium's
rates, the indirectly standardised ratio with its exact Poisson interval, and the comparison
with Belgium. Which units publish them is standardised_figures.py's job.

The exact Poisson limits are SciPy's chi-square quantiles for every count, where the build reads
a seed below 5,000 and uses Byar's approximation beyond: this is the independent check of both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.stats import chi2

from atlas.indicator_models import STANDARDISED_COLUMNS
from atlas.project_vars import project_vars

FloatArray = npt.NDArray[np.float64]

# The strata columns `standardised` reads, per unit (the `by` keys) and stratum.
STRATUM_COLUMNS = ["observed", "population", "standard_share", "reference_rate", "multiplier"]

# The sexes of the strata (a row of another is quarantined); an ESP weight is the same for each.
SEXES = ("M", "F")
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Standardisation:
    """The vars of the standardised figures: the reference population (`belgium` or `esp2013`),
    the fewest events (rule 3) and beneficiaries of a statistical sector (rule 4) to publish."""

    standard_population: str = "belgium"
    min_events: int = 10
    min_sector_beneficiaries: int = 1000

    @staticmethod
    def from_project() -> Standardisation:
        """The dbt vars of dbt_project.yml (the build applies the same)."""
        values = project_vars("standard_population", "standardisation_min_events",
                              "standardisation_min_sector_beneficiaries")
        return Standardisation(standard_population=str(values["standard_population"]),
                               min_events=int(values["standardisation_min_events"]),
                               min_sector_beneficiaries=int(values["standardisation_min_sector_beneficiaries"]))


def esp2013_by_band(esp2013: pd.DataFrame, age_bands: pd.DataFrame) -> pd.Series:
    """The European Standard Population 2013 (Eurostat, Revision of the European Standard
    Population, 2013; seed european_standard_population, 5-year bands, 95+ as 95-150) summed
    into the 10-year bands of the age_bands seed: 0-9 = 0-4 + 5-9, ..., 90+ = 90-94 + 95+.
    A 5-year band astride two of ours would be an error of the seeds, not a split to guess."""
    ages = esp2013.astype({"age_from": int, "age_to": int, "persons": float})
    weights = {}
    for band in age_bands.to_dict("records"):
        start, end = int(band["age_from"]), int(band["age_to"])
        inside = (ages["age_from"] >= start) & (ages["age_to"] <= end)
        astride = (ages["age_from"] <= end) & (ages["age_to"] >= start) & ~inside
        if astride.any():
            raise ValueError(f"european_standard_population: a band crosses the age band {band['age_band']}")
        weights[str(band["age_band"])] = float(ages.loc[inside, "persons"].sum())
    return pd.Series(weights, dtype=np.float64)


def exact_poisson_limits(observed: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """(O_L, O_U), the exact 95% interval of Poisson counts (Garwood 1936): chi2(0.025; 2 O) / 2
    and chi2(0.975; 2 O + 2) / 2. A count of 0 has the lower limit 0 (no chi-square of 0
    degrees of freedom)."""
    counts = np.asarray(observed, dtype=np.float64)
    alpha = 1 - CONFIDENCE
    lower = np.where(counts > 0, chi2.ppf(alpha / 2, np.maximum(2 * counts, 1)) / 2, 0.0)
    upper = chi2.ppf(1 - alpha / 2, 2 * counts + 2) / 2
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def standardised(strata: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per unit (the `by` keys): O (`observed`) and the eight standardised columns, from its strata
    (STRATUM_COLUMNS): n_s, N_s, W_s / sum W over the whole reference population (a stratum where
    the unit has nobody adds nothing to the sums, but its weight still counts in sum W), R_s
    and the indicator's multiplier m.

    DSR = m sum(W_s/W r_s), var = m^2 sum((W_s/W)^2 n_s / N_s^2), Dobson's limits
    DSR + sqrt(var / O) (O_L - O) and with O_U (none for O = 0: no events, no spread to scale);
    E = sum N_s R_s, ratio O / E and (O_L / E, O_U / E) (none where E = 0)."""
    population = strata["population"].to_numpy(dtype=np.float64)
    observed = strata["observed"].to_numpy(dtype=np.float64)
    share = strata["standard_share"].to_numpy(dtype=np.float64)
    somebody = population > 0
    safe_population = np.where(somebody, population, 1.0)
    terms = pd.DataFrame({
        "observed": observed,
        "weighted_rate": np.where(somebody, share * observed / safe_population, 0.0),
        "variance": np.where(somebody, share ** 2 * observed / safe_population ** 2, 0.0),
        "expected": population * strata["reference_rate"].to_numpy(dtype=np.float64),
        "multiplier": strata["multiplier"].to_numpy(dtype=np.float64),
    })
    sums = pd.concat([strata[by].reset_index(drop=True), terms], axis=1).groupby(by, sort=False).agg(
        {"observed": "sum", "weighted_rate": "sum", "variance": "sum", "expected": "sum", "multiplier": "first"})
    multiplier = sums["multiplier"].to_numpy()

    count = sums["observed"].to_numpy()
    rate = multiplier * sums["weighted_rate"].to_numpy()
    variance = multiplier ** 2 * sums["variance"].to_numpy()
    count_lower, count_upper = exact_poisson_limits(count)
    spread = np.sqrt(variance / np.where(count > 0, count, np.nan))
    expected = sums["expected"].to_numpy()
    per_expected = 1 / np.where(expected > 0, expected, np.nan)
    ratio_lower, ratio_upper = count_lower * per_expected, count_upper * per_expected
    compared = np.select([ratio_lower > 1, ratio_upper < 1], ["higher", "lower"], "not different").astype(object)
    compared[np.isnan(per_expected)] = None
    figures = pd.DataFrame({
        "observed": count,
        "standardised_rate": rate,
        "standardised_rate_lower": rate + spread * (count_lower - count),
        "standardised_rate_upper": rate + spread * (count_upper - count),
        "expected": expected,
        "standardised_ratio": count * per_expected,
        "standardised_ratio_lower": ratio_lower,
        "standardised_ratio_upper": ratio_upper,
        "compared_with_belgium": compared,
    }, index=sums.index)
    return figures.reset_index()


# ---------------------------------------------------------------------------------------------
# One unit's figures from plain lists (the worked examples of the literature)
# ---------------------------------------------------------------------------------------------

def one_unit(observed: Sequence[float], population: Sequence[float], standard: Sequence[float],
             reference_rate: Sequence[float], multiplier: float) -> dict[str, float]:
    """`standardised` for the strata of one unit, given as lists."""
    weights = np.asarray(standard, dtype=np.float64)
    strata = pd.DataFrame({"unit": 0, "observed": observed, "population": population,
                           "standard_share": weights / weights.sum(), "reference_rate": reference_rate,
                           "multiplier": multiplier})
    row = standardised(strata, ["unit"]).iloc[0]
    return {column: row[column] for column in ["observed", *STANDARDISED_COLUMNS]}


def directly_standardised_rate(observed: Sequence[float], population: Sequence[float], standard: Sequence[float],
                               multiplier: float) -> tuple[float, float, float]:
    """(DSR, lower, upper) of one unit's strata against a standard population."""
    figures = one_unit(observed, population, standard, [0.0] * len(observed), multiplier)
    return (float(figures["standardised_rate"]), float(figures["standardised_rate_lower"]),
            float(figures["standardised_rate_upper"]))


def indirectly_standardised_ratio(observed: Sequence[float], population: Sequence[float],
                                  reference_rate: Sequence[float]) -> tuple[float, float, float, float]:
    """(E, O / E, lower, upper) of one unit's strata at the reference's stratum rates."""
    figures = one_unit(observed, population, [1.0] * len(observed), reference_rate, 1.0)
    return (float(figures["expected"]), float(figures["standardised_ratio"]),
            float(figures["standardised_ratio_lower"]), float(figures["standardised_ratio_upper"]))
