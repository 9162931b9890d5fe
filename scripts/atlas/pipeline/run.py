"""Run the Atlas pipeline: synthetic data if the raw directory is empty, `dbt build`, publication.

Called by scripts/run.sh inside the project's virtualenv. The steps, in order:

1. the raw extract: generated if the raw directory holds none;
2. `dbt build` (models and data tests) into a temporary file beside the working database
   (`<name>.building.duckdb`); if it fails, that file is deleted and nothing else is touched.
   Only the years whose delivered files changed since the last build are rebuilt, on a copy of
   the working database (scripts/yearly_update.py); the first build and --full-refresh build all;
3. the plausibility gate (scripts/atlas/pipeline/plausibility_gate.py): a build that departs from what real
   extracts look like stops the run (exit 2) unless --accept-quarantine is given;
4. the published database and the exports are written under temporary names and checked
   (scripts/publish_database.py);
5. everything moves into place: the new build onto the working database, the new published
   file into published/ with the published path's link swapped onto it (readers holding the
   old version keep it), the new export folder onto the old one;
6. a summary of what was written.

One run at a time per set of outputs (a lock file beside each). Whatever stops a run ends in
one message (what, where, what to do) and exit 2 for a problem of the input, 1 otherwise, with
the outputs as they were (scripts/run_errors.py). Paths come from the options, else from ATLAS_RAW_DIR / ATLAS_DUCKDB_PATH /
ATLAS_PUBLISHED_DUCKDB_PATH / ATLAS_EXPORT_DIR, else the defaults under data/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
import traceback
from pathlib import Path
from typing import Sequence

import duckdb

import atlas.indicator_models as indicator_models
import atlas.pipeline.plausibility_gate as plausibility_gate
import atlas.publication.errors as publication_errors
import atlas.publication.files as publication_files
import atlas.publication.staging as publication_staging
import atlas.pipeline.errors as run_errors
import atlas.pipeline.lock as run_lock
import atlas.pipeline.yearly_update as yearly_update
import atlas.spark.build as spark_build
from atlas.pipeline.arguments import parse_args
from atlas.pipeline.dbt_invocation import dbt_build, extract_bytes, raw_link, temp_directory
from atlas.pipeline.summary import print_summary
from atlas.pipeline.synthetic_extract import generate, has_raw_files, refuse_over_earlier_build
from atlas.raw.check import CheckResult, check_extract, report


def building_path(database: Path) -> Path:
    """The temporary file dbt builds into, beside the working database."""
    return publication_files.temporary_path(database, "building")


def check_output_paths(database: Path, published: Path, export_dir: Path) -> int:
    """0, or 2 when the outputs collide or another process holds one of the files for writing."""
    if len({database, published, building_path(database), export_dir}) < 4:
        print("[run] error: the working database, the published database and the export folder must be "
              "different paths", file=sys.stderr)
        return 2
    for path in (database, building_path(database), published):
        holder = publication_files.writer_lock_holder(path)
        if holder:
            print(f"[run] error: {path} is open for writing by another process (a BI tool, or another run); "
                  f"close it and run again.\n  {holder}", file=sys.stderr)
            return 2
    return 0


def prepare_raw_extract(raw_dir: Path, building: Path, args: argparse.Namespace,
                        outputs: Sequence[Path]) -> CheckResult | None:
    """What the structural check found (format, conventions, rows per file), after generating
    synthetic data into an empty raw_dir when none of the outputs exists yet, and checking the
    structure (docs/raw_data.md); None when it does not match."""
    if not (raw_dir.is_dir() and has_raw_files(raw_dir)):
        refuse_over_earlier_build(raw_dir, outputs)
        raw_dir.mkdir(parents=True, exist_ok=True)
        generate(raw_dir, args.persons, args.first_year, args.last_year, args.seed)
    check = check_extract(raw_dir, copies_path(building))
    report(check)
    if not check.ok:
        print(f"[run] stopped before the build: the raw extract in {raw_dir} does not match the contract "
              "(README \"The raw contract\"); nothing was built or overwritten", file=sys.stderr)
        return None
    return check


def copies_path(building: Path) -> Path:
    """Where UTF-8 copies of a Windows-1252 extract are written for the build (raw_transcoding.py)."""
    return building.with_name(building.name + ".utf8")


def remove_build(building: Path) -> None:
    """The temporary build, its write-ahead log, what DuckDB spilled beside it and the link the
    build read the extract through (left by a killed run)."""
    publication_files.remove_database_file(building)
    shutil.rmtree(temp_directory(building), ignore_errors=True)
    raw_link(building).unlink(missing_ok=True)


def check_plausibility(building: Path, database: Path, raw_dir: Path, accept: str | None, published: Path,
                       update: yearly_update.UpdatePlan) -> str:
    """What the publication table records of the gate; RunFailure (exit 2) when it stops the run."""
    try:
        return plausibility_gate.verdict(building, database, raw_dir, accept, published, update.build_years)
    except BaseException:
        remove_build(building)
        raise


def extract_fingerprint(check: CheckResult) -> str:
    return yearly_update.project_fingerprint({**check.convention_vars(), "raw_typed_columns": check.typed_columns()})


def plan_update(database: Path, check: CheckResult, full_refresh: bool) -> yearly_update.UpdatePlan:
    files = yearly_update.delivered_files(check.file_rows, check.file_years)
    update = yearly_update.plan(database, files, extract_fingerprint(check), full_refresh)
    for line in update.summary():
        print(line, flush=True)
    return update


# An earlier step of a long history: every per-year model (macro per_year_model tags them) and
# their parents, without tests (the last step's `dbt build` builds and tests everything).
EARLIER_STEP = ("--select", "+tag:per_year", "--resource-type", "seed", "--resource-type", "model")


def build_steps(check: CheckResult, update: yearly_update.UpdatePlan,
                max_lines_per_step: int) -> list[yearly_update.UpdatePlan]:
    """The dbt builds of a run: one, or one per group of years when a full build of a long history
    or an update of several years would join more claim lines at once than fit in memory."""
    claim_rows = check.year_rows["claims"]
    years = {*claim_rows, *check.year_rows["beneficiaries"]} if update.build_years is None else set(update.build_years)
    steps = yearly_update.in_steps(update, {year: claim_rows.get(year, 0) for year in years}, max_lines_per_step)
    if len(steps) > 1:
        groups = [step.build_years or [] for step in steps]
        print(f"[run] the {'history' if update.build_years is None else 'update'} is built in {len(steps)} steps of "
              f"at most {max_lines_per_step:,} claim lines: "
              + "; ".join(f"{group[0]}-{group[-1]}" if len(group) > 1 else str(group[0]) for group in groups), flush=True)
    return steps


def build_in_steps(raw_dir: Path, building: Path, check: CheckResult, update: yearly_update.UpdatePlan,
                   max_lines_per_step: int) -> int:
    """The DuckDB build: one `dbt build`, or one per step of a long history; the first failure's exit code."""
    if update.build_years == []:
        # Same files, read the same way, by the same project (the plan's fingerprint): same tables.
        print("[run] dbt build skipped: no year to rebuild, the working database is republished as it is", flush=True)
        return 0
    steps = build_steps(check, update, max_lines_per_step)
    for index, step in enumerate(steps):
        returncode = dbt_build(raw_dir, building, check, step, EARLIER_STEP if index < len(steps) - 1 else ())
        if returncode != 0:
            return returncode
    return 0


def build_database(raw_dir: Path, building: Path, database: Path, check: CheckResult,
                   update: yearly_update.UpdatePlan, args: argparse.Namespace) -> int:
    """`dbt build` into the temporary file, from a copy of the working database when only some
    years are rebuilt; on failure delete it (the outputs in place stay as they are)."""
    building.parent.mkdir(parents=True, exist_ok=True)
    publication_files.remove_database_file(building)  # left by an interrupted run
    try:
        if update.build_years is not None:
            shutil.copyfile(database, building)
        if args.target == spark_build.TARGET:
            returncode = spark_build.build_on_spark(raw_dir, building, database, check, update)
        else:
            returncode = build_in_steps(raw_dir, building, check, update, args.max_lines_per_step)
        if returncode == 0:
            yearly_update.record(building, update)
            # Everything in the file, no write-ahead log beside it, before it is moved.
            with duckdb.connect(str(building)) as connection:
                connection.execute("checkpoint")
    except BaseException:
        remove_build(building)
        raise
    if returncode != 0:
        remove_build(building)
        print(f"[run] dbt build failed (exit {returncode}); see the messages above and logs/dbt.log. "
              "The working database, the published database and the exports were left as they were.",
              file=sys.stderr)
    return returncode


def stage_publication(building: Path, published: Path, export_dir: Path,
                      gate: str) -> publication_staging.StagedPublication | None:
    """Write and check the published database and exports under temporary names (None on failure)."""
    print(f"[run] publishing: {published}, exports in {export_dir}", flush=True)
    try:
        return publication_staging.stage_publication(building, published, export_dir, gate)
    except publication_errors.PublishError as error:
        publication_files.remove_database_file(building)
        print(f"[run] publication failed: {error}\n"
              "The working database, the published database and the exports were left as they were.",
              file=sys.stderr)
        return None
    except BaseException:
        publication_files.remove_database_file(building)
        raise


def put_in_place(building: Path, database: Path, staged: publication_staging.StagedPublication) -> None:
    """Move the new build onto the working database, then the new published file and exports."""
    try:
        publication_files.replace_database_file(building, database)
        staged.commit()
    except BaseException:
        publication_files.remove_database_file(building)
        staged.discard()
        raise


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    raw_dir = args.raw_dir.resolve()
    database = args.database.resolve()
    published = Path(os.path.abspath(args.published_database))  # the link itself, not its target
    export_dir = args.export_dir.resolve()
    building = building_path(database)

    run_lock.check_output_kinds(database, published, export_dir)
    if len({database, published, building, export_dir}) < 4:
        return check_output_paths(database, published, export_dir)
    with run_lock.outputs_locked([database, published, export_dir]):
        returncode = check_output_paths(database, published, export_dir)
        if returncode != 0:
            return returncode
        try:
            # The indicator tables' models follow the registry seed (README "Adding an indicator"),
            # before the plan, so that the project's fingerprint sees a new indicator.
            if indicator_models.main([]) != 0:
                raise run_errors.RunFailure(
                    "the indicator models could not be generated from the registry (the line above says why)",
                    "seeds/indicator_registry.csv", "correct the registry row it names, then run again", 2)
            check = prepare_raw_extract(raw_dir, building, args, [database, published])
            if check is None:
                return 2
            # Spark builds every year (docs/spark.md): its tables are not copied like a DuckDB file.
            update = plan_update(database, check, args.full_refresh or args.target == spark_build.TARGET)
            returncode = build_database(raw_dir, building, database, check, update, args)
            if returncode != 0:
                return returncode
        finally:
            shutil.rmtree(copies_path(building), ignore_errors=True)
        gate = check_plausibility(building, database, raw_dir, args.accept_quarantine, published, update)
        staged = stage_publication(building, published, export_dir, gate)
        if staged is None:
            return 1
        put_in_place(building, database, staged)
    print_summary(database, published, export_dir, time.monotonic() - started)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv, __doc__ or "")
    try:
        with run_errors.interrupts_raised():
            return run(args)
    except Exception as error:  # noqa: BLE001 - every failure becomes one message
        failure = run_errors.explain(error, temp_directory(building_path(args.database.resolve())),
                                     extract_bytes(args.raw_dir.resolve()))
    except (KeyboardInterrupt, run_errors.Interrupted) as error:
        failure = run_errors.explain(error, temp_directory(building_path(args.database.resolve())), 0)
    if os.environ.get("ATLAS_DEBUG"):
        traceback.print_exc()
    print(f"[run] {failure}", file=sys.stderr, flush=True)
    return failure.exit_code


if __name__ == "__main__":
    sys.exit(main())
