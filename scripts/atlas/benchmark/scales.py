"""The benchmark's scales: which synthetic extract each one generates, and where."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

BELGIUM = 11_800_000
LATEST_YEAR = 2023
UNKNOWN_YEAR = 0  # an existing extract whose file names do not say its years


@dataclass(frozen=True)
class Scale:
    name: str
    persons: int
    first_year: int
    last_year: int
    increment: bool = False  # the yearly update: history build, then the last year added

    @property
    def years(self) -> str:
        if self.first_year == UNKNOWN_YEAR:
            return "-"
        return str(self.first_year) if self.first_year == self.last_year else f"{self.first_year}-{self.last_year}"

    def folder_name(self, seed: int) -> str:
        """Everything that decides the generated extract, so a kept folder is only reused for
        the same extract."""
        return f"{self.name}-{self.persons}x{self.years}-seed{seed}"


NAMED_SCALES: dict[str, Scale] = {
    "1m-1y": Scale("1m-1y", 1_000_000, LATEST_YEAR, LATEST_YEAR),
    "belgium-1y": Scale("belgium-1y", BELGIUM, LATEST_YEAR, LATEST_YEAR),
    "belgium-10y": Scale("belgium-10y", BELGIUM, LATEST_YEAR - 9, LATEST_YEAR),
}
# Set by --persons / --first-year / --last-year.
ADJUSTABLE_SCALES = ("custom", "increment")
SCALE_NAMES = (*NAMED_SCALES, *ADJUSTABLE_SCALES)
DEFAULT_SCALE = "1m-1y"
INCREMENT_PERSONS = 1_000_000
INCREMENT_YEARS = 3
CUSTOM_PERSONS = 1_000_000


class ScaleError(ValueError):
    """Options that name no coherent scale."""


def resolve_scales(names: list[str] | None, persons: int | None, first_year: int | None,
                   last_year: int | None) -> list[Scale]:
    """The scales to run, in the order asked, each once.

    Without --scale: `custom` when --persons or a year is given, else 1m-1y. custom defaults to
    1,000,000 persons in the last year (2023); increment to 1,000,000 persons in the three years
    up to the last year (2021-2023)."""
    adjusted = persons is not None or first_year is not None or last_year is not None
    if not names:
        names = ["custom"] if adjusted else [DEFAULT_SCALE]
    names = list(dict.fromkeys(names))
    if adjusted and not set(names) & set(ADJUSTABLE_SCALES):
        raise ScaleError(f"--persons, --first-year and --last-year apply to the scales "
                         f"{' and '.join(ADJUSTABLE_SCALES)}, not to {', '.join(names)}")
    last = last_year if last_year is not None else LATEST_YEAR
    scales = []
    for name in names:
        if name in NAMED_SCALES:
            scales.append(NAMED_SCALES[name])
        elif name == "custom":
            scales.append(Scale(name, persons or CUSTOM_PERSONS, first_year if first_year is not None else last, last))
        elif name == "increment":
            first = first_year if first_year is not None else last - INCREMENT_YEARS + 1
            scales.append(Scale(name, persons or INCREMENT_PERSONS, first, last, increment=True))
        else:
            raise ScaleError(f"unknown scale {name!r} (one of {', '.join(SCALE_NAMES)})")
    for scale in scales:
        if scale.persons <= 0:
            raise ScaleError(f"{scale.name}: --persons must be positive")
        if scale.first_year > scale.last_year:
            raise ScaleError(f"{scale.name}: the first year {scale.first_year} is after the last {scale.last_year}")
        if scale.increment and scale.first_year == scale.last_year:
            raise ScaleError("increment: needs at least two years (a history and the year added)")
    return scales


def extract_scale(name: str, raw_dir: Path) -> Scale:
    """A scale standing for an existing extract (--raw-dir): its persons are not counted (0),
    its years are read from the file names."""
    years = extract_years(raw_dir)
    if not years:
        if name == "increment":
            raise ScaleError(f"increment: {raw_dir} holds no beneficiaries_<year>.parquet and "
                             "claims_<year>.parquet files, so no last year to add")
        return Scale(name, 0, UNKNOWN_YEAR, UNKNOWN_YEAR)
    return Scale(name, 0, min(years), max(years), increment=name == "increment")


def extract_years(raw_dir: Path) -> list[int]:
    """The years that have both a beneficiaries_<year>.parquet and a claims_<year>.parquet file."""
    def years_of(source: str) -> set[int]:
        found = set()
        for path in raw_dir.glob(f"{source}_*.parquet"):
            suffix = path.stem.removeprefix(f"{source}_")
            if suffix.isdigit() and len(suffix) == 4:
                found.add(int(suffix))
        return found

    return sorted(years_of("beneficiaries") & years_of("claims"))


def year_files(raw_dir: Path, year: int) -> list[Path]:
    return [raw_dir / f"beneficiaries_{year}.parquet", raw_dir / f"claims_{year}.parquet"]
