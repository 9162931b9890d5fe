"""The model's parameters: the rates and shares the synthetic population and its claims are drawn
with, chosen to land near published IMA-AIM / Statbel figures (see the package docstring).
Tuning the model means editing this file only; the rows of deliberate defects are in defects.py."""

from __future__ import annotations

from dataclasses import dataclass

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
# forfaits than the dbt var medical_house_min_forfaits, or a DMG elsewhere), which brings
# stat_003_007 near the published 4.7%.
MEDICAL_HOUSE_RATE: dict[str, float] = {"04000": 0.144, "03000": 0.084, "02000": 0.026}
MEDICAL_HOUSE_RATE_ELSEWHERE = 0.047  # a commune outside the three regions (none in the seeds)
DMG_RATE: dict[str, float] = {"02000": 0.66, "03000": 0.47, "04000": 0.40}
DMG_RATE_ELSEWHERE = 0.55
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

# --- other lines and edits ----------------------------------------------------------------
# Consultation/visit-style codes used as non-imaging noise. Only their ABSENCE from the imaging
# and general-practice seeds matters; any that appear in a seed are dropped at run time.
NON_IMAGING_CANDIDATE_CODES: tuple[str, ...] = ("101010", "101032", "101076", "102012", "103132", "104215")
NON_IMAGING_MEAN_LINES = 1.95
OUT_OF_YEAR_RATE = 0.002  # service date in the December before the file's year (late booking)
CORRECTION_RATE = 0.004  # line followed by a negative copy cancelling it
PARTIAL_CORRECTION_RATE = 0.05  # of quantity-2 lines: a -1 copy (partial cancellation)
DUPLICATE_RATE = 0.001  # exact duplicate lines (imaging and non-imaging lines only)
