"""Step 5: the per-person variables of each year (the "Variable(s) source(s)" of the pages), from
the netted claim groups: IMAG_*_N (imaging exams), FF_MH and MH_PATIENT (medical houses)."""

from __future__ import annotations

import re

import pandas as pd

from atlas.reference.project import MEDICAL_HOUSE_MIN_FORFAITS, Seeds, records


def valid_on_service_date(groups: pd.DataFrame, code_list: pd.DataFrame) -> pd.DataFrame:
    """Groups whose code is on the list and valid on the service date (valid_from and valid_to
    inclusive, an empty valid_to is still valid), with the list's columns."""
    codes = code_list.assign(valid_from=pd.to_datetime(code_list["valid_from"]),
                             valid_to=pd.to_datetime(code_list["valid_to"]))
    matched = groups.merge(codes, on="nomenclature_code", how="inner")
    inside = (matched["service_date"] >= matched["valid_from"]) & (
        matched["valid_to"].isna() | (matched["service_date"] <= matched["valid_to"]))
    return matched[inside]


def provider_groups_of(exams: pd.DataFrame, seeds: Seeds) -> pd.Series:
    """The provider group of each line's performer: the profession digit, and a 3-digit
    qualification inside one of its ranges in provider_qualification_groups. No match
    (a missing or odd code) is no group: the exam counts in no provider variable."""
    rules = records(seeds.provider_qualifications)

    def group(profession: object, qualification: object) -> str | None:
        if not isinstance(qualification, str) or not re.fullmatch(r"\d{3}", qualification):
            return None
        for rule in rules:
            # Three digits each: text order is number order.
            if profession == rule["provider_profession"] and (
                    rule["qualification_from"] <= qualification <= rule["qualification_to"]):
                return rule["provider_group"]
        return None

    performers = exams[["provider_profession", "provider_qualification"]]
    pairs = performers.drop_duplicates()
    groups = pd.Series([group(p, q) for p, q in zip(pairs["provider_profession"], pairs["provider_qualification"])],
                       index=pairs.index, dtype=object)
    pairs = pairs.assign(provider_group=groups)
    return performers.merge(pairs, on=["provider_profession", "provider_qualification"], how="left")[
        "provider_group"].set_axis(exams.index)


def imaging_variables(groups: pd.DataFrame, seeds: Seeds) -> pd.DataFrame:
    """IMAG_ALL_N (every imaging code), one IMAG_*_N per category and one per provider group:
    long form (person_id, year, variable_name, value), the net number of exams.

    Each code has one category in the seed, so a thorax radiograph is thorax RX and not also
    conventional RX. Only radiologists, dentists and other specialists have a variable: a GP's
    (or another provider's) exams count in IMAG_ALL_N and their category only."""
    exams = valid_on_service_date(groups, seeds.imaging_codes[["nomenclature_code", "imaging_category",
                                                               "valid_from", "valid_to"]])
    exams = exams.merge(seeds.imaging_categories[["imaging_category", "variable_name"]], on="imaging_category")
    exams["provider_group"] = provider_groups_of(exams, seeds)
    provider_variables = seeds.provider_groups.dropna(subset=["variable_name"]).set_index("provider_group")["variable_name"]
    by_provider = exams.assign(variable_name=exams["provider_group"].map(provider_variables)).dropna(
        subset=["variable_name"])
    every_exam = exams.assign(variable_name="IMAG_ALL_N")
    long = pd.concat([every_exam, exams, by_provider], ignore_index=True)
    return (long.groupby(["person_id", "service_year", "variable_name"])["net_quantity"].sum()
            .reset_index().rename(columns={"service_year": "year", "net_quantity": "value"}))


def medical_house_variables(groups: pd.DataFrame, seeds: Seeds) -> pd.DataFrame:
    """FF_MH (net 109616 forfaits in the year) and MH_PATIENT (1 when attributed), long form.

    Page of stat_003_007: a patient is attributed to a medical house "lorsqu'au moins six
    forfaits 'maison médicale' ont été facturés au cours de l'année de référence et que le
    patient ne possède pas d'autre dossier médical global auprès d'une autre pratique". docs/method.md:
    a DMG (102771) billed that year by a practice other than the one(s) that billed the
    forfaits excludes the person; a DMG line naming no practice counts as another practice.
    Cancelled services (groups netting to zero) were dropped with the netting, so neither a
    cancelled forfait nor a cancelled DMG counts, and a practice whose forfaits were all
    cancelled did not bill any."""
    roles = seeds.general_practice_codes.set_index("code_role")["nomenclature_code"]
    gp_lines = valid_on_service_date(groups, seeds.general_practice_codes[["nomenclature_code", "valid_from",
                                                                          "valid_to"]])
    forfaits = gp_lines[gp_lines["nomenclature_code"] == roles["medical_house_forfait"]]
    dmgs = gp_lines[gp_lines["nomenclature_code"] == roles["dmg"]]

    ff_mh = forfaits.groupby(["person_id", "service_year"])["net_quantity"].sum().rename("FF_MH")
    forfait_practices = forfaits.dropna(subset=["billing_practice_id"])[
        ["person_id", "service_year", "billing_practice_id"]].drop_duplicates().assign(forfait_practice=True)
    dmg_practice = dmgs.merge(forfait_practices, on=["person_id", "service_year", "billing_practice_id"], how="left")
    dmg_elsewhere = (dmg_practice[dmg_practice["forfait_practice"].isna()]
                     .groupby(["person_id", "service_year"]).size().rename("dmg_elsewhere") > 0)

    people = ff_mh.to_frame().join(dmg_elsewhere, how="left")
    patient = (people["FF_MH"] >= MEDICAL_HOUSE_MIN_FORFAITS) & ~people["dmg_elsewhere"].fillna(False).astype(bool)
    long: pd.DataFrame = pd.concat([
        people["FF_MH"].rename("value").reset_index().assign(variable_name="FF_MH"),
        patient[patient].astype(int).rename("value").reset_index().assign(variable_name="MH_PATIENT"),
    ], ignore_index=True)
    long = long.rename(columns={"service_year": "year"})
    return long.reindex(columns=["person_id", "year", "variable_name", "value"])


def person_variables(groups: pd.DataFrame, seeds: Seeds) -> pd.DataFrame:
    """Every per-person variable, long form (person_id, year, variable_name, value), only the
    persons with the variable at 1 or more (the netting leaves no negative value)."""
    long = pd.concat([imaging_variables(groups, seeds), medical_house_variables(groups, seeds)], ignore_index=True)
    return long[long["value"] > 0].reset_index(drop=True)
