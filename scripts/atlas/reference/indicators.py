"""The whole reference computation (`compute`), from a raw directory to the indicator cells before
and after suppression; the steps are the package's modules (atlas/reference/__init__.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from atlas.indicator_models import STANDARDISED_COLUMNS
from atlas.reference.cells import CELL_COLUMNS, indicator_cells
from atlas.reference.extract import BENEFICIARY_COLUMNS, CLAIM_COLUMNS, Conventions, read_raw
from atlas.reference.geography import locate_beneficiaries
from atlas.reference.person_variables import person_variables
from atlas.reference.project import DEFAULT_SMALL_CELL_THRESHOLD, SEED_DIR, load_seeds
from atlas.reference.row_rules import classify_beneficiaries, classify_claims, net_claim_groups, reason_counts
from atlas.reference.standardisation import Standardisation
from atlas.reference.standardised_figures import standardised_columns
from atlas.reference.suppression import suppress

# Imported here for the tests, which take the reference's public names from this one module.
__all__ = ["CELL_COLUMNS", "MART_COLUMNS", "Conventions", "ReferenceResult", "Standardisation", "compute",
           "load_seeds", "log"]

# The columns of the published tables (models/marts/indicator_tables/_indicator_tables__models.yml).
# The eight standardised columns follow suppression_flag (docs/standardisation.md, "Columns").
MART_COLUMNS = ["indicator_code", "year", "geo_level", "geo_code", "geo_name", "geo_name_nl", "age_band",
                "numerator", "denominator", "value", "unit", "suppression_flag", *STANDARDISED_COLUMNS]

_started = time.monotonic()


def log(message: str) -> None:
    """Progress on stdout, with the seconds since the start (the run takes minutes at scale)."""
    print(f"[{time.monotonic() - _started:8.1f} s] {message}", flush=True)


def published_tables(suppressed: pd.DataFrame, standardised: pd.DataFrame) -> pd.DataFrame:
    """indicator_values: every cell, the figures of a withheld cell nulled (what the marts publish),
    with the standardised columns on the total rows (null on the bands, and where withheld)."""
    key = ["indicator_code", "year", "geo_level", "geo_code", "age_band"]
    table = suppressed.merge(standardised, on=key, how="left")[MART_COLUMNS].copy()
    withheld = table["suppression_flag"].notna()
    table["numerator"] = table["numerator"].astype("Int64").mask(withheld)
    table["denominator"] = table["denominator"].astype("Int64").mask(withheld)
    table["value"] = table["value"].mask(withheld)
    return table


@dataclass(frozen=True)
class ReferenceResult:
    cells: pd.DataFrame  # every indicator cell before suppression (CELL_COLUMNS)
    indicator_values: pd.DataFrame  # every published cell (MART_COLUMNS), suppression applied
    reasons: pd.DataFrame  # rows per source, year and reason (reason_counts)


def compute(raw_dir: Path, raw_format: str = "parquet", threshold: int = DEFAULT_SMALL_CELL_THRESHOLD,
            seed_dir: Path = SEED_DIR, progress: Callable[[str], None] = log,
            conventions: Conventions = Conventions(), standardisation: Standardisation | None = None
            ) -> ReferenceResult:
    """Every indicator cell of the raw extract in raw_dir, before and after suppression; the
    standardised figures with the project's vars unless `standardisation` says otherwise."""
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
    standardised = standardised_columns(located, variables, suppressed, seeds, threshold,
                                        standardisation or Standardisation.from_project())
    shown = int(standardised["standardised_rate"].notna().sum())
    progress(f"standardised figures published for {shown:,} of {len(standardised):,} indicator units")
    return ReferenceResult(cells=cells, indicator_values=published_tables(suppressed, standardised),
                           reasons=reason_counts(beneficiaries, claims, located))
