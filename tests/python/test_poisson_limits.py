"""The exact Poisson limits the standardised figures' intervals read (docs/standardisation.md)."""

from __future__ import annotations

import pytest

from atlas import poisson_limits


def test_the_seed_is_what_the_script_writes() -> None:
    assert poisson_limits.main(["--check"]) == 0


@pytest.mark.parametrize(("observed", "lower", "upper"), [
    # Published exact 95% limits (Daly, Comput Biol Med 1992;22:351, table 2; the same in
    # epitools::pois.exact): 0 -> (0, 3.689), 1 -> (0.0253, 5.572), 10 -> (4.795, 18.390).
    (0, 0.0, 3.689),
    (1, 0.0253, 5.572),
    (10, 4.795, 18.390),
])
def test_exact_limits_are_the_published_ones(observed: int, lower: float, upper: float) -> None:
    computed = poisson_limits.exact_limits(observed)
    assert computed == pytest.approx((lower, upper), abs=6e-4)


def test_byar_is_within_5e_8_of_the_exact_limits_where_the_seed_ends() -> None:
    # The build switches from the seed to Byar at SEED_COUNTS; the error shrinks as counts grow.
    for observed in [poisson_limits.SEED_COUNTS, poisson_limits.SEED_COUNTS * 3, 10**6]:
        exact = poisson_limits.exact_limits(observed)
        byar = poisson_limits.byar_limits(observed)
        assert byar == pytest.approx(exact, rel=5e-8), observed


def test_byar_is_not_good_enough_for_small_counts() -> None:
    # Why the seed exists: at 10 events Byar's lower limit is 0.17% off.
    exact_lower, _ = poisson_limits.exact_limits(10)
    byar_lower, _ = poisson_limits.byar_limits(10)
    assert abs(byar_lower - exact_lower) / exact_lower > 1e-3
