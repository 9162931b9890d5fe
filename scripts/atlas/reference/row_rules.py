"""Steps 2 and 3: the row rules (docs/row_rules.md), each raw
row used or quarantined with the first reason that applies; the used claim lines netted per
group of identical lines; and the reconciliation, rows per source, year and reason."""

from __future__ import annotations

import pandas as pd

from atlas.reference.parsing import Parsed, clean_text, matches, pad_code, parse_date, parse_integer
from atlas.reference.project import MAX_AGE



def first_reason(reason: pd.Series, applies: pd.Series, name: str) -> None:
    """A row gets the first reason that applies, in the order of docs/row_rules.md: set it where none is yet."""
    reason[applies.fillna(False).astype(bool) & reason.isna()] = name


def normalise_beneficiaries(raw: pd.DataFrame, day_first: bool = False) -> tuple[pd.DataFrame, dict[str, Parsed]]:
    """Trimmed text, upper-case sex and sectors (codes), padded communes; integers and dates parsed."""
    parsed = {"year": parse_integer(raw["year"]), "birth_year": parse_integer(raw["birth_year"]),
              "death_date": parse_date(raw["death_date"], day_first)}
    rows = pd.DataFrame({
        "person_id": clean_text(raw["person_id"]),
        "year": parsed["year"].values,
        "birth_year": parsed["birth_year"].values,
        "sex": clean_text(raw["sex"], upper=True),
        "death_date": parsed["death_date"].values,
        "commune_dec31": pad_code(clean_text(raw["commune_dec31"]), 5),
        "sector_dec31": clean_text(raw["sector_dec31"], upper=True),
        "commune_jun30": pad_code(clean_text(raw["commune_jun30"]), 5),
        "sector_jun30": clean_text(raw["sector_jun30"], upper=True),
    })
    return rows, parsed


def classify_beneficiaries(raw: pd.DataFrame, day_first: bool = False) -> pd.DataFrame:
    """The normalised beneficiary rows with `reason`: missing when the row is used."""
    rows, parsed = normalise_beneficiaries(raw, day_first)
    reason = pd.Series(pd.NA, index=rows.index, dtype=object)
    first_reason(reason, rows["person_id"].isna(), "missing_person_id")
    first_reason(reason, parsed["year"].missing | parsed["year"].invalid, "invalid_year")
    first_reason(reason, parsed["birth_year"].missing, "missing_birth_year")
    first_reason(reason, parsed["birth_year"].invalid | (rows["birth_year"] > rows["year"])
                 | (rows["birth_year"] < rows["year"] - MAX_AGE), "invalid_birth_year")
    first_reason(reason, ~rows["sex"].isin(["M", "F"]), "invalid_sex")
    first_reason(reason, parsed["death_date"].invalid
                 | (rows["death_date"].notna() & (rows["death_date"].dt.year != rows["year"])),
                 "invalid_death_date")

    # Two or more rows for one person and year: all quarantined when they differ (which one is
    # right cannot be told), one copy used when they are identical.
    passed = reason.isna()
    candidates = rows[passed]
    distinct = candidates.drop_duplicates().groupby(["person_id", "year"]).size()
    key = pd.MultiIndex.from_frame(rows[["person_id", "year"]])
    conflicting = passed & pd.Series(key.isin(distinct[distinct > 1].index), index=rows.index)
    first_reason(reason, conflicting, "conflicting_beneficiary_rows")
    # Among the rows that passed (a quarantined row is nobody's original), the later copies.
    later_copy = candidates.duplicated(keep="first").reindex(rows.index, fill_value=False)
    first_reason(reason, passed & ~conflicting & later_copy, "duplicate_beneficiary_row")
    return rows.assign(reason=reason)


CLAIM_GROUP_KEY = ["person_id", "service_date", "nomenclature_code", "provider_profession",
                   "provider_qualification", "billing_practice_id"]


def classify_claims(raw: pd.DataFrame, beneficiaries: pd.DataFrame, day_first: bool = False) -> pd.DataFrame:
    """The normalised claim lines with `reason` (missing when used) and `group_id` (the group of
    identical lines, among the lines that passed the rules before the duplicate rule)."""
    service_date, quantity = parse_date(raw["service_date"], day_first), parse_integer(raw["quantity"])
    code = clean_text(raw["nomenclature_code"])
    lines = pd.DataFrame({
        "person_id": clean_text(raw["person_id"]),
        "service_date": service_date.values,
        "nomenclature_code": pad_code(code, 6),
        "quantity": quantity.values,
        "provider_profession": clean_text(raw["provider_profession"], upper=True),
        "provider_qualification": pad_code(clean_text(raw["provider_qualification"]), 3),
        "billing_practice_id": clean_text(raw["billing_practice_id"], upper=True),
    })
    lines["service_year"] = lines["service_date"].dt.year.astype("Int64")

    reason = pd.Series(pd.NA, index=lines.index, dtype=object)
    first_reason(reason, lines["person_id"].isna(), "missing_person_id")
    first_reason(reason, service_date.missing | service_date.invalid, "invalid_service_date")
    first_reason(reason, ~matches(code, r"\d{1,6}"), "invalid_nomenclature_code")
    first_reason(reason, quantity.missing | quantity.invalid | (lines["quantity"] == 0), "invalid_quantity")
    # "the valid year of any row of the population file": any row whose year is an integer.
    delivered_years = set(beneficiaries["year"].dropna().astype(int))
    first_reason(reason, ~lines["service_year"].isin(delivered_years), "service_year_not_delivered")
    used = beneficiaries[beneficiaries["reason"].isna()]
    in_population = pd.MultiIndex.from_frame(lines[["person_id", "service_year"]]).isin(
        pd.MultiIndex.from_frame(used[["person_id", "year"]]))
    first_reason(reason, pd.Series(~in_population, index=lines.index), "person_not_in_population")

    # Groups of identical lines (same person, date, code, provider and billing practice), among
    # the lines that passed the rules above.
    passed = reason.isna()
    lines["group_id"] = pd.Series(pd.NA, index=lines.index, dtype="Int64")
    lines.loc[passed, "group_id"] = lines[passed].groupby(CLAIM_GROUP_KEY, dropna=False, sort=False).ngroup()
    has_correction = lines[passed].groupby("group_id")["quantity"].transform("min") < 0
    # Without a correction in the group, an exact copy (quantity included) is a double delivery.
    copy_of_earlier = lines[passed].duplicated(subset=[*CLAIM_GROUP_KEY, "quantity"], keep="first")
    first_reason(reason, (copy_of_earlier & ~has_correction).reindex(lines.index, fill_value=False),
                 "duplicate_claim_line")
    # A group adding up to less than zero corrects a line that is not in the extract.
    kept = reason.isna()
    group_total = lines[kept].groupby("group_id")["quantity"].transform("sum")
    first_reason(reason, (group_total < 0).reindex(lines.index, fill_value=False), "unmatched_correction")
    return lines.assign(reason=reason)


def net_claim_groups(claims: pd.DataFrame) -> pd.DataFrame:
    """One row per group of identical used lines with its net quantity: a negative line cancels
    the line it corrects, a group netting to zero is a cancelled service and is dropped."""
    used = claims[claims["reason"].isna()]
    groups = (used.groupby("group_id")
              .agg(**{column: (column, "first") for column in [*CLAIM_GROUP_KEY, "service_year"]},
                   net_quantity=("quantity", "sum"))
              .reset_index(drop=True))
    return groups[groups["net_quantity"] > 0].reset_index(drop=True)


def reason_counts(beneficiaries: pd.DataFrame, claims: pd.DataFrame, located: pd.DataFrame) -> pd.DataFrame:
    """The reconciliation: rows per source, year and reason. Quarantined rows under their reason
    (row_used false); the used rows under 'used'; and, among them, the beneficiary rows used
    with a geography issue under 'unknown_commune' / 'unknown_sector' (row_used true)."""
    parts = []
    for source, rows, year_column in (("beneficiaries", beneficiaries, "year"), ("claims", claims, "service_year")):
        counts = (rows.assign(reason=rows["reason"].fillna("used"), year=rows[year_column])
                  .groupby(["year", "reason"], dropna=False).size().rename("row_count").reset_index())
        parts.append(counts.assign(source=source, row_used=counts["reason"] == "used"))
    issues = located.dropna(subset=["geography_issue"]).groupby(["year", "geography_issue"]).size()
    parts.append(issues.rename("row_count").reset_index().rename(columns={"geography_issue": "reason"})
                 .assign(source="beneficiaries", row_used=True))
    return pd.concat(parts, ignore_index=True)[["source", "year", "reason", "row_used", "row_count"]]
