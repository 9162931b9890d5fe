"""The yearly update: which years a run builds, from what changed in the delivered files.

Every build records in the working database (table build_manifest) each delivered file with
its size, modification time and the years its rows fall in, and a fingerprint of the project
(models, macros, seeds, settings) and of the conventions the extract was read with. The next
run compares the extract with that record:

- no earlier build, another project or other conventions, or --full-refresh: every year;
- otherwise the years of every file added, changed or removed, which the per-year models
  rebuild (dbt var build_years) while keeping the others. A new claims file also holds late
  bills of the year before, so adding year N rebuilds N-1 as well, but no more of it than those
  bills change: its population is kept (var population_build_years, the years of the beneficiary
  files that changed), and of its claim lines only those of the changed claims files are checked
  again (var changed_claim_files); every line of it is settled again with its group.

A full build of a long history, or an update of several years, is made in steps of whole years,
each of at most a given number of claim lines (history_steps, in_steps): joining ten years of
claim lines to ten years of population at once does not fit in memory, one year at a time does.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from atlas.paths import PROJECT_DIR, named_file_bytes
from atlas.raw.files import SOURCES

MANIFEST_TABLE = "build_manifest"
POPULATION_SOURCE, CLAIMS_SOURCE = SOURCES
# What the SQL of a build depends on besides the extract.
PROJECT_INPUTS = ("models", "macros", "seeds", "dbt_project.yml", "profiles.yml")


@dataclass(frozen=True)
class DeliveredFile:
    source_name: str
    source_file: str
    size_bytes: int
    modified_ns: int
    years: tuple[int, ...]


@dataclass(frozen=True)
class UpdatePlan:
    """build_years None: a full build of every year. files and fingerprint: what the plan was
    made from, which the build records for the next run (empty for a step of a history)."""

    build_years: list[int] | None
    kept_years: list[int]
    reason: str
    files: tuple[DeliveredFile, ...] = ()
    fingerprint: str = ""
    # An update's narrowing of build_years; None where every part of those years is rebuilt.
    population_years: list[int] | None = None
    changed_claim_files: list[str] | None = None
    # The years whose rows the data tests of the per-year models check (var tested_years): every
    # year an update rebuilds, in all its steps, since the rows of the years it keeps passed them
    # when they were built, with the same project (the fingerprint). None: every row.
    tested_years: list[int] | None = None

    def dbt_vars(self) -> dict[str, object]:
        if self.build_years is None:
            return {}
        narrowed = {"population_build_years": self.population_years, "changed_claim_files": self.changed_claim_files,
                    "tested_years": self.tested_years}
        return {"build_years": self.build_years, **{name: value for name, value in narrowed.items() if value is not None}}

    def summary(self) -> list[str]:
        built = "every year" if self.build_years is None else (", ".join(map(str, self.build_years)) or "none")
        lines = [f"[run] years built: {built} ({self.reason})",
                 f"[run] years kept: {', '.join(map(str, self.kept_years)) or 'none'}"]
        if self.population_years is not None and self.changed_claim_files is not None:
            files = ", ".join(Path(name).name for name in self.changed_claim_files) or "none"
            lines.append(f"[run] of those years, population rebuilt: {', '.join(map(str, self.population_years)) or 'none'};"
                         f" claim lines checked again: those of {files}, and every line of a year whose population"
                         " was rebuilt")
        return lines


def delivered_files(file_rows: dict[str, dict[str, int]], file_years: dict[str, list[int]]) -> list[DeliveredFile]:
    files = []
    for source_name, rows_by_file in sorted(file_rows.items()):
        for source_file in sorted(rows_by_file):
            stat = os.stat(source_file)
            files.append(DeliveredFile(source_name, source_file, stat.st_size, stat.st_mtime_ns,
                                       tuple(file_years.get(source_file, []))))
    return files


def project_fingerprint(conventions: dict[str, object]) -> str:
    """Changes with any file the SQL is built from, and with how the extract is read."""
    digest = hashlib.sha256(json.dumps(conventions, sort_keys=True).encode())
    for name in PROJECT_INPUTS:
        for chunk in named_file_bytes(PROJECT_DIR / name):
            digest.update(chunk)
    return digest.hexdigest()


def recorded(database: Path) -> tuple[str, list[DeliveredFile]] | None:
    """The fingerprint and files of the build in database; None when there is none to update."""
    if not database.is_file():
        return None
    try:
        with duckdb.connect(str(database), read_only=True) as connection:
            rows = connection.execute(
                f"select fingerprint, source_name, source_file, size_bytes, modified_ns, years from {MANIFEST_TABLE}"
            ).fetchall()
    except duckdb.Error:  # a build from before the yearly update, or no build at all
        return None
    if not rows:
        return None
    return str(rows[0][0]), [DeliveredFile(str(row[1]), str(row[2]), int(row[3]), int(row[4]), tuple(row[5]))
                             for row in rows]


def plan(database: Path, files: list[DeliveredFile], fingerprint: str, full_refresh: bool) -> UpdatePlan:
    every_year = sorted({year for delivered in files for year in delivered.years})

    def made(build_years: list[int] | None, kept: list[int], reason: str) -> UpdatePlan:
        return UpdatePlan(build_years, kept, reason, tuple(files), fingerprint)

    if full_refresh:
        return made(None, [], "--full-refresh")
    previous = recorded(database)
    if previous is None:
        return made(None, [], "no earlier build to update")
    previous_fingerprint, previous_files = previous
    if previous_fingerprint != fingerprint:
        return made(None, [], "the project or the extract's conventions changed since the last build")
    changed = set(files) ^ set(previous_files)
    build_years = sorted({year for delivered in changed for year in delivered.years})
    kept = [year for year in every_year if year not in build_years]
    population_years = sorted({year for delivered in changed if delivered.source_name == POPULATION_SOURCE
                               for year in delivered.years})
    claim_files = sorted({delivered.source_file for delivered in changed if delivered.source_name == CLAIMS_SOURCE})
    return replace(made(build_years, kept, f"{len(changed)} file versions added, changed or removed"),
                   population_years=population_years, changed_claim_files=claim_files, tested_years=build_years)


def record(database: Path, update: UpdatePlan) -> None:
    """Write the manifest the plan was made from into the new build, for the next run to compare with."""
    with duckdb.connect(str(database)) as connection:
        connection.execute(f"create or replace table {MANIFEST_TABLE} (fingerprint varchar, source_name varchar, "
                           "source_file varchar, size_bytes bigint, modified_ns bigint, years integer[])")
        connection.executemany(f"insert into {MANIFEST_TABLE} values (?, ?, ?, ?, ?, ?)",
                               [[update.fingerprint, delivered.source_name, delivered.source_file, delivered.size_bytes,
                                 delivered.modified_ns, list(delivered.years)] for delivered in update.files])


def history_steps(claim_rows_by_year: dict[int, int], max_lines_per_step: int) -> list[list[int]]:
    """The years of a full build, in consecutive groups of at most max_lines_per_step claim lines
    (a year with more is a group of its own); one group when everything fits."""
    steps: list[list[int]] = []
    lines_in_step = 0
    for year in sorted(claim_rows_by_year):
        if steps and lines_in_step + claim_rows_by_year[year] <= max_lines_per_step:
            steps[-1].append(year)
            lines_in_step += claim_rows_by_year[year]
        else:
            steps.append([year])
            lines_in_step = claim_rows_by_year[year]
    return steps


def in_steps(update: UpdatePlan, claim_lines_by_year: dict[int, int], max_lines_per_step: int) -> list[UpdatePlan]:
    """The dbt builds of a run: one, or one per group of whole years of at most max_lines_per_step
    claim lines, for a full build (every year of claim_lines_by_year) or an update (its years)."""
    groups = history_steps(claim_lines_by_year, max_lines_per_step)
    if len(groups) <= 1:
        return [update]
    if update.build_years is None:
        return [UpdatePlan(group, [], "a step of the history") for group in groups]
    population = update.population_years
    return [replace(update, build_years=group, kept_years=[],
                    population_years=None if population is None else [year for year in population if year in group])
            for group in groups]
