"""Reference implementation of the Atlas indicator tables, in plain pandas: the executable specification.

It reads the same raw extract as the dbt project (README "Raw data contract": the
`beneficiaries*` and `claims*` files of a raw directory, Parquet or CSV) and the same seeds, and
computes every indicator table of `seeds/indicator_registry.csv` (53 codes), before small-cell
suppression (the cells, with the individuals behind each numerator) and after it (the published
tables, with `suppression_flag` and the withheld figures nulled).

It was written from the metadata pages (../shared/indicator-metadata/), the domain notes, the
README sections "Raw data contract", "Row rules" and "How the figures are computed" and, for the
suppression, docs/protection.md ("The rules"), not from the SQL models, so that the
differential tests (tests/python/test_differential.py, tests/python/test_reference_properties.py)
compare two independent readings of the same pages.
Where the pages and the README leave a choice open, the comment at that step says which
reading is taken and why.

The steps, in order (one section of this file each):
  1. read the raw files, as text where the contract says text;
  2. row rules: each raw row is used or quarantined with the first reason that applies;
  3. claim groups: identical lines are netted, a group netting to zero is a cancelled service;
  4. each beneficiary-year located (commune on 31 December, else 30 June) with its age band;
  5. per-person variables (IMAG_*_N, FF_MH, MH_PATIENT);
  6. cells: beneficiaries, patients and volumes at every geographic level and age band;
  7. the indicator cells of the registry (value = numerator / (denominator / multiplier));
  8. small-cell suppression on the population and variable patterns of docs/protection.md
     ("The rules"): primary, then secondary rounds until neither the withheld cells nor
     those needing partners change, then the flag per pattern (the module
     scripts/reference_suppression.py, written from that page);
  9. write the tables (a DuckDB file or a directory of Parquet files).

Usage (inside the project's .venv):
    python scripts/reference_indicators.py --raw-dir data/raw --out /tmp/reference.duckdb
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import duckdb
import numpy as np
import pandas as pd

from atlas.paths import PROJECT_DIR
from atlas.raw.contract import contract_columns

from atlas.reference.suppression import suppress

SEED_DIR = PROJECT_DIR / "seeds"

SOURCES = ("beneficiaries", "claims")
BENEFICIARY_COLUMNS = contract_columns("beneficiaries")
CLAIM_COLUMNS = contract_columns("claims")

# IMA publishes no cell of fewer than 5 individuals (domain notes, "Confidentiality").
DEFAULT_SMALL_CELL_THRESHOLD = 5
# stat_003_007: the page's remark says "au moins six forfaits" (its formula writes "= 6"; the
# README follows the remark).
MEDICAL_HOUSE_MIN_FORFAITS = 6
# Nobody lives more than 120 years (README row rule invalid_birth_year).
MAX_AGE = 120

COUNTRY_CODE = "BE"
# No seed holds the country's own names; the published tables name it so.
COUNTRY_NAME_FR, COUNTRY_NAME_NL = "Belgique", "België"
# From the largest to the smallest unit; each level's parent is the one before it.
GEO_LEVELS = ("country", "region", "province", "arrondissement", "commune", "statistical_sector")
TOTAL_BAND = "total"

# The columns of the published tables (models/marts/indicator_tables/_indicator_tables__models.yml).
MART_COLUMNS = ["indicator_code", "year", "geo_level", "geo_code", "geo_name", "geo_name_nl", "age_band",
                "numerator", "denominator", "value", "unit", "suppression_flag"]
# The unsuppressed cells: the mart columns plus the parent unit and the individuals behind the numerator.
CELL_COLUMNS = ["indicator_code", "year", "geo_level", "geo_code", "geo_name", "geo_name_nl",
                "parent_geo_level", "parent_geo_code", "age_band", "individuals", "numerator",
                "denominator", "value", "unit"]

_started = time.monotonic()


def log(message: str) -> None:
    """Progress on stdout, with the seconds since the start (the run takes minutes at scale)."""
    print(f"[{time.monotonic() - _started:8.1f} s] {message}", flush=True)


# ---------------------------------------------------------------------------------------------
# Seeds
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Seeds:
    """The seed tables the figures depend on, as text columns (codes keep their leading zeros)."""

    registry: pd.DataFrame
    imaging_codes: pd.DataFrame
    imaging_categories: pd.DataFrame
    provider_qualifications: pd.DataFrame
    provider_groups: pd.DataFrame
    general_practice_codes: pd.DataFrame
    age_bands: pd.DataFrame
    regions: pd.DataFrame
    provinces: pd.DataFrame
    arrondissements: pd.DataFrame
    communes: pd.DataFrame
    sectors: pd.DataFrame
    variable_relations: pd.DataFrame


def records(table: pd.DataFrame) -> list[dict[str, str]]:
    """The rows of a seed table as dicts of text (for the small tables looped over)."""
    return [{str(k): str(v) for k, v in row.items()} for row in table.to_dict("records")]


def read_seed(seed_dir: Path, name: str) -> pd.DataFrame:
    """A seed CSV with every column as text; an empty field is missing."""
    table = pd.read_csv(seed_dir / f"{name}.csv", dtype=str, keep_default_na=False)
    return table.replace("", np.nan)


@functools.lru_cache(maxsize=4)
def load_seeds(seed_dir: Path = SEED_DIR) -> Seeds:
    """The seeds (read once per directory: the property test calls the reference many times)."""
    return Seeds(
        registry=read_seed(seed_dir, "indicator_registry"),
        imaging_codes=read_seed(seed_dir, "imaging_nomenclature_codes"),
        imaging_categories=read_seed(seed_dir, "imaging_categories"),
        provider_qualifications=read_seed(seed_dir, "provider_qualification_groups"),
        provider_groups=read_seed(seed_dir, "provider_groups"),
        general_practice_codes=read_seed(seed_dir, "general_practice_codes"),
        age_bands=read_seed(seed_dir, "age_bands"),
        regions=read_seed(seed_dir, "geo_regions"),
        provinces=read_seed(seed_dir, "geo_provinces"),
        arrondissements=read_seed(seed_dir, "geo_arrondissements"),
        communes=read_seed(seed_dir, "geo_communes"),
        sectors=read_seed(seed_dir, "geo_statistical_sectors"),
        variable_relations=read_seed(seed_dir, "variable_relations"),
    )


# ---------------------------------------------------------------------------------------------
# 1. Raw files
# ---------------------------------------------------------------------------------------------

def raw_files(raw_dir: Path, source: str, raw_format: str) -> list[Path]:
    """Each source may be split over several files (e.g. one per year): beneficiaries*.parquet."""
    files = sorted(raw_dir.glob(f"{source}*.{raw_format}"))
    if not files:
        raise SystemExit(f"no {source}*.{raw_format} file in {raw_dir}")
    return files


@functools.cache
def parquet_reader() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB connection to read Parquet files with (opening one costs more than
    reading a small file, and the property test runs the reference hundreds of times)."""
    return duckdb.connect()


@dataclass(frozen=True)
class Conventions:
    """How the extract is written, where the contract allows a choice (README "Structural
    checks"): the CSV separator and encoding (a UTF-8 byte-order mark is skipped), and whether
    dates may be written DD/MM/YYYY."""

    csv_delimiter: str = ","
    csv_encoding: str = "utf-8"
    day_first: bool = False


def read_raw(raw_dir: Path, source: str, columns: Sequence[str], raw_format: str,
             conventions: Conventions = Conventions()) -> pd.DataFrame:
    """The raw rows of one source: CSV entirely as text (a header, no types), Parquet with its
    own column types (the rules below accept text or typed values alike). Extra columns are
    ignored; a missing column is an error, as in the structural checks."""
    frames: list[pd.DataFrame] = []
    encoding = "utf-8-sig" if conventions.csv_encoding == "utf-8" else conventions.csv_encoding
    for path in raw_files(raw_dir, source, raw_format):
        if raw_format == "csv":
            # Text as written: no NA guessing, so "NA" stays a value and a blank is a blank.
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False,
                                sep=conventions.csv_delimiter, encoding=encoding)
        else:
            # pandas needs pyarrow for Parquet; DuckDB is only the file reader here.
            frame = parquet_reader().execute("select * from read_parquet(?)", [str(path)]).df()
        # Column names in any letter case (structural checks); the first of a name is taken.
        frame.columns = [str(column).lower() for column in frame.columns]
        frame = frame.loc[:, ~frame.columns.duplicated()]
        missing = [column for column in columns if column not in frame.columns]
        if missing:
            raise SystemExit(f"{path}: missing column(s) {', '.join(missing)}")
        frames.append(frame[list(columns)])
    # Files may disagree on a column's type (one typed, one text): pandas then keeps both as
    # objects, which the parsers below accept.
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# 2. Row rules (README "Row rules: what is used, what is quarantined")
# ---------------------------------------------------------------------------------------------

INTEGER_TEXT = re.compile(r"^[+-]?\d+$")
# A date, or a timestamp whose date part is taken; with a time zone, the date in Brussels.
DATE_TEXT = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$"
ZONED_DATE_TEXT = r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$"
DAY_FIRST_DATE_TEXT = r"^\d{1,2}/\d{1,2}/\d{4}$"
BELGIAN_TIME_ZONE = "Europe/Brussels"


def on_distinct(values: pd.Series, function: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """function(values), computed once per distinct value (missing included) and spread back
    over the rows: a code column repeats a few hundred values over millions of lines, and
    Python string functions cost per call."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    result = function(pd.Series(distinct, dtype=values.dtype))
    return result.iloc[codes].set_axis(values.index)


def clean_text(values: pd.Series, upper: bool = False) -> pd.Series:
    """Text trimmed, a blank is missing (README: "text is trimmed (blank means missing)");
    upper-cased for sex, codes and ids ("mh_a" and "MH_A" are one practice)."""
    def clean(distinct: pd.Series) -> pd.Series:
        text = distinct.astype("str").str.strip()
        text = text.str.upper() if upper else text
        return text.mask(text == "")
    return on_distinct(values, clean)


def pad_code(text: pd.Series, width: int) -> pd.Series:
    """Mend a leading zero a spreadsheet dropped: an all-digit code shorter than its width is
    padded with zeros. Longer or non-digit codes are left as they are (never cut)."""
    def pad(distinct: pd.Series) -> pd.Series:
        short_digits = distinct.str.fullmatch(r"\d+", na=False) & (distinct.str.len() < width)
        return distinct.mask(short_digits, distinct.str.zfill(width))
    return on_distinct(text, pad)


def matches(text: pd.Series, pattern: str) -> pd.Series:
    """Whether each text matches the pattern entirely (missing text does not)."""
    return on_distinct(text, lambda distinct: distinct.str.fullmatch(pattern, na=False))


@dataclass(frozen=True)
class Parsed:
    """A parsed column: the values (missing where absent or invalid) and why they are missing."""

    values: pd.Series
    missing: pd.Series  # nothing there
    invalid: pd.Series  # something there that is not a value of the type


def parse_integer(raw: pd.Series) -> Parsed:
    """Integers from typed columns (Parquet) or text (CSV): "2016" is one, "2016.5" or "x" not."""
    if pd.api.types.is_numeric_dtype(raw.dtype):
        numbers = pd.to_numeric(raw, errors="coerce")
        missing = numbers.isna()
        invalid = ~missing & (numbers != np.floor(numbers))
        values = numbers.where(~invalid)
    else:
        text = clean_text(raw)
        missing = text.isna()
        integer = matches(text, INTEGER_TEXT.pattern)
        invalid = ~missing & ~integer
        values = pd.to_numeric(text.where(integer), errors="coerce")
    return Parsed(values.astype("Int64"), missing, invalid)


def brussels_day(distinct: pd.Series) -> pd.Series:
    """The calendar day in Belgium of date-times with a time zone (text)."""
    instants = pd.to_datetime(distinct, utc=True, errors="coerce", format="ISO8601")
    return instants.dt.tz_convert(BELGIAN_TIME_ZONE).dt.tz_localize(None).dt.floor("D")


def parse_date(raw: pd.Series, day_first: bool = False) -> Parsed:
    """Dates from typed columns (Parquet date or timestamp: the day is kept, in Belgium for a
    timestamp with a time zone), ISO text, or DD/MM/YYYY text when the extract is written so."""
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        values = raw.dt.tz_convert(BELGIAN_TIME_ZONE).dt.tz_localize(None).dt.floor("D")
        missing = values.isna()
        invalid = pd.Series(False, index=raw.index)
    elif pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values = pd.to_datetime(raw).dt.floor("D")
        missing = values.isna()
        invalid = pd.Series(False, index=raw.index)
    else:
        # Python date objects (from an object column) are first written as ISO text.
        text = clean_text(raw.map(lambda v: v.isoformat() if hasattr(v, "isoformat") and not pd.isna(v) else v))
        missing = text.isna()
        looks_like_date = matches(text, DATE_TEXT)
        # errors="coerce": 2016-02-30 has the shape of a date but is none.
        values = on_distinct(text.where(looks_like_date), lambda distinct: pd.to_datetime(
            distinct.str.slice(0, 10), format="%Y-%m-%d", errors="coerce"))
        zoned = matches(text, ZONED_DATE_TEXT)
        if zoned.any():
            values = values.mask(zoned, on_distinct(text.where(zoned), brussels_day))
        if day_first:
            written_day_first = matches(text, DAY_FIRST_DATE_TEXT)
            values = values.mask(written_day_first, on_distinct(text.where(written_day_first), lambda distinct:
                                                                  pd.to_datetime(distinct, format="%d/%m/%Y",
                                                                                 errors="coerce")))
        invalid = ~missing & values.isna()
    return Parsed(values.astype("datetime64[s]"), missing, invalid)


def first_reason(reason: pd.Series, applies: pd.Series, name: str) -> None:
    """A row gets the first reason that applies, in the README's order: set it where none is yet."""
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


# ---------------------------------------------------------------------------------------------
# 3. Claim groups: netting
# ---------------------------------------------------------------------------------------------

def net_claim_groups(claims: pd.DataFrame) -> pd.DataFrame:
    """One row per group of identical used lines with its net quantity: a negative line cancels
    the line it corrects, a group netting to zero is a cancelled service and is dropped."""
    used = claims[claims["reason"].isna()]
    groups = (used.groupby("group_id")
              .agg(**{column: (column, "first") for column in [*CLAIM_GROUP_KEY, "service_year"]},
                   net_quantity=("quantity", "sum"))
              .reset_index(drop=True))
    return groups[groups["net_quantity"] > 0].reset_index(drop=True)


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


# ---------------------------------------------------------------------------------------------
# 4. Beneficiary-years located, with age band
# ---------------------------------------------------------------------------------------------

def locate_beneficiaries(beneficiaries: pd.DataFrame, seeds: Seeds) -> pd.DataFrame:
    """One row per used beneficiary-year with its age band and its geography at every level.

    Domicile (pages: "domicile au 31 décembre ... Si le domicile est inconnu à ce moment-là, on
    utilise le domicile au 30 juin"; README: a commune the geography seed does not know counts
    as unknown): the 31 December commune if the seed knows it, else the 30 June one if known,
    else none (the person counts in the country rows only). The sector is the one reported with
    the chosen domicile, kept only when the sector seed places it in that commune."""
    used = beneficiaries[beneficiaries["reason"].isna()].copy()
    known = set(seeds.communes["commune_code"])
    use_dec31 = used["commune_dec31"].isin(known)
    use_jun30 = ~use_dec31 & used["commune_jun30"].isin(known)
    used["commune_code"] = used["commune_dec31"].where(use_dec31, used["commune_jun30"].where(use_jun30))
    reported_sector = used["sector_dec31"].where(use_dec31, used["sector_jun30"].where(use_jun30))
    sector_in_commune = pd.MultiIndex.from_arrays([reported_sector, used["commune_code"]]).isin(
        pd.MultiIndex.from_frame(seeds.sectors[["sector_code", "commune_code"]]))
    used["statistical_sector"] = reported_sector.where(sector_in_commune)
    # Used rows with a geography issue (README row rules unknown_commune, unknown_sector): the
    # commune the rule looks at first (31 December, else 30 June) is not in the seed; or a
    # sector was reported with the chosen domicile but is not one of its commune.
    looked_at = used["commune_dec31"].fillna(used["commune_jun30"])
    issue = pd.Series(None, index=used.index, dtype=object)
    issue[used["commune_code"].notna() & reported_sector.notna() & ~sector_in_commune] = "unknown_sector"
    issue[looked_at.notna() & ~looked_at.isin(known)] = "unknown_commune"  # the first reason that applies
    used["geography_issue"] = issue

    located = used.merge(seeds.communes[["commune_code", "arrondissement_code", "province_code", "region_code"]],
                         on="commune_code", how="left")
    located = located.rename(columns={"commune_code": "commune", "arrondissement_code": "arrondissement",
                                      "province_code": "province", "region_code": "region"})
    located["country"] = COUNTRY_CODE

    # Age on 31 December of the reference year (pages: "l'âge des bénéficiaires au 31 décembre").
    age = (located["year"] - located["birth_year"]).astype(int)
    bands = seeds.age_bands
    located["age_band"] = pd.cut(age, bins=[int(a) - 1 for a in bands["age_from"]] + [int(bands["age_to"].iloc[-1])],
                                 labels=list(bands["age_band"]), ordered=False).astype(object)
    return located[["person_id", "year", "age_band", *GEO_LEVELS, "geography_issue"]].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# 5. Per-person variables (the "Variable(s) source(s)" of the pages)
# ---------------------------------------------------------------------------------------------

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
    patient ne possède pas d'autre dossier médical global auprès d'une autre pratique". README:
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


# ---------------------------------------------------------------------------------------------
# 6. Cells: every geographic unit and age band
# ---------------------------------------------------------------------------------------------

def at_every_level(rows: pd.DataFrame, by: list[str], **counts: tuple[str, str]) -> pd.DataFrame:
    """The named counts of the rows per year, geographic unit (every level) and age band, and per
    year and unit over all ages (age_band 'total'). A row without a unit at a level (no known
    domicile, or no known sector) is counted at the levels above it only.

    The rows are counted once per finest place (sector, commune, ... together); each place
    then counts in its unit of every level, and the bands add up to the all-ages total (each
    person is in one place and one band)."""
    finest = rows.groupby(["year", *GEO_LEVELS, "age_band", *by], dropna=False).agg(**counts).reset_index()
    placed = finest.melt(id_vars=["year", "age_band", *by, *counts], value_vars=list(GEO_LEVELS),
                         var_name="geo_level", value_name="geo_code").dropna(subset=["geo_code"])
    by_band = placed.groupby(["year", "geo_level", "geo_code", "age_band", *by])[list(counts)].sum().reset_index()
    total = (by_band.groupby(["year", "geo_level", "geo_code", *by])[list(counts)].sum().reset_index()
             .assign(age_band=TOTAL_BAND))
    return pd.concat([by_band, total], ignore_index=True)


def beneficiary_cells(located: pd.DataFrame) -> pd.DataFrame:
    """The denominator: beneficiaries of the year per unit and band ("Nombre de bénéficiaires",
    births and deaths of the year included). Only cells with someone in them exist."""
    return at_every_level(located.assign(person=1), [], beneficiaries=("person", "sum"))


def measure_cells(located: pd.DataFrame, variables: pd.DataFrame) -> pd.DataFrame:
    """Per unit, band and variable: patients (persons with the variable at 1 or more) and volume
    (the sum of the variable), counted where the person lives."""
    placed = variables.merge(located, on=["person_id", "year"], how="inner")
    return at_every_level(placed, ["variable_name"], patients=("value", "size"), volume=("value", "sum"))


def geo_units(seeds: Seeds) -> pd.DataFrame:
    """Every unit of every level: names and parent unit. Brussels has no province: its province
    rows carry the region code 04000 (README, "Geography")."""
    def units(level: str, table: pd.DataFrame, code: str, fr: str, nl: str, parent_level: str | None,
              parent_code: str | None) -> pd.DataFrame:
        return pd.DataFrame({
            "geo_level": level, "geo_code": table[code], "geo_name": table[fr], "geo_name_nl": table[nl],
            "parent_geo_level": parent_level, "parent_geo_code": table[parent_code] if parent_code else None,
        })
    country = pd.DataFrame({"geo_code": [COUNTRY_CODE], "fr": [COUNTRY_NAME_FR], "nl": [COUNTRY_NAME_NL]})
    return pd.concat([
        units("country", country, "geo_code", "fr", "nl", None, None),
        units("region", seeds.regions.assign(country=COUNTRY_CODE), "region_code", "region_name_fr",
              "region_name_nl", "country", "country"),
        units("province", seeds.provinces, "province_code", "province_name_fr", "province_name_nl",
              "region", "region_code"),
        units("arrondissement", seeds.arrondissements, "arrondissement_code", "arrondissement_name_fr",
              "arrondissement_name_nl", "province", "province_code"),
        units("commune", seeds.communes, "commune_code", "commune_name_fr", "commune_name_nl",
              "arrondissement", "arrondissement_code"),
        # Sectors have one name (the seed has no Dutch one): it serves both columns.
        units("statistical_sector", seeds.sectors, "sector_code", "sector_name", "sector_name",
              "commune", "commune_code"),
    ], ignore_index=True)


# ---------------------------------------------------------------------------------------------
# 7. Indicator cells (registry)
# ---------------------------------------------------------------------------------------------

def indicator_cells(located: pd.DataFrame, variables: pd.DataFrame, seeds: Seeds) -> pd.DataFrame:
    """Every cell every registry indicator publishes, before suppression: the years from its
    first year, its levels (the statistical sector from its sector year, when the sector is its
    smallest level), its age bands ('age_band_10y': each band and 'total'; 'none': 'total').
    Pages: "Nombre de patients comptant au moins un examen ... / (Nombre de bénéficiaires / 100)"
    and "Nombre d'examens ... / (Nombre de bénéficiaires / 1.000)"; `individuals` are the
    persons behind the numerator (the patients, also for a volume)."""
    registry = seeds.registry.assign(
        first_year=seeds.registry["first_year"].astype(int),
        sector_from_year=pd.to_numeric(seeds.registry["sector_from_year"]),
        multiplier=seeds.registry["multiplier"].astype(float),
        smallest_level_rank=seeds.registry["smallest_geo_level"].map(GEO_LEVELS.index),
    ).rename(columns={"source_variable": "variable_name"})
    cells = beneficiary_cells(located).merge(registry, how="cross")
    cells = cells[
        (cells["year"] >= cells["first_year"])
        & ((cells["dimensions"] == "age_band_10y") | (cells["age_band"] == TOTAL_BAND))
        & (cells["geo_level"].map(GEO_LEVELS.index) <= cells["smallest_level_rank"])
        & ((cells["geo_level"] != "statistical_sector") | (cells["year"] >= cells["sector_from_year"]))
    ]
    key = ["year", "geo_level", "geo_code", "age_band", "variable_name"]
    cells = cells.merge(measure_cells(located, variables), on=key, how="left").fillna({"patients": 0, "volume": 0})
    cells = cells.merge(geo_units(seeds), on=["geo_level", "geo_code"], how="left")
    cells["individuals"] = cells["patients"]
    cells["numerator"] = cells["patients"].where(cells["measure"] == "patients", cells["volume"])
    cells["denominator"] = cells["beneficiaries"]
    cells["value"] = cells["numerator"] / (cells["denominator"] / cells["multiplier"])
    result = cells[CELL_COLUMNS].astype({"year": "int32", "individuals": "int64", "numerator": "int64",
                                         "denominator": "int64"})
    return result.sort_values(["indicator_code", "year", "geo_level", "geo_code", "age_band"], ignore_index=True)


# ---------------------------------------------------------------------------------------------
# 8. Small-cell suppression (docs/protection.md, "The rules")
# ---------------------------------------------------------------------------------------------

# The rules are docs/protection.md's, section "The rules": scripts/reference_suppression.py.


def published_tables(suppressed: pd.DataFrame) -> pd.DataFrame:
    """indicator_values: every cell, the figures of a withheld cell nulled."""
    table = suppressed[MART_COLUMNS].copy()
    withheld = table["suppression_flag"].notna()
    table["numerator"] = table["numerator"].astype("Int64").mask(withheld)
    table["denominator"] = table["denominator"].astype("Int64").mask(withheld)
    table["value"] = table["value"].mask(withheld)
    return table


# ---------------------------------------------------------------------------------------------
# The whole computation, and the output
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReferenceResult:
    cells: pd.DataFrame  # every indicator cell before suppression (CELL_COLUMNS)
    indicator_values: pd.DataFrame  # every published cell (MART_COLUMNS), suppression applied
    reasons: pd.DataFrame  # rows per source, year and reason (reason_counts)


def compute(raw_dir: Path, raw_format: str = "parquet", threshold: int = DEFAULT_SMALL_CELL_THRESHOLD,
            seed_dir: Path = SEED_DIR, progress: Callable[[str], None] = log,
            conventions: Conventions = Conventions()) -> ReferenceResult:
    """Every indicator cell of the raw extract in raw_dir, before and after suppression."""
    seeds = load_seeds(seed_dir)
    raw_beneficiaries = read_raw(raw_dir, "beneficiaries", BENEFICIARY_COLUMNS, raw_format, conventions)
    raw_claims = read_raw(raw_dir, "claims", CLAIM_COLUMNS, raw_format, conventions)
    progress(f"read {len(raw_beneficiaries):,} beneficiary rows and {len(raw_claims):,} claim lines")
    beneficiaries = classify_beneficiaries(raw_beneficiaries, conventions.day_first)
    claims = classify_claims(raw_claims, beneficiaries, conventions.day_first)
    progress(f"row rules: {int(beneficiaries['reason'].isna().sum()):,} beneficiary rows and "
             f"{int(claims['reason'].isna().sum()):,} claim lines used")
    groups = net_claim_groups(claims)
    located = locate_beneficiaries(beneficiaries, seeds)
    variables = person_variables(groups, seeds)
    progress(f"{len(variables):,} per-person variables of {len(located):,} beneficiary-years "
             f"from {len(groups):,} services")
    cells = indicator_cells(located, variables, seeds)
    progress(f"{len(cells):,} indicator cells")
    suppressed = suppress(cells, seeds.registry, seeds.variable_relations, threshold, progress)
    return ReferenceResult(cells=cells, indicator_values=published_tables(suppressed),
                           reasons=reason_counts(beneficiaries, claims, located))


def write_outputs(result: ReferenceResult, out: Path) -> None:
    """A DuckDB file (out ending in .duckdb) with one table per indicator code plus
    indicator_values, indicator_cells_computed and row_reasons; else a directory of Parquet files
    with the same names."""
    tables: dict[str, pd.DataFrame] = {
        "indicator_values": result.indicator_values,
        "indicator_cells_computed": result.cells,
        "row_reasons": result.reasons,
    }
    for code, table in result.indicator_values.groupby("indicator_code"):
        tables[str(code)] = table.reset_index(drop=True)
    if out.suffix == ".duckdb":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.unlink(missing_ok=True)
        with duckdb.connect(str(out)) as connection:
            for name, table in tables.items():
                connection.register("frame", table)
                connection.execute(f'create table "{name}" as select * from frame')
                connection.unregister("frame")
    else:
        out.mkdir(parents=True, exist_ok=True)
        with duckdb.connect() as connection:
            for name, table in tables.items():
                connection.register("frame", table)
                connection.execute(f"copy frame to '{out / (name + '.parquet')}' (format parquet)")
                connection.unregister("frame")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw-dir", type=Path, default=Path(os.environ.get("ATLAS_RAW_DIR", "data/raw")),
                        help="directory of the raw extract (default: $ATLAS_RAW_DIR or data/raw)")
    parser.add_argument("--raw-format", choices=["parquet", "csv"],
                        default=os.environ.get("ATLAS_RAW_FORMAT", "parquet"),
                        help="format of the raw files (default: $ATLAS_RAW_FORMAT or parquet)")
    parser.add_argument("--csv-delimiter", choices=[",", ";"], default=",",
                        help="CSV separator (default: %(default)s)")
    parser.add_argument("--csv-encoding", choices=["utf-8", "latin-1", "windows-1252"], default="utf-8",
                        help="CSV encoding (default: %(default)s)")
    parser.add_argument("--day-first-dates", action="store_true",
                        help="read dates written DD/MM/YYYY too (as the run command does when it detects them)")
    parser.add_argument("--out", type=Path, required=True,
                        help="a .duckdb file to (re)create, or a directory for one Parquet file per table")
    parser.add_argument("--threshold", type=int, default=DEFAULT_SMALL_CELL_THRESHOLD,
                        help="small-cell threshold: cells of 1 to N-1 individuals or beneficiaries are "
                             "withheld; 1 disables suppression (default: %(default)s)")
    parser.add_argument("--seed-dir", type=Path, default=SEED_DIR, help="seed CSVs (default: the project's)")
    args = parser.parse_args(argv)
    log(f"reference: raw {args.raw_dir} ({args.raw_format}), threshold {args.threshold}")
    conventions = Conventions(args.csv_delimiter, args.csv_encoding, args.day_first_dates)
    result = compute(args.raw_dir, args.raw_format, args.threshold, args.seed_dir, conventions=conventions)
    write_outputs(result, args.out)
    log(f"wrote {result.indicator_values['indicator_code'].nunique()} indicator tables to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
