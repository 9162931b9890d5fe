"""Property-based differential test: small random raw extracts, the reference against the models.

Hypothesis builds raw extracts of a few dozen persons that pile up the awkward cases of the
contract and of the pages: persons without a (known) domicile, moves between 30 June and 31
December, sectors of another commune, deaths, ages at band edges, corrections (full, partial,
unmatched), exact duplicates, codes just before / on / after their validity edges, 5, 6 and 7
medical-house forfaits, a DMG at the same practice (also written in lower case with blanks
around its id), at another one or naming none, every provider group (and qualifications that
lost a leading zero or have four digits), communes of six digits, sectors in lower case, claims
outside the population, blanks and lower case. Each example runs the reference
(scripts/reference_indicators.py) and the project's models on the same files and compares
every cell before and after suppression (test_differential's comparison).

The models run through the compiled-project harness (tests/python/compiled_project.py): the
project's compiled SQL in dependency order, under a second an example instead of the 40-60 s
of a real `dbt build`. The one-line indicator tables (slices of indicator_values) are left
out here; test_differential compares them table by table on the CI data.

The disagreements found while writing it (D1-D4, docs/decisions.md) are also
pinned, each by a minimal extract, in test_differential (DISAGREEMENTS).
"""

from __future__ import annotations

import copy
import datetime as dt
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiled_project import CompiledProject
from atlas.reference.indicators import compute, load_seeds
from test_differential import (
    Row,
    differences_after_suppression,
    differences_before_suppression,
    differences_in_row_rules,
    fail_on,
    fast_work_dir,
    write_extract,
)

Draw = Callable[[st.SearchStrategy[Any]], Any]

# --------------------------------------------------------------------------------------------
# Building blocks (codes from the seeds, so every category and provider group is reachable)
# --------------------------------------------------------------------------------------------

SEEDS = load_seeds()
# Three communes of one arrondissement (11000 Antwerpen) and one of Brussels: families with
# several children, and a region with a single province.
COMMUNES = ("11001", "11002", "11004", "21004")
UNKNOWN_COMMUNE = "99999"
# Year sets around the validity edges in the seeds (CBCT 2015-06-01, CT 2018-12-01, CBCT
# 2019-03-01, dental 2024-03-31 / 2024-04-01) and the first sector year of stat_013 (2016).
YEAR_SETS = ((2015, 2016), (2016,), (2018, 2019), (2023, 2024))
AGES = (0, 1, 9, 10, 19, 20, 45, 89, 90, 100, 120)
PRACTICES = ("MH_A", "MH_B", "GP_C")
FORFAIT, DMG, CONSULTATION = "109616", "102771", "101010"
# (profession, qualification): both ends of every range of provider_qualification_groups, a
# qualification whose leading zero was dropped ("46" is 046, a specialist) and no provider.
PROVIDERS: tuple[tuple[str | None, str | None], ...] = (
    *sorted({(rule["provider_profession"], rule[end]) for rule in SEEDS.provider_qualifications.to_dict("records")
             for end in ("qualification_from", "qualification_to")}),
    ("1", "46"), ("1", "4600"), ("1", "0465"), (None, None),  # 4 digits: in no range (never cut)
)
IMAGING_CODES = tuple(SEEDS.imaging_codes[["nomenclature_code", "valid_from", "valid_to"]].itertuples(index=False))


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@st.composite
def service_date(draw: Draw, year: int, valid_from: str | None = None, valid_to: str | None = None) -> dt.date:
    """A day of the year: any, 1 January, 31 December, or next to a validity edge in the year."""
    candidates = [dt.date(year, 1, 1), dt.date(year, 12, 31)]
    for edge, offsets in ((valid_from, (-1, 0)), (valid_to, (0, 1))):
        if edge:
            candidates += [day(edge) + dt.timedelta(days=o) for o in offsets if (day(edge) + dt.timedelta(days=o)).year == year]
    if draw(st.booleans()):
        return draw(st.sampled_from(candidates))
    return dt.date(year, 1, 1) + dt.timedelta(days=draw(st.integers(0, 364)))


def claim(person: str, date: dt.date | str, code: str, quantity: int,
          provider: tuple[str | None, str | None] = (None, None), practice: str | None = None) -> Row:
    return {"person_id": person, "service_date": str(date), "nomenclature_code": code, "quantity": quantity,
            "provider_profession": provider[0], "provider_qualification": provider[1],
            "billing_practice_id": practice}


@st.composite
def imaging_lines(draw: Draw, person: str, year: int, row_rule_cases: bool = True) -> list[Row]:
    """One exam, with what can happen to its line: a correction, a partial one, a duplicate."""
    code = draw(st.sampled_from(IMAGING_CODES))
    date = draw(service_date(year, code.valid_from, code.valid_to if isinstance(code.valid_to, str) else None))
    quantity = draw(st.sampled_from((1, 1, 2)))
    provider = draw(st.sampled_from(PROVIDERS))
    practice = draw(st.sampled_from((None, "HOSP_1", "HOSP_2")))
    line = claim(person, date, code.nomenclature_code, quantity, provider, practice)
    fates = ("kept", "kept", "kept", "cancelled", "partly_cancelled", "rebilled")
    fate = draw(st.sampled_from((*fates, "duplicated") if row_rule_cases else fates))
    if fate == "cancelled":
        return [line, {**line, "quantity": -quantity}]
    if fate == "partly_cancelled" and quantity == 2:
        return [line, {**line, "quantity": -1}]
    if fate == "duplicated":
        return [line, dict(line)]
    if fate == "rebilled":  # billed, cancelled, billed again: all three lines count
        return [line, {**line, "quantity": -quantity}, dict(line)]
    return [line]


@st.composite
def general_practice_lines(draw: Draw, person: str, year: int) -> list[Row]:
    """Medical-house forfaits (109616, monthly) and DMG (102771) lines of one person-year."""
    lines: list[Row] = []
    forfaits = draw(st.sampled_from((0, 0, 1, 5, 6, 6, 7, 12)))
    houses = draw(st.sampled_from((("MH_A",), ("MH_A",), ("MH_A", "MH_B"), (None,))))
    for month in range(1, forfaits + 1):
        lines.append(claim(person, dt.date(year, month, 1), FORFAIT, 1, ("1", "003"), houses[month % len(houses)]))
    if forfaits and draw(st.integers(0, 3)) == 0:  # one forfait cancelled: 6 becomes 5
        lines.append({**lines[0], "quantity": -1})
    dmg = draw(st.sampled_from(("none", "none", "same", "other", "unnamed", "cancelled_other", "same_written_otherwise")))
    if dmg != "none":
        practice = {"same": houses[0], "other": "GP_C", "unnamed": None, "cancelled_other": "GP_C",
                    # the same practice id in lower case with blanks around it: the same practice
                    "same_written_otherwise": f" {houses[0].lower()} " if houses[0] else None}[dmg]
        date = draw(service_date(year))
        lines.append(claim(person, date, DMG, 1, ("1", "004"), practice))
        if dmg == "cancelled_other":
            lines.append(claim(person, date, DMG, -1, ("1", "004"), practice))
    if draw(st.integers(0, 4)) == 0:
        lines.append(claim(person, draw(service_date(year)), CONSULTATION, 1, ("1", "004"), "GP_C"))
    return lines


@st.composite
def domicile(draw: Draw) -> Row:
    """Communes and sectors of 31 December and 30 June: known, unknown, missing, moved."""
    def commune() -> str | None:
        # "110010": six digits, no REFNIS code (padding never cuts it to 11001)
        return draw(st.sampled_from((*COMMUNES, *COMMUNES, UNKNOWN_COMMUNE, "110010", None)))

    def sector(of: str | None) -> str | None:
        home = of if of in COMMUNES else COMMUNES[0]
        # lower case: a code, upper-cased like the seed's
        return draw(st.sampled_from((f"{home}ZZ1-", f"{home}ZZ2-", f"{home}zz3-", f"{COMMUNES[1]}ZZ3-", None)))

    dec31 = commune()
    jun30 = draw(st.sampled_from((dec31, dec31, commune())))  # mostly the same place: some move
    return {"commune_dec31": dec31, "sector_dec31": sector(dec31), "commune_jun30": jun30, "sector_jun30": sector(jun30)}


@st.composite
def raw_extracts(draw: Draw, row_rule_cases: bool = True) -> tuple[list[Row], list[Row]]:
    """(beneficiary rows, claim lines) of a small population over one or two years."""
    years = draw(st.sampled_from(YEAR_SETS))
    beneficiaries: list[Row] = []
    claims: list[Row] = []
    for index in range(draw(st.integers(1, 24))):
        person = f"P{index:03d}"
        # Age on 31 December of the last year; born in the second year: only in that year.
        age = draw(st.sampled_from(AGES) | st.integers(0, 120))
        birth_year = years[-1] - age
        sex = draw(st.sampled_from(("M", "F", "F", "f", " M ")))  # case and blanks are normalised
        place = draw(domicile())
        present = [year for year in years if year >= birth_year and draw(st.integers(0, 5)) > 0]
        for year in present:
            row = {"person_id": person, "year": year, "birth_year": birth_year, "sex": sex, **place}
            if year == present[-1] and draw(st.integers(0, 8)) == 0:
                row["death_date"] = str(draw(service_date(year)))
            if draw(st.integers(0, 5)) == 0:
                place = draw(domicile())  # a new home the next year
            beneficiaries.append(row)
        for year in years:  # claims also for years the person is not in the population
            for _ in range(draw(st.integers(0, 3))):
                claims += draw(imaging_lines(person, year, row_rule_cases))
            claims += draw(general_practice_lines(person, year))
    if row_rule_cases:
        beneficiaries, claims = draw(with_rejected_rows(beneficiaries, claims, years))
    return beneficiaries, claims


@st.composite
def with_rejected_rows(draw: Draw, beneficiaries: list[Row], claims: list[Row],
                       years: tuple[int, ...]) -> tuple[list[Row], list[Row]]:
    """Rows the row rules quarantine (docs/row_rules.md), added to a valid extract."""
    valid_beneficiaries, valid_claims = beneficiaries, claims
    beneficiaries, claims = list(beneficiaries), list(claims)
    for _ in range(draw(st.integers(0, 3)) if valid_beneficiaries else 0):
        row = dict(draw(st.sampled_from(valid_beneficiaries)))
        kind = draw(st.sampled_from(("copy", "conflict", "no_id", "future_birth", "too_old", "no_sex",
                                     "bad_sex", "death_other_year", "no_birth_year")))
        changes: dict[str, Any] = {
            "copy": {}, "conflict": {"birth_year": row["birth_year"] - 1}, "no_id": {"person_id": "  "},
            "future_birth": {"birth_year": row["year"] + 1}, "too_old": {"birth_year": row["year"] - 121},
            "no_sex": {"sex": None}, "bad_sex": {"sex": "X"}, "death_other_year": {"death_date": f"{row['year'] - 1}-06-30"},
            "no_birth_year": {"birth_year": None},
        }[kind]
        if kind in ("copy", "conflict"):
            beneficiaries.append({**row, **changes})
        else:
            beneficiaries.append({**row, **changes, "person_id": changes.get("person_id", f"R{len(beneficiaries)}")})
    for _ in range(draw(st.integers(0, 3)) if valid_claims else 0):
        line = dict(draw(st.sampled_from(valid_claims)))
        kind = draw(st.sampled_from(("unmatched_correction", "december_before", "zero", "bad_code", "long_code",
                                     "no_id", "unknown_person")))
        claims.append({**line, **{
            "unmatched_correction": {"quantity": -1, "service_date": f"{years[0]}-07-14", "billing_practice_id": "X"},
            "december_before": {"service_date": f"{years[0] - 1}-12-15"},
            "zero": {"quantity": 0}, "bad_code": {"nomenclature_code": "46OO14"},
            "long_code": {"nomenclature_code": "4600140"}, "no_id": {"person_id": None},
            "unknown_person": {"person_id": "NOBODY"},
        }[kind]})
    return beneficiaries, claims


# --------------------------------------------------------------------------------------------
# The models, and the test
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def models_without_indicator_tables(compiled_projects: Callable[..., CompiledProject]) -> CompiledProject:
    """The compiled project (conftest.compiled_projects) without the one-line indicator
    tables (slices of indicator_values that the differential test on CI data compares table by
    table): a third less time per example."""
    project = copy.copy(compiled_projects("parquet"))
    project.models = [model for model in project.models if "indicator" not in model["config"].get("tags", [])]
    return project


# The number of examples comes from the Hypothesis profile (conftest.py: quick, ci, thorough).
@given(extract=raw_extracts())
def test_reference_and_models_agree_on_random_extracts(models_without_indicator_tables: CompiledProject,
                                                       extract: tuple[list[Row], list[Row]]) -> None:
    beneficiaries, claims = extract
    with tempfile.TemporaryDirectory(prefix="atlas-property-", dir=fast_work_dir()) as work:
        raw_dir = write_extract(Path(work) / "raw", beneficiaries, claims)
        # The models (DuckDB, which lets go of the GIL) and the reference (pandas) side by side.
        with ThreadPoolExecutor(max_workers=1) as pool:
            models = pool.submit(models_without_indicator_tables.build, raw_dir, Path(work) / "atlas.duckdb")
            reference = compute(raw_dir, progress=lambda message: None)
            database = models.result()
        fail_on(differences_in_row_rules(database, reference), "in the row rules")
        fail_on(differences_before_suppression(database, reference), "before suppression")
        fail_on(differences_after_suppression(database, reference, indicator_tables=False), "after suppression")
