"""What the reference takes from the project besides the raw extract: the seeds, and the dbt vars
whose thresholds and rules the models apply (read from dbt_project.yml, so that both
implementations always use the same values)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from atlas.paths import PROJECT_DIR
from atlas.project_vars import project_vars

SEED_DIR = PROJECT_DIR / "seeds"

_VARS = project_vars("small_cell_threshold", "medical_house_min_forfaits", "country_code", "max_age")
# A published cell of 1 to threshold - 1 individuals is withheld (IMA masks every cell of fewer
# than 5 individuals, docs/protection.md); a run may ask for another threshold.
DEFAULT_SMALL_CELL_THRESHOLD = int(_VARS["small_cell_threshold"])
# stat_003_007: the page's remark says "au moins six forfaits" (its formula writes "= 6"; the
# project follows the remark, var medical_house_min_forfaits).
MEDICAL_HOUSE_MIN_FORFAITS = int(_VARS["medical_house_min_forfaits"])
COUNTRY_CODE = str(_VARS["country_code"])
# Nobody lives more than this many years (rule invalid_birth_year).
MAX_AGE = int(_VARS["max_age"])


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
    commune_predecessors: pd.DataFrame
    sectors: pd.DataFrame
    variable_relations: pd.DataFrame
    european_standard_population: pd.DataFrame


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
        commune_predecessors=read_seed(seed_dir, "geo_commune_predecessors"),
        sectors=read_seed(seed_dir, "geo_statistical_sectors"),
        variable_relations=read_seed(seed_dir, "variable_relations"),
        european_standard_population=read_seed(seed_dir, "european_standard_population"),
    )
