"""The funnel plot's control limits (scripts/atlas/report/funnel.py, Spiegelhalter, Stat Med
2005;24:1185-1202, Appendix A.1), checked against a Poisson distribution summed here with the
standard library only, and against what the method must give in its limits."""

from __future__ import annotations

import math

import pytest

from atlas.report.funnel import count_limit, limit_curves, population_grid, ratio_limits


def poisson_cdf(count: int, mean: float) -> float:
    """P(O <= count) for O ~ Poisson(mean), summed in log space: independent of scipy."""
    if count < 0:
        return 0.0
    return sum(math.exp(k * math.log(mean) - mean - math.lgamma(k + 1)) for k in range(count + 1))


def interpolated_quantile(mean: float, p: float) -> float:
    """The paper's limit, by its definition: the smallest r with P(O <= r) >= p, less alpha."""
    r = 0
    while poisson_cdf(r, mean) < p:
        r += 1
    at, below = poisson_cdf(r, mean), poisson_cdf(r - 1, mean)
    return max(r - (at - p) / (at - below), 0.0)


def test_known_limits_for_an_expected_count_of_100() -> None:
    # Poisson(100): P(O <= 80) = 0.0226 < 0.025 <= P(O <= 81) = 0.0291, and
    # P(O <= 119) = 0.9718 < 0.975 <= P(O <= 120) = 0.9773: the quantiles are 81 and 120,
    # interpolated to 80.37 and 119.58. (The chi-square interval of an observed count of 100,
    # 81.36 to 121.63, answers another question: see funnel.py.)
    assert poisson_cdf(80, 100) < 0.025 <= poisson_cdf(81, 100)
    assert poisson_cdf(119, 100) < 0.975 <= poisson_cdf(120, 100)
    assert count_limit(100, 0.025) == pytest.approx(80.366, abs=1e-3)
    assert count_limit(100, 0.975) == pytest.approx(119.581, abs=1e-3)
    assert count_limit(100, 0.001) == pytest.approx(70.065, abs=1e-3)
    assert count_limit(100, 0.999) == pytest.approx(131.805, abs=1e-3)
    low, high = ratio_limits(100, 0.025)
    assert (low, high) == (pytest.approx(0.80366, abs=1e-5), pytest.approx(1.19581, abs=1e-5))


@pytest.mark.parametrize("mean", [0.5, 3.0, 10.0, 37.2, 250.0, 1_000.0])
@pytest.mark.parametrize("p", [0.001, 0.025, 0.975, 0.999])
def test_limits_match_the_definition(mean: float, p: float) -> None:
    assert count_limit(mean, p) == pytest.approx(interpolated_quantile(mean, p), abs=1e-6)


def test_limits_approach_the_normal_ones_for_large_counts() -> None:
    # For e = 10,000 the count is close to normal: e -/+ 1.96 sqrt(e) and e -/+ 3.09 sqrt(e),
    # within the half count the interpolation and the skewness move them.
    mean = 10_000.0
    for lower_tail, z in ((0.025, 1.959964), (0.001, 3.090232)):
        low, high = ratio_limits(mean, lower_tail)
        assert low * mean == pytest.approx(mean - z * 100, abs=1.5)
        assert high * mean == pytest.approx(mean + z * 100, abs=1.5)


def test_the_funnel_narrows_around_1_as_the_population_grows() -> None:
    populations = population_grid(50, 500_000)
    assert populations[0] == pytest.approx(50) and populations[-1] == pytest.approx(500_000)
    assert all(a < b for a, b in zip(populations, populations[1:]))
    curves = limit_curves(populations, belgium_rate=0.3)
    assert [c.label for c in curves] == ["95%", "99.8%"]
    ninety_five, ninety_nine = curves
    for curve in curves:
        widths = [high - low for low, high in zip(curve.lower, curve.upper)]
        assert all(a > b for a, b in zip(widths, widths[1:]))
        assert all(low < 1 < high for low, high in zip(curve.lower, curve.upper))
    # The 99.8% limits lie outside the 95% ones everywhere.
    assert all(a < b for a, b in zip(ninety_nine.lower, ninety_five.lower))
    assert all(a > b for a, b in zip(ninety_nine.upper, ninety_five.upper))
    # Each point is the limit of a unit expecting population * rate events.
    assert ninety_five.lower[0] == pytest.approx(interpolated_quantile(15, 0.025) / 15)


def test_small_and_impossible_expected_counts() -> None:
    # When P(O = 0) >= p the lower limit is 0, never below.
    assert count_limit(0.01, 0.025) == 0.0
    assert count_limit(0, 0.5) == 0.0
    with pytest.raises(ValueError):
        ratio_limits(0, 0.025)
    with pytest.raises(ValueError):
        limit_curves([100.0], belgium_rate=0)
    with pytest.raises(ValueError):
        population_grid(0, 10)
    assert population_grid(10, 10) == [10]
