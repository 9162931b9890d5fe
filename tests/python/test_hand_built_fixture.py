"""End-to-end test on a small hand-built raw extract, with every expected figure worked out by hand.

The extract below (20 persons in 2016, 7 in 2015, 3 in 2014) is built with `dbt build` once per
module; the tests then read cells of the five marts and compare them with literal numbers. Each
expected number carries a comment saying which persons make it up: nothing is computed by the
code under test or re-derived in Python.

Geography used (seeds/geo_*.csv):
    11002 Anvers/Antwerpen    arr 11000, province 10000, region 02000 (sectors 11002ZZ1-/2-/3-)
    11001 Aartselaar          arr 11000, province 10000, region 02000 (sectors 11001ZZ1-/2-)
    21004 Bruxelles/Brussel   arr 21000, province 04000, region 04000 (sectors 21004ZZ1-/2-)
    62063 Liège/Luik          arr 62000, province 60000, region 03000 (sectors 62063ZZ1-/2-)

Codes used (seeds/imaging_nomenclature_codes.csv, seeds/general_practice_codes.csv), checked by
`test_fixture_inputs_mean_what_the_test_assumes`:
    450376 conventional_rx, 460014 echography, 458990 ct, 307090 dental (valid to 2024-03-31),
    202532 therapeutic_interventional, 457855 ct valid only from 2018-12-01 (so NOT imaging in 2016),
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
    P10 1960  56  50-59  21004    21004ZZ1-   conv radiologist + thera other spec  1   2   1    1   0
                                              (only a 30 June domicile)
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
    totals (20 persons)                                                          12  14   3    7   3
    P99 is not in any population year (its imaging claim counts nothing); P01 also has a 2017
    claim (no 2017 population, so no 2017 rows).

Person sheet for 2015 (7 persons):
    P01 2007  8 0-9   11002 11002ZZ1-  conv radiologist on 2015-12-31     ALL
    P02 2006  9 0-9   11002 11002ZZ1-  echo other spec                    ALL SPEC
    P03 1927 88 80-89 11002 11002ZZ2-  thera radiologist                  ALL THERA
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
from typing import Any

import pytest

from conftest import PROJECT_DIR, dbt_build, query, write_raw_extract

# ---------------------------------------------------------------------------------------------
# Codes and providers (literal; their meaning is checked against the seeds below)
# ---------------------------------------------------------------------------------------------
CONV = "450376"  # conventional_rx
ECHO = "460014"  # echography
CT = "458990"  # ct
DENTAL = "307090"  # dental, valid 2002-01-01 .. 2024-03-31
THERA = "202532"  # therapeutic_interventional
CT_NOT_YET_VALID = "457855"  # ct, valid only from 2018-12-01
CONSULT = "101010"  # GP consultation: not an imaging code
DMG = "102771"
FORFAIT = "109616"

RADIOLOGIST = ("1", "460")
OTHER_SPECIALIST = ("1", "580")
GP = ("1", "003")
DENTIST = ("3", "001")


def person(pid: str, year: int, born: int, sex: str, c31=None, s31=None, c30="same", s30="same",
           death_date: str | None = None) -> dict[str, Any]:
    """One population row; the 30 June domicile defaults to the 31 December one."""
    return {
        "person_id": pid, "year": year, "birth_year": born, "sex": sex, "death_date": death_date,
        "commune_dec31": c31, "sector_dec31": s31,
        "commune_jun30": c31 if c30 == "same" else c30,
        "sector_jun30": s31 if s30 == "same" else s30,
    }


def claim(pid: str, date: str, code: str, quantity: int, provider: tuple[str, str],
          practice: str) -> dict[str, Any]:
    return {
        "person_id": pid, "service_date": date, "nomenclature_code": code, "quantity": quantity,
        "provider_profession": provider[0], "provider_qualification": provider[1],
        "billing_practice_id": practice,
    }


def forfaits(pid: str, year: int, months: int, practice: str) -> list[dict[str, Any]]:
    """`months` monthly medical-house forfaits (one per month from January) billed by `practice`."""
    return [claim(pid, f"{year}-{month:02d}-01", FORFAIT, 1, GP, practice) for month in range(1, months + 1)]


BENEFICIARIES = [
    # ---- 2016 -------------------------------------------------------------------------------
    person("P01", 2016, 2007, "M", "11002", "11002ZZ1-"),
    person("P02", 2016, 2006, "F", "11002", "11002ZZ1-"),
    person("P03", 2016, 1927, "F", "11002", "11002ZZ2-"),
    person("P04", 2016, 1926, "M", "11002", "11002ZZ2-", death_date="2016-03-01"),
    person("P05", 2016, 2016, "F", "11002", "11002ZZ1-"),
    person("P06", 2016, 1980, "M", "11001", "11001ZZ1-"),
    person("P07", 2016, 1980, "F", "11001", "11001ZZ1-"),
    person("P08", 2016, 1970, "M", "11001", None),  # commune known, sector unknown
    person("P09", 2016, 1970, "F", "11001", "11001ZZ2-", c30="21004", s30="21004ZZ1-"),  # moved
    person("P10", 2016, 1960, "M", None, None, c30="21004", s30="21004ZZ1-"),  # 30 June only
    person("P11", 2016, 1960, "F", "21004", "21004ZZ1-"),
    person("P12", 2016, 1990, "M", "21004", "21004ZZ2-"),
    person("P13", 2016, 1950, "F", None, None),  # no known domicile: country only
    person("P14", 2016, 1950, "M", "62063", "62063ZZ1-"),
    person("P15", 2016, 1940, "F", "62063", "62063ZZ1-"),
    person("P16", 2016, 1985, "F", "62063", "62063ZZ2-"),
    person("P17", 2016, 1985, "M", "62063", "62063ZZ2-"),
    person("P18", 2016, 1985, "F", "62063", "62063ZZ2-"),
    person("P19", 2016, 1985, "M", "21004", "21004ZZ2-"),
    person("P20", 2016, 1985, "F", "11002", "11002ZZ3-"),
    # ---- 2015 -------------------------------------------------------------------------------
    person("P01", 2015, 2007, "M", "11002", "11002ZZ1-"),
    person("P02", 2015, 2006, "F", "11002", "11002ZZ1-"),
    person("P03", 2015, 1927, "F", "11002", "11002ZZ2-"),
    person("P04", 2015, 1926, "M", "11002", "11002ZZ2-"),
    person("P09", 2015, 1970, "F", "21004", "21004ZZ1-"),
    person("P11", 2015, 1960, "F", "21004", "21004ZZ1-"),
    person("P16", 2015, 1985, "F", "62063", "62063ZZ2-"),
    # ---- 2014 -------------------------------------------------------------------------------
    person("P11", 2014, 1960, "F", "21004", "21004ZZ1-"),
    person("P14", 2014, 1950, "M", "62063", "62063ZZ1-"),
    person("P16", 2014, 1985, "F", "62063", "62063ZZ2-"),
]

CLAIMS = [
    # ---- 2016 imaging -----------------------------------------------------------------------
    claim("P01", "2016-03-10", CONV, 1, RADIOLOGIST, "HOSP_A"),
    claim("P02", "2016-04-12", ECHO, 2, OTHER_SPECIALIST, "HOSP_A"),  # one line, volume 2
    claim("P03", "2016-05-05", THERA, 1, RADIOLOGIST, "HOSP_A"),
    claim("P04", "2016-02-10", CONV, 1, OTHER_SPECIALIST, "HOSP_A"),  # before death on 2016-03-01
    claim("P05", "2016-09-01", ECHO, 1, GP, "GP_5"),  # GP: counts in ALL, not in SPEC
    claim("P06", "2016-06-06", DENTAL, 1, DENTIST, "DENT_6"),  # dentist: ALL, not SPEC
    claim("P07", "2016-07-07", CONV, 1, OTHER_SPECIALIST, "HOSP_B"),
    claim("P07", "2016-07-07", CONV, -1, OTHER_SPECIALIST, "HOSP_B"),  # nets the line above to 0
    claim("P07", "2016-07-08", CONSULT, 1, GP, "GP_7"),  # not imaging
    claim("P08", "2016-08-08", CT, 1, OTHER_SPECIALIST, "HOSP_B"),
    claim("P09", "2016-10-10", ECHO, 1, OTHER_SPECIALIST, "HOSP_B"),
    claim("P10", "2016-01-15", CONV, 1, RADIOLOGIST, "HOSP_C"),
    claim("P10", "2016-01-20", THERA, 1, OTHER_SPECIALIST, "HOSP_C"),
    claim("P12", "2016-11-11", CONV, 2, RADIOLOGIST, "HOSP_C"),
    claim("P12", "2016-11-11", CONV, -1, RADIOLOGIST, "HOSP_C"),  # partial correction: net 1
    claim("P13", "2016-12-31", ECHO, 1, OTHER_SPECIALIST, "HOSP_C"),  # 31 Dec still 2016
    claim("P14", "2016-02-02", CONSULT, 1, GP, "GP_14"),  # not imaging
    claim("P14", "2016-03-03", CT_NOT_YET_VALID, 1, OTHER_SPECIALIST, "HOSP_D"),  # code not valid yet
    claim("P15", "2016-04-04", THERA, 1, OTHER_SPECIALIST, "HOSP_D"),
    claim("P99", "2016-05-05", CONV, 1, RADIOLOGIST, "HOSP_A"),  # P99 in no population year
    claim("P01", "2017-01-02", CONV, 1, RADIOLOGIST, "HOSP_A"),  # no 2017 population
    # ---- 2016 medical house -----------------------------------------------------------------
    *forfaits("P16", 2016, 6, "MH_1"),  # 6 forfaits, no DMG: patient
    *forfaits("P17", 2016, 5, "MH_1"),  # 5 forfaits: not a patient
    *forfaits("P18", 2016, 6, "MH_1"),
    claim("P18", "2016-02-15", DMG, 1, GP, "GP_2"),  # DMG at another practice: not a patient
    *forfaits("P19", 2016, 6, "MH_2"),
    claim("P19", "2016-03-15", DMG, 1, GP, "MH_2"),  # DMG at the same medical house: patient
    *forfaits("P20", 2016, 7, "MH_3"),
    claim("P20", "2016-03-01", FORFAIT, -1, GP, "MH_3"),  # cancels the March forfait: net 6, patient
    # ---- 2015 -------------------------------------------------------------------------------
    claim("P01", "2015-12-31", CONV, 1, RADIOLOGIST, "HOSP_A"),
    claim("P02", "2015-06-15", ECHO, 1, OTHER_SPECIALIST, "HOSP_A"),
    claim("P03", "2015-03-03", THERA, 1, RADIOLOGIST, "HOSP_A"),
    claim("P13", "2015-05-05", ECHO, 1, OTHER_SPECIALIST, "HOSP_C"),  # P13 not in 2015 population
    *forfaits("P16", 2015, 6, "MH_1"),
    # ---- 2014 -------------------------------------------------------------------------------
    claim("P11", "2014-04-04", ECHO, 1, OTHER_SPECIALIST, "HOSP_C"),
    *forfaits("P14", 2014, 6, "MH_1"),
    claim("P14", "2015-02-01", DMG, 1, GP, "GP_2"),  # a 2015 DMG does not affect 2014
    *forfaits("P16", 2014, 6, "MH_1"),
]

MART_COLUMNS = [
    "indicator_code", "year", "geo_level", "geo_code", "geo_name", "geo_name_nl", "age_band",
    "numerator", "denominator", "value", "unit",
]
CUBE_TABLES = ["cube_013_001", "cube_013_002", "cube_013_023"]
STAT_TABLES = ["stat_013_007", "stat_003_007"]
ALL_TABLES = CUBE_TABLES + STAT_TABLES


@pytest.fixture(scope="module")
def atlas_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("hand_built_fixture")
    raw_dir = write_raw_extract(work / "raw", BENEFICIARIES, CLAIMS)
    db_path = work / "atlas.duckdb"
    dbt_build(raw_dir, db_path)
    return db_path


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
        # 2016 volumes: P01 1, P02 2, P03 1, P04 1, P05 1, P06 1, P08 1, P09 1, P10 2, P12 2-1=1,
        # P13 1, P15 1 -> 14; 14 / 20 * 1000 = 700
        (2016, "country", "BE", "total", 14, 20, 700.0),
        (2016, "country", "BE", "10-19", 2, 1, 2000.0),  # P02's quantity-2 line
        (2016, "country", "BE", "20-29", 1, 1, 1000.0),  # P12 net 1
        (2016, "country", "BE", "30-39", 1, 7, 1000 / 7),  # P06 only
        (2016, "country", "BE", "50-59", 2, 2, 1000.0),  # P10 two exams, P11 none
        # Flanders: P01 1 + P02 2 + P03 1 + P04 1 + P05 1 + P06 1 + P08 1 + P09 1 = 9 over 10
        (2016, "region", "02000", "total", 9, 10, 900.0),
        (2016, "region", "04000", "total", 3, 4, 750.0),  # P10 2 + P12 1
        (2016, "region", "03000", "total", 1, 5, 200.0),  # P15 1
        (2016, "province", "10000", "total", 9, 10, 900.0),
        (2016, "province", "60000", "total", 1, 5, 200.0),
        (2016, "arrondissement", "11000", "total", 9, 10, 900.0),
        (2016, "arrondissement", "21000", "total", 3, 4, 750.0),
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
                           (CT_NOT_YET_VALID, "ct")]:
        assert code in imaging and imaging[code]["imaging_category"] == category, code
    assert imaging[CT_NOT_YET_VALID]["valid_from"] > "2016-12-31"
    for code in (CONV, ECHO, CT, DENTAL, THERA):
        assert imaging[code]["valid_from"] <= "2014-01-01"
        assert imaging[code]["valid_to"] in ("", None) or imaging[code]["valid_to"] >= "2016-12-31"
    for code in (CONSULT, DMG, FORFAIT):
        assert code not in imaging
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


def test_stat_013_007_sector_rows_only_from_2016(atlas_db):
    rows = query(atlas_db, "select year, count(*) from main.stat_013_007 "
                           "where geo_level = 'statistical_sector' group by year order by year")
    # 2016 sectors: 11002ZZ1- 11002ZZ2- 11002ZZ3- 11001ZZ1- 11001ZZ2- 21004ZZ1- 21004ZZ2-
    # 62063ZZ1- 62063ZZ2- = 9 (P08 has no sector, P13 no domicile)
    assert rows == [(2016, 9)]


def test_stat_row_counts(atlas_db):
    # stat_013_007 (no sector rows before 2016):
    #   2014: BE + (region, province, arrondissement, commune) x {Brussels, Liège} = 1 + 4 * 2 = 9
    #   2015: BE + (region, province, arrondissement, commune) x {Antwerpen, Brussels, Liège}
    #         = 1 + 4 * 3 = 13
    #   2016: BE 1 + regions 3 + provinces 3 + arrondissements 3 + communes 4 + sectors 9 = 23
    assert query(atlas_db, "select year, count(*) from main.stat_013_007 group by year order by year") == [
        (2014, 9), (2015, 13), (2016, 23)
    ]
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
