"""The dbt seeds the generator draws codes, places and providers from, read at run time."""

from __future__ import annotations

from pathlib import Path

import duckdb

from atlas.synthetic.config import GeneratorError
from atlas.synthetic.sql import sql_string

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
    # The claims take the one code of each role as their DMG and forfait lines.
    for role in ("dmg", "medical_house_forfait"):
        found = connection.execute("select count(*) from seed_gp_codes where code_role = ?", [role]).fetchall()
        if found[0][0] != 1:
            raise GeneratorError(f"general_practice_codes.csv must have exactly one code_role '{role}'")
