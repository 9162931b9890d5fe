"""The figures the benchmark measures, one set per scale."""

from __future__ import annotations

from dataclasses import dataclass


def ratio(numerator: float, denominator: float) -> float | None:
    """None rather than infinity: a step too fast for the clock has no meaningful ratio."""
    return numerator / denominator if denominator > 0 else None


@dataclass(frozen=True)
class Measurement:
    """One run of a command: wall time, peak resident memory of its process tree, peak size of
    its spill folder."""

    seconds: float
    peak_rss_bytes: int
    peak_spill_bytes: int


@dataclass(frozen=True)
class FloorMeasurement:
    """The fastest of the floor query's attempts: the query's own time, its process's peak
    resident memory, the rows fetched and the person-years they count."""

    seconds: float
    peak_rss_bytes: int
    rows: int
    persons: int


@dataclass(frozen=True)
class IncrementMeasurement:
    """The yearly update: the build of every year but the last, the run once the last year is
    back in the raw folder (on the same outputs), and a build of the last year alone."""

    history: Measurement
    update: Measurement
    one_year: Measurement

    @property
    def update_ratio(self) -> float | None:
        return ratio(self.update.seconds, self.one_year.seconds)


@dataclass(frozen=True)
class ScaleResult:
    scale: str
    persons: int  # 0: an existing extract, not counted
    years: str
    generate_seconds: float | None  # None: the extract was not generated (reused or given)
    run: Measurement  # for increment: the update
    floor: FloorMeasurement
    increment: IncrementMeasurement | None = None

    @property
    def floor_ratio(self) -> float | None:
        return ratio(self.run.seconds, self.floor.seconds)
