"""What the report reads from the database: the indicators and their cells."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    code: str
    title_fr: str
    title_nl: str | None
    unit: str
    description_fr: str | None
    calculation_method_fr: str | None
    has_age_bands: bool
    smallest_geo_level: str | None
    first_year: int | None
    reference_population: str | None = None   # of the standardised rates: the build's `standard_population`


@dataclass(frozen=True)
class Standardised:
    """The age-sex standardised figures of a `total` row (docs/standardisation.md, "Columns"): all null
    on other rows, and on a total row whose figures are withheld or rest on too few events."""

    rate: float | None
    rate_lower: float | None
    rate_upper: float | None
    expected: float | None
    ratio: float | None
    ratio_lower: float | None
    ratio_upper: float | None
    compared_with_belgium: str | None   # "higher", "lower" or "not different"


NOT_STANDARDISED = Standardised(None, None, None, None, None, None, None, None)


@dataclass(frozen=True)
class Cell:
    """One row of indicator_values; a suppressed cell has a flag and no value, numerator or denominator."""

    year: int
    geo_level: str
    geo_code: str
    geo_name: str | None
    geo_name_nl: str | None
    age_band: str
    numerator: int | None
    denominator: int | None
    value: float | None
    suppression_flag: str | None
    standardised: Standardised = NOT_STANDARDISED


@dataclass(frozen=True)
class IndicatorData:
    """Everything one indicator page shows."""

    indicator: Indicator
    years: list[int]
    trend: list[Cell]       # country and regions, all ages, every year
    age_bands: list[Cell]   # country and regions, by age band, latest year
    communes: list[Cell]    # communes, all ages, latest year

    @property
    def latest_year(self) -> int | None:
        return self.years[-1] if self.years else None
