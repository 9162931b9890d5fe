"""The measured steps of one scale, each in a scale's scratch folder:

    <folder>/raw/          the extract (generated, or links to the files of --raw-dir)
    <folder>/run/          the run's outputs and its spill folder, emptied before each plain run
    <folder>/one_year/     increment only: the last year alone, its raw folder and outputs
    <folder>/floor/        the floor query's logs and spill folder
    <folder>/*.log         the output of every command
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from atlas.benchmark.measure import StepFailed, measure_floor, run_measured
from atlas.benchmark.report import describe, progress
from atlas.benchmark.results import IncrementMeasurement, Measurement, ScaleResult
from atlas.benchmark.scales import Scale, year_files

from atlas.paths import PROJECT_DIR
from atlas.pipeline.dbt_invocation import temp_directory
from atlas.pipeline.run import building_path
GENERATOR = PROJECT_DIR / "scripts" / "generate_synthetic_data.py"
RUN_COMMAND = PROJECT_DIR / "scripts" / "run_pipeline.py"
ASIDE = "last_year_aside"


def holds_files(directory: Path) -> bool:
    return directory.is_dir() and any(not path.name.startswith(".") for path in directory.iterdir())


def fresh_folder(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def generate_extract(scale: Scale, seed: int, folder: Path) -> tuple[Path, float | None]:
    """The raw folder of the scale's synthetic extract and the seconds its generation took
    (None when a kept folder already held it)."""
    raw = folder / "raw"
    if holds_files(raw) or holds_files(folder / ASIDE):
        progress(f"{scale.name}: reusing the extract already in {raw}")
        return raw, None
    # Generated beside, then renamed: an interrupted generation must not be reused next time.
    staging = fresh_folder(folder / "raw.generating")
    command = [sys.executable, str(GENERATOR), "--out-dir", str(staging), "--persons", str(scale.persons),
               "--first-year", str(scale.first_year), "--last-year", str(scale.last_year), "--seed", str(seed)]
    label = f"{scale.name}: generating {scale.persons:,} persons, {scale.years}, seed {seed}"
    measurement = run_measured(label, command, folder / "generate.log")
    shutil.rmtree(raw, ignore_errors=True)
    staging.rename(raw)
    progress(f"{scale.name}: generated in {measurement.seconds:.1f} s (not part of the run)")
    return raw, measurement.seconds


def link_extract(source: Path, folder: Path) -> Path:
    """A raw folder of links to the files of source, so that the increment can move its last
    year aside without touching the delivered extract."""
    raw = fresh_folder(folder / "raw")
    for path in sorted(source.iterdir()):
        if path.is_file():
            link_or_copy(path, raw / path.name)
    return raw


def link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copy2(source, target)


def run_pipeline(label: str, raw: Path, outputs: Path, log_path: Path, target: str = "duckdb") -> Measurement:
    """The run command on raw, every output and its spill under outputs (with target spark, the
    local session's catalog and tables too: docs/spark.md)."""
    command = [sys.executable, str(RUN_COMMAND), "--raw-dir", str(raw),
               "--database", str(outputs / "atlas.duckdb"),
               "--published-database", str(outputs / "atlas_published.duckdb"),
               "--export-dir", str(outputs / "exports"), "--target", target,
               # The generator follows the seeds' code lists, which have no MRI code before 2018-12: the
               # gate names MRI's zero figures of 2014-2017, and publishing them is what is timed.
               "--accept-quarantine", "benchmark of a synthetic extract"]
    # Where the build spills by default, beside its database (or $ATLAS_DUCKDB_TEMP_DIRECTORY): not
    # a folder of its own, since dbt parses the project again for a run whose profile differs.
    spill = temp_directory(building_path(outputs / "atlas.duckdb"))
    env = {"ATLAS_SPARK_DIR": str(outputs / "spark")}
    measurement = run_measured(label, command, log_path, env, spill)
    progress(f"{label}: {describe(measurement)}")
    return measurement


def benchmark_run(scale: Scale, raw: Path, folder: Path, generate_seconds: float | None, threads: int,
                  target: str = "duckdb") -> ScaleResult:
    """The run on a fresh set of outputs, then the floor on the same extract."""
    run = run_pipeline(f"{scale.name}: run", raw, fresh_folder(folder / "run"), folder / "run.log", target)
    floor = measure_floor(raw, threads, fresh_folder(folder / "floor"))
    return ScaleResult(scale.name, scale.persons, scale.years, generate_seconds, run, floor)


def benchmark_increment(scale: Scale, raw: Path, folder: Path, generate_seconds: float | None,
                        threads: int) -> ScaleResult:
    """History build without the last year, the run again with it (the update, on the same
    outputs), a build of the last year alone, then the floor on the whole extract."""
    aside = folder / ASIDE
    restore(aside, raw)  # left aside by an interrupted benchmark on a kept folder
    last_files = year_files(raw, scale.last_year)
    missing = [path.name for path in last_files if not path.is_file()]
    if missing:
        raise StepFailed(f"{scale.name}: {raw} has no {' and no '.join(missing)} to add as the last year")
    outputs = fresh_folder(folder / "run")
    aside.mkdir(exist_ok=True)
    for path in last_files:
        path.rename(aside / path.name)
    try:
        history = run_pipeline(f"{scale.name}: history build ({scale.first_year}-{scale.last_year - 1})", raw, outputs,
                               folder / "history.log")
    finally:
        restore(aside, raw)
    update = run_pipeline(f"{scale.name}: +1 year update ({scale.last_year})", raw, outputs, folder / "update.log")

    one_year_raw = fresh_folder(folder / "one_year" / "raw")
    for path in last_files:
        link_or_copy(path, one_year_raw / path.name)
    one_year = run_pipeline(f"{scale.name}: one-year build ({scale.last_year})", one_year_raw,
                            fresh_folder(folder / "one_year" / "run"), folder / "one_year.log")
    increment = IncrementMeasurement(history, update, one_year)
    floor = measure_floor(raw, threads, fresh_folder(folder / "floor"))
    return ScaleResult(scale.name, scale.persons, scale.years, generate_seconds, update, floor, increment)


def restore(aside: Path, raw: Path) -> None:
    if aside.is_dir():
        for path in aside.iterdir():
            path.rename(raw / path.name)
        aside.rmdir()
