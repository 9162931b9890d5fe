"""Generate a deterministic SYNTHETIC raw extract (beneficiaries and claims) for atlas-dbt.

Nothing here is real data: every person, domicile and claim line is invented. The files follow
the project's raw data contract (`beneficiaries_<year>` and `claims_<year>`, Parquet or CSV) so
that the dbt project, its tests and CI can run without access to the private IMA-AIM files.

Model of the synthetic population (rates are model parameters chosen to land near published
IMA-AIM / Statbel figures, see shared/domain-notes.md; they are not estimates):

* Persons 1..N are alive at the start of the first year, with ages drawn from a Belgian-like
  pyramid (flat to 60, then declining to 105; about 19% aged 65+) and about 51% women.
  Each later year adds a birth cohort of about 1% of N. Each year a person dies with an
  age-dependent Gompertz-like probability (about 1% overall) and is absent from later years.
* Domicile: a person draws a "home" commune from communes weighted by a hash-derived size,
  with the big cities larger and region totals near Flanders 58%, Wallonia 32%, Brussels 10%,
  and one of the commune's statistical sectors. About 2.6% of persons move between 30 June
  and 31 December each year (a new home from then on); about 2% have no known domicile in a
  year and about 1% only a 30 June domicile.
* Claims: about 59% of persons have imaging in a year (more at older ages, region factors as
  published for 2015); an imaging user gets one "primary" modality plus independent extra
  modalities, so modality shares land near echography 36%, radiography 26%, CT 13%, MRI 9%.
  Codes come from the imaging seed (only codes valid on the service date), providers from the
  provider-qualification seed by a modality-specific provider mix. Medical-house patients
  (about 4.7%, mostly Brussels and Wallonia) get monthly 109616 forfaits from a medical house;
  about 55% of the others have a yearly 102771 DMG at an ordinary GP practice. Non-imaging
  consultation lines, corrections (negative copies), exact duplicates and a few service dates
  in the December before the year are added so the models' edge cases are exercised, and a few
  rows the row rules must set aside or flag (README "Row rules"): beneficiaries without birth
  year, with an unknown commune or sector, or delivered twice; claim lines without person, with
  quantity 0, a 7-digit code, an unknown person, or a correction whose original is missing.

Randomness is hash-based: every draw is hash(seed, person, salt, key) mapped to [0, 1), so the
output depends only on the arguments, never on threads or run order, and output rows are sorted
so files are byte-identical across runs. All row-level work is DuckDB SQL; Python only loops
over years and steps. Seed tables are read at run time from --seed-dir.
"""

from __future__ import annotations

import argparse
import calendar
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import duckdb

from atlas.paths import PROJECT_DIR as REPO_DIR
RAW_PATTERNS: tuple[str, ...] = ("beneficiaries*.parquet", "beneficiaries*.csv", "claims*.parquet", "claims*.csv")

# Weighted draws use quantised inverse-CDF lookup tables (bucket -> value) joined on an integer
# bucket: an equi-join on a tiny table is far cheaper than a range join on millions of rows.
LOOKUP_BUCKETS = 100_000
PROVIDER_BUCKETS = 10_000

# --- population ---------------------------------------------------------------------------
MAX_AGE = 105
PYRAMID_FLAT_UNTIL = 60  # weight 1 per year of age up to here ...
PYRAMID_DECLINE_YEARS = 46  # ... then (1 - (age - 60) / 46) ** 1.4: about 19% aged 65+
PYRAMID_DECLINE_POWER = 1.4
BIRTH_RATE = 0.0105  # births per year as a share of the initial population
FEMALE_SHARE_YOUNG = 0.485  # women outlive men: share of women rises after 50 (about 51% overall)
FEMALE_SHARE_SLOPE = 0.25  # added share of women at age 105
NO_DOMICILE_RATE = 0.02
ONLY_JUNE_DOMICILE_RATE = 0.01
MOVE_RATE = 0.026

REGION_SHARES: dict[str, float] = {"02000": 0.58, "03000": 0.32, "04000": 0.10}
# Share of the whole population living in the largest cities (Statbel orders of magnitude).
BIG_CITY_SHARES: dict[str, float] = {
    "11002": 0.046,  # Antwerpen
    "44021": 0.023,  # Gent
    "52011": 0.018,  # Charleroi
    "62063": 0.017,  # Liège
    "21004": 0.017,  # Bruxelles
}

# --- general practice ---------------------------------------------------------------------
# Share of persons billed any forfait. About one in five of them fails the attribution (fewer
# than six forfaits, or a DMG elsewhere), which brings stat_003_007 near the published 4.7%.
MEDICAL_HOUSE_RATE: dict[str, float] = {"04000": 0.144, "03000": 0.084, "02000": 0.026}
DMG_RATE: dict[str, float] = {"02000": 0.66, "03000": 0.47, "04000": 0.40}
MEDICAL_HOUSE_DMG_ELSEWHERE = 0.05  # medical-house patients with a DMG at another GP practice
MEDICAL_HOUSE_DMG_SAME = 0.05  # ... and with a DMG billed by their own medical house
# Forfaits (109616) billed per patient and year: most are enrolled all year, some join or leave.
FORFAIT_COUNT_WEIGHTS: dict[int, float] = {
    12: 0.55, 11: 0.10, 10: 0.06, 9: 0.03, 8: 0.03, 7: 0.03,
    6: 0.06, 5: 0.05, 4: 0.025, 3: 0.025, 2: 0.02, 1: 0.02,
}

# --- imaging ------------------------------------------------------------------------------
# P(any imaging) = (base + slope * age) * region factor * sex factor.
IMAGING_BASE = 0.37
IMAGING_AGE_SLOPE = 0.0055
IMAGING_REGION_FACTOR: dict[str, float] = {"02000": 0.98, "03000": 1.05, "04000": 0.93}
IMAGING_SEX_FACTOR: dict[str, float] = {"F": 1.04, "M": 0.96}


@dataclass(frozen=True)
class ImagingCategory:
    """Share of imaging users with this modality at age 0 and at age 80 (linear in between)."""

    cat_id: int
    name: str
    share_age0: float
    share_age80: float
    mean_extra_exams: float


IMAGING_CATEGORIES: tuple[ImagingCategory, ...] = (
    ImagingCategory(1, "conventional_rx", 0.28, 0.36, 0.8),
    ImagingCategory(2, "thorax_rx", 0.04, 0.22, 0.4),
    ImagingCategory(3, "echography", 0.55, 0.65, 0.5),
    ImagingCategory(4, "dental", 0.45, 0.15, 0.6),
    ImagingCategory(5, "ct", 0.07, 0.33, 0.4),
    ImagingCategory(6, "cone_beam_ct", 0.01, 0.03, 0.1),
    ImagingCategory(7, "mri", 0.12, 0.18, 0.25),
    ImagingCategory(8, "scintigraphy", 0.005, 0.08, 0.3),
    ImagingCategory(9, "diagnostic_interventional", 0.003, 0.04, 0.2),
    ImagingCategory(10, "therapeutic_interventional", 0.003, 0.04, 0.3),
)

# Who performs each kind of line (weights per provider group of the qualification seed).
PROVIDER_MIX: dict[str, dict[str, float]] = {
    "conventional_rx": {"radiologist": 0.86, "other_specialist": 0.10, "general_practitioner": 0.02, "other": 0.02},
    "thorax_rx": {"radiologist": 0.92, "other_specialist": 0.07, "other": 0.01},
    "echography": {"radiologist": 0.40, "other_specialist": 0.52, "general_practitioner": 0.06, "other": 0.02},
    "dental": {"dentist": 0.97, "radiologist": 0.02, "other_specialist": 0.01},
    "ct": {"radiologist": 0.95, "other_specialist": 0.05},
    "cone_beam_ct": {"dentist": 0.55, "radiologist": 0.35, "other_specialist": 0.10},
    "mri": {"radiologist": 0.97, "other_specialist": 0.03},
    "scintigraphy": {"other_specialist": 0.93, "radiologist": 0.07},
    "diagnostic_interventional": {"radiologist": 0.70, "other_specialist": 0.28, "general_practitioner": 0.02},
    "therapeutic_interventional": {"radiologist": 0.50, "other_specialist": 0.48, "general_practitioner": 0.02},
    "gp_line": {"general_practitioner": 1.0},
    "non_imaging": {"general_practitioner": 0.70, "other_specialist": 0.28, "other": 0.02},
}
IMAGING_QUANTITY_TWO_RATE = 0.03

# --- other lines and data defects ---------------------------------------------------------
# Consultation/visit-style codes used as non-imaging noise. Only their ABSENCE from the imaging
# and general-practice seeds matters; any that appear in a seed are dropped at run time.
NON_IMAGING_CANDIDATE_CODES: tuple[str, ...] = ("101010", "101032", "101076", "102012", "103132", "104215")
NON_IMAGING_MEAN_LINES = 1.95
OUT_OF_YEAR_RATE = 0.002  # service date in the December before the file's year (late booking)
CORRECTION_RATE = 0.004  # line followed by a negative copy cancelling it
PARTIAL_CORRECTION_RATE = 0.05  # of quantity-2 lines: a -1 copy (partial cancellation)
DUPLICATE_RATE = 0.001  # exact duplicate lines (imaging and non-imaging lines only)
# Rows the row rules must quarantine or flag (README "Row rules"), each kind at this rate:
# beneficiaries without birth year, with an unknown commune or sector, or delivered twice;
# claim lines without person, with quantity 0, a 7-digit code, an unknown person, or a
# correction whose original is missing.
PERSON_DEFECT_RATE = 0.0002
LINE_DEFECT_RATE = 0.0001
LINE_DEFECT_FROM = 0.5  # defects use edit_draw from here up, clear of corrections and duplicates

# Salts keep the hash streams of different draws independent.
SALT = {
    "age": 1, "death": 2, "sex": 3, "birth_day": 4, "death_day": 5, "move": 6, "home_commune": 7,
    "home_sector": 8, "domicile_state": 9, "medical_house": 10, "medical_house_id": 11,
    "gp_practice": 12, "dmg": 13, "medical_house_dmg": 14, "imaging_user": 20, "primary": 21,
    "extra_category": 22, "exam_count": 23, "out_of_year": 24, "service_day": 25, "code": 26,
    "quantity": 27, "provider": 30, "forfait_count": 31, "forfait_start": 32, "other_count": 33,
    "edit": 40, "person_defect": 41, "commune_size": 101,
}


@dataclass(frozen=True)
class Config:
    out_dir: Path
    persons: int
    first_year: int
    last_year: int
    seed: int
    file_format: str
    seed_dir: Path
    overwrite: bool
    memory_limit: str
    threads: int | None
    temp_dir: Path | None
    defects: bool = True


class GeneratorError(Exception):
    """A problem with the arguments or the seeds, reported as a message and exit code 2."""


def parse_args(argv: Sequence[str] | None) -> Config:
    parser = argparse.ArgumentParser(
        description="Generate a deterministic SYNTHETIC raw extract (beneficiaries_<year> and "
        "claims_<year> files) following the atlas-dbt raw data contract.",
    )
    parser.add_argument("--out-dir", type=Path, default=Path("data/raw"),
                        help="directory to write the raw files to (default: data/raw)")
    parser.add_argument("--persons", type=int, default=100_000,
                        help="persons alive at the start of the first year (default: 100000; "
                        "all of Belgium is about 11800000)")
    parser.add_argument("--first-year", type=int, default=2021, help="first year generated (default: 2021)")
    parser.add_argument("--last-year", type=int, default=2023, help="last year generated (default: 2023)")
    parser.add_argument("--seed", type=int, default=42,
                        help="seed of the hash-based draws; same seed, same files (default: 42)")
    parser.add_argument("--format", dest="file_format", choices=("parquet", "csv"), default="parquet",
                        help="file format of the raw files (default: parquet; csv has a header)")
    parser.add_argument("--seed-dir", type=Path, default=REPO_DIR / "seeds",
                        help="directory with the dbt seeds read at run time (default: <repo>/seeds)")
    parser.add_argument("--overwrite", action="store_true",
                        help="delete existing beneficiaries*/claims* files in --out-dir first "
                        "(without it the script refuses to write into a directory holding raw files)")
    parser.add_argument("--memory-limit", default="8GB", help="DuckDB memory_limit (default: 8GB)")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: DuckDB's choice)")
    parser.add_argument("--temp-dir", type=Path, default=None,
                        help="DuckDB work/spill directory (default: a temporary folder in --out-dir, "
                        "removed at the end)")
    parser.add_argument("--no-defects", dest="defects", action="store_false",
                        help="leave out the rows the row rules must quarantine or flag (README 'Row rules'); "
                        "corrections, duplicates and previous-December dates stay")
    args = parser.parse_args(argv)
    if args.persons < 1:
        parser.error("--persons must be at least 1")
    if args.first_year > args.last_year:
        parser.error("--first-year must not be after --last-year")
    return Config(
        out_dir=args.out_dir, persons=args.persons, first_year=args.first_year, last_year=args.last_year,
        seed=args.seed, file_format=args.file_format, seed_dir=args.seed_dir, overwrite=args.overwrite,
        memory_limit=args.memory_limit, threads=args.threads, temp_dir=args.temp_dir, defects=args.defects,
    )


def existing_raw_files(out_dir: Path) -> list[Path]:
    if not out_dir.is_dir():
        return []
    return sorted({path for pattern in RAW_PATTERNS for path in out_dir.glob(pattern)})


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def values_sql(rows: Sequence[tuple[object, ...]]) -> str:
    """A VALUES list from model parameters (numbers and fixed names only, never data rows)."""
    def literal(value: object) -> str:
        return sql_string(value) if isinstance(value, str) else repr(value)
    return "values " + ", ".join("(" + ", ".join(literal(value) for value in row) + ")" for row in rows)


def region_case(column: str, values: dict[str, float], default: float) -> str:
    """A SQL case expression mapping a region code column to a model parameter."""
    branches = " ".join(f"when {sql_string(code)} then {value!r}" for code, value in values.items())
    return f"(case {column} {branches} else {default!r} end)"


class Progress:
    """Prints one line per step with the elapsed time, so long runs show where they are."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def log(self, message: str) -> None:
        print(f"[{time.monotonic() - self.start:8.1f} s] {message}", flush=True)


def connect(config: Config, work_dir: Path) -> duckdb.DuckDBPyConnection:
    settings: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": config.memory_limit,
        # Tables larger than the memory limit spill here.
        "temp_directory": str(work_dir / "spill"),
        # Output order comes from explicit ORDER BY; elsewhere order does not matter.
        "preserve_insertion_order": False,
    }
    if config.threads:
        settings["threads"] = config.threads
    # In memory: the only table kept is one year's persons (about 2-3 GB at 11.8M persons), which
    # fits the memory limit and is evicted to temp_directory if not; nothing to clean up after.
    connection = duckdb.connect(":memory:", config=settings)
    create_macros(connection, config.seed)
    return connection


def create_macros(connection: duckdb.DuckDBPyConnection, seed: int) -> None:
    # unif(person, salt, key): a uniform draw in [0, 1) from the 53 high bits of a hash. Casting
    # every argument to bigint keeps the hash independent of the literal types used.
    connection.execute(
        f"create or replace macro unif(person, salt, key) as "
        f"((hash({seed}::bigint, person::bigint, salt::bigint, key::bigint) >> 11)::double "
        f"/ 9007199254740992.0)"
    )
    connection.execute(
        f"create or replace macro unif_text(key, salt) as "
        f"((hash({seed}::bigint, key::varchar, salt::bigint) >> 11)::double / 9007199254740992.0)"
    )
    # Death probability by age reached in the year: infant mortality, then Gompertz growth.
    connection.execute(
        f"create or replace macro death_probability(age) as "
        f"case when age <= 0 then 0.003 when age >= {MAX_AGE} then 1.0 "
        f"else least(1.0, 0.0001 + 0.000014 * exp(0.1 * age)) end"
    )


# --- seeds --------------------------------------------------------------------------------

SEED_FILES: dict[str, tuple[str, str]] = {
    # table: (file, select list); all read as text so codes keep their leading zeros.
    "seed_communes": ("geo_communes.csv", "commune_code, region_code"),
    "seed_sectors": ("geo_statistical_sectors.csv", "sector_code, commune_code"),
    "seed_imaging_codes": (
        "imaging_nomenclature_codes.csv",
        "nomenclature_code, imaging_category, cast(nullif(valid_from, '') as date) as valid_from, "
        "cast(nullif(valid_to, '') as date) as valid_to",
    ),
    "seed_provider_groups": (
        "provider_qualification_groups.csv",
        "provider_profession, qualification_from, qualification_to, provider_group",
    ),
    "seed_gp_codes": ("general_practice_codes.csv", "nomenclature_code, code_role"),
}


def load_seeds(connection: duckdb.DuckDBPyConnection, seed_dir: Path) -> None:
    for table, (file_name, select_list) in SEED_FILES.items():
        path = seed_dir / file_name
        if not path.is_file():
            raise GeneratorError(f"seed file not found: {path} (use --seed-dir)")
        try:
            connection.execute(
                f"create or replace table {table} as select {select_list} "
                f"from read_csv({sql_string(str(path))}, header = true, all_varchar = true)"
            )
        except duckdb.Error as error:
            raise GeneratorError(f"cannot read seed {path}: {error}") from error
    for role in ("dmg", "medical_house_forfait"):
        found = connection.execute("select count(*) from seed_gp_codes where code_role = ?", [role]).fetchall()
        if found[0][0] != 1:
            raise GeneratorError(f"general_practice_codes.csv must have exactly one code_role '{role}'")


def create_weighted_lookup(connection: duckdb.DuckDBPyConnection, name: str, source_sql: str, buckets: int) -> None:
    """Turn weighted rows (grp, sort_key, weight, payload...) into a table (grp, bucket, payload...).

    A draw u in [0, 1) for group g then reads the row with bucket = floor(u * buckets): the
    asof join assigns each bucket's midpoint to the row whose cumulative interval holds it.
    """
    connection.execute(
        f"""
        create or replace table {name} as
        with source as (
            select * from ({source_sql}) where weight > 0
        ),
        cumulative as (
            select
                *,
                sum(weight) over (partition by grp) as total_weight,
                sum(weight) over (partition by grp order by sort_key rows unbounded preceding) - weight as cum_low
            from source
        ),
        bucket_points as (
            select g.grp, b.bucket, (b.bucket + 0.5) / {buckets} * g.total_weight as point
            from (select distinct grp, total_weight from cumulative) as g
            cross join range({buckets}) as b(bucket)
        )
        select bucket_points.grp, bucket_points.bucket, cumulative.* exclude (grp, sort_key, weight, total_weight, cum_low)
        from bucket_points
        asof join cumulative
            on bucket_points.grp = cumulative.grp and bucket_points.point >= cumulative.cum_low
        """
    )


def create_lookups(connection: duckdb.DuckDBPyConnection) -> None:
    """Static lookup tables derived from the model parameters and the seeds."""
    create_weighted_lookup(
        connection, "age_lookup",
        f"""
        select 1 as grp, age as sort_key, age::integer as age,
            case when age <= {PYRAMID_FLAT_UNTIL} then 1.0
                 else pow(greatest(0.0, 1 - (age - {PYRAMID_FLAT_UNTIL}) / {PYRAMID_DECLINE_YEARS}),
                          {PYRAMID_DECLINE_POWER}) end as weight
        from range({MAX_AGE + 1}) as t(age)
        """,
        LOOKUP_BUCKETS,
    )
    # Commune weights: the big cities get their fixed share; every other commune a skewed
    # hash-derived size, scaled so each region's total matches its target share.
    region_shares = values_sql(list(REGION_SHARES.items()))
    big_cities = values_sql(list(BIG_CITY_SHARES.items()))
    create_weighted_lookup(
        connection, "commune_lookup",
        f"""
        with region_share(region_code, share) as ({region_shares}),
        big_city(commune_code, share) as ({big_cities}),
        sized as (
            select c.commune_code, c.region_code, b.share as city_share,
                0.2 + 3.0 * pow(unif_text(c.commune_code, {SALT['commune_size']}), 3) as size
            from seed_communes as c
            left join big_city as b using (commune_code)
        ),
        per_region as (
            select region_code,
                sum(size) filter (where city_share is null) as other_size,
                coalesce(sum(city_share), 0) as city_total
            from sized group by region_code
        )
        select 1 as grp, s.commune_code as sort_key, s.commune_code, s.region_code,
            coalesce(s.city_share,
                     greatest(coalesce(r.share, 0.01) - p.city_total, 0.001) * s.size / p.other_size) as weight
        from sized as s
        join per_region as p using (region_code)
        left join region_share as r using (region_code)
        """,
        LOOKUP_BUCKETS,
    )
    connection.execute(
        """
        create or replace table sector_lookup as
        select commune_code, sector_code,
            row_number() over (partition by commune_code order by sector_code) - 1 as sector_rank,
            count(*) over (partition by commune_code) as sector_count
        from seed_sectors
        """
    )
    create_weighted_lookup(
        connection, "forfait_lookup",
        f"select 1 as grp, n as sort_key, n::integer as forfait_count, w as weight "
        f"from ({values_sql(list(FORFAIT_COUNT_WEIGHTS.items()))}) as t(n, w)",
        LOOKUP_BUCKETS,
    )
    create_category_by_age(connection)
    create_provider_lookup(connection)
    connection.execute(
        f"""
        create or replace table other_codes as
        select code as nomenclature_code, row_number() over (order by code) - 1 as code_rank,
            count(*) over () as code_count
        from ({values_sql([(code,) for code in NON_IMAGING_CANDIDATE_CODES])}) as t(code)
        where code not in (select nomenclature_code from seed_imaging_codes)
          and code not in (select nomenclature_code from seed_gp_codes)
        """
    )


def create_category_by_age(connection: duckdb.DuckDBPyConnection) -> None:
    """Per age: the primary-modality interval [pi_low, pi_high) and the extra-modality chance.

    For a user, P(modality) = pi + (1 - pi) * extra = target share, with pi = target / sum of
    targets, so every user has at least one exam and modality shares match their targets.
    """
    rows = [(c.cat_id, c.name, c.share_age0, c.share_age80, c.mean_extra_exams) for c in IMAGING_CATEGORIES]
    connection.execute(
        f"""
        create or replace table category_by_age as
        with category(cat_id, imaging_category, share_age0, share_age80, mean_extra_exams) as ({values_sql(rows)}),
        target as (
            select a.age::integer as age, c.*,
                share_age0 + (share_age80 - share_age0) * least(a.age, 90) / 80.0 as share
            from range({MAX_AGE + 1}) as a(age) cross join category as c
        ),
        primary_share as (
            select *, share / sum(share) over (partition by age) as pi from target
        )
        select age, cat_id, imaging_category, mean_extra_exams,
            sum(pi) over (partition by age order by cat_id rows unbounded preceding) - pi as pi_low,
            sum(pi) over (partition by age order by cat_id rows unbounded preceding) as pi_high,
            least(1.0, greatest(0.0, (share - pi) / (1 - pi))) as extra_chance
        from primary_share
        """
    )


def create_provider_lookup(connection: duckdb.DuckDBPyConnection) -> None:
    """(line kind, bucket) -> provider group, profession and qualification.

    Qualifications are taken from the seed's ranges (first, middle and last code of each range);
    doctors and dentists ('1', '3') are preferred as the contract's claims come from them.
    """
    mix_rows = [(kind, group, weight) for kind, groups in PROVIDER_MIX.items() for group, weight in groups.items()]
    connection.execute(
        """
        create or replace table provider_options as
        with ranges as (
            select *, bool_or(provider_profession in ('1', '3')) over (partition by provider_group) as group_has_doctors
            from seed_provider_groups
        ),
        chosen as (
            select * from ranges where provider_profession in ('1', '3') or not group_has_doctors
        ),
        options as (
            select provider_group, provider_profession, qualification_from as provider_qualification from chosen
            union
            select provider_group, provider_profession, qualification_to from chosen
            union
            select provider_group, provider_profession,
                lpad(((try_cast(qualification_from as integer) + try_cast(qualification_to as integer)) // 2)::varchar, 3, '0')
            from chosen
            where try_cast(qualification_from as integer) is not null and try_cast(qualification_to as integer) is not null
        )
        select *, count(*) over (partition by provider_group) as option_count from options
        """
    )
    create_weighted_lookup(
        connection, "provider_lookup",
        f"""
        with mix(line_kind, provider_group, weight) as ({values_sql(mix_rows)})
        select m.line_kind as grp,
            m.provider_group || '|' || o.provider_profession || '|' || o.provider_qualification as sort_key,
            o.provider_group, o.provider_profession, o.provider_qualification,
            m.weight / o.option_count as weight
        from mix as m
        join provider_options as o using (provider_group)
        """,
        PROVIDER_BUCKETS,
    )


def create_day_codes(connection: duckdb.DuckDBPyConnection, year: int) -> None:
    """(imaging category, day) -> the codes valid that day, from 1 December of the year before.

    Choosing the service day first and then a code valid on it keeps every line valid even for
    codes that start or end during the year (e.g. dental codes replaced on 2024-04-01).
    """
    connection.execute(
        f"""
        create or replace table day_codes as
        with days as (
            select d::date as service_date
            from generate_series(date '{year - 1}-12-01', date '{year}-12-31', interval 1 day) as t(d)
        )
        select c.imaging_category, days.service_date,
            list(c.nomenclature_code order by c.nomenclature_code) as codes
        from days
        join seed_imaging_codes as c
            on days.service_date >= coalesce(c.valid_from, date '1900-01-01')
           and days.service_date <= coalesce(c.valid_to, date '9999-12-31')
        group by all
        """
    )


# --- one year -----------------------------------------------------------------------------

def births_per_year(persons: int) -> int:
    return max(1, round(persons * BIRTH_RATE))


def person_id_width(config: Config) -> int:
    last_index = config.persons + (config.last_year - config.first_year) * births_per_year(config.persons)
    return max(8, len(str(last_index)))


def create_persons(connection: duckdb.DuckDBPyConnection, config: Config, year: int) -> int:
    """The persons insured in `year` with their domicile, practices and active day window."""
    first, n, births = config.first_year, config.persons, births_per_year(config.persons)
    jan1, dec31 = f"date '{year}-01-01'", f"date '{year}-12-31'"
    days = 366 if calendar.isleap(year) else 365
    connection.execute(
        f"""
        create or replace table persons as
        with universe as (
            -- the initial population, alive on 1 January of the first year (or born during it)
            select t.i as person_index, {first} - a.age as birth_year, {first} as entry_year
            from range(1, {n} + 1) as t(i)
            join age_lookup as a on a.bucket = floor(unif(t.i, {SALT['age']}, 0) * {LOOKUP_BUCKETS})
            union all
            -- one birth cohort per later year up to this one; ids follow the initial population
            select {n} + (c.y - {first} - 1) * {births} + j.j, c.y, c.y
            from range({first} + 1, {year} + 1) as c(y) cross join range(1, {births} + 1) as j(j)
        ),
        alive as (
            -- absent once dead: no death drawn in any earlier year since entry
            select *, {year} - birth_year as age
            from universe
            where len(list_filter(range(entry_year, {year}),
                      lambda y: unif(person_index, {SALT['death']}, y) < death_probability(y - birth_year))) = 0
        ),
        drawn as (
            select
                *,
                -- sex from the age in the first year so it never changes across years
                case when unif(person_index, {SALT['sex']}, 0)
                          < {FEMALE_SHARE_YOUNG} + {FEMALE_SHARE_SLOPE} * greatest(0, {first} - birth_year - 50) / 55.0
                     then 'F' else 'M' end as sex,
                case when birth_year = {year}
                     then {jan1} + floor(unif(person_index, {SALT['birth_day']}, 0) * {days})::integer
                     else {jan1} end as active_from,
                unif(person_index, {SALT['death']}, {year}) < death_probability(age) as dies,
                -- the home changes at each move; the count of earlier moves indexes the home
                len(list_filter(range(entry_year, {year}),
                    lambda y: unif(person_index, {SALT['move']}, y) < {MOVE_RATE})) as moves_before,
                (unif(person_index, {SALT['move']}, {year}) < {MOVE_RATE})::integer as moves_now,
                unif(person_index, {SALT['domicile_state']}, {year}) as domicile_draw
            from alive
        ),
        dated as (
            select *,
                case when dies then active_from
                    + floor(unif(person_index, {SALT['death_day']}, {year}) * ({dec31} - active_from + 1))::integer
                end as death_date
            from drawn
        ),
        homes as (
            select d.*,
                jun.commune_code as home_commune_jun30, dec.commune_code as home_commune_dec31,
                dec.region_code,
                moves_before as home_key_jun30, moves_before + moves_now as home_key_dec31
            from dated as d
            join commune_lookup as jun
                on jun.bucket = floor(unif(d.person_index, {SALT['home_commune']}, d.moves_before) * {LOOKUP_BUCKETS})
            join commune_lookup as dec
                on dec.bucket = floor(unif(d.person_index, {SALT['home_commune']}, d.moves_before + d.moves_now)
                                      * {LOOKUP_BUCKETS})
        ),
        with_sectors as (
            select h.*, sj.sector_code as home_sector_jun30, sd.sector_code as home_sector_dec31
            from homes as h
            left join sector_lookup as sj
                on sj.commune_code = h.home_commune_jun30
               and sj.sector_rank = floor(unif(h.person_index, {SALT['home_sector']}, h.home_key_jun30) * sj.sector_count)
            left join sector_lookup as sd
                on sd.commune_code = h.home_commune_dec31
               and sd.sector_rank = floor(unif(h.person_index, {SALT['home_sector']}, h.home_key_dec31) * sd.sector_count)
        ),
        practices as (
            select *,
                unif(person_index, {SALT['medical_house']}, 0)
                    < {region_case('region_code', MEDICAL_HOUSE_RATE, 0.047)} as is_medical_house,
                -- two medical houses and about six GP practices per commune
                'MH' || lpad((hash({config.seed}::bigint, home_commune_dec31,
                    floor(unif(person_index, {SALT['medical_house_id']}, 0) * 2)::bigint) % 10000)::varchar, 4, '0')
                    as medical_house_id,
                'GP' || lpad((hash({config.seed}::bigint, home_commune_dec31,
                    floor(unif(person_index, {SALT['gp_practice']}, 0) * 6)::bigint, 1::bigint) % 100000)::varchar, 5, '0')
                    as gp_practice_id,
                unif(person_index, {SALT['dmg']}, 0) as dmg_draw,
                unif(person_index, {SALT['medical_house_dmg']}, 0) as medical_house_dmg_draw
            from with_sectors
        )
        select
            'P' || lpad(person_index::varchar, {person_id_width(config)}, '0') as person_id,
            {year}::integer as year,
            birth_year::integer as birth_year,
            sex,
            death_date::date as death_date,
            case when domicile_draw >= {NO_DOMICILE_RATE + ONLY_JUNE_DOMICILE_RATE}
                 then home_commune_dec31 end as commune_dec31,
            case when domicile_draw >= {NO_DOMICILE_RATE + ONLY_JUNE_DOMICILE_RATE}
                 then home_sector_dec31 end as sector_dec31,
            -- a baby born after 30 June has no 30 June domicile
            case when domicile_draw >= {NO_DOMICILE_RATE} and active_from <= date '{year}-06-30'
                 then home_commune_jun30 end as commune_jun30,
            case when domicile_draw >= {NO_DOMICILE_RATE} and active_from <= date '{year}-06-30'
                 then home_sector_jun30 end as sector_jun30,
            person_index, age, region_code, active_from, coalesce(death_date, {dec31}) as active_to,
            is_medical_house,
            case when is_medical_house then medical_house_id end as medical_house_id,
            gp_practice_id,
            case
                when not is_medical_house and dmg_draw < {region_case('region_code', DMG_RATE, 0.55)} then gp_practice_id
                when is_medical_house and medical_house_dmg_draw < {MEDICAL_HOUSE_DMG_ELSEWHERE} then gp_practice_id
                when is_medical_house
                     and medical_house_dmg_draw < {MEDICAL_HOUSE_DMG_ELSEWHERE + MEDICAL_HOUSE_DMG_SAME}
                     then medical_house_id
            end as dmg_practice_id
        from practices
        """
    )
    return int(connection.execute("select count(*) from persons").fetchall()[0][0])


def line_defect(kind: int, rate: float) -> str:
    """SQL condition true for the lines given defect `kind` (0-4), by their edit draw."""
    low = LINE_DEFECT_FROM + kind * rate
    return f"(edit_draw >= {low} and edit_draw < {low + rate})"


def beneficiaries_sql(config: Config, year: int) -> str:
    """The population rows of `year`, with a few defective rows (PERSON_DEFECT_RATE per kind)."""
    draw = f"unif(person_index, {SALT['person_defect']}, {year})"
    rate = PERSON_DEFECT_RATE if config.defects else 0.0

    def defect(kind: int) -> str:
        low = kind * rate
        return f"({draw} >= {low} and {draw} < {low + rate})"

    return f"""
        with delivered as (
            select person_id, year,
                case when {defect(0)} then null else birth_year end as birth_year,
                sex, death_date,
                case when {defect(1)} and commune_dec31 is not null then '99999' else commune_dec31 end
                    as commune_dec31,
                case when {defect(3)} and sector_dec31 is not null then '99999ZZ9-' else sector_dec31 end
                    as sector_dec31,
                commune_jun30, sector_jun30
            from persons
            union all
            select person_id, year, birth_year, sex, death_date, commune_dec31, sector_dec31,
                commune_jun30, sector_jun30
            from persons
            where {defect(2)}
        )
        select * from delivered order by person_id
    """


def provider_join_sql(lines_cte: str) -> str:
    """Draw the provider of each line of `lines_cte` (a CTE named `<lines_cte>_provided`).

    Done per kind of line, before the union: with the join after the union, DuckDB 2.0.0 fails
    at full scale with "INTERNAL Error: dict-surviving cache: global dictionary column 2 changed
    identity" (the code column is a differently-built vector in each branch of the union).
    """
    return f"""
    {lines_cte}_provided as (
        select l.person_id, l.service_date::date as service_date, l.nomenclature_code, l.quantity,
            p.provider_profession, p.provider_qualification,
            coalesce(l.fixed_practice,
                     case when p.provider_group = 'general_practitioner' then l.gp_practice end) as billing_practice_id,
            l.line_kind, unif(l.person_index, {SALT['edit']}, l.line_key) as edit_draw
        from {lines_cte} as l
        join provider_lookup as p
            on p.grp = l.line_kind
           and p.bucket = floor(unif(l.person_index, {SALT['provider']}, l.line_key) * {PROVIDER_BUCKETS})
    )"""


def claims_sql(config: Config, year: int) -> str:
    """The claim lines of `year` as one query (sorted), built from the persons table."""
    dec1_before = f"date '{year - 1}-12-01'"
    line_rate = LINE_DEFECT_RATE if config.defects else 0.0
    imaging_rate = (
        f"least(0.95, ({IMAGING_BASE} + {IMAGING_AGE_SLOPE} * age)"
        f" * {region_case('region_code', IMAGING_REGION_FACTOR, 1.0)}"
        f" * (case sex when 'F' then {IMAGING_SEX_FACTOR['F']} else {IMAGING_SEX_FACTOR['M']} end))"
    )

    def service_date(key: str, allow_out_of_year: bool) -> str:
        # uniform over the person's active days; a few lines booked in the previous December
        in_year = f"active_from + floor(unif(person_index, {SALT['service_day']}, {key}) * (active_to - active_from + 1))::integer"
        if not allow_out_of_year:
            return in_year
        return (
            f"case when unif(person_index, {SALT['out_of_year']}, {key}) < {OUT_OF_YEAR_RATE} "
            f"then {dec1_before} + floor(unif(person_index, {SALT['service_day']}, {key}) * 31)::integer "
            f"else {in_year} end"
        )

    provider_joins = ",".join(
        provider_join_sql(lines) for lines in ("imaging_lines", "dmg_lines", "forfait_lines", "other_lines")
    )
    # line keys: unique per person and year, they index every per-line draw
    return f"""
    with imaging_users as (
        select * from persons
        where unif(person_index, {SALT['imaging_user']}, {year}) < {imaging_rate}
    ),
    imaging_categories as (
        select u.*, c.cat_id, c.imaging_category, c.mean_extra_exams
        from imaging_users as u
        join category_by_age as c on c.age = least(u.age, {MAX_AGE})
        where (unif(u.person_index, {SALT['primary']}, {year}) >= c.pi_low
               and unif(u.person_index, {SALT['primary']}, {year}) < c.pi_high)
           or unif(u.person_index, {SALT['extra_category']}, {year} * 100 + c.cat_id) < c.extra_chance
    ),
    imaging_exams as (
        select *, unnest(range(1 + least(11, floor(
            -ln(1 - unif(person_index, {SALT['exam_count']}, {year} * 100 + cat_id)) * mean_extra_exams))::integer))
            as exam_number
        from imaging_categories
    ),
    imaging_dated as (
        select *, (cat_id * 100 + exam_number) as line_key
        from imaging_exams
    ),
    imaging_lines as (
        select i.person_index, i.person_id, i.imaging_category as line_kind, i.line_key,
            d.service_date,
            d.codes[1 + floor(unif(i.person_index, {SALT['code']}, i.line_key) * len(d.codes))::integer]
                as nomenclature_code,
            case when unif(i.person_index, {SALT['quantity']}, i.line_key) < {IMAGING_QUANTITY_TWO_RATE}
                 then 2 else 1 end as quantity,
            coalesce(i.medical_house_id, i.gp_practice_id) as gp_practice,
            null::varchar as fixed_practice
        from (select *, {service_date('line_key', True)} as drawn_date from imaging_dated) as i
        join day_codes as d on d.imaging_category = i.imaging_category and d.service_date = i.drawn_date
    ),
    dmg_lines as (
        select person_index, person_id, 'gp_line' as line_kind, 1000 as line_key,
            {service_date('1000', True)} as service_date,
            (select nomenclature_code from seed_gp_codes where code_role = 'dmg') as nomenclature_code,
            1 as quantity, null::varchar as gp_practice, dmg_practice_id as fixed_practice
        from persons
        where dmg_practice_id is not null
    ),
    forfait_windows as (
        -- enrolled for n consecutive months inside the months the person is insured
        select p.*, month(p.active_from) as month_low,
            least(f.forfait_count, month(p.active_to) - month(p.active_from) + 1) as forfait_count
        from persons as p
        join forfait_lookup as f
            on f.bucket = floor(unif(p.person_index, {SALT['forfait_count']}, {year}) * {LOOKUP_BUCKETS})
        where p.is_medical_house
    ),
    forfait_months as (
        select *, month_low + floor(unif(person_index, {SALT['forfait_start']}, {year})
            * (month(active_to) - month_low - forfait_count + 2))::integer as month_start,
            unnest(range(forfait_count)) as forfait_number
        from forfait_windows
    ),
    forfait_lines as (
        select person_index, person_id, 'gp_line' as line_kind, 2000 + forfait_number as line_key,
            greatest(active_from, make_date({year}, month_start + forfait_number, 1)) as service_date,
            (select nomenclature_code from seed_gp_codes where code_role = 'medical_house_forfait') as nomenclature_code,
            1 as quantity, null::varchar as gp_practice, medical_house_id as fixed_practice
        from forfait_months
    ),
    other_exams as (
        select *, 3000 + unnest(range(least(20, floor(
            -ln(1 - unif(person_index, {SALT['other_count']}, {year})) * {NON_IMAGING_MEAN_LINES})::integer)))
            as line_key
        from persons
    ),
    other_dated as (
        select *, {service_date('line_key', True)} as service_date from other_exams
    ),
    other_lines as (
        select o.person_index, o.person_id, 'non_imaging' as line_kind, o.line_key, o.service_date,
            c.nomenclature_code, 1 as quantity,
            coalesce(o.medical_house_id, o.gp_practice_id) as gp_practice, null::varchar as fixed_practice
        from other_dated as o
        join other_codes as c
            on c.code_rank = floor(unif(o.person_index, {SALT['code']}, o.line_key) * c.code_count)
    ),
    {provider_joins},
    all_lines as (
        select * from imaging_lines_provided
        union all select * from dmg_lines_provided
        union all select * from forfait_lines_provided
        union all select * from other_lines_provided
    ),
    edited as (
        -- corrections (a negative copy), partial corrections of quantity-2 lines, duplicates
        select person_id, service_date, nomenclature_code,
            unnest(case
                when edit_draw < {CORRECTION_RATE} then [quantity, -quantity]
                when quantity = 2 and edit_draw < {PARTIAL_CORRECTION_RATE} then [2, -1]
                when edit_draw >= 1 - {DUPLICATE_RATE} and line_kind <> 'gp_line' then [quantity, quantity]
                else [quantity] end)::integer as quantity,
            provider_profession, provider_qualification, billing_practice_id, edit_draw
        from all_lines
    )
    select
        case
            when {line_defect(0, line_rate)} then null
            when {line_defect(3, line_rate)} then 'Z' || person_id
            else person_id
        end as person_id,
        service_date,
        case when {line_defect(2, line_rate)} then nomenclature_code || '0' else nomenclature_code end as nomenclature_code,
        case
            when {line_defect(1, line_rate)} then 0
            when {line_defect(4, line_rate)} then -quantity
            else quantity
        end as quantity,
        provider_profession, provider_qualification, billing_practice_id
    from edited
    order by person_id nulls first, service_date, nomenclature_code, provider_profession,
        provider_qualification, billing_practice_id nulls first, quantity desc
    """


def copy_options(file_format: str) -> str:
    return "format csv, header true" if file_format == "csv" else "format parquet, compression zstd"


def copy_to_file(connection: duckdb.DuckDBPyConnection, query: str, path: Path, file_format: str) -> int:
    """COPY a query to `path` through a `.partial` name, so an interrupted run leaves no raw file."""
    partial = path.with_name(path.name + ".partial")
    written = connection.execute(
        f"copy ({query}) to {sql_string(str(partial))} ({copy_options(file_format)})"
    ).fetchall()[0][0]
    partial.replace(path)
    return int(written)


def write_year(connection: duckdb.DuckDBPyConnection, config: Config, year: int, progress: Progress) -> None:
    count = create_persons(connection, config, year)
    progress.log(f"{year}: persons built: {count:,} rows")
    create_day_codes(connection, year)
    suffix = config.file_format
    beneficiaries = config.out_dir / f"beneficiaries_{year}.{suffix}"
    written = copy_to_file(
        connection,
        beneficiaries_sql(config, year),
        beneficiaries, suffix,
    )
    progress.log(f"{year}: wrote {beneficiaries.name}: {written:,} rows")
    claims = config.out_dir / f"claims_{year}.{suffix}"
    written = copy_to_file(connection, claims_sql(config, year), claims, suffix)
    progress.log(f"{year}: wrote {claims.name}: {written:,} rows")


def generate(config: Config) -> None:
    progress = Progress()
    config.out_dir.mkdir(parents=True, exist_ok=True)
    for path in existing_raw_files(config.out_dir):
        path.unlink()  # only reached with --overwrite: stale years would otherwise be globbed
    work_dir = config.temp_dir or config.out_dir / ".synthetic_work"
    created_work_dir = not work_dir.exists()
    work_dir.mkdir(parents=True, exist_ok=True)
    try:
        connection = connect(config, work_dir)
        try:
            load_seeds(connection, config.seed_dir)
            create_lookups(connection)
            progress.log(f"seeds and lookups loaded from {config.seed_dir}")
            for year in range(config.first_year, config.last_year + 1):
                write_year(connection, config, year, progress)
        finally:
            connection.close()
    finally:
        shutil.rmtree(work_dir / "spill", ignore_errors=True)
        if created_work_dir:
            shutil.rmtree(work_dir, ignore_errors=True)
    progress.log(f"done: {config.last_year - config.first_year + 1} year(s) in {config.out_dir}")


def main(argv: Sequence[str] | None = None) -> int:
    config = parse_args(argv)
    existing = existing_raw_files(config.out_dir)
    if existing and not config.overwrite:
        print(
            f"error: {config.out_dir} already holds raw files ({', '.join(p.name for p in existing[:3])}"
            f"{', ...' if len(existing) > 3 else ''}); pass --overwrite to replace them",
            file=sys.stderr,
        )
        return 2
    try:
        generate(config)
    except GeneratorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
