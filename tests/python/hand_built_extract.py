"""The hand-built raw extract of tests/python/test_hand_built_fixture.py (whose docstring is the
person sheet saying what each row is for), shared with conftest.py, which builds it once per run."""

from __future__ import annotations

from typing import Any

# ---------------------------------------------------------------------------------------------
# Codes and providers (literal; their meaning is checked against the seeds below)
# ---------------------------------------------------------------------------------------------
CONV = "450376"  # conventional_rx
ECHO = "460014"  # echography
CT = "458990"  # ct
DENTAL = "307090"  # dental, valid 2002-01-01 .. 2024-03-31
THERA = "202532"  # therapeutic_interventional
THORAX = "452690"  # thorax_rx
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
    claim("P10", "2016-06-01", THORAX, 1, RADIOLOGIST, "HOSP_C"),  # the only thorax RX
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

