"""One audit: publication -> quantities -> relations -> intervals -> verdicts."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import numpy as np

from .judgement import attach_intervals, attach_truth, inconsistencies, judge_rows
from .propagation import Intervals, NotSmallFlags, SmallCellFlags, propagate
from .quantities import build_quantities, open_publication
from .relations import FloatArray, IntArray, Relations, build_relations
from .standardised import apply_ratio_bounds, derive_observed_counts
from .standardised_checks import StandardisedFindings, check_standardised
from .summary import Summary, summarise

Progress = Callable[[str], None]


@dataclass
class AuditResult:
    quantities: int
    withheld_quantities: int
    constraints: int
    inequalities: int
    intervals: Intervals
    summary: Summary
    errors: list[str] = field(default_factory=list)
    has_truth: bool = False
    seconds: float = 0.0
    # (family, year, geo_level, geo_code, age_band) -> (lower, upper) of every unpublished
    # quantity, when asked for (tests and small publications).
    withheld: dict[tuple[str, int, str, str, str], tuple[float, float]] = field(default_factory=dict)
    standardised: StandardisedFindings = field(default_factory=StandardisedFindings)

    @property
    def exit_code(self) -> int:
        return 1 if self.summary.failed or self.standardised.failed or self.errors else 0


def _initial_bounds(connection: duckdb.DuckDBPyConnection) -> tuple[FloatArray, FloatArray]:
    """Published figures are known exactly; a published row's beneficiaries are >= 1 (an empty
    cell has no row); everything else is >= 0."""
    columns = connection.execute("""
        select coalesce(published_value, case when family = 'D' and not is_pseudo then 1 else 0 end)::double,
            coalesce(published_value::double, 'inf'::double)
        from quantities order by qid
    """).fetchnumpy()
    lower, upper = (np.asarray(columns[name], dtype=np.float64) for name in columns)
    return lower, upper


def _proved_by_rows(connection: duckdb.DuckDBPyConnection, relations: Relations, max_rounds: int) -> FloatArray:
    """What the rows alone prove of each quantity, whatever the published figures: a published
    row's beneficiaries are >= 1, a total at least the sum of its parts, up every chain of
    units and bands."""
    columns = connection.execute("""
        select case when family = 'D' and not is_pseudo then 1 else 0 end::double as rows_lower
        from quantities order by qid
    """).fetchnumpy()
    lower = np.asarray(columns["rows_lower"], dtype=np.float64)
    nothing = np.zeros(0, dtype=np.int64)
    return propagate(relations, lower, np.full(len(lower), np.inf), SmallCellFlags(nothing, nothing, 1),
                     max_rounds=max_rounds).lower


def _flag_quantities(connection: duckdb.DuckDBPyConnection, flag: str) -> tuple[IntArray, IntArray]:
    columns = connection.execute(
        "select individuals_qid, denominator_qid from row_quantities where suppression_flag = ?", [flag]
    ).fetchnumpy()
    return (np.asarray(columns["individuals_qid"], dtype=np.int64),
            np.asarray(columns["denominator_qid"], dtype=np.int64))


def _withheld_intervals(connection: duckdb.DuckDBPyConnection) -> dict[tuple[str, int, str, str, str],
                                                                      tuple[float, float]]:
    rows = connection.execute("""
        select q.family, q.year, q.geo_level, q.geo_code, q.age_band, i.lower + 0.0, i.upper + 0.0
        from quantities as q join intervals as i using (qid) where q.published_value is null
    """).fetchall()
    return {(str(f), int(y), str(level), str(code), str(band)): (float(lower), float(upper))
            for f, y, level, code, band, lower, upper in rows}


def run_audit(published: Path, seeds_dir: Path, threshold: int = 5, working: Path | None = None,
              secondary_not_small: bool = False, max_rounds: int = 500, sample_size: int = 20,
              progress: Progress | None = None, keep_intervals: bool = False,
              read_small_flags: bool = True, patient_coverage: bool = False) -> AuditResult:
    say = progress or (lambda message: None)
    started = time.monotonic()
    with open_publication(published, seeds_dir) as connection:
        say("reading the publication into quantities")
        remainders = build_quantities(connection, patient_coverage)
        say("building the relations")
        relations: Relations = build_relations(connection, remainders, patient_coverage)
        lower, upper = _initial_bounds(connection)
        withheld_quantities = int(np.count_nonzero(lower < upper))
        # ratio x expected is the numerator: a withheld one it bounds is known to the outsider.
        derive_observed_counts(connection)
        bounded = apply_ratio_bounds(connection, lower, upper)
        if bounded:
            say(f"{bounded:,} withheld numerators bounded by standardised_ratio x expected")
        say(f"{len(lower):,} quantities ({withheld_quantities:,} withheld), "
            f"{relations.constraints:,} equality groups ({len(relations.term_qid):,} terms), "
            f"{len(relations.le_low):,} inequalities ({time.monotonic() - started:.1f} s)")
        # Without reading the small flags the outsider only subtracts and adds (the outsider).
        proved = _proved_by_rows(connection, relations, max_rounds)
        individuals, beneficiaries = _flag_quantities(connection, "small_cell" if read_small_flags else "")
        small = SmallCellFlags(individuals, beneficiaries, threshold, proved[beneficiaries])
        not_small = (NotSmallFlags(*_flag_quantities(connection, "secondary"), threshold=threshold)
                     if secondary_not_small else None)
        intervals = propagate(relations, lower, upper, small, not_small, max_rounds, say)
        say("judging the withheld cells")
        attach_intervals(connection, intervals, proved)
        has_truth = attach_truth(connection, working)
        judge_rows(connection, threshold)
        errors = inconsistencies(connection, has_truth)
        if intervals.contradictions:
            errors.append(f"{intervals.contradictions:,} quantities got an empty interval: the published "
                          "figures contradict the relations")
        if not intervals.converged:
            say(f"warning: no fixed point after {intervals.rounds} rounds; the intervals are sound but may be wider")
        summary = summarise(connection, sample_size)
        standardised = check_standardised(connection, sample_size)
        errors += standardised.errors
        withheld = _withheld_intervals(connection) if keep_intervals else {}
    return AuditResult(
        quantities=len(lower), withheld_quantities=withheld_quantities,
        constraints=relations.constraints, inequalities=len(relations.le_low), intervals=intervals,
        summary=summary, errors=errors, has_truth=has_truth, seconds=time.monotonic() - started,
        withheld=withheld, standardised=standardised,
    )
