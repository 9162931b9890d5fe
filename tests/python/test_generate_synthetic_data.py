"""Tests of scripts/generate_synthetic_data.py: contract, determinism, CLI and realism.

One extract of 20,000 persons over two years is generated per module and queried with DuckDB.
The seeds are the project's own when they are complete enough (every imaging category and
provider group present); otherwise a small stub seed directory is built here, with the real
geography and a few imaging codes (invented ones marked as such, living only in the stub).
Realism bounds are deliberately tolerant: they catch a broken model, not sampling noise.
"""

from __future__ import annotations

import csv
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import duckdb
import pytest

from atlas.synthetic.defects import LINE_DEFECT_RATE, PERSON_DEFECT_RATE
from conftest import BENEFICIARY_COLUMNS, CLAIM_COLUMNS, PROJECT_DIR

SCRIPT = PROJECT_DIR / "scripts" / "generate_synthetic_data.py"
SEEDS = PROJECT_DIR / "seeds"
YEARS = (2022, 2023)
PERSONS = 20_000
IMAGING_CATEGORIES = {
    "conventional_rx", "thorax_rx", "echography", "dental", "ct", "cone_beam_ct", "mri",
    "scintigraphy", "diagnostic_interventional", "therapeutic_interventional",
}
PROVIDER_GROUPS = {"radiologist", "dentist", "general_practitioner", "other_specialist", "other"}
SEED_FILES = (
    "geo_communes.csv", "geo_statistical_sectors.csv", "imaging_nomenclature_codes.csv",
    "provider_qualification_groups.csv", "general_practice_codes.csv",
)


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_synthetic_data", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up in sys.modules
    spec.loader.exec_module(module)
    return module


generator = load_generator()


# --- seeds --------------------------------------------------------------------------------

def real_seeds_complete() -> bool:
    """The real seeds are used when every file exists and covers every category and group."""
    if not all((SEEDS / name).is_file() for name in SEED_FILES):
        return False
    with duckdb.connect() as connection:
        categories = {row[0] for row in connection.execute(
            "select imaging_category from read_csv(?, all_varchar = true) "
            "where coalesce(valid_from, '1900-01-01') <= ? and coalesce(valid_to, '9999-12-31') >= ?",
            [str(SEEDS / "imaging_nomenclature_codes.csv"), f"{YEARS[0]}-01-01", f"{YEARS[-1]}-12-31"],
        ).fetchall()}
        groups = {row[0] for row in connection.execute(
            "select provider_group from read_csv(?, all_varchar = true) where provider_profession in ('1', '3')",
            [str(SEEDS / "provider_qualification_groups.csv")],
        ).fetchall()}
    return IMAGING_CATEGORIES <= categories and PROVIDER_GROUPS <= groups


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def build_stub_seeds(seed_dir: Path) -> Path:
    """Real geography plus a tiny imaging/provider/GP seed set (99xxxx codes are invented)."""
    seed_dir.mkdir(parents=True, exist_ok=True)
    for name in ("geo_communes.csv", "geo_statistical_sectors.csv"):
        shutil.copy(SEEDS / name, seed_dir / name)
    imaging = [
        ("458990", "ct"), ("458275", "diagnostic_interventional"), ("460014", "echography"),
        ("990011", "conventional_rx"), ("990022", "thorax_rx"), ("990033", "dental"),
        ("990044", "cone_beam_ct"), ("990055", "mri"), ("990066", "scintigraphy"),
        ("990077", "therapeutic_interventional"), ("990088", "echography"),
    ]
    write_csv(
        seed_dir / "imaging_nomenclature_codes.csv",
        ["nomenclature_code", "imaging_category", "description_fr", "valid_from", "valid_to", "source", "verified"],
        [[code, category, "stub", "2002-01-01", "", "test stub", "false"] for code, category in imaging],
    )
    write_csv(
        seed_dir / "provider_qualification_groups.csv",
        ["provider_profession", "qualification_from", "qualification_to", "provider_group", "description", "source",
         "verified"],
        [[profession, low, high, group, "stub", "test stub", "false"] for profession, low, high, group in (
            ("1", "000", "000", "other"), ("1", "001", "009", "general_practitioner"),
            ("1", "010", "459", "other_specialist"), ("1", "460", "469", "radiologist"),
            ("1", "470", "999", "other_specialist"), ("3", "000", "999", "dentist"),
        )],
    )
    write_csv(
        seed_dir / "general_practice_codes.csv",
        ["nomenclature_code", "code_role", "description_fr", "valid_from", "valid_to", "source"],
        [["102771", "dmg", "DMG", "2002-01-01", "", "test stub"],
         ["109616", "medical_house_forfait", "Forfait maison médicale", "2002-01-01", "", "test stub"]],
    )
    return seed_dir


@pytest.fixture(scope="module")
def seed_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if real_seeds_complete():
        return SEEDS
    return build_stub_seeds(tmp_path_factory.mktemp("stub_seeds"))


def run_generator(out_dir: Path, seed_dir: Path, *extra: str, persons: int = 2_000,
                  years: tuple[int, int] = (2023, 2023)) -> int:
    return generator.main([
        "--out-dir", str(out_dir), "--persons", str(persons), "--first-year", str(years[0]),
        "--last-year", str(years[1]), "--seed-dir", str(seed_dir), *extra,
    ])


# --- the shared extract -------------------------------------------------------------------

@pytest.fixture(scope="module")
def raw_dir(tmp_path_factory: pytest.TempPathFactory, seed_dir: Path) -> Path:
    out_dir = tmp_path_factory.mktemp("synthetic_raw")
    # The realism checks below describe the clean population; the defects are tested apart.
    assert run_generator(out_dir, seed_dir, "--no-defects", persons=PERSONS, years=(YEARS[0], YEARS[-1])) == 0
    return out_dir


@pytest.fixture(scope="module")
def db(raw_dir: Path, seed_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Views `b` (beneficiaries), `c` (claims, with file_year) and the seeds as tables."""
    connection = duckdb.connect()
    connection.execute(f"create view b as select * from read_parquet('{raw_dir}/beneficiaries_*.parquet')")
    connection.execute(
        f"create view c as select * exclude (filename), "
        f"cast(regexp_extract(filename, 'claims_(\\d{{4}})', 1) as integer) as file_year "
        f"from read_parquet('{raw_dir}/claims_*.parquet', filename = true)"
    )
    for table, name in (("communes", "geo_communes.csv"), ("sectors", "geo_statistical_sectors.csv"),
                        ("imaging_codes", "imaging_nomenclature_codes.csv"),
                        ("qualification_groups", "provider_qualification_groups.csv"),
                        ("gp_codes", "general_practice_codes.csv")):
        connection.execute(f"create table {table} as select * from read_csv('{seed_dir / name}', all_varchar = true)")
    # net imaging exams per person, year and category (in-year lines only)
    connection.execute(
        """
        create table person_category as
        select c.person_id, c.file_year as year, i.imaging_category, sum(c.quantity) as exams
        from c join imaging_codes as i using (nomenclature_code)
        where year(c.service_date) = c.file_year
        group by all having sum(c.quantity) > 0
        """
    )
    connection.execute(
        """
        create table claims_with_group as
        select c.*, g.provider_group
        from c left join qualification_groups as g
            on g.provider_profession = c.provider_profession
           and c.provider_qualification between g.qualification_from and g.qualification_to
        """
    )
    yield connection
    connection.close()


def scalar(connection: duckdb.DuckDBPyConnection, sql: str) -> Any:
    rows = connection.execute(sql).fetchall()
    return rows[0][0]


def share_of_beneficiaries(connection: duckdb.DuckDBPyConnection, condition: str) -> float:
    """Share of person-years with at least one in-year imaging exam matching `condition`."""
    return scalar(connection, f"""
        select count(distinct (person_id, year)) / (select count(*) from b)
        from person_category where {condition}
    """)


# --- contract, CLI, determinism -----------------------------------------------------------

def test_files_and_schema_match_the_contract(raw_dir: Path, db: duckdb.DuckDBPyConnection) -> None:
    names = sorted(path.name for path in raw_dir.iterdir())
    assert names == sorted([f"beneficiaries_{y}.parquet" for y in YEARS] + [f"claims_{y}.parquet" for y in YEARS])
    for prefix, columns in (("beneficiaries", BENEFICIARY_COLUMNS), ("claims", CLAIM_COLUMNS)):
        described = db.execute(f"describe select * from read_parquet('{raw_dir}/{prefix}_{YEARS[0]}.parquet')").fetchall()
        assert [(row[0], row[1].lower()) for row in described] == list(columns.items())


def test_csv_format_has_a_header_in_contract_order(tmp_path: Path, seed_dir: Path) -> None:
    assert run_generator(tmp_path, seed_dir, "--format", "csv", persons=300) == 0
    for prefix, columns in (("beneficiaries", BENEFICIARY_COLUMNS), ("claims", CLAIM_COLUMNS)):
        with (tmp_path / f"{prefix}_2023.csv").open(encoding="utf-8") as handle:
            assert next(csv.reader(handle)) == list(columns)
    with duckdb.connect() as connection:
        typed = ", ".join(f"'{name}': '{sql_type}'" for name, sql_type in CLAIM_COLUMNS.items())
        rows = connection.execute(
            f"select count(*), min(length(nomenclature_code)) from read_csv('{tmp_path}/claims_2023.csv', "
            f"header = true, columns = {{{typed}}})"
        ).fetchall()
    assert rows[0][0] > 0 and rows[0][1] == 6


def test_help_documents_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        generator.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--out-dir", "--persons", "--first-year", "--last-year", "--seed", "--format", "--seed-dir",
                   "--overwrite"):
        assert option in text


def test_refuses_a_directory_with_raw_files_unless_overwrite(
    tmp_path: Path, seed_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "claims_2019.parquet"
    stale.write_bytes(b"not really parquet")
    assert run_generator(tmp_path, seed_dir, persons=100) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert stale.read_bytes() == b"not really parquet"
    assert run_generator(tmp_path, seed_dir, "--overwrite", persons=100) == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["beneficiaries_2023.parquet", "claims_2023.parquet"]


def test_same_seed_same_bytes_whatever_the_threads_other_seed_differs(tmp_path: Path, seed_dir: Path) -> None:
    runs = {
        "first": ("--seed", "7", "--threads", "1"),
        "second": ("--seed", "7", "--threads", "2"),
        "other": ("--seed", "8"),
    }
    for name, extra in runs.items():
        assert run_generator(tmp_path / name, seed_dir, *extra, persons=3_000, years=(2022, 2023)) == 0
    for file_name in ("beneficiaries_2022.parquet", "claims_2022.parquet", "claims_2023.parquet"):
        first = (tmp_path / "first" / file_name).read_bytes()
        assert first == (tmp_path / "second" / file_name).read_bytes(), file_name
        assert first != (tmp_path / "other" / file_name).read_bytes(), file_name


# --- population -----------------------------------------------------------------------------

def test_age_sex_and_vital_events(db: duckdb.DuckDBPyConnection) -> None:
    rows = db.execute("""
        select year, count(*),
            avg((year - birth_year >= 65)::int), avg((sex = 'F')::int),
            min(year - birth_year), max(year - birth_year),
            avg((death_date is not null)::int), avg((birth_year = year)::int),
            bool_and(death_date is null or year(death_date) = year),
            bool_and(sex in ('M', 'F'))
        from b group by year order by year
    """).fetchall()
    assert [row[0] for row in rows] == list(YEARS)
    for year, persons, aged_65, women, youngest, oldest, deaths, births, deaths_in_year, sexes in rows:
        assert 0.95 * PERSONS < persons < 1.05 * PERSONS
        assert 0.16 < aged_65 < 0.22
        assert 0.49 < women < 0.535
        assert youngest == 0 and 95 <= oldest <= 105
        assert 0.005 < deaths < 0.016
        assert 0.007 < births < 0.016
        assert deaths_in_year and sexes
    # a flat pyramid to 60: each 10-year band under 60 holds 10-15% of the population
    bands = db.execute("select (year - birth_year) // 10, count(*) / sum(count(*)) over () from b "
                       "where year = 2023 group by 1").fetchall()
    assert all(0.10 < share < 0.15 for band, share in bands if band < 6)
    assert scalar(db, "select count(*) from (select person_id, year from b group by all having count(*) > 1)") == 0


def test_persons_persist_across_years(db: duckdb.DuckDBPyConnection) -> None:
    first, second = YEARS
    # the dead are absent later; the others stay with the same id, birth year and sex
    assert scalar(db, f"""
        select count(*) from b as earlier join b as later using (person_id)
        where earlier.year = {first} and later.year = {second} and earlier.death_date is not null
    """) == 0
    assert scalar(db, f"""
        select count(*) from b as earlier anti join b as later
            on later.person_id = earlier.person_id and later.year = {second}
        where earlier.year = {first} and earlier.death_date is null
    """) == 0
    assert scalar(db, f"""
        select count(*) from b as earlier join b as later using (person_id)
        where earlier.year = {first} and later.year = {second}
          and (earlier.birth_year <> later.birth_year or earlier.sex <> later.sex)
    """) == 0
    # newcomers in the second year are exactly its births
    assert scalar(db, f"""
        select count(*) from b as later anti join b as earlier
            on earlier.person_id = later.person_id and earlier.year = {first}
        where later.year = {second} and later.birth_year <> {second}
    """) == 0


def test_domicile_states(db: duckdb.DuckDBPyConnection) -> None:
    no_domicile, only_june, movers = db.execute("""
        select avg((commune_dec31 is null and commune_jun30 is null)::int),
            avg((commune_dec31 is null and commune_jun30 is not null)::int),
            avg((commune_dec31 <> commune_jun30)::int)
        from b
    """).fetchall()[0]
    assert 0.012 < no_domicile < 0.03
    assert 0.005 < only_june < 0.016
    assert 0.015 < movers < 0.035
    # a sector is known only with its commune and belongs to it
    assert scalar(db, """
        select count(*) from b
        where (sector_dec31 is not null) <> (commune_dec31 is not null)
           or (sector_jun30 is not null) <> (commune_jun30 is not null)
    """) == 0


def test_every_commune_and_sector_is_in_the_seeds(db: duckdb.DuckDBPyConnection) -> None:
    assert scalar(db, """
        select count(*) from b
        where (commune_dec31 is not null and commune_dec31 not in (select commune_code from communes))
           or (commune_jun30 is not null and commune_jun30 not in (select commune_code from communes))
    """) == 0
    for level in ("dec31", "jun30"):
        assert scalar(db, f"""
            select count(*) from b left join sectors as s on s.sector_code = b.sector_{level}
            where b.sector_{level} is not null and s.commune_code is distinct from b.commune_{level}
        """) == 0
    assert scalar(db, "select count(distinct commune_dec31) from b") > 0.8 * scalar(db, "select count(*) from communes")


def test_regions_and_big_cities(db: duckdb.DuckDBPyConnection) -> None:
    shares = dict(db.execute("""
        select region_code, count(*) / sum(count(*)) over ()
        from b join communes on commune_code = coalesce(commune_dec31, commune_jun30)
        group by region_code
    """).fetchall())
    assert abs(shares["02000"] - 0.58) < 0.03
    assert abs(shares["03000"] - 0.32) < 0.03
    assert abs(shares["04000"] - 0.10) < 0.02
    biggest = db.execute("select commune_dec31 from b where commune_dec31 is not null group by 1 "
                         "order by count(*) desc limit 1").fetchall()[0][0]
    assert biggest == "11002"


# --- claims -----------------------------------------------------------------------------------

def test_claims_belong_to_insured_persons_in_their_active_days(db: duckdb.DuckDBPyConnection) -> None:
    assert scalar(db, "select count(*) from c anti join b on b.person_id = c.person_id and b.year = c.file_year") == 0
    assert scalar(db, """
        select count(*) from c join b on b.person_id = c.person_id and b.year = c.file_year
        where year(c.service_date) = c.file_year
          and (c.service_date > coalesce(b.death_date, make_date(b.year, 12, 31)) or year(c.service_date) < b.birth_year)
    """) == 0
    assert scalar(db, """
        select count(*) from c
        where length(nomenclature_code) <> 6 or length(provider_profession) <> 1
           or length(provider_qualification) <> 3 or quantity = 0
    """) == 0


def test_imaging_rates_near_published_figures(db: duckdb.DuckDBPyConnection) -> None:
    assert 0.54 < share_of_beneficiaries(db, "true") < 0.64
    assert 0.32 < share_of_beneficiaries(db, "imaging_category = 'echography'") < 0.41
    assert 0.22 < share_of_beneficiaries(db, "imaging_category in ('conventional_rx', 'thorax_rx')") < 0.31
    assert 0.10 < share_of_beneficiaries(db, "imaging_category = 'ct'") < 0.16
    assert 0.065 < share_of_beneficiaries(db, "imaging_category = 'mri'") < 0.12
    assert 0.08 < share_of_beneficiaries(db, "imaging_category = 'dental'") < 0.25
    for rare in ("cone_beam_ct", "scintigraphy", "diagnostic_interventional", "therapeutic_interventional"):
        assert 0.0005 < share_of_beneficiaries(db, f"imaging_category = '{rare}'") < 0.05, rare
    young, old = db.execute("""
        select avg((p.person_id is not null)::int) filter (where b.year - b.birth_year < 65),
            avg((p.person_id is not null)::int) filter (where b.year - b.birth_year >= 65)
        from b left join (select distinct person_id, year from person_category) as p using (person_id, year)
    """).fetchall()[0]
    assert old > young + 0.1


def test_imaging_codes_are_valid_on_their_service_date(db: duckdb.DuckDBPyConnection) -> None:
    assert scalar(db, """
        select count(*) from c join imaging_codes as i using (nomenclature_code)
        where c.service_date < cast(coalesce(nullif(i.valid_from, ''), '1900-01-01') as date)
           or c.service_date > cast(coalesce(nullif(i.valid_to, ''), '9999-12-31') as date)
    """) == 0


def test_every_category_and_provider_group_with_plausible_providers(db: duckdb.DuckDBPyConnection) -> None:
    mix = db.execute("""
        select i.imaging_category, w.provider_group, count(*)
        from claims_with_group as w join imaging_codes as i using (nomenclature_code)
        group by all
    """).fetchall()
    lines: dict[str, dict[str, int]] = {}
    for category, group, count in mix:
        lines.setdefault(category, {})[group] = count
    assert set(lines) == IMAGING_CATEGORIES
    assert {group for groups in lines.values() for group in groups} == PROVIDER_GROUPS

    def share(category: str, group: str) -> float:
        return lines[category].get(group, 0) / sum(lines[category].values())

    for category in ("conventional_rx", "thorax_rx", "ct", "mri"):
        assert share(category, "radiologist") > 0.75, category
    assert share("dental", "dentist") > 0.9
    assert share("cone_beam_ct", "dentist") > 0.3
    assert 0.3 < share("echography", "other_specialist") < 0.7
    assert 0 < share("echography", "general_practitioner") < 0.15
    assert scalar(db, "select count(*) from claims_with_group where provider_group is null") == 0


def test_medical_houses(db: duckdb.DuckDBPyConnection) -> None:
    db.execute("""
        create or replace temp table forfaits as
        select c.person_id, c.file_year as year, sum(c.quantity) as forfaits, any_value(c.billing_practice_id) as house,
            count(distinct c.billing_practice_id) as houses
        from c join gp_codes as g on g.nomenclature_code = c.nomenclature_code and g.code_role = 'medical_house_forfait'
        group by all
    """)
    patients = scalar(db, "select count(*) from forfaits where forfaits > 0") / scalar(db, "select count(*) from b")
    assert 0.048 < patients < 0.07  # any forfait; about 4.7% pass the attribution
    by_region = dict(db.execute("""
        select r.region_code, avg((f.person_id is not null)::int)
        from b join communes as r on r.commune_code = coalesce(b.commune_dec31, b.commune_jun30)
        left join forfaits as f using (person_id, year)
        group by 1
    """).fetchall())
    assert by_region["04000"] > by_region["03000"] > by_region["02000"]
    counts = dict(db.execute("select forfaits, count(*) from forfaits group by 1").fetchall())
    total = sum(counts.values())
    assert max(counts) <= 12 and min(counts) >= 0
    assert counts.get(5, 0) > 0.02 * total and counts.get(6, 0) > 0.02 * total
    assert sum(counts.get(n, 0) for n in (10, 11, 12)) > 0.6 * total
    assert sum(counts.get(n, 0) for n in range(1, 7)) > 0.1 * total
    assert scalar(db, "select count(*) from forfaits where houses <> 1 or house not like 'MH%'") == 0
    # some patients also have a DMG: at another (ordinary) practice, or at their own house
    dmg_elsewhere, dmg_same = db.execute("""
        select count(*) filter (where c.billing_practice_id like 'GP%'),
            count(*) filter (where c.billing_practice_id = f.house)
        from forfaits as f
        join c on c.person_id = f.person_id and c.file_year = f.year
        join gp_codes as g on g.nomenclature_code = c.nomenclature_code and g.code_role = 'dmg'
    """).fetchall()[0]
    assert dmg_elsewhere > 0 and dmg_same > 0


def test_dmg_at_ordinary_practices(db: duckdb.DuckDBPyConnection) -> None:
    dmg_share, practice_ok, gp_ok, max_net = db.execute("""
        with dmg as (
            select w.person_id, w.file_year, sum(w.quantity) as net,
                bool_and(w.billing_practice_id like 'GP%' or w.billing_practice_id like 'MH%') as practice_ok,
                bool_and(w.provider_group = 'general_practitioner') as gp_ok
            from claims_with_group as w
            join gp_codes as g on g.nomenclature_code = w.nomenclature_code and g.code_role = 'dmg'
            group by all
        )
        select count(*) filter (where net > 0) / (select count(*) from b), bool_and(practice_ok), bool_and(gp_ok),
            max(net)
        from dmg
    """).fetchall()[0]
    assert 0.50 < dmg_share < 0.60
    assert practice_ok and gp_ok and max_net == 1


def test_corrections_duplicates_out_of_year_and_non_imaging_lines(db: duckdb.DuckDBPyConnection) -> None:
    lines = scalar(db, "select count(*) from c")
    negatives = scalar(db, "select count(*) from c where quantity < 0")
    assert 0.002 * lines < negatives < 0.01 * lines
    # every negative line cancels an identical earlier line, fully or (quantity 2, -1) partly
    key = "person_id, service_date, nomenclature_code, provider_profession, provider_qualification, billing_practice_id"
    same_line = " and ".join(f"n.{column} is not distinct from p.{column}" for column in key.split(", "))
    matched = db.execute(f"""
        select count(*), count(*) filter (where n.quantity = -p.quantity),
            count(*) filter (where n.quantity = -1 and p.quantity = 2)
        from (select * from c where quantity < 0) as n
        join (select {key}, max(quantity) as quantity from c where quantity > 0 group by all) as p on {same_line}
    """).fetchall()[0]
    assert matched[0] == negatives and matched[1] > 0 and matched[2] > 0
    duplicated = scalar(db, f"select count(*) from (select {key}, quantity from c where quantity > 0 "
                            f"group by all having count(*) > 1)")
    assert duplicated > 0
    out_of_year = db.execute("""
        select count(*), bool_and(service_date between make_date(file_year - 1, 12, 1) and make_date(file_year - 1, 12, 31))
        from c where year(service_date) <> file_year
    """).fetchall()[0]
    assert 0 < out_of_year[0] < 0.01 * lines and out_of_year[1]
    non_imaging = db.execute("""
        select count(*), count(distinct nomenclature_code) from c
        where nomenclature_code not in (select nomenclature_code from imaging_codes)
          and nomenclature_code not in (select nomenclature_code from gp_codes)
    """).fetchall()[0]
    assert non_imaging[0] > 0.2 * lines and non_imaging[1] >= 2


def test_defects_the_row_rules_must_catch_only_when_asked(tmp_path: Path, seed_dir: Path) -> None:
    """By default a few rows of each kind the row rules (docs/row_rules.md) quarantine or flag are
    written, at about their rate; --no-defects writes none of them."""
    defect_kinds = {
        "missing birth year": "select count(*) from b where birth_year is null",
        "unknown commune": "select count(*) from b where commune_dec31 = '99999'",
        "unknown sector": "select count(*) from b where sector_dec31 = '99999ZZ9-'",
        "beneficiary delivered twice": "select count(*) - count(distinct person_id) from b",
        "claim without person": "select count(*) from c where person_id is null",
        "quantity zero": "select count(*) from c where quantity = 0",
        "7-digit code": "select count(*) from c where length(nomenclature_code) = 7",
        "unknown person": "select count(*) from c where person_id like 'Z%'",
    }
    counts = {}
    for label, extra in (("defects", ()), ("clean", ("--no-defects",))):
        out_dir = tmp_path / label
        assert run_generator(out_dir, seed_dir, *extra, persons=20_000) == 0
        with duckdb.connect() as connection:
            connection.execute(f"create view b as select * from read_parquet('{out_dir}/beneficiaries_*.parquet')")
            connection.execute(f"create view c as select * from read_parquet('{out_dir}/claims_*.parquet')")
            counts[label] = {kind: scalar(connection, sql) for kind, sql in defect_kinds.items()}
            lines = scalar(connection, "select count(*) from c")
    assert all(count == 0 for count in counts["clean"].values()), counts["clean"]
    persons_expected = PERSON_DEFECT_RATE * 20_000
    lines_expected = LINE_DEFECT_RATE * lines
    for kind, count in counts["defects"].items():
        expected = persons_expected if kind in list(defect_kinds)[:4] else lines_expected
        assert 0 < count < 4 * expected + 3, (kind, count, expected)
