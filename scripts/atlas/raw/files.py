"""Which entries of the raw directory are the extract (docs/raw_data.md).

The build reads `<source>*.<format>` with a glob: a file that is meant as a source but whose name
escapes the glob (another letter case, an unknown extension, a folder of part files) would be
silently left out, and one that the glob catches by accident (a copy such as `claims (1).parquet`)
silently read twice. So every entry of the directory is classified here: a source file of the
contract, something that looks like a source but is not read as one (an error, with the fix), or
something else (ignored, with a notice). Duplicated deliveries (the same bytes, the same year in
two files) are found from what the check counted.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

SOURCES = ("beneficiaries", "claims")
FORMATS = ("parquet", "csv")

# What the build's glob reads, minus what only a copy or a stray file would hold: after the
# source's name, letters, digits, '_' and '-' only (no space, parenthesis or second dot).
CONTRACT_NAME = re.compile(rf"^({'|'.join(SOURCES)})[A-Za-z0-9_-]*\.({'|'.join(FORMATS)})$")
COPY_MARK = re.compile(r"( ?\(\d+\)|[ _-]?copy|[ _-]?kopie|[ _-]?copie)", re.IGNORECASE)
# A year is "held" by a claims file when at least this share of its dated lines fall in it:
# a file of one year also holds a few late corrections of the previous one.
HELD_YEAR_SHARE = 0.10

EXTENSION_FIXES = {
    ".gz": "decompress it (gunzip) first", ".zip": "unzip it first", ".bz2": "decompress it first",
    ".xlsx": "save it from the spreadsheet as CSV UTF-8 (or Parquet)", ".xls": "save it as CSV UTF-8 (or Parquet)",
    ".txt": "if it is CSV, rename it to .csv", ".tsv": "save it as CSV (separator ',' or ';')",
    ".json": "convert it to Parquet or CSV",
}


@dataclass(frozen=True)
class RawFile:
    source: str
    path: Path
    file_format: str


@dataclass
class Listing:
    """The directory's entries: files the build reads, errors (what would be lost or doubled),
    notices (entries that are no part of the extract)."""

    files: list[RawFile]
    errors: list[str]
    notices: list[str]

    def formats(self) -> set[str]:
        return {raw_file.file_format for raw_file in self.files}


def source_files(raw_dir: Path, source: str, file_format: str) -> list[Path]:
    """The files of one source exactly as the build's glob finds them."""
    return sorted(raw_dir.glob(f"{source}*.{file_format}"))


def looks_like_source(name: str) -> str | None:
    """The source an entry seems meant as: its name mentions it, in any letter case."""
    lowered = name.lower()
    return next((source for source in SOURCES if source in lowered), None)


def problem_with(path: Path, source: str | None) -> str | None:
    """Why an entry that may be a source is not read as one, with the fix; None when it is fine
    or no part of the extract."""
    name = path.name
    suffix = "".join(path.suffixes[-2:]).lower() if len(path.suffixes) > 1 else path.suffix.lower()
    if path.is_dir():
        if source is None and path.suffix.lower() not in {f".{fmt}" for fmt in FORMATS}:
            return None
        return (f"{path}: a folder (part files, as Spark writes them); the build reads files only: "
                f"merge the parts into one file beside the others, e.g. in DuckDB: COPY (SELECT * FROM "
                f"read_parquet('{path}/*.parquet')) TO '{path.parent}/{name.split('.')[0]}_merged.parquet'; "
                f"then remove the folder")
    if source is None:
        if path.suffix.lower() in {f".{fmt}" for fmt in FORMATS}:
            return (f"{path}: a data file the contract does not name: a source file's name starts with "
                    f"'beneficiaries' or 'claims'; rename it, or move it out of the raw directory")
        return None
    if CONTRACT_NAME.match(name):
        return None
    if CONTRACT_NAME.match(name.lower()):
        return (f"{path}: differs from the contract only in letter case, so the build would not read it: "
                f"rename it to {name.lower()}")
    extension = path.suffix.lower()
    if extension not in {f".{fmt}" for fmt in FORMATS}:
        fix = EXTENSION_FIXES.get(extension, "convert it to Parquet or CSV")
        return (f"{path}: unknown extension '{suffix if extension == '.gz' else extension}' for a {source} file "
                f"(the build reads .parquet or .csv): {fix}")
    copy_mark = COPY_MARK.search(path.stem)
    if copy_mark:
        return (f"{path}: looks like a copy of another file ('{copy_mark.group(0).strip()}' in the name); "
                f"remove it if it is one, else rename it to {source}_<part>{extension} (letters, digits, '_' and '-')")
    return (f"{path}: not a source file name of the contract ({source}<letters, digits, _ or ->"
            f"{extension}): rename it so, or move it out of the raw directory")


def list_extract(raw_dir: Path) -> Listing:
    """Every entry of raw_dir, classified. Hidden entries (.DS_Store, work folders) are skipped."""
    listing = Listing(files=[], errors=[], notices=[])
    for path in sorted(raw_dir.iterdir()):
        if path.name.startswith("."):
            continue
        # The build's glob decides which source a file feeds, whatever else its name mentions.
        named = CONTRACT_NAME.match(path.name)
        source = named.group(1) if named else looks_like_source(path.name)
        problem = problem_with(path, source)
        if problem:
            listing.errors.append(problem)
        elif source is not None and path.is_file():
            listing.files.append(RawFile(source, path, path.suffix[1:]))
        else:
            listing.notices.append(f"{path}: not part of the extract (no source's name), ignored")
    return listing


def identical_files(files: list[RawFile]) -> list[str]:
    """Files delivered twice under two names (the same bytes). Only files of equal size are hashed."""
    by_size: dict[int, list[Path]] = defaultdict(list)
    for raw_file in files:
        by_size[raw_file.path.stat().st_size].append(raw_file.path)
    errors = []
    for paths in by_size.values():
        by_digest: dict[str, list[Path]] = defaultdict(list)
        for path in paths if len(paths) > 1 else []:
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            by_digest[digest.hexdigest()].append(path)
        for same in by_digest.values():
            if len(same) > 1:
                errors.append(f"{same[1]}: the same content as {same[0].name} (delivered twice under two "
                              f"names; its rows would be read twice): remove one of them")
    return errors


def years_held(source: str, year_rows: dict[int, int]) -> set[int]:
    """The years a file delivers: every year of a population file; for claims, the years that
    hold a real share of its lines (not the previous year's late corrections)."""
    dated = sum(year_rows.values())
    if source == "beneficiaries":
        return set(year_rows)
    return {year for year, rows in year_rows.items() if dated and rows >= HELD_YEAR_SHARE * dated}


def repeated_years(source: str, year_rows_by_file: dict[Path, dict[int, int]]) -> list[str]:
    """A year of one source delivered by two files (a year sent again under a new name)."""
    first_file: dict[int, Path] = {}
    repeated: dict[tuple[Path, Path], list[int]] = defaultdict(list)
    for path in sorted(year_rows_by_file):
        for year in sorted(years_held(source, year_rows_by_file[path])):
            if year in first_file:
                repeated[(path, first_file[year])].append(year)
            else:
                first_file[year] = path
    return [f"{path}: {source} of {', '.join(map(str, years))} are also in {other.name} (a year delivered twice: "
            f"its rows would be counted twice): keep one file per year, merging the parts of a year split "
            f"over several files into one"
            for (path, other), years in repeated.items()]
