"""The plausibility gate: after the build, before publication, compare what was delivered with what was used.

A build can pass every dbt test and still be wrong: when a delivery changes a convention (a
date format, the person_id key), the row rules quarantine the rows they cannot read, every
row is accounted for, and the indicators computed from what is left are published as if they
were right (every claim quarantined for its date gives imaging 0% everywhere). The gate
compares, in the built database (extract_reconciliation, quarantined_beneficiaries,
quarantined_claims):

- per source and year, the share of rows quarantined, in all and per reason (the geography
  flags included: those rows are used, but placed in no commune or sector);
- rows whose year does not parse, against the source's rows;
- the years of each source that the other lacks;
- each year's rows against the previous build, kept as the working database (it was published
  with it), when there is one; and the years of its population that this build lacks, whose
  figures would leave the publication. Without a working database, the publication in place
  gives the years and their populations (published_population);
- each indicator's country figure of a year against the previous build's (figure_changes.py);
- per year, the rows that need a column and have it empty: the used beneficiaries without a
  domicile or, placed in a commune, without a sector; the imaging lines without provider
  profession or qualification; the medical-house forfait and DMG lines without billing practice
  (empty_columns.py: a column delivered empty breaks no row rule);
- per claims year, the months with a small fraction of the year's monthly average of used lines:
  a file cut short, or a month left out (claim_months.py);
- per year, the indicators that count nobody in a large population: code lists without a code
  valid that year, or an extract without those codes (zero_figures.py).

The thresholds are dbt vars in dbt_project.yml (docs/running.md "Plausibility gate", one definition,
read here); beyond one, scripts/run_pipeline.py stops with exit 2 and publishes nothing unless
run with --accept-quarantine.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from atlas.pipeline import figure_changes
from atlas.pipeline.claim_months import sparse_month_findings
from atlas.pipeline.empty_columns import empty_column_findings
from atlas.pipeline.quarantine_causes import files_of, likely_cause
from atlas.pipeline.zero_figures import zero_figure_findings
from atlas.pipeline.errors import RunFailure
from atlas.project_vars import PROJECT_FILE, project_vars

_VARS = ("gate_max_quarantined_share", "gate_max_reason_share", "gate_min_rows",
         "gate_max_undelivered_year_share", "gate_max_volume_change", "gate_max_figure_change",
         "gate_min_figure_numerator", "gate_max_empty_column_share", "gate_min_month_share",
         "gate_min_monthly_lines", "gate_min_population_for_zero_figures")
_NOUNS = {"beneficiaries": "rows", "claims": "lines"}


@dataclass(frozen=True)
class Thresholds:
    max_quarantined_share: float
    max_reason_share: float
    min_rows: int
    max_undelivered_year_share: float
    max_volume_change: float
    max_figure_change: float
    min_figure_numerator: int
    max_empty_column_share: float
    min_month_share: float
    min_monthly_lines: int
    min_population_for_zero_figures: int


@dataclass(frozen=True)
class Finding:
    what: str  # aggregate counts only: recorded in the publication table when overridden
    cause: str

    def __str__(self) -> str:
        return f"{self.what}; {self.cause}" if self.cause else self.what


def load_thresholds(project_file: Path = PROJECT_FILE) -> Thresholds:
    """The gate's thresholds from the vars of dbt_project.yml."""
    variables = project_vars(*_VARS, project_file=project_file)
    return Thresholds(float(variables["gate_max_quarantined_share"]), float(variables["gate_max_reason_share"]),
                      int(variables["gate_min_rows"]), float(variables["gate_max_undelivered_year_share"]),
                      float(variables["gate_max_volume_change"]), float(variables["gate_max_figure_change"]),
                      int(variables["gate_min_figure_numerator"]), float(variables["gate_max_empty_column_share"]),
                      float(variables["gate_min_month_share"]), int(variables["gate_min_monthly_lines"]),
                      int(variables["gate_min_population_for_zero_figures"]))


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "all"


def _label(source: str, year: int | None) -> str:
    if year is not None:
        return f"{source} {year}"
    return "claims with no readable service date" if source == "claims" else "beneficiaries with no readable year"


Counts = dict[tuple[str, int | None], tuple[int, int]]  # (source, year) -> (rows read, rows quarantined)


_RECONCILIATION = "select source_name, year, rows_read, rows_quarantined from extract_reconciliation"


def _counts(rows: list[tuple[Any, ...]]) -> Counts:
    return {(source, year): (int(read), int(quarantined)) for source, year, read, quarantined in rows}


def previous_volumes(database: Path) -> Counts | None:
    """extract_reconciliation of the previous build, or None when there is none to compare with
    (no file, an older layout, or a file that is not a build)."""
    rows = figure_changes.rows_of(database, _RECONCILIATION)
    return None if rows is None else _counts(rows)


def published_population(published: Path) -> Counts | None:
    """The beneficiaries of each published year (its country denominator) as the previous build's
    population rows, when the working database that would say more is gone (deleted once published,
    being person-level): what the years and population sizes of a new build are compared with.
    None when nothing is published, or the file is not a publication."""
    years = figure_changes.rows_of(published, "select year, max(denominator) from indicator_values"
                                              " where geo_level = 'country' and age_band = 'total' group by year")
    if years is None:
        return None
    return {("beneficiaries", int(year)): (int(rows), 0) for year, rows in years if rows is not None}


def _quarantine_findings(connection: duckdb.DuckDBPyConnection, counts: Counts, years: set[int],
                         limits: Thresholds) -> list[Finding]:
    reasons = connection.execute(
        "select 'beneficiaries', year, reason_code, count(*) from quarantined_beneficiaries group by all"
        " union all select 'claims', service_year, reason_code, count(*) from quarantined_claims group by all"
        " order by 1, 2 nulls first, 4 desc"
    ).fetchall()
    totals: dict[str, int] = {}
    for (source, _), (read, _) in counts.items():
        totals[source] = totals.get(source, 0) + read
    findings: list[Finding] = []
    flagged: set[tuple[str, int | None]] = set()
    for source, year, reason, rows in reasons:
        if year is not None and year not in years:
            continue  # a year the population lacks: judged as a whole below
        # Rows without a year are judged against the whole source: they belong to no year.
        whole = counts.get((source, year), (0, 0))[0] if year is not None else totals.get(source, 0)
        if rows >= limits.min_rows and rows > limits.max_reason_share * whole:
            flagged.add((source, year))
            noun = _NOUNS[source]
            files = f" (in {files_of(connection, source, reason, year)})" if year is None else ""
            findings.append(Finding(
                f"{_label(source, year)}: {_percent(rows, whole)} of the {noun} ({rows:,} of {whole:,}) "
                f"quarantined as {reason}{files}", likely_cause(connection, source, reason, year)))
    for (source, year), (read, quarantined) in sorted(counts.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
        if (source, year) in flagged or year is None or year not in years:
            continue
        if quarantined >= limits.min_rows and quarantined > limits.max_quarantined_share * read:
            largest = ", ".join(f"{reason} {rows:,}" for reason_source, reason_year, reason, rows in reasons
                                if (reason_source, reason_year) == (source, year))
            findings.append(Finding(f"{source} {year}: {_percent(quarantined, read)} of the {_NOUNS[source]} "
                                    f"({quarantined:,} of {read:,}) quarantined, for several reasons",
                                    f"by reason: {largest}"))
    return findings


def _year_findings(counts: Counts, limits: Thresholds) -> list[Finding]:
    population = {year for (source, year), (read, _) in counts.items()
                  if source == "beneficiaries" and year is not None and read}
    claims = {year: read for (source, year), (read, _) in counts.items() if source == "claims" and year is not None}
    all_claims = sum(read for (source, _), (read, _) in counts.items() if source == "claims")
    findings = [Finding(f"beneficiaries {year}: {counts[('beneficiaries', year)][0]:,} rows, but no claim line "
                        f"dated in {year}", f"the claims file of {year} is missing, or its dates do not parse")
                for year in sorted(population) if not claims.get(year)]
    for year, read in sorted(claims.items()):
        # Late bookings put a few lines in the year before the first: only a volume is a missing file.
        if year not in population and read >= limits.min_rows and read > limits.max_undelivered_year_share * all_claims:
            findings.append(Finding(
                f"claims {year}: {read:,} lines ({_percent(read, all_claims)} of the claims) in a year the "
                "population file does not cover", f"the population file of {year} is missing from the extract"))
    return findings


def _volume_findings(counts: Counts, previous: Counts, limits: Thresholds) -> list[Finding]:
    population = {year for (source, year) in counts if source == "beneficiaries" and year is not None}
    findings = []
    for (source, year), (before, _) in sorted(previous.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
        if year is None or year not in population or before < limits.min_rows:
            continue
        now = counts.get((source, year), (0, 0))[0]
        if abs(now - before) > limits.max_volume_change * before:
            findings.append(Finding(
                f"{source} {year}: {now:,} {_NOUNS[source]} delivered, {before:,} in the previous build "
                f"({(now - before) / before:+.1%})",
                "a file missing, cut short or delivered twice? Compare the files with the previous delivery"))
    return findings


def _withdrawn_year_findings(counts: Counts, previous: Counts, limits: Thresholds) -> list[Finding]:
    """The years of the previous build's population that this build lacks, as one finding."""
    population = {year for (source, year), (read, _) in counts.items()
                  if source == "beneficiaries" and year is not None and read}
    before = {year: read for (source, year), (read, _) in previous.items()
              if source == "beneficiaries" and year is not None and read >= limits.min_rows}
    withdrawn = sorted(set(before) - population)
    if not withdrawn:
        return []
    years = ", ".join(map(str, withdrawn))
    rows = sum(before[year] for year in withdrawn)
    cause = ("none of the previous build's years is in this extract: is it the right folder, or another "
             "extract?" if population.isdisjoint(before) else
             "their files are no longer in the extract: if they were withdrawn on purpose, publish with the override")
    return [Finding(f"beneficiaries {years}: {rows:,} rows in the previous build, none in this one; "
                    "their figures would leave the publication", cause)]


def _figure_findings(building: Path, previous: figure_changes.Figures, limits: Thresholds) -> list[Finding]:
    moved = figure_changes.changed_figures(figure_changes.country_figures(building) or {}, previous,
                                           limits.max_figure_change, limits.min_figure_numerator)
    return [Finding(figure_changes.describe(year, found),
                    "rows neither quarantined nor missing, yet counted otherwise: nomenclature codes the seeds' "
                    "code lists no longer recognise, or another extract's file? Compare with the previous delivery")
            for year, found in moved.items()]


def _missing_data_findings(connection: duckdb.DuckDBPyConnection, limits: Thresholds,
                           years: Collection[int] | None) -> list[Finding]:
    return [Finding(what, cause) for what, cause in
            empty_column_findings(connection, limits.min_rows, limits.max_empty_column_share, years)
            + sparse_month_findings(connection, limits.min_monthly_lines, limits.min_month_share, years)
            + zero_figure_findings(connection, limits.min_population_for_zero_figures, years)]


def check_build(building: Path, previous: Counts | None, limits: Thresholds,
                previous_figures: figure_changes.Figures | None = None,
                built_years: Collection[int] | None = None) -> list[Finding]:
    """What looks wrong in the built database (empty when it may be published). built_years: the
    years an update rebuilt, the only ones whose empty columns, months and zero figures are judged
    (None: a full build, every year)."""
    with duckdb.connect(str(building), read_only=True) as connection:
        counts = _counts(connection.execute(_RECONCILIATION).fetchall())
        population = {year for (source, year) in counts if source == "beneficiaries" and year is not None}
        findings = (_quarantine_findings(connection, counts, population, limits)
                    + _missing_data_findings(connection, limits, built_years))
    findings += _year_findings(counts, limits)
    if previous is not None:
        findings += _volume_findings(counts, previous, limits) + _withdrawn_year_findings(counts, previous, limits)
    if previous_figures is not None:
        findings += _figure_findings(building, previous_figures, limits)
    return findings


def verdict(building: Path, database: Path, raw_dir: Path, accept: str | None, published: Path | None = None,
            built_years: Collection[int] | None = None) -> str:
    """What the publication table records of the gate ('passed', or the override and what was
    found); RunFailure (exit 2) listing the findings when they stop the run.

    database is the working database in place, the previous build, for the volumes; without it,
    the published database in place gives the years and populations it published. built_years:
    see check_build.
    """
    previous, figures = previous_volumes(database), figure_changes.country_figures(database)
    if previous is None and published is not None:
        previous, figures = published_population(published), figure_changes.country_figures(published)
    findings = check_build(building, previous, load_thresholds(), figures, built_years)
    if not findings:
        print("[run] plausibility gate: passed", flush=True)
        return "passed"
    listing = "\n".join(f"    - {finding}" for finding in findings)
    if accept is None:
        raise RunFailure(
            f"the build looks wrong, so nothing was published (docs/running.md \"Plausibility gate\"):\n{listing}",
            f"the extract in {raw_dir}; thresholds: the gate_* vars of dbt_project.yml",
            "correct the extract and run again; if these figures are right, run again with "
            "--accept-quarantine \"<why>\" to publish anyway (recorded in the publication table)", exit_code=2)
    print(f"[run] plausibility gate overridden with --accept-quarantine; it found:\n{listing}", flush=True)
    found = "; ".join(finding.what for finding in findings)
    return f"overridden with --accept-quarantine: {accept or 'no note given'}; found: {found}"
