"""The control limits of the funnel plot of standardised ratios against population.

Method: Spiegelhalter DJ, "Funnel plots for comparing institutional performance", Stat Med
2005;24:1185-1202, Appendix A.1 (Poisson outcome, indirectly standardised ratio). A unit whose
expected count under Belgium's rate is e has, if it differs from Belgium by chance alone, a count
O ~ Poisson(e). Its ratio O / e lies within the p-limits (r_p - alpha) / e, where r_p is the
p-quantile of Poisson(e) (the smallest r with P(O <= r) >= p) and

    alpha = (P(O <= r_p) - p) / (P(O <= r_p) - P(O <= r_p - 1))

interpolates between the integers so that the limits are smooth curves instead of steps. With
p = 0.025 and 0.975 they are the 95% limits, with p = 0.001 and 0.999 the 99.8% limits
(about 2 and 3 standard deviations, as in the paper).

These are quantiles of the count expected under the null, not the confidence interval of an
observed count (the Garwood chi-square interval of docs/standardisation.md): for e = 100 the
95% limits of the count are 80.4 and 119.6, where the chi-square interval of an observed 100 is
81.4 to 121.6.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from scipy.stats import poisson

# (label, lower tail probability): the two-sided limits of the plot, from the paper.
COVERAGES: tuple[tuple[str, float], ...] = (("95%", 0.025), ("99.8%", 0.001))
LIMIT_POINTS = 120  # points along each curve: smooth at the plot's size, small in the page


def count_limit(expected: float, p: float) -> float:
    """The interpolated p-quantile of a Poisson count with mean `expected` (Spiegelhalter 2005, A.1)."""
    if expected <= 0:
        return 0.0
    quantile = float(poisson.ppf(p, expected))
    at = float(poisson.cdf(quantile, expected))
    below = float(poisson.cdf(quantile - 1, expected))
    alpha = (at - p) / (at - below)
    # When P(O = 0) >= p the quantile is 0 and alpha takes the limit below it: no count is negative.
    return max(quantile - alpha, 0.0)


def ratio_limits(expected: float, lower_tail: float) -> tuple[float, float]:
    """The (lower, upper) limits of the ratio O / e of a unit expecting `expected` events."""
    if expected <= 0:
        raise ValueError(f"a control limit needs a positive expected count, not {expected}")
    return (count_limit(expected, lower_tail) / expected, count_limit(expected, 1 - lower_tail) / expected)


@dataclass(frozen=True)
class LimitCurves:
    """One pair of control limits along the population axis."""
    label: str                  # "95%" or "99.8%"
    populations: list[float]
    lower: list[float]
    upper: list[float]


def population_grid(smallest: float, largest: float, points: int = LIMIT_POINTS) -> list[float]:
    """Populations evenly spaced on a log scale from smallest to largest (the plot's x axis is logarithmic)."""
    if smallest <= 0 or largest < smallest:
        raise ValueError(f"no population grid from {smallest} to {largest}")
    if largest == smallest:
        return [smallest]
    step = (math.log(largest) - math.log(smallest)) / (points - 1)
    return [math.exp(math.log(smallest) + step * index) for index in range(points)]


def limit_curves(populations: Sequence[float], belgium_rate: float) -> list[LimitCurves]:
    """The 95% and 99.8% limits of the ratio around 1 for units of these populations, each expecting
    population * belgium_rate events (belgium_rate: Belgium's numerator / denominator)."""
    if belgium_rate <= 0:
        raise ValueError(f"the funnel needs Belgium's rate above 0, not {belgium_rate}")
    curves = []
    for label, lower_tail in COVERAGES:
        limits = [ratio_limits(population * belgium_rate, lower_tail) for population in populations]
        curves.append(LimitCurves(label, list(populations), [low for low, _ in limits], [up for _, up in limits]))
    return curves
