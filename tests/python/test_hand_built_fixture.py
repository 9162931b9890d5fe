"""End-to-end test on a small hand-built raw extract, with every expected figure worked out by hand.

The extract below (20 persons in 2016, 7 in 2015, 3 in 2014) is built with `dbt build` twice per
module: once with small-cell suppression disabled (`small_cell_threshold: 1`, fixture `atlas_db`),
where the tests read cells of the indicator tables and compare them with literal numbers, and once
with the default threshold of 5 (fixture `atlas_db_suppressed`), where they check which cells are
withheld and with which flag. Each expected number or flag carries a comment saying which persons
make it up: nothing is computed by the code under test or re-derived in Python.

Geography used (seeds/geo_*.csv):
    11002 Anvers/Antwerpen    arr 11000, province 10000, region 02000 (sectors 11002ZZ1-/2-/3-)
    11001 Aartselaar          arr 11000, province 10000, region 02000 (sectors 11001ZZ1-/2-)
    21004 Bruxelles/Brussel   arr 21000, province 04000, region 04000 (sectors 21004ZZ1-/2-)
    62063 Liège/Luik          arr 62000, province 60000, region 03000 (sectors 62063ZZ1-/2-)

Codes used (seeds/imaging_nomenclature_codes.csv, seeds/general_practice_codes.csv), checked by
`test_fixture_inputs_mean_what_the_test_assumes`:
    450376 conventional_rx, 460014 echography, 458990 ct, 307090 dental (valid to 2024-03-31),
    202532 therapeutic_interventional, 452690 thorax_rx (its own category: IMAG_RXTHORAX_N, not
    IMAG_CONV_N), 457855 ct valid only from 2018-12-01 (so NOT imaging in 2016),
    101010 GP consultation (not imaging), 102771 DMG, 109616 medical-house forfait.
Providers (seeds/provider_qualification_groups.csv):
    ('1','460') radiologist, ('1','580') other specialist, ('1','003') general practitioner,
    ('3','001') dentist.

Person sheet for 2016 (age = 2016 - birth year; domicile = 31 Dec, else 30 June):
    id  born  age band   commune  sector      imaging claims 2016 (net)          ALL VOL THERA SPEC MH
    P01 2007   9  0-9    11002    11002ZZ1-   conv x1 radiologist                  1   1   0    0   0
    P02 2006  10  10-19  11002    11002ZZ1-   echo x2 (one line, qty 2) other spec 1   2   0    1   0
    P03 1927  89  80-89  11002    11002ZZ2-   thera x1 radiologist                 1   1   1    0   0
    P04 1926  90  90+    11002    11002ZZ2-   conv x1 other spec; died 2016-03-01  1   1   0    1   0
    P05 2016   0  0-9    11002    11002ZZ1-   echo x1 GP; born in 2016             1   1   0    0   0
    P06 1980  36  30-39  11001    11001ZZ1-   dental x1 dentist                    1   1   0    0   0
    P07 1980  36  30-39  11001    11001ZZ1-   conv +1 -1 (nets to 0); consult      0   0   0    0   0
    P08 1970  46  40-49  11001    (null)      ct x1 other spec                     1   1   0    1   0
    P09 1970  46  40-49  11001    11001ZZ2-   echo x1 other spec; moved from 21004 1   1   0    1   0
    P10 1960  56  50-59  21004    21004ZZ1-   conv radiologist + thera other spec  1   3   1    1   0
                                              + thorax radiologist (only a 30 June
                                              domicile)
    P11 1960  56  50-59  21004    21004ZZ1-   none                                 0   0   0    0   0
    P12 1990  26  20-29  21004    21004ZZ2-   conv +2 -1 radiologist (net 1)       1   1   0    0   0
    P13 1950  66  60-69  (none)   (none)      echo x1 other spec                   1   1   0    1   0
    P14 1950  66  60-69  62063    62063ZZ1-   consult; ct 457855 not yet valid     0   0   0    0   0
    P15 1940  76  70-79  62063    62063ZZ1-   thera x1 other spec                  1   1   1    1   0
    P16 1985  31  30-39  62063    62063ZZ2-   6 forfaits MH_1                      0   0   0    0   1
    P17 1985  31  30-39  62063    62063ZZ2-   5 forfaits MH_1                      0   0   0    0   0
    P18 1985  31  30-39  62063    62063ZZ2-   6 forfaits MH_1 + DMG by GP_2        0   0   0    0   0
    P19 1985  31  30-39  21004    21004ZZ2-   6 forfaits MH_2 + DMG by MH_2        0   0   0    0   1
    P20 1985  31  30-39  11002    11002ZZ3-   7 forfaits MH_3, one corrected (6)   0   0   0    0   1
    totals (20 persons)                                                          12  15   3    7   3
    (ALL = imaged at all, VOL = net imaging exams, THERA / SPEC = therapeutic / other-specialist
    patient, MH = medical-house patient.)
    P10's thorax RX (added after the first version of this sheet) raised P10's VOL from 2 to 3 and
    so every cube_013_002 volume where P10 counts (BE total 14 -> 15, BE 50-59, Brussels region /
    province / arrondissement / commune 21004); it made P10 the only thorax patient; P10 was already
    a radiologist patient (conv), so radiologist PATIENT counts are unchanged, radiologist VOLUMES
    count P10 twice. Other per-variable counts for 2016:
        radiologist (IMAG_RADIO_N): P01 1, P03 1, P10 2 (conv + thorax), P12 1    -> 4 patients, 5 exams
        dentist (IMAG_DENTIST_N): P06 1                                           -> 1 patient, 1 exam
        echography (IMAG_ECHO_N): P02 2, P05 1 (GP), P09 1, P13 1                  -> 4 patients, 5 exams
        ct (IMAG_CT_N): P08 1 (P14's 457855 is not valid yet)                     -> 1 patient, 1 exam
        conventional RX (IMAG_CONV_N): P01 P04 P10 P12 1 each (P07 nets to 0)     -> 4 patients, 4 exams
        thorax RX (IMAG_RXTHORAX_N): P10 1                                        -> 1 patient, 1 exam
        MRI, scintigraphy, diagnostic interventional: nobody                      -> 0
    P99 is not in any population year (its imaging claim counts nothing); P01 also has a 2017
    claim (no 2017 population, so no 2017 rows).

Person sheet for 2015 (7 persons):
    P01 2007  8 0-9   11002 11002ZZ1-  conv radiologist on 2015-12-31     ALL RADIO
    P02 2006  9 0-9   11002 11002ZZ1-  echo other spec                    ALL SPEC
    P03 1927 88 80-89 11002 11002ZZ2-  thera radiologist                  ALL THERA RADIO
    P04 1926 89 80-89 11002 11002ZZ2-  none
    P09 1970 45 40-49 21004 21004ZZ1-  none
    P11 1960 55 50-59 21004 21004ZZ1-  none
    P16 1985 30 30-39 62063 62063ZZ2-  6 forfaits MH_1                    MH
    (P13 has a 2015 echo but is not in the 2015 population: counts nothing.)

Person sheet for 2014 (3 persons; cube_ codes start in 2015, so only stat_ rows):
    P11 1960 54 50-59 21004 21004ZZ1-  echo other spec                    SPEC
    P14 1950 64 60-69 62063 62063ZZ1-  6 forfaits MH_1 (its DMG by GP_2 is dated 2015)  MH
    P16 1985 29 20-29 62063 62063ZZ2-  6 forfaits MH_1                    MH
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from atlas.disclosure.audit import run_audit
from conftest import PROJECT_DIR, query, registry_codes
from hand_built_extract import (CONSULT, CONV, CT, CT_NOT_YET_VALID, DENTAL, DENTIST, DMG, ECHO, FORFAIT, GP,
                                OTHER_SPECIALIST, RADIOLOGIST, THERA, THORAX)

MART_COLUMNS = [
    "indicator_code", "year", "geo_level", "geo_code", "geo_name", "geo_name_nl", "age_band",
    "numerator", "denominator", "value", "unit", "suppression_flag",
    # docs/standardisation.md
    "standardised_rate", "standardised_rate_lower", "standardised_rate_upper", "expected",
    "standardised_ratio", "standardised_ratio_lower", "standardised_ratio_upper", "compared_with_belgium",
]
CUBE_TABLES = ["cube_013_001", "cube_013_002", "cube_013_003", "cube_013_004", "cube_013_005",
               "cube_013_006", "cube_013_010", "cube_013_013", "cube_013_014", "cube_013_017",
               "cube_013_018", "cube_013_023", "cube_013_025", "cube_013_026"]
STAT_TABLES = ["stat_013_003", "stat_013_007", "stat_003_007"]
ALL_TABLES = CUBE_TABLES + STAT_TABLES


@pytest.fixture(scope="module")
def atlas_db(hand_built_unsuppressed: Path) -> Path:
    """The extract built with small-cell suppression disabled: every cell is published (conftest)."""
    return hand_built_unsuppressed


@pytest.fixture(scope="module")
def atlas_db_suppressed(hand_built_build: Path) -> Path:
    """The same extract built with the default small-cell threshold (5) (conftest)."""
    return hand_built_build


def cell(db: Path, table: str, year: int, geo_level: str, geo_code: str, age_band: str = "total"):
    rows = query(
        db,
        f"select numerator, denominator, value from main.{table} "
        "where year = ? and geo_level = ? and geo_code = ? and age_band = ?",
        [year, geo_level, geo_code, age_band],
    )
    assert len(rows) <= 1, f"{table} {year} {geo_level} {geo_code} {age_band}: {len(rows)} rows"
    return rows[0] if rows else None


# ---------------------------------------------------------------------------------------------
# Expected cells: (year, geo_level, geo_code, age_band, numerator, denominator, value)
# ---------------------------------------------------------------------------------------------
EXPECTED: dict[str, list[tuple]] = {
    # cube_013_001: persons with >= 1 net imaging exam (any provider) / beneficiaries * 100
    "cube_013_001": [
        # 2016 BE: 20 persons; patients P01 P02 P03 P04 P05 P06 P08 P09 P10 P12 P13 P15 = 12
        # (P07 netted to 0, P14 consult + not-yet-valid code, P11 none, P16-P20 forfaits only)
        (2016, "country", "BE", "total", 12, 20, 60.0),
        # 0-9: P01 (age 9) and P05 (born 2016) both imaged
        (2016, "country", "BE", "0-9", 2, 2, 100.0),
        # 10-19: P02 (age 10)
        (2016, "country", "BE", "10-19", 1, 1, 100.0),
        # 30-39: P06 P07 P16 P17 P18 P19 P20; only P06 imaged -> 1/7
        (2016, "country", "BE", "30-39", 1, 7, 100 / 7),
        # 60-69: P13 (no domicile) imaged, P14 not -> 1/2
        (2016, "country", "BE", "60-69", 1, 2, 50.0),
        # 80-89: P03 (age 89); 90+: P04 (age 90, died in March)
        (2016, "country", "BE", "80-89", 1, 1, 100.0),
        (2016, "country", "BE", "90+", 1, 1, 100.0),
        # Flanders: 11002 (P01-P05, P20) + 11001 (P06-P09) = 10; imaged P01-P06 P08 P09 = 8
        (2016, "region", "02000", "total", 8, 10, 80.0),
        # Brussels: P10 (June domicile) P11 P12 P19 = 4; imaged P10 P12
        (2016, "region", "04000", "total", 2, 4, 50.0),
        # Wallonia: P14-P18 = 5; imaged P15
        (2016, "region", "03000", "total", 1, 5, 20.0),
        # Wallonia 60-69: P14 only (P13 has no domicile), not imaged: row with 0
        (2016, "region", "03000", "60-69", 0, 1, 0.0),
        (2016, "province", "10000", "total", 8, 10, 80.0),
        (2016, "province", "04000", "total", 2, 4, 50.0),
        (2016, "province", "60000", "total", 1, 5, 20.0),
        (2016, "arrondissement", "11000", "total", 8, 10, 80.0),
        (2016, "arrondissement", "21000", "total", 2, 4, 50.0),
        (2016, "arrondissement", "62000", "total", 1, 5, 20.0),
        # Antwerpen: P01-P05 imaged, P20 not -> 5/6
        (2016, "commune", "11002", "total", 5, 6, 500 / 6),
        (2016, "commune", "11002", "30-39", 0, 1, 0.0),  # P20 only
        (2016, "commune", "11002", "90+", 1, 1, 100.0),  # P04
        # Aartselaar: P06 P07 P08 (null sector) P09 (moved in) = 4; imaged P06 P08 P09
        (2016, "commune", "11001", "total", 3, 4, 75.0),
        (2016, "commune", "11001", "40-49", 2, 2, 100.0),  # P08 P09
        # Bruxelles 50-59: P10 (imaged) P11 (not)
        (2016, "commune", "21004", "total", 2, 4, 50.0),
        (2016, "commune", "21004", "50-59", 1, 2, 50.0),
        (2016, "commune", "62063", "total", 1, 5, 20.0),
        # 2015 BE: P01 P02 P03 P04 P09 P11 P16 = 7; imaged P01 (on 2015-12-31) P02 P03 = 3
        (2015, "country", "BE", "total", 3, 7, 300 / 7),
        (2015, "country", "BE", "0-9", 2, 2, 100.0),  # P01 (8) P02 (9)
        (2015, "country", "BE", "80-89", 1, 2, 50.0),  # P03 (88) imaged, P04 (89) not
        (2015, "region", "04000", "total", 0, 2, 0.0),  # P09 P11, none imaged
        (2015, "commune", "11002", "total", 3, 4, 75.0),  # P01-P04
    ],
    # cube_013_002: sum of net imaging quantities / beneficiaries * 1000
    "cube_013_002": [
        # 2016 volumes: P01 1, P02 2, P03 1, P04 1, P05 1, P06 1, P08 1, P09 1,
        # P10 3 (conv + thera + thorax), P12 2-1=1, P13 1, P15 1 -> 15; 15 / 20 * 1000 = 750
        (2016, "country", "BE", "total", 15, 20, 750.0),
        (2016, "country", "BE", "10-19", 2, 1, 2000.0),  # P02's quantity-2 line
        (2016, "country", "BE", "20-29", 1, 1, 1000.0),  # P12 net 1
        (2016, "country", "BE", "30-39", 1, 7, 1000 / 7),  # P06 only
        (2016, "country", "BE", "50-59", 3, 2, 1500.0),  # P10 three exams, P11 none
        # Flanders: P01 1 + P02 2 + P03 1 + P04 1 + P05 1 + P06 1 + P08 1 + P09 1 = 9 over 10
        (2016, "region", "02000", "total", 9, 10, 900.0),
        (2016, "region", "04000", "total", 4, 4, 1000.0),  # P10 3 + P12 1
        (2016, "region", "03000", "total", 1, 5, 200.0),  # P15 1
        (2016, "province", "10000", "total", 9, 10, 900.0),
        (2016, "province", "60000", "total", 1, 5, 200.0),
        (2016, "arrondissement", "11000", "total", 9, 10, 900.0),
        (2016, "arrondissement", "21000", "total", 4, 4, 1000.0),  # P10 3 + P12 1
        (2016, "province", "04000", "total", 4, 4, 1000.0),
        (2016, "commune", "21004", "total", 4, 4, 1000.0),
        (2016, "commune", "21004", "50-59", 3, 2, 1500.0),  # P10 3 (June domicile), P11 0
        (2016, "commune", "11002", "total", 6, 6, 1000.0),  # 1+2+1+1+1 (P20 0)
        (2016, "commune", "11001", "total", 3, 4, 750.0),  # P06 1 + P08 1 + P09 1 (P07 0)
        (2016, "commune", "11001", "30-39", 1, 2, 500.0),  # P06 1, P07 netted 0
        (2016, "commune", "21004", "20-29", 1, 1, 1000.0),  # P12 net 1
        # 2015: P01 1 + P02 1 + P03 1 = 3 over 7 (P13's 2015 claim ignored)
        (2015, "country", "BE", "total", 3, 7, 3000 / 7),
        (2015, "country", "BE", "0-9", 2, 2, 1000.0),
        (2015, "commune", "21004", "total", 0, 2, 0.0),  # P09 P11
    ],
    # cube_013_023: persons with >= 1 therapeutic interventional exam / beneficiaries * 100
    "cube_013_023": [
        # 2016: P03 (radiologist), P10 (other spec, June domicile), P15 -> 3 / 20
        (2016, "country", "BE", "total", 3, 20, 15.0),
        (2016, "country", "BE", "80-89", 1, 1, 100.0),  # P03
        (2016, "country", "BE", "90+", 0, 1, 0.0),  # P04 had a conventional RX only
        (2016, "country", "BE", "50-59", 1, 2, 50.0),  # P10 of P10 P11
        (2016, "country", "BE", "70-79", 1, 1, 100.0),  # P15
        (2016, "region", "02000", "total", 1, 10, 10.0),  # P03
        (2016, "region", "04000", "total", 1, 4, 25.0),  # P10
        (2016, "region", "03000", "total", 1, 5, 20.0),  # P15
        (2016, "province", "10000", "total", 1, 10, 10.0),
        (2016, "province", "04000", "total", 1, 4, 25.0),
        (2016, "arrondissement", "62000", "total", 1, 5, 20.0),
        (2016, "commune", "11002", "total", 1, 6, 100 / 6),
        (2016, "commune", "11001", "total", 0, 4, 0.0),
        (2016, "commune", "21004", "50-59", 1, 2, 50.0),
        # 2015: P03 only
        (2015, "country", "BE", "total", 1, 7, 100 / 7),
        (2015, "country", "BE", "80-89", 1, 2, 50.0),  # P03 of P03 P04
        (2015, "commune", "11002", "total", 1, 4, 25.0),
    ],
    # cube_013_003: persons with >= 1 imaging exam by a radiologist / beneficiaries * 100
    "cube_013_003": [
        # 2016: P01 (conv) P03 (thera) P10 (conv + thorax) P12 (conv net 1) = 4 of 20; not P02 P04
        # P08 P09 P13 P15 (other spec), P05 (GP), P06 (dentist), P99 (no population)
        (2016, "country", "BE", "total", 4, 20, 20.0),
        (2016, "country", "BE", "0-9", 1, 2, 50.0),  # P01; P05's echo was by a GP
        (2016, "country", "BE", "10-19", 0, 1, 0.0),  # P02's echo by an other specialist
        (2016, "country", "BE", "20-29", 1, 1, 100.0),  # P12 net 1
        (2016, "country", "BE", "50-59", 1, 2, 50.0),  # P10 (counted once) of P10 P11
        (2016, "country", "BE", "80-89", 1, 1, 100.0),  # P03 thera by a radiologist
        (2016, "country", "BE", "90+", 0, 1, 0.0),  # P04 by an other specialist
        (2016, "region", "02000", "total", 2, 10, 20.0),  # P01 P03
        (2016, "region", "04000", "total", 2, 4, 50.0),  # P10 P12
        (2016, "region", "03000", "total", 0, 5, 0.0),  # P15's thera by an other specialist
        (2016, "commune", "11002", "total", 2, 6, 100 / 3),  # P01 P03
        (2016, "commune", "11001", "total", 0, 4, 0.0),
        (2016, "commune", "21004", "total", 2, 4, 50.0),  # P10 P12
        (2016, "commune", "21004", "50-59", 1, 2, 50.0),  # P10
        # 2015: P01 (conv on 2015-12-31) P03 (thera), both by a radiologist, of 7
        (2015, "country", "BE", "total", 2, 7, 200 / 7),
        (2015, "country", "BE", "0-9", 1, 2, 50.0),  # P01 of P01 P02
        (2015, "country", "BE", "80-89", 1, 2, 50.0),  # P03 of P03 P04
        (2015, "commune", "11002", "total", 2, 4, 50.0),
    ],
    # cube_013_004: net imaging exams by a radiologist / beneficiaries * 1000
    "cube_013_004": [
        # 2016: P01 1 + P03 1 + P10 2 (conv + thorax) + P12 1 = 5; 5 / 20 * 1000 = 250
        (2016, "country", "BE", "total", 5, 20, 250.0),
        (2016, "country", "BE", "50-59", 2, 2, 1000.0),  # P10's conv + thorax
        (2016, "country", "BE", "20-29", 1, 1, 1000.0),  # P12 2 - 1
        (2016, "region", "02000", "total", 2, 10, 200.0),  # P01 1 + P03 1
        (2016, "region", "04000", "total", 3, 4, 750.0),  # P10 2 + P12 1
        (2016, "region", "03000", "total", 0, 5, 0.0),
        (2016, "commune", "11002", "total", 2, 6, 1000 / 3),
        (2016, "commune", "21004", "total", 3, 4, 750.0),
        (2015, "country", "BE", "total", 2, 7, 2000 / 7),  # P01 1 + P03 1
    ],
    # cube_013_005: persons with >= 1 imaging exam by a dentist / beneficiaries * 100
    "cube_013_005": [
        # 2016: P06 only (dental by a dentist)
        (2016, "country", "BE", "total", 1, 20, 5.0),
        (2016, "country", "BE", "30-39", 1, 7, 100 / 7),  # P06 of P06 P07 P16-P20
        (2016, "region", "02000", "total", 1, 10, 10.0),
        (2016, "commune", "11001", "total", 1, 4, 25.0),  # P06 of P06-P09
        (2016, "commune", "11001", "30-39", 1, 2, 50.0),  # P06 of P06 P07
        (2016, "commune", "11002", "total", 0, 6, 0.0),
        (2015, "country", "BE", "total", 0, 7, 0.0),  # nobody in 2015
    ],
    # cube_013_006: net imaging exams by a dentist / beneficiaries * 1000
    "cube_013_006": [
        (2016, "country", "BE", "total", 1, 20, 50.0),  # P06 1
        (2016, "country", "BE", "30-39", 1, 7, 1000 / 7),
        (2016, "commune", "11001", "total", 1, 4, 250.0),
        (2015, "country", "BE", "total", 0, 7, 0.0),
    ],
    # cube_013_010: net conventional RX exams / beneficiaries * 1000 (thorax RX is NOT conventional)
    "cube_013_010": [
        # 2016: P01 1 + P04 1 + P10 1 (conv; its thorax not counted) + P12 2-1 = 4 (P07 nets to 0)
        (2016, "country", "BE", "total", 4, 20, 200.0),
        (2016, "country", "BE", "50-59", 1, 2, 500.0),  # P10's conv only
        (2016, "commune", "11001", "total", 0, 4, 0.0),  # P07 netted to 0
    ],
    # cube_013_013: persons with >= 1 CT / beneficiaries * 100
    "cube_013_013": [
        # 2016: P08 only (P14's 457855 is not valid before 2018-12-01)
        (2016, "country", "BE", "total", 1, 20, 5.0),
        (2016, "country", "BE", "40-49", 1, 2, 50.0),  # P08 of P08 P09
        (2016, "country", "BE", "60-69", 0, 2, 0.0),  # P13 P14: P14's CT code not yet valid
        (2016, "region", "03000", "total", 0, 5, 0.0),
        (2016, "commune", "11001", "total", 1, 4, 25.0),  # P08 (commune known, sector not)
        (2016, "commune", "11001", "40-49", 1, 2, 50.0),
    ],
    # cube_013_014: net CT exams / beneficiaries * 1000
    "cube_013_014": [
        (2016, "country", "BE", "total", 1, 20, 50.0),  # P08 1
        (2016, "commune", "11001", "total", 1, 4, 250.0),
        (2016, "commune", "62063", "total", 0, 5, 0.0),  # P14's CT not valid yet
    ],
    # cube_013_017: persons with >= 1 echography / beneficiaries * 100
    "cube_013_017": [
        # 2016: P02 (qty 2) P05 (GP) P09 (moved) P13 (no domicile) = 4 of 20
        (2016, "country", "BE", "total", 4, 20, 20.0),
        (2016, "country", "BE", "0-9", 1, 2, 50.0),  # P05 of P01 P05
        (2016, "country", "BE", "10-19", 1, 1, 100.0),  # P02
        (2016, "country", "BE", "40-49", 1, 2, 50.0),  # P09 of P08 P09
        (2016, "country", "BE", "60-69", 1, 2, 50.0),  # P13 (country only) of P13 P14
        (2016, "region", "02000", "total", 3, 10, 30.0),  # P02 P05 P09
        (2016, "region", "04000", "total", 0, 4, 0.0),  # P09 lives in 11001 on 31 December
        (2016, "region", "03000", "total", 0, 5, 0.0),
        (2016, "region", "03000", "60-69", 0, 1, 0.0),  # P14 only: P13 has no domicile
        (2016, "commune", "11002", "total", 2, 6, 100 / 3),  # P02 P05
        (2016, "commune", "11001", "total", 1, 4, 25.0),  # P09
        (2016, "commune", "11001", "40-49", 1, 2, 50.0),
        # 2015: P02 (P13's 2015 echo: not in the 2015 population)
        (2015, "country", "BE", "total", 1, 7, 100 / 7),
        (2015, "country", "BE", "0-9", 1, 2, 50.0),  # P02 of P01 P02
    ],
    # cube_013_018: net echographies / beneficiaries * 1000
    "cube_013_018": [
        # 2016: P02 2 + P05 1 + P09 1 + P13 1 = 5; 5 / 20 * 1000 = 250
        (2016, "country", "BE", "total", 5, 20, 250.0),
        (2016, "country", "BE", "10-19", 2, 1, 2000.0),  # P02's quantity-2 line
        (2016, "country", "BE", "60-69", 1, 2, 500.0),  # P13
        (2016, "region", "02000", "total", 4, 10, 400.0),  # P02 2 + P05 1 + P09 1
        (2016, "commune", "11002", "total", 3, 6, 500.0),  # P02 2 + P05 1
        (2016, "commune", "11001", "total", 1, 4, 250.0),  # P09 1
        (2015, "country", "BE", "total", 1, 7, 1000 / 7),  # P02 1
    ],
    # cube_013_025: persons with >= 1 thorax RX / beneficiaries * 100: P10 only (June domicile 21004)
    "cube_013_025": [
        (2016, "country", "BE", "total", 1, 20, 5.0),
        (2016, "country", "BE", "50-59", 1, 2, 50.0),  # P10 of P10 P11
        (2016, "region", "04000", "total", 1, 4, 25.0),  # P10 of P10 P11 P12 P19
        (2016, "province", "04000", "total", 1, 4, 25.0),
        (2016, "arrondissement", "21000", "total", 1, 4, 25.0),
        (2016, "commune", "21004", "total", 1, 4, 25.0),
        (2016, "commune", "21004", "50-59", 1, 2, 50.0),
        (2016, "region", "02000", "total", 0, 10, 0.0),
        (2015, "country", "BE", "total", 0, 7, 0.0),  # no thorax RX in 2015
    ],
    # cube_013_026: net thorax RX / beneficiaries * 1000: P10 1
    "cube_013_026": [
        (2016, "country", "BE", "total", 1, 20, 50.0),
        (2016, "country", "BE", "50-59", 1, 2, 500.0),
        (2016, "region", "04000", "total", 1, 4, 250.0),
        (2016, "commune", "21004", "total", 1, 4, 250.0),
        (2016, "commune", "21004", "50-59", 1, 2, 500.0),
        (2016, "commune", "62063", "total", 0, 5, 0.0),
    ],
    # stat_013_003: persons with >= 1 imaging exam by a radiologist / beneficiaries * 100 (total only)
    "stat_013_003": [
        # 2016: P01 P03 P10 P12 of 20 (as cube_013_003)
        (2016, "country", "BE", "total", 4, 20, 20.0),
        (2016, "region", "02000", "total", 2, 10, 20.0),  # P01 P03
        (2016, "region", "04000", "total", 2, 4, 50.0),  # P10 P12
        (2016, "region", "03000", "total", 0, 5, 0.0),
        (2016, "commune", "11002", "total", 2, 6, 100 / 3),
        (2016, "commune", "21004", "total", 2, 4, 50.0),
        # sectors 2016
        (2016, "statistical_sector", "11002ZZ1-", "total", 1, 3, 100 / 3),  # P01 of P01 P02 P05
        (2016, "statistical_sector", "11002ZZ2-", "total", 1, 2, 50.0),  # P03 of P03 P04
        (2016, "statistical_sector", "11002ZZ3-", "total", 0, 1, 0.0),  # P20
        (2016, "statistical_sector", "11001ZZ1-", "total", 0, 2, 0.0),  # P06 dentist, P07 netted
        (2016, "statistical_sector", "11001ZZ2-", "total", 0, 1, 0.0),  # P09 other spec
        (2016, "statistical_sector", "21004ZZ1-", "total", 1, 2, 50.0),  # P10 (June sector) of P10 P11
        (2016, "statistical_sector", "21004ZZ2-", "total", 1, 2, 50.0),  # P12 of P12 P19
        (2016, "statistical_sector", "62063ZZ1-", "total", 0, 2, 0.0),  # P14 P15
        (2016, "statistical_sector", "62063ZZ2-", "total", 0, 3, 0.0),  # P16 P17 P18
        # 2015: P01 P03 of 7; 2014: nobody (P11's echo by an other specialist) of 3
        (2015, "country", "BE", "total", 2, 7, 200 / 7),
        (2015, "commune", "11002", "total", 2, 4, 50.0),
        (2015, "region", "04000", "total", 0, 2, 0.0),  # P09 P11
        (2014, "country", "BE", "total", 0, 3, 0.0),
        (2014, "commune", "21004", "total", 0, 1, 0.0),  # P11
    ],
    # stat_013_007: persons with >= 1 imaging exam by an other specialist / beneficiaries * 100
    "stat_013_007": [
        # 2016: P02 P04 P08 P09 P10 P13 P15 = 7 (not P01 P03 P12 radiologist, P05 GP, P06 dentist)
        (2016, "country", "BE", "total", 7, 20, 35.0),
        (2016, "region", "02000", "total", 4, 10, 40.0),  # P02 P04 P08 P09
        (2016, "region", "04000", "total", 1, 4, 25.0),  # P10
        (2016, "region", "03000", "total", 1, 5, 20.0),  # P15
        (2016, "province", "10000", "total", 4, 10, 40.0),
        (2016, "province", "04000", "total", 1, 4, 25.0),
        (2016, "arrondissement", "11000", "total", 4, 10, 40.0),
        (2016, "arrondissement", "62000", "total", 1, 5, 20.0),
        (2016, "commune", "11002", "total", 2, 6, 100 / 3),  # P02 P04
        (2016, "commune", "11001", "total", 2, 4, 50.0),  # P08 P09
        (2016, "commune", "21004", "total", 1, 4, 25.0),
        (2016, "commune", "62063", "total", 1, 5, 20.0),
        # sectors 2016
        (2016, "statistical_sector", "11002ZZ1-", "total", 1, 3, 100 / 3),  # P01 P02 P05; P02
        (2016, "statistical_sector", "11002ZZ2-", "total", 1, 2, 50.0),  # P03 P04; P04
        (2016, "statistical_sector", "11002ZZ3-", "total", 0, 1, 0.0),  # P20
        (2016, "statistical_sector", "11001ZZ1-", "total", 0, 2, 0.0),  # P06 dentist, P07 netted
        (2016, "statistical_sector", "11001ZZ2-", "total", 1, 1, 100.0),  # P09 (Dec sector)
        (2016, "statistical_sector", "21004ZZ1-", "total", 1, 2, 50.0),  # P10 (June) P11
        (2016, "statistical_sector", "21004ZZ2-", "total", 0, 2, 0.0),  # P12 radiologist, P19
        (2016, "statistical_sector", "62063ZZ1-", "total", 1, 2, 50.0),  # P14 P15; P15
        (2016, "statistical_sector", "62063ZZ2-", "total", 0, 3, 0.0),  # P16 P17 P18
        # 2015: P02 only, of 7
        (2015, "country", "BE", "total", 1, 7, 100 / 7),
        (2015, "commune", "11002", "total", 1, 4, 25.0),
        (2015, "region", "04000", "total", 0, 2, 0.0),
        # 2014: P11 of P11 P14 P16
        (2014, "country", "BE", "total", 1, 3, 100 / 3),
        (2014, "region", "04000", "total", 1, 1, 100.0),
        (2014, "region", "03000", "total", 0, 2, 0.0),
        (2014, "province", "60000", "total", 0, 2, 0.0),
        (2014, "arrondissement", "21000", "total", 1, 1, 100.0),
        (2014, "commune", "21004", "total", 1, 1, 100.0),
    ],
    # stat_003_007: medical-house patients (>= 6 net forfaits, no DMG elsewhere) / beneficiaries * 100
    "stat_003_007": [
        # 2016: P16 (6), P19 (6 + DMG same house), P20 (7 - 1 = 6) = 3; not P17 (5), P18 (DMG GP_2)
        (2016, "country", "BE", "total", 3, 20, 15.0),
        (2016, "region", "02000", "total", 1, 10, 10.0),  # P20
        (2016, "region", "04000", "total", 1, 4, 25.0),  # P19
        (2016, "region", "03000", "total", 1, 5, 20.0),  # P16
        (2016, "province", "10000", "total", 1, 10, 10.0),
        (2016, "province", "04000", "total", 1, 4, 25.0),
        (2016, "province", "60000", "total", 1, 5, 20.0),
        (2016, "arrondissement", "11000", "total", 1, 10, 10.0),
        (2016, "arrondissement", "62000", "total", 1, 5, 20.0),
        (2016, "commune", "11002", "total", 1, 6, 100 / 6),  # P20
        (2016, "commune", "11001", "total", 0, 4, 0.0),
        (2016, "commune", "21004", "total", 1, 4, 25.0),  # P19
        (2016, "commune", "62063", "total", 1, 5, 20.0),  # P16
        (2016, "statistical_sector", "62063ZZ2-", "total", 1, 3, 100 / 3),  # P16 of P16 P17 P18
        (2016, "statistical_sector", "21004ZZ2-", "total", 1, 2, 50.0),  # P19 of P12 P19
        (2016, "statistical_sector", "11002ZZ3-", "total", 1, 1, 100.0),  # P20
        (2016, "statistical_sector", "62063ZZ1-", "total", 0, 2, 0.0),  # P14 P15
        (2016, "statistical_sector", "11001ZZ1-", "total", 0, 2, 0.0),  # P06 P07
        # 2015: P16 of 7
        (2015, "country", "BE", "total", 1, 7, 100 / 7),
        (2015, "region", "03000", "total", 1, 1, 100.0),
        (2015, "statistical_sector", "62063ZZ2-", "total", 1, 1, 100.0),  # P16
        (2015, "statistical_sector", "21004ZZ1-", "total", 0, 2, 0.0),  # P09 P11
        (2015, "statistical_sector", "11002ZZ1-", "total", 0, 2, 0.0),  # P01 P02
        # 2014: P14 and P16 of P11 P14 P16
        (2014, "country", "BE", "total", 2, 3, 200 / 3),
        (2014, "region", "03000", "total", 2, 2, 100.0),
        (2014, "region", "04000", "total", 0, 1, 0.0),
        (2014, "province", "60000", "total", 2, 2, 100.0),
        (2014, "arrondissement", "62000", "total", 2, 2, 100.0),
        (2014, "commune", "62063", "total", 2, 2, 100.0),
        (2014, "statistical_sector", "62063ZZ1-", "total", 1, 1, 100.0),  # P14
        (2014, "statistical_sector", "62063ZZ2-", "total", 1, 1, 100.0),  # P16
        (2014, "statistical_sector", "21004ZZ1-", "total", 0, 1, 0.0),  # P11
    ],
}

EXPECTED_CASES = [
    pytest.param(table, *case, id=f"{table}-{case[0]}-{case[1]}-{case[2]}-{case[3]}")
    for table, cases in EXPECTED.items()
    for case in cases
]


@pytest.mark.parametrize(
    "table, year, geo_level, geo_code, age_band, numerator, denominator, value", EXPECTED_CASES
)
def test_cell(atlas_db, table, year, geo_level, geo_code, age_band, numerator, denominator, value):
    got = cell(atlas_db, table, year, geo_level, geo_code, age_band)
    assert got is not None, f"missing row {table} {year} {geo_level} {geo_code} {age_band}"
    got_numerator, got_denominator, got_value = got
    assert (got_numerator, got_denominator) == (numerator, denominator)
    assert float(got_value) == pytest.approx(value, rel=1e-9, abs=1e-9)


# ---------------------------------------------------------------------------------------------
# Fixture sanity: the literal codes still mean what the hand computation assumed
# ---------------------------------------------------------------------------------------------
def _seed(name: str) -> list[dict[str, str]]:
    with open(PROJECT_DIR / "seeds" / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_fixture_inputs_mean_what_the_test_assumes():
    imaging = {row["nomenclature_code"]: row for row in _seed("imaging_nomenclature_codes")}
    for code, category in [(CONV, "conventional_rx"), (ECHO, "echography"), (CT, "ct"),
                           (DENTAL, "dental"), (THERA, "therapeutic_interventional"),
                           (THORAX, "thorax_rx"), (CT_NOT_YET_VALID, "ct")]:
        assert code in imaging and imaging[code]["imaging_category"] == category, code
    assert imaging[CT_NOT_YET_VALID]["valid_from"] > "2016-12-31"
    for code in (CONV, ECHO, CT, DENTAL, THERA, THORAX):
        assert imaging[code]["valid_from"] <= "2014-01-01"
        assert imaging[code]["valid_to"] in ("", None) or imaging[code]["valid_to"] >= "2016-12-31"
    for code in (CONSULT, DMG, FORFAIT):
        assert code not in imaging
    # Each category feeds its own variable: thorax RX is not conventional RX (cube_013_010).
    categories = {row["imaging_category"]: row["variable_name"] for row in _seed("imaging_categories")}
    assert categories["thorax_rx"] == "IMAG_RXTHORAX_N" and categories["conventional_rx"] == "IMAG_CONV_N"
    # The registry rows of the tables this module reads: (variable, measure, multiplier, bands, level,
    # sector year, first year).
    registry = {row["indicator_code"]: row for row in _seed("indicator_registry")}
    for code, variable, measure, multiplier in [
        ("cube_013_001", "IMAG_ALL_N", "patients", "100"), ("cube_013_002", "IMAG_ALL_N", "volume", "1000"),
        ("cube_013_003", "IMAG_RADIO_N", "patients", "100"), ("cube_013_004", "IMAG_RADIO_N", "volume", "1000"),
        ("cube_013_005", "IMAG_DENTIST_N", "patients", "100"),
        ("cube_013_006", "IMAG_DENTIST_N", "volume", "1000"), ("cube_013_010", "IMAG_CONV_N", "volume", "1000"),
        ("cube_013_013", "IMAG_CT_N", "patients", "100"), ("cube_013_014", "IMAG_CT_N", "volume", "1000"),
        ("cube_013_017", "IMAG_ECHO_N", "patients", "100"), ("cube_013_018", "IMAG_ECHO_N", "volume", "1000"),
        ("cube_013_019", "IMAG_SCINTI_N", "patients", "100"),
        ("cube_013_023", "IMAG_THERA_N", "patients", "100"),
        ("cube_013_025", "IMAG_RXTHORAX_N", "patients", "100"),
        ("cube_013_026", "IMAG_RXTHORAX_N", "volume", "1000"),
        ("stat_013_001", "IMAG_ALL_N", "patients", "100"), ("stat_013_003", "IMAG_RADIO_N", "patients", "100"),
        ("stat_013_007", "IMAG_SPEC_N", "patients", "100"), ("stat_003_007", "MH_PATIENT", "patients", "100"),
    ]:
        row = registry[code]
        assert (row["source_variable"], row["measure"], row["multiplier"]) == (variable, measure, multiplier), code
        if code.startswith("cube_"):
            assert (row["dimensions"], row["smallest_geo_level"], row["first_year"]) == (
                "age_band_10y", "commune", "2015"), code
        else:
            assert (row["dimensions"], row["smallest_geo_level"]) == ("none", "statistical_sector"), code
    assert (registry["stat_013_003"]["sector_from_year"], registry["stat_013_003"]["first_year"]) == ("2016", "2006")
    groups = _seed("provider_qualification_groups")
    for (profession, qualification), group in [(RADIOLOGIST, "radiologist"),
                                               (OTHER_SPECIALIST, "other_specialist"),
                                               (GP, "general_practitioner"), (DENTIST, "dentist")]:
        matches = [row["provider_group"] for row in groups
                   if row["provider_profession"] == profession
                   and row["qualification_from"] <= qualification <= row["qualification_to"]]
        assert matches == [group], (profession, qualification, matches)


# ---------------------------------------------------------------------------------------------
# Shape of the marts
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("table", ALL_TABLES)
def test_columns(atlas_db, table):
    columns = [row[0] for row in query(
        atlas_db,
        "select column_name from information_schema.columns "
        "where table_schema = 'main' and table_name = ? order by ordinal_position",
        [table],
    )]
    assert columns == MART_COLUMNS
    assert query(atlas_db, f"select distinct indicator_code from main.{table}") == [(table,)]
    # suppression disabled: every cell is published, no flag anywhere
    assert query(atlas_db, f"select count(*) from main.{table} where suppression_flag is not null "
                           "or numerator is null or denominator is null or value is null") == [(0,)]


@pytest.mark.parametrize("table", CUBE_TABLES)
def test_cube_years_and_levels(atlas_db, table):
    # cube_ codes start in 2015 (no 2014 rows); 2017 has claims but no population (no rows);
    # the smallest level is the commune (no sector rows).
    years = query(atlas_db, f"select distinct year from main.{table} order by year")
    assert years == [(2015,), (2016,)]
    levels = query(atlas_db, f"select distinct geo_level from main.{table} order by geo_level")
    assert levels == [("arrondissement",), ("commune",), ("country",), ("province",), ("region",)]


@pytest.mark.parametrize("table", CUBE_TABLES)
def test_cube_row_counts(atlas_db, table):
    # 2015 (P01 P02 0-9, P03 P04 80-89, P16 30-39 in 62063, P09 40-49 & P11 50-59 in 21004):
    #   country: 5 bands + total = 6
    #   each of region / province / arrondissement / commune: 02000-like cell 2 bands + total = 3,
    #   04000-like 2 + 1 = 3, 03000-like 1 + 1 = 2 -> 8 per level, 4 levels -> 32;  6 + 32 = 38
    # 2016: country: all 10 bands + total = 11
    #   communes: 11002 {0-9,10-19,30-39,80-89,90+}+t = 6, 11001 {30-39,40-49}+t = 3,
    #             21004 {20-29,30-39,50-59}+t = 4, 62063 {30-39,60-69,70-79}+t = 4 -> 17
    #   arrondissement 11000 {0-9,10-19,30-39,40-49,80-89,90+}+t = 7, 21000 4, 62000 4 -> 15,
    #   same for province and region -> 15 + 15 + 15 = 45;  11 + 45 + 17 = 73
    # total 38 + 73 = 111
    assert query(atlas_db, f"select year, count(*) from main.{table} group by year order by year") == [
        (2015, 38), (2016, 73)
    ]


@pytest.mark.parametrize("table", STAT_TABLES)
def test_stat_has_only_total_band(atlas_db, table):
    assert query(atlas_db, f"select distinct age_band from main.{table}") == [("total",)]


@pytest.mark.parametrize("table", ["stat_013_003", "stat_013_007"])
def test_stat_013_sector_rows_only_from_2016(atlas_db, table):
    rows = query(atlas_db, f"select year, count(*) from main.{table} "
                           "where geo_level = 'statistical_sector' group by year order by year")
    # 2016 sectors: 11002ZZ1- 11002ZZ2- 11002ZZ3- 11001ZZ1- 11001ZZ2- 21004ZZ1- 21004ZZ2-
    # 62063ZZ1- 62063ZZ2- = 9 (P08 has no sector, P13 no domicile)
    assert rows == [(2016, 9)]


def test_stat_row_counts(atlas_db):
    # stat_013_003 and stat_013_007 (no sector rows before 2016):
    #   2014: BE + (region, province, arrondissement, commune) x {Brussels, Liège} = 1 + 4 * 2 = 9
    #   2015: BE + (region, province, arrondissement, commune) x {Antwerpen, Brussels, Liège}
    #         = 1 + 4 * 3 = 13
    #   2016: BE 1 + regions 3 + provinces 3 + arrondissements 3 + communes 4 + sectors 9 = 23
    for table in ("stat_013_003", "stat_013_007"):  # same registry settings, same rows
        assert query(atlas_db, f"select year, count(*) from main.{table} group by year order by year") == [
            (2014, 9), (2015, 13), (2016, 23)
        ], table
    # stat_003_007 has sectors every year:
    #   2014: 9 + sectors 21004ZZ1- 62063ZZ1- 62063ZZ2- = 12
    #   2015: 13 + sectors 11002ZZ1- 11002ZZ2- 21004ZZ1- 62063ZZ2- = 17
    #   2016: 23
    assert query(atlas_db, "select year, count(*) from main.stat_003_007 group by year order by year") == [
        (2014, 12), (2015, 17), (2016, 23)
    ]


@pytest.mark.parametrize("table", ALL_TABLES)
def test_person_without_sector_and_without_domicile(atlas_db, table):
    # 2016: the Aartselaar sectors hold P06 P07 (11001ZZ1-) and P09 (11001ZZ2-) = 3 of the 4
    # Aartselaar beneficiaries (P08 has no sector); all sector rows together hold 18 of the 20
    # (P08 no sector, P13 no domicile); all communes together hold 19 (P13 missing).
    communes = query(atlas_db, f"select sum(denominator) from main.{table} "
                               "where year = 2016 and geo_level = 'commune' and age_band = 'total'")
    assert communes == [(19,)]
    if table.startswith("stat_"):
        sectors = query(atlas_db, f"select sum(denominator) from main.{table} "
                                  "where year = 2016 and geo_level = 'statistical_sector'")
        assert sectors == [(18,)]
        aartselaar = query(atlas_db, f"select sum(denominator) from main.{table} where year = 2016 "
                                     "and geo_level = 'statistical_sector' and geo_code like '11001%'")
        assert aartselaar == [(3,)]


@pytest.mark.parametrize(
    "geo_level, geo_code, name_fr, name_nl",
    [
        ("region", "02000", "Région flamande", "Vlaams Gewest"),
        ("region", "04000", "Région de Bruxelles-Capitale", "Brussels Hoofdstedelijk Gewest"),
        ("province", "10000", "Province d’Anvers", "Provincie Antwerpen"),
        ("province", "04000", "Région de Bruxelles-Capitale", "Brussels Hoofdstedelijk Gewest"),
        ("arrondissement", "11000", "Anvers", "Antwerpen"),
        ("arrondissement", "62000", "Liège", "Luik"),
        ("commune", "11001", "Aartselaar", "Aartselaar"),
        ("commune", "21004", "Bruxelles", "Brussel"),
        ("commune", "62063", "Liège", "Luik"),
    ],
)
def test_geo_names(atlas_db, geo_level, geo_code, name_fr, name_nl):
    for table in ALL_TABLES:
        names = query(atlas_db, f"select distinct geo_name, geo_name_nl from main.{table} "
                                "where year = 2016 and geo_level = ? and geo_code = ?", [geo_level, geo_code])
        assert names == [(name_fr, name_nl)], table


def test_no_row_without_beneficiaries(atlas_db):
    for table in ALL_TABLES:
        empty = query(atlas_db, f"select count(*) from main.{table} "
                                "where denominator <= 0 or denominator is null")
        assert empty == [(0,)], table


def test_no_flag_anywhere_when_suppression_is_disabled(atlas_db):
    # every indicator (every registry code), not only the tables above
    assert query(atlas_db, "select count(suppression_flag), count(*) - count(denominator) "
                           "from main.indicator_values") == [(0, 0)]


# ---------------------------------------------------------------------------------------------
# The same extract with the default small-cell threshold (5)
#
# Rules (docs/protection.md, "The rules"; issue #10: protect the whole publication, not each
# table). Patterns, not tables, decide:
#   - the POPULATION pattern: one cell per (year, unit, age band) over every cell any of the
#     tables publishes, measured by its beneficiaries: it decides every denominator at once;
#   - one VARIABLE pattern per per-person variable (cube_ and stat_, patients and volume share it),
#     measured by its individuals; a cell withheld in the population pattern starts withheld in
#     every variable pattern.
# A table cell is withheld when its population cell or its variable cell is.
# Primary: measure 1..4. Groups (parent + children; a group needs both): geography (a unit in a
# band -> the units one level down, same band; remainder at the country = no known domicile, at a
# commune = no known sector), age (a unit's total -> its bands), and in the variable patterns
# IMAG_ALL_N -> its categories and IMAG_ALL_N -> IMAG_RADIO_N / IMAG_DENTIST_N / IMAG_SPEC_N.
# Strong: measure >= 5 (patients also >= 3 below the beneficiaries). Exposed: (a) nothing withheld
# and a remainder of 1..4; (b) a withheld member with measure > 0 and fewer than TWO strong
# withheld members. An exposed group gives up the published strong child with the smallest
# measure, else its parent if published, else nothing. Rounds are simultaneous.
# Flag: 'small_cell' where the cell is small (beneficiaries, or individuals) and no parent of it
# (in the pattern in which it is small) is withheld; every other withheld cell 'secondary'.
#
# Population cells (every table-year's rows, unioned: cube_ 2015-2016 with bands down to the
# commune, stat_ 2014-2016 totals, sectors from 2016 for stat_013_*, every year for stat_003_007):
#   2016 (82 cells = the 73 cube rows + 9 sectors): BE 20; Flanders 02000 = 10000 = 11000: 10;
#     Brussels 04000 (region and province) = 21000 = 21004: 4 (P10 P11 P12 P19); Wallonia 03000 =
#     60000 = 62000 = 62063: 5 (P14-P18); 11002: 6 (P01-P05 P20); 11001: 4 (P06-P09); sectors
#     1..3 each; every band below the country 1..3; BE bands 1..2 except 30-39: 7 (P06 P07 P16-P20).
#     Not small (and strong, >= 5): BE total, BE 30-39, the Flanders chain (3 cells), the Wallonia
#     chain with 62063 (4 cells), 11002: 10 cells. Every other cell (72) is primary.
#   2015 (42 cells = 38 cube rows + the 4 sectors of stat_003_007): BE 7, every other cell 1..4
#     (Flanders 4, Brussels 2, Wallonia 1, bands 1..2, sectors 1..2): only BE total is not small.
#   2014 (12 cells = 9 stat rows + 3 sectors of stat_003_007): BE 3 (P11 P14 P16): all small.
#
# Population pattern 2016, round 1 (state: primary):
#   - age group BE total (20) -> its 10 bands: nine small bands withheld, none strong -> (b).
#     The only published strong child is BE 30-39 (7): withheld.
#   - geography BE total -> regions 02000 (10) 04000 (4, withheld) 03000 (5): one withheld, not
#     strong -> (b). Strong for beneficiaries means t and t - 2 above the most rows a cell heads:
#     Flanders 10 over 6 band rows (room 4) is strong; Wallonia 5 over 3 band rows (room 2) is
#     not. The smallest published strong child: Flanders 02000: withheld.
#   - arrondissement 11000 -> 11002 (6) 11001 (4, withheld): (b) -> 11002 withheld.
#   - PARENT AS LAST RESORT, everywhere a published total has only small children: the age groups
#     of 02000, 10000, 11000, 11002, 03000, 60000, 62000, 62063 (all their bands have 1..3
#     beneficiaries, withheld, none strong; no published strong child) -> each of these 8 totals
#     withheld; likewise the sector groups of 11002 (sectors 3, 2, 1) and 62063 (2, 3) and the
#     band group BE 30-39 -> 02000 30-39 (3) 04000 30-39 (1) 03000 30-39 (3).
#   - the Brussels chain, 11001 and 21004 groups: exposed, but every member is withheld already and
#     there is no published strong child or parent: nothing.
# Round 2: the age group of BE total has ONE strong withheld band (30-39, 7 over 3 region rows):
#   still fewer than two -> (b), no published strong child left -> BE total (20) itself withheld
#   (so does its geography group: one strong withheld region, Flanders, and no other strong one).
# Round 3: every 2016 population cell is withheld: nothing changes.
# 2015: BE (7) -> bands 0-9 (2) 30-39 (1) 40-49 (1) 50-59 (1) 80-89 (2), all withheld, none strong
#   -> (b) -> BE withheld in round 1 (parent as last resort; its regions 4, 2, 1 say the same).
# 2014: everything is primary.
# => The population pattern withholds EVERY (year, unit, band) cell, so every cell of every one of
#    the indicator tables is withheld (numerator, denominator and value null), and every variable cell
#    starts withheld. No variable-pattern round can publish anything back; only the flags differ.
#
# Flags. Every population cell except a year's BE total has a parent (geography or age) and every
# parent is withheld: all those are 'secondary' in the population pattern, small or not. BE total
# has no parent, but a flag on a small population cell also needs at most one row below it in each
# of its groups: BE 2014 (3 beneficiaries) heads two region rows (Brussels: P11; Wallonia: P14
# P16), which tell an outsider it holds at least 2, so it is 'secondary' in all 27 stat_ tables,
# whatever its variables say (a cell small in two patterns is flagged only if both may flag it).
# No population cell is flagged small at all. In the variable patterns, likewise only a BE total can
# be flagged small, and only for a variable with no parent there: IMAG_ALL_N (the parent of the
# category and provider relations) and MH_PATIENT (in no relation). Every other variable's BE
# total is a child of the same IMAG_ALL_N cell, which is withheld: 'secondary' however small.
#   IMAG_ALL_N BE: 2014 1 (P11), 2015 3 (P01 P02 P03), 2016 12 -> small in 2014 and 2015.
#   MH_PATIENT BE: 2014 2 (P14 P16), 2015 1 (P16), 2016 3 (P16 P19 P20) -> small every year.
# So 'small_cell' appears exactly on (6 rows):
#   2015 BE total of cube_013_001, cube_013_002, stat_013_001, stat_013_002 (IMAG_ALL_N, 3 patients:
#        cube_ and stat_, patients and volume, share the variable cell) and stat_003_007 (P16);
#   2016 BE total of stat_003_007 (P16 P19 P20),
# and every other row of every table is 'secondary'.
# ---------------------------------------------------------------------------------------------
STAT_CODES = [f"stat_013_{number:03d}" for number in range(1, 27)] + ["stat_003_007"]
SMALL_CELL_ROWS = {
    ("cube_013_001", 2015, "country", "BE", "total"), ("cube_013_002", 2015, "country", "BE", "total"),
    ("stat_013_001", 2015, "country", "BE", "total"), ("stat_013_002", 2015, "country", "BE", "total"),
    ("stat_003_007", 2015, "country", "BE", "total"),
    ("stat_003_007", 2016, "country", "BE", "total"),
}


def flags(db: Path, table: str, year: int) -> dict[tuple[str, str, str], str | None]:
    return {(level, code, band): flag for level, code, band, flag in query(
        db, f"select geo_level, geo_code, age_band, suppression_flag from main.{table} where year = ?", [year])}


def check_table_flags(db: Path, table: str, year: int, rows: int, small_cells=()) -> None:
    """A table-year has `rows` rows, all withheld: 'small_cell' on `small_cells` (level, code, band),
    'secondary' on every other row."""
    got = flags(db, table, year)
    assert len(got) == rows, (table, year, len(got))
    assert got == {key: ("small_cell" if key in small_cells else "secondary") for key in got}, (table, year)


def test_stat_codes_are_the_27_stat_tables():
    assert sorted(STAT_CODES) == sorted(row["indicator_code"] for row in _seed("indicator_registry")
                                        if row["indicator_code"].startswith("stat_"))


def test_population_pattern(atlas_db_suppressed):
    # The population cells per year and their primary status, as counted above; every one withheld
    # (BE 2016: round 2, parent of last resort of its age group); none flagged small (BE 2014, the
    # only one without a withheld parent, heads two region rows).
    not_small_2016 = {
        ("country", "BE", "total"), ("country", "BE", "30-39"),  # 20; 7 (P06 P07 P16-P20)
        ("region", "02000", "total"), ("province", "10000", "total"), ("arrondissement", "11000", "total"),  # 10
        ("region", "03000", "total"), ("province", "60000", "total"), ("arrondissement", "62000", "total"),  # 5
        ("commune", "62063", "total"),  # P14-P18
        ("commune", "11002", "total"),  # P01-P05 P20
    }
    cells = {(year, level, code, band): (is_small, is_flagged_small, is_suppressed)
             for year, level, code, band, is_small, is_flagged_small, is_suppressed in query(
                 atlas_db_suppressed, "select year, geo_level, geo_code, age_band, is_small, is_flagged_small, "
                 "is_suppressed from main.int_population_cells_suppressed")}
    assert {year: sum(1 for key in cells if key[0] == year) for year in (2014, 2015, 2016)} == {
        2014: 12, 2015: 42, 2016: 82}
    assert len(cells) == 12 + 42 + 82
    expected = {}
    for key in cells:
        year, level, code, band = key
        small = not ((year == 2016 and (level, code, band) in not_small_2016)
                     or (year == 2015 and (level, code, band) == ("country", "BE", "total")))
        expected[key] = (small, False, True)
    assert cells == expected


def test_variable_patterns(atlas_db_suppressed):
    # 13 imaging variables with tables, each 129 cells (2014: 9 stat totals; 2015: the 38 cube
    # rows, stat totals among them; 2016: 73 cube rows + 9 sectors), and MH_PATIENT 52 (stat_003_007:
    # 12 + 17 + 23): all start withheld (population). Flagged small: a small BE total with no parent
    # in its pattern, i.e. IMAG_ALL_N (1 in 2014: P11; 3 in 2015) and MH_PATIENT (2, 1, 3). Small
    # BE totals of child variables are not: radiologist 2016 (4: P01 P03 P10 P12) and echography
    # 2014 (P11) lie under the withheld IMAG_ALL_N cell of the provider / category relation.
    cells = {(variable, year, level, code, band): (individuals, is_small, is_flagged_small, is_suppressed)
             for variable, year, level, code, band, individuals, is_small, is_flagged_small, is_suppressed
             in query(atlas_db_suppressed, "select variable_name, year, geo_level, geo_code, age_band, "
                      "individuals, is_small, is_flagged_small, is_suppressed from main.int_variable_cells_suppressed")}
    assert len(cells) == 13 * 129 + 52
    assert all(value[3] for value in cells.values())
    assert {key for key, value in cells.items() if value[2]} == {
        ("IMAG_ALL_N", 2014, "country", "BE", "total"), ("IMAG_ALL_N", 2015, "country", "BE", "total"),
        ("MH_PATIENT", 2014, "country", "BE", "total"), ("MH_PATIENT", 2015, "country", "BE", "total"),
        ("MH_PATIENT", 2016, "country", "BE", "total"),
    }
    assert cells[("IMAG_ALL_N", 2016, "country", "BE", "total")] == (12, False, False, True)
    assert cells[("IMAG_RADIO_N", 2016, "country", "BE", "total")] == (4, True, False, True)
    assert cells[("IMAG_ECHO_N", 2014, "country", "BE", "total")] == (1, True, False, True)
    assert cells[("IMAG_RXTHORAX_N", 2016, "country", "BE", "total")] == (1, True, False, True)


def test_every_cell_of_every_table_is_withheld(atlas_db_suppressed):
    # Every population cell is withheld, so no table publishes a figure; the flags are exactly
    # SMALL_CELL_ROWS and 'secondary' elsewhere.
    codes = registry_codes()
    assert codes == [code for (code,) in query(atlas_db_suppressed, "select indicator_code from indicators order by 1")]
    small_cells = set()
    for code in codes:
        rows = query(atlas_db_suppressed, f"""
            select count(*), count(numerator), count(denominator), count(value),
                   count(*) filter (where suppression_flag not in ('small_cell', 'secondary')
                                    or suppression_flag is null)
            from main.{code}""")
        assert rows[0][0] > 0 and rows[0][1:] == (0, 0, 0, 0), code
        small_cells |= {(code, *key) for key in query(
            atlas_db_suppressed, f"select year, geo_level, geo_code, age_band from main.{code} "
                                 "where suppression_flag = 'small_cell'")}
    assert small_cells == SMALL_CELL_ROWS


def test_cube_013_001_2016_flags(atlas_db_suppressed):
    # BE total 12 patients of 20, not small, withheld (round 2: the age group of BE has only one
    # strong withheld band, 30-39): 'secondary'. Every other cell is inside a withheld cell:
    # Brussels 04000 (4 beneficiaries), Wallonia (1 patient, P15), 11001 (3 of 4), BE 10-19 (P02
    # alone), all 'secondary' although small. Flanders 8/10 and 11002 5/6, published under the old
    # per-table rules, are withheld (parents of last resort of their all-small bands): 'secondary'.
    check_table_flags(atlas_db_suppressed, "cube_013_001", 2016, 73)


@pytest.mark.parametrize("table", ["cube_013_001", "cube_013_002"])
def test_all_imaging_2015_flags(atlas_db_suppressed, table):
    # IMAG_ALL_N 2015: BE 3 patients (P01 P02 P03; 3 exams) of 7 beneficiaries. BE's population
    # cell (7) is not small; the IMAG_ALL_N cell is, and has no parent: 'small_cell' in the patients
    # AND the volume table (one variable cell). The 37 other rows: inside the withheld BE: 'secondary'.
    check_table_flags(atlas_db_suppressed, table, 2015, 38, small_cells={("country", "BE", "total")})


@pytest.mark.parametrize("table, individuals", [
    ("cube_013_003", "radiologist: P01 P03 (provider relation)"),
    ("cube_013_017", "echography: P02 (category relation)"),
    ("cube_013_023", "therapeutic: P03 (category relation)"),
    ("cube_013_019", "scintigraphy: nobody"),
])
def test_child_variables_2015_flags(atlas_db_suppressed, table, individuals):
    # BE 2015 of a category or provider group: 0..2 patients of 7; its variable cell is a child of
    # IMAG_ALL_N BE 2015, which is withheld (and flagged small): 'secondary', like every other row.
    check_table_flags(atlas_db_suppressed, table, 2015, 38)


@pytest.mark.parametrize("table", ["cube_013_019", "cube_013_020"])
def test_nobody_imaged_2016_flags(atlas_db_suppressed, table):
    # Scintigraphy 2016: 0 individuals everywhere; withheld only through the population pattern.
    # BE 0/20, Flanders 0/10, BE 30-39 0/7 were published under the old rules: all 'secondary' now.
    check_table_flags(atlas_db_suppressed, table, 2016, 73)


@pytest.mark.parametrize("table", ["cube_013_025", "cube_013_026"])
def test_thorax_2016_flags(atlas_db_suppressed, table):
    # Thorax RX: P10 only (1 patient, 1 exam) -- small, but IMAG_RXTHORAX_N BE is a category of
    # IMAG_ALL_N BE (withheld), and the Brussels chain / 50-59 cells have withheld parents:
    # 'secondary' throughout (BE total was 'small_cell' under the old rules).
    check_table_flags(atlas_db_suppressed, table, 2016, 73)


def test_stat_013_007_flags(atlas_db_suppressed):
    # Other-specialist patients. 2016: BE 7 of 20, the one cell published under the old rules:
    # withheld (population), 'secondary'; the 22 others too. 2015: BE P02 (1 of 7), a child of
    # IMAG_ALL_N BE: 'secondary'. 2014: BE has 3 beneficiaries over two region rows (at least 2,
    # an outsider can tell): 'secondary'; 21004 (P11 alone, 1 SPEC patient) lies in withheld
    # 21000: 'secondary'.
    check_table_flags(atlas_db_suppressed, "stat_013_007", 2016, 23)
    check_table_flags(atlas_db_suppressed, "stat_013_007", 2015, 13)
    check_table_flags(atlas_db_suppressed, "stat_013_007", 2014, 9)


def test_stat_003_007_flags(atlas_db_suppressed):
    # Medical-house patients (MH_PATIENT, in no variable relation): BE 2016 3 (P16 P19 P20),
    # 2015 1 (P16): small with no parent, 'small_cell'; 2014 2 (P14 P16) too in its variable
    # pattern, but BE 2014's 3 beneficiaries (small) over two region rows may not be flagged:
    # 'secondary'. Every sector, commune and region row lies inside a withheld cell: 'secondary'.
    check_table_flags(atlas_db_suppressed, "stat_003_007", 2016, 23, small_cells={("country", "BE", "total")})
    check_table_flags(atlas_db_suppressed, "stat_003_007", 2015, 17, small_cells={("country", "BE", "total")})
    check_table_flags(atlas_db_suppressed, "stat_003_007", 2014, 12)


def test_stat_013_003_2016_flags(atlas_db_suppressed):
    # Radiologist patients: Wallonia 0/5 -> 60000 -> 62000 -> 62063 0/5 were published under the old
    # rules; now their population cells are withheld (parents of last resort): all 23 'secondary'.
    check_table_flags(atlas_db_suppressed, "stat_013_003", 2016, 23)


# (table, year, geo_level, geo_code, age_band, flag): every row withheld, so numerator,
# denominator and value are null in each.
SUPPRESSED_BUILD_CELLS = [
    # ---- not small, withheld by the population pattern ------------------------------------------
    ("cube_013_001", 2016, "country", "BE", "total", "secondary"),  # 12 of 20; round 2, BE age group
    ("cube_013_002", 2016, "country", "BE", "total", "secondary"),  # 15 exams, same cells
    ("stat_013_001", 2016, "country", "BE", "total", "secondary"),  # = cube_013_001 BE total
    ("stat_013_007", 2016, "country", "BE", "total", "secondary"),  # 7 of 20
    ("cube_013_023", 2016, "country", "BE", "30-39", "secondary"),  # 0 of 7: BE 30-39 round 1
    ("cube_013_001", 2016, "region", "02000", "total", "secondary"),  # 8 of 10: bands all small
    ("cube_013_001", 2016, "province", "10000", "total", "secondary"),
    ("cube_013_001", 2016, "arrondissement", "11000", "total", "secondary"),
    ("cube_013_002", 2016, "region", "02000", "total", "secondary"),  # 9 exams of 10
    ("cube_013_001", 2016, "commune", "11002", "total", "secondary"),  # 5 of 6
    ("stat_013_001", 2016, "commune", "11002", "total", "secondary"),  # its 3 sectors all small
    ("cube_013_019", 2016, "country", "BE", "total", "secondary"),  # 0 of 20
    ("cube_013_019", 2016, "region", "03000", "total", "secondary"),  # 0 of 5
    ("cube_013_025", 2016, "arrondissement", "11000", "total", "secondary"),  # 0 of 10
    ("stat_013_003", 2016, "commune", "62063", "total", "secondary"),  # 0 of 5; sectors 2, 3
    ("cube_013_026", 2016, "commune", "62063", "total", "secondary"),  # 0 of 5; bands 3, 1, 1
    ("cube_013_019", 2015, "country", "BE", "total", "secondary"),  # 0 of 7; bands 1..2
    # ---- small, but inside a withheld cell ------------------------------------------------------
    ("cube_013_001", 2016, "region", "04000", "total", "secondary"),  # 4 beneficiaries; BE withheld
    ("cube_013_001", 2016, "region", "03000", "total", "secondary"),  # P15 of 5
    ("cube_013_001", 2016, "commune", "11001", "total", "secondary"),  # 3 of 4; 11000 withheld
    ("cube_013_002", 2016, "country", "BE", "10-19", "secondary"),  # P02 alone; BE total withheld
    ("cube_013_018", 2016, "region", "02000", "total", "secondary"),  # 3 persons, 4 exams, of 10
    ("cube_013_025", 2016, "country", "BE", "total", "secondary"),  # P10: a category of IMAG_ALL_N
    ("cube_013_026", 2016, "country", "BE", "total", "secondary"),  # P10's 1 exam, same cell
    ("cube_013_005", 2016, "country", "BE", "total", "secondary"),  # P06: a provider group
    ("cube_013_001", 2015, "commune", "21004", "total", "secondary"),  # P09 P11: 0 of 2
    ("stat_013_003", 2016, "statistical_sector", "21004ZZ1-", "total", "secondary"),  # P10 P11
    ("stat_003_007", 2016, "statistical_sector", "11002ZZ3-", "total", "secondary"),  # P20 alone
    ("stat_013_017", 2014, "commune", "21004", "total", "secondary"),  # P11 alone; 21000 withheld
    # ---- small with no withheld parent: 'small_cell' ---------------------------------------------
    ("cube_013_001", 2015, "country", "BE", "total", "small_cell"),  # 3 patients of 7
    ("cube_013_002", 2015, "country", "BE", "total", "small_cell"),  # their 3 exams
    ("stat_013_001", 2015, "country", "BE", "total", "small_cell"),  # = cube_013_001 BE total
    ("stat_003_007", 2016, "country", "BE", "total", "small_cell"),  # 3 patients of 20
    ("stat_003_007", 2015, "country", "BE", "total", "small_cell"),  # P16 of 7
    # ---- small, but the rows below bound it: 'secondary' -------------------------------------
    ("stat_013_007", 2014, "country", "BE", "total", "secondary"),  # 3 beneficiaries, 2 region rows
    ("stat_013_019", 2014, "country", "BE", "total", "secondary"),  # 0 of 3: population pattern
]


@pytest.mark.parametrize(
    "table, year, geo_level, geo_code, age_band, flag",
    [pytest.param(*case, id="-".join(str(part) for part in case)) for case in SUPPRESSED_BUILD_CELLS],
)
def test_suppressed_build_cell(atlas_db_suppressed, table, year, geo_level, geo_code, age_band, flag):
    rows = query(atlas_db_suppressed,
                 f"select numerator, denominator, value, suppression_flag from main.{table} "
                 "where year = ? and geo_level = ? and geo_code = ? and age_band = ?",
                 [year, geo_level, geo_code, age_band])
    assert rows == [(None, None, None, flag)]


def test_suppressed_build_publishes_no_small_cell_in_any_table(atlas_db_suppressed):
    codes = registry_codes()
    assert codes == [code for (code,) in query(atlas_db_suppressed, "select indicator_code from indicators order by 1")]
    for code in codes:
        # every computed cell is a row of the code's table; published rows carry the computed figures
        counts = query(atlas_db_suppressed, f"""
            select
                count(*),
                count(*) filter (where published.denominator is not null
                                 and (truth.individuals between 1 and 4 or truth.denominator between 1 and 4)),
                count(*) filter (where published.denominator is not null
                                 and (published.numerator is distinct from truth.numerator
                                      or published.denominator is distinct from truth.denominator
                                      or published.value is distinct from truth.value
                                      or published.suppression_flag is not null)),
                count(*) filter (where published.denominator is null
                                 and (published.numerator is not null or published.value is not null
                                      or published.suppression_flag not in ('small_cell', 'secondary')))
            from main.{code} as published
            join main.int_indicator_cells_computed as truth
                using (indicator_code, year, geo_level, geo_code, age_band)
        """)
        total = query(atlas_db_suppressed,
                      "select count(*) from main.int_indicator_cells_computed where indicator_code = ?", [code])
        table_rows = query(atlas_db_suppressed, f"select count(*) from main.{code}")
        assert counts[0][0] == total[0][0] == table_rows[0][0] > 0, code
        assert counts[0][1:] == (0, 0, 0), code


def test_auditor_recovers_nothing_from_the_hand_built_extract(atlas_db_suppressed):
    """The whole-publication auditor (scripts/audit_disclosure.py) reads indicator_values and
    indicators as published; the working tables only judge."""
    audit = run_audit(atlas_db_suppressed, PROJECT_DIR / "seeds", working=atlas_db_suppressed)
    assert audit.errors == []
    assert (audit.summary.recovered, audit.summary.narrowed) == (0, 0), audit.summary.failures[:10]
