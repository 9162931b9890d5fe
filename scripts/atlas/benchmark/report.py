"""What the benchmark prints: progress lines, the final table, and the same figures as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from atlas.benchmark.results import Measurement, ScaleResult

GIB = 2**30
COLUMNS = ("scale", "persons", "years", "generate", "run", "peak RSS", "spill", "floor", "floor RSS",
           "run / floor", "update / one-year build")


def progress(message: str) -> None:
    print(f"[benchmark] {message}", flush=True)


def gib(size_bytes: int) -> str:
    return f"{size_bytes / GIB:.2f} GiB"


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def times(value: float | None) -> str:
    # Two decimals below 10: the update's target is 1.5x, and 1.53x must not print as 1.5x.
    if value is None:
        return "-"
    return f"{value:.2f}x" if value < 10 else f"{value:.1f}x"


def describe(measurement: Measurement) -> str:
    return (f"{seconds(measurement.seconds)}, peak RSS {gib(measurement.peak_rss_bytes)} (process tree), "
            f"spill {gib(measurement.peak_spill_bytes)}")


def table_row(result: ScaleResult) -> tuple[str, ...]:
    generate = "not generated" if result.generate_seconds is None else seconds(result.generate_seconds)
    update = "-" if result.increment is None else times(result.increment.update_ratio)
    return (result.scale, f"{result.persons:,}" if result.persons else "extract", result.years, generate,
            seconds(result.run.seconds), gib(result.run.peak_rss_bytes), gib(result.run.peak_spill_bytes),
            seconds(result.floor.seconds), gib(result.floor.peak_rss_bytes), times(result.floor_ratio), update)


def format_table(results: list[ScaleResult]) -> str:
    rows = [COLUMNS, *(table_row(result) for result in results)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(width) if column == 0 else cell.rjust(width)
                       for column, (cell, width) in enumerate(zip(row, widths)))
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    notes = ["generate: the synthetic extract, not part of the run. run: the run command's wall time.",
             "peak RSS: the run's whole process tree. spill: the peak size of its DuckDB spill folder.",
             "floor: the fastest of two floor queries on the same extract (scripts/benchmark/floor.py)."]
    if any(result.increment for result in results):
        notes += ["increment: run is the +1 year update (after the history build, the run again with the last",
                  "year back); update / one-year build: its time over a build of the last year alone."]
    return "\n".join([*lines, "", *notes])


def increment_lines(result: ScaleResult) -> list[str]:
    if result.increment is None:
        return []
    increment = result.increment
    return [f"{result.scale}: history build {describe(increment.history)}",
            f"{result.scale}: +1 year update {describe(increment.update)}",
            f"{result.scale}: one-year build {describe(increment.one_year)}",
            f"{result.scale}: update / one-year build = {times(increment.update_ratio)}"]


def as_json(results: list[ScaleResult]) -> list[dict[str, Any]]:
    """The table's figures with their units in the key names."""
    entries = []
    for result in results:
        entry: dict[str, Any] = {
            "scale": result.scale,
            "persons": result.persons or None,
            "years": result.years,
            "generate_s": result.generate_seconds,
            "run": measurement_json(result.run),
            "floor": {"s": result.floor.seconds, "peak_rss_bytes": result.floor.peak_rss_bytes,
                      "rows": result.floor.rows, "person_years": result.floor.persons},
            "run_over_floor": result.floor_ratio,
        }
        if result.increment is not None:
            entry["increment"] = {
                "history_build": measurement_json(result.increment.history),
                "update": measurement_json(result.increment.update),
                "one_year_build": measurement_json(result.increment.one_year),
                "update_over_one_year_build": result.increment.update_ratio,
            }
        entries.append(entry)
    return entries


def measurement_json(measurement: Measurement) -> dict[str, Any]:
    return {"s": measurement.seconds, "peak_rss_bytes": measurement.peak_rss_bytes,
            "peak_spill_bytes": measurement.peak_spill_bytes}


def write_json(path: Path, results: list[ScaleResult]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(as_json(results), indent=2) + "\n")
