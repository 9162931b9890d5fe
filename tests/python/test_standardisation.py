"""The reference's standardised figures (scripts/atlas/reference/standardisation.py and
standardised_figures.py, docs/standardisation.md): the literature's worked examples
(standardisation_worked_examples.py), and the hand-built extract (hand_built_extract.py) with
its figures worked out by hand below, and the publication rules 1-4 on it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from atlas.indicator_models import STANDARDISED_COLUMNS
from atlas.reference.indicators import MART_COLUMNS, ReferenceResult, Standardisation, compute
from atlas.reference.standardisation import (directly_standardised_rate, exact_poisson_limits,
                                             indirectly_standardised_ratio)
from conftest import write_raw_extract
from hand_built_extract import BENEFICIARIES, CLAIMS
from standardisation_worked_examples import DSR_EXAMPLE, ISR_EXAMPLE

# ---------------------------------------------------------------------------------------------
# The literature's worked examples (PHEindicatormethods)
# ---------------------------------------------------------------------------------------------


def test_dsr_of_the_worked_example() -> None:
    rate, lower, upper = directly_standardised_rate(DSR_EXAMPLE["observed"], DSR_EXAMPLE["population"],
                                                    DSR_EXAMPLE["standard_population"], DSR_EXAMPLE["multiplier"])
    assert rate == pytest.approx(DSR_EXAMPLE["rate"], rel=1e-12)
    # PHE's limits take O_L, O_U of O = 91 from Byar's approximation, ours exact: O_L 73.26552935
    # (Byar) against 73.26752350 (exact), O_U 111.72901423 against 111.72783492. Dobson's limit
    # moves by sqrt(var / O) = 12.7298 (per 100,000) times that: +0.02539 on 877.4558 (2.9e-5)
    # and -0.01501 on 1367.0882 (1.1e-5). 5e-5 (relative) admits that and nothing coarser: a
    # wrong variance or count limit moves the limits by percents.
    assert lower == pytest.approx(DSR_EXAMPLE["lower"], rel=5e-5)
    assert upper == pytest.approx(DSR_EXAMPLE["upper"], rel=5e-5)
    assert lower > DSR_EXAMPLE["lower"] and upper < DSR_EXAMPLE["upper"]  # the exact interval is the narrower


def test_isr_of_the_worked_example() -> None:
    # Fewer than 10 events: PHE's limits are exact too, so all four agree to rounding.
    reference_rate = [events / persons for events, persons in
                      zip(ISR_EXAMPLE["reference_observed"], ISR_EXAMPLE["reference_population"])]
    expected, ratio, lower, upper = indirectly_standardised_ratio(ISR_EXAMPLE["observed"],
                                                                  ISR_EXAMPLE["population"], reference_rate)
    assert expected == pytest.approx(ISR_EXAMPLE["expected"], rel=1e-12)
    assert ratio == pytest.approx(ISR_EXAMPLE["ratio"], rel=1e-12)
    assert lower == pytest.approx(ISR_EXAMPLE["lower"], rel=1e-12)
    assert upper == pytest.approx(ISR_EXAMPLE["upper"], rel=1e-12)


def test_exact_poisson_limits_of_small_counts() -> None:
    # Chi-square tables: O = 0: (0, chi2(0.975; 2) / 2 = 7.3778 / 2); O = 1: (5.0636e-2 / 2,
    # 11.1433 / 2); O = 10: (9.5908 / 2, 36.7807 / 2).
    lower, upper = exact_poisson_limits([0, 1, 10])
    assert list(lower) == pytest.approx([0.0, 0.025318, 4.795389], abs=1e-6)
    assert list(upper) == pytest.approx([3.688879, 5.571643, 18.390356], abs=1e-6)


# ---------------------------------------------------------------------------------------------
# The hand-built extract
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hand_built_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_raw_extract(tmp_path_factory.mktemp("standardisation") / "raw", BENEFICIARIES, CLAIMS)


def reference(raw_dir: Path, threshold: int, rules: Standardisation) -> ReferenceResult:
    return compute(raw_dir, threshold=threshold, progress=lambda message: None, standardisation=rules)


def figures(result: ReferenceResult, code: str, year: int, level: str, geo_code: str) -> dict[str, object]:
    table = result.indicator_values.set_index(["indicator_code", "year", "geo_level", "geo_code", "age_band"])
    row = table.loc[(code, year, level, geo_code, "total")]
    return {column: (None if pd.isna(row[column]) else row[column]) for column in STANDARDISED_COLUMNS}


# Every rule lowered (no small cells, one event, one beneficiary): every unit publishes.
EVERYTHING = Standardisation(min_events=1, min_sector_beneficiaries=1)

# cube_013_001 (persons imaged, per 100 beneficiaries), 2016, Belgian reference. Belgium's strata
# (hand_built_fixture's person sheet, imaged / beneficiaries, W_s = the beneficiaries):
#   0-9 M P01 1/1, F P05 1/1;  10-19 F P02 1/1;  20-29 M P12 1/1;
#   30-39 M P06 P17 P19 1/3, F P07 P16 P18 P20 0/4;  40-49 M P08 1/1, F P09 1/1;
#   50-59 M P10 1/1, F P11 0/1;  60-69 M P14 0/1, F P13 1/1;  70-79 F P15 1/1;
#   80-89 F P03 1/1;  90+ M P04 1/1.  O = 12 of 20, sum W = 20.
# Commune 11002 (Antwerpen): P01 (0-9 M, imaged), P05 (0-9 F, imaged), P02 (10-19 F, imaged),
# P20 (30-39 F, not), P03 (80-89 F, imaged), P04 (90+ M, imaged): O = 5 of 6, each stratum N_s = 1.
#   DSR = 100 * sum(W_s r_s) / 20 = 100 * (1 + 1 + 1 + 4 * 0 + 1 + 1) / 20 = 25
#   var = 100^2 * sum((W_s / 20)^2 n_s / N_s^2) = 10000 * (1 + 1 + 1 + 1 + 1) / 400 = 125
#     (the 30-39 F stratum, W = 4, has n = 0); sqrt(var / O) = sqrt(125 / 5) = 5
#   O_L = chi2(0.025; 10) / 2 = 3.246973 / 2 = 1.6234864; O_U = chi2(0.975; 12) / 2 = 23.336664 / 2 = 11.668332
#   DSR limits: 25 + 5 * (1.6234864 - 5) = 8.117432; 25 + 5 * (11.668332 - 5) = 58.34166
#   E = sum N_s R_s = 1 (0-9 M) + 1 (0-9 F) + 1 (10-19 F) + 0 (30-39 F, 0/4) + 1 (80-89 F) + 1 (90+ M) = 5
#   ratio = 5 / 5 = 1; limits 1.6234864 / 5 = 0.32469728, 11.668332 / 5 = 2.3336664: 1 inside, not different
COMMUNE_11002 = {
    "standardised_rate": 25.0, "standardised_rate_lower": 8.117432, "standardised_rate_upper": 58.34166,
    "expected": 5.0, "standardised_ratio": 1.0, "standardised_ratio_lower": 0.32469728,
    "standardised_ratio_upper": 2.3336664, "compared_with_belgium": "not different",
}
# Belgium: with its own population as the reference, DSR = the crude rate 12 / 20 * 100 = 60;
#   var = 100^2 * sum((N_s / 20)^2 * n_s / N_s^2) = 10000 * 12 / 400 = 300, sqrt(300 / 12) = 5;
#   O_L = chi2(0.025; 24) / 2 = 12.401150 / 2 = 6.200575; O_U = chi2(0.975; 26) / 2 = 41.923170 / 2 = 20.961585
#   DSR limits 60 + 5 * (6.200575 - 12) = 31.002875, 60 + 5 * (20.961585 - 12) = 104.807925;
#   E = sum N_s (n_s / N_s) = O = 12, ratio 1, limits 6.200575 / 12 = 0.51671458, 20.961585 / 12 = 1.7467988.
BELGIUM = {
    "standardised_rate": 60.0, "standardised_rate_lower": 31.002875, "standardised_rate_upper": 104.807925,
    "expected": 12.0, "standardised_ratio": 1.0, "standardised_ratio_lower": 0.51671458,
    "standardised_ratio_upper": 1.7467988, "compared_with_belgium": "not different",
}


@pytest.mark.parametrize("geo_level, geo_code, expected", [("commune", "11002", COMMUNE_11002),
                                                           ("country", "BE", BELGIUM)])
def test_hand_worked_figures(hand_built_raw: Path, geo_level: str, geo_code: str,
                             expected: dict[str, object]) -> None:
    got = figures(reference(hand_built_raw, 1, EVERYTHING), "cube_013_001", 2016, geo_level, geo_code)
    assert got["compared_with_belgium"] == expected["compared_with_belgium"]
    # The limits above are written to 7-8 digits (chi-square tables give 6-7).
    assert {k: v for k, v in got.items() if k != "compared_with_belgium"} == pytest.approx(
        {k: v for k, v in expected.items() if k != "compared_with_belgium"}, rel=2e-7)


def test_esp2013_reference(hand_built_raw: Path) -> None:
    # ESP 2013 in 10-year bands, per sex: 0-9 10500, 10-19 11000, 80-89 4000, 90+ 1000; sum of the
    # 20 strata 2 * 100,000. Commune 11002: 100 * (10500 + 10500 + 11000 + 4000 + 1000) / 200000 = 18.5.
    # E and the ratio do not depend on the reference population: 5 and 1.
    got = figures(reference(hand_built_raw, 1, Standardisation("esp2013", 1, 1)), "cube_013_001", 2016,
                  "commune", "11002")
    assert got["standardised_rate"] == pytest.approx(18.5, rel=1e-12)
    assert (got["expected"], got["standardised_ratio"]) == pytest.approx((5.0, 1.0), rel=1e-12)


def test_rule_3_fewest_events(hand_built_raw: Path) -> None:
    # Default 10 events: 11002's O = 5 withholds its figures; Belgium's O = 12 publishes them.
    result = reference(hand_built_raw, 1, Standardisation(min_sector_beneficiaries=1))
    assert set(figures(result, "cube_013_001", 2016, "commune", "11002").values()) == {None}
    assert figures(result, "cube_013_001", 2016, "country", "BE")["standardised_rate"] == pytest.approx(60.0)


def test_rule_4_sector_beneficiaries(hand_built_raw: Path) -> None:
    # stat_013_001, sector 11002ZZ1- (P01 P02 P05, all imaged: O = 3): 3 beneficiaries < 1,000.
    withheld = reference(hand_built_raw, 1, Standardisation(min_events=1))
    assert set(figures(withheld, "stat_013_001", 2016, "statistical_sector", "11002ZZ1-").values()) == {None}
    published = reference(hand_built_raw, 1, EVERYTHING)
    # Belgian strata 0-9 M 1/1, 0-9 F 1/1, 10-19 F 1/1: 100 * (1 + 1 + 1) / 20 = 15.
    assert figures(published, "stat_013_001", 2016, "statistical_sector", "11002ZZ1-")[
        "standardised_rate"] == pytest.approx(15.0)


def test_rule_2_small_stratum(hand_built_raw: Path) -> None:
    # Threshold 2: Belgium's total (12 of 20) is published, but its stratum 10-19 F holds 1 person
    # (P02), so does 30-39 M's count of patients (P06 of three men): no figure, though rules 1, 3
    # and 4 hold.
    result = reference(hand_built_raw, 2, EVERYTHING)
    table = result.indicator_values.set_index(["indicator_code", "year", "geo_level", "geo_code", "age_band"])
    assert pd.isna(table.loc[("cube_013_001", 2016, "country", "BE", "total"), "suppression_flag"])
    assert set(figures(result, "cube_013_001", 2016, "country", "BE").values()) == {None}


def test_default_rules_publish_nothing_on_the_hand_built_extract(hand_built_raw: Path) -> None:
    # Twenty persons: every unit has a band of 1 to 4 persons (rule 2), and withheld totals (rule 1).
    result = compute(hand_built_raw, progress=lambda message: None)
    assert result.indicator_values[list(STANDARDISED_COLUMNS)].isna().all().all()


def test_columns_follow_the_flag_and_only_total_rows_carry_figures(hand_built_raw: Path) -> None:
    assert tuple(MART_COLUMNS[MART_COLUMNS.index("suppression_flag") + 1:]) == STANDARDISED_COLUMNS
    values = reference(hand_built_raw, 1, EVERYTHING).indicator_values
    assert list(values.columns) == MART_COLUMNS
    assert values.loc[values["age_band"] != "total", STANDARDISED_COLUMNS].isna().all().all()
    assert values.loc[values["age_band"] == "total", "standardised_rate"].notna().any()
