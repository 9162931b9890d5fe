"""Benchmark the run command (scripts/run_pipeline.py) at one or more scales, against a floor.

For each scale, in a scratch folder of its own:

1. generate the synthetic extract (scripts/generate_synthetic_data.py), timed apart: it is not
   part of the run;
2. run the run command (dbt build with its tests, plausibility gate, publication; with
   --target spark, on a local Spark session) as a subprocess, its output in a log file, DuckDB
   spilling beside the working database in the scratch folder (or into
   $ATLAS_DUCKDB_TEMP_DIRECTORY). Every 0.2 s a thread samples the resident memory of the whole
   process tree (the run, dbt and every other descendant, summed, from /proc) and the size of the
   spill folder; the peaks are reported (DuckDB deletes its spill files at the end);
3. time "the floor" after the run, so that the file cache is as warm: a single DuckDB query
   (scripts/benchmark/floor.py, as many threads as the dbt profile) scanning the same claims,
   keeping the imaging codes, summing per person and year, joining the population and the age
   bands and counting persons, persons with an exam and exams per year x commune x age band.
   It runs twice, each in a process of its own with its memory sampled the same way; the
   faster counts. Parquet extracts only.

Scales (--scale, several allowed, run in the order given):

  1m-1y        1,000,000 persons, 2023 (the default)
  belgium-1y   11,800,000 persons, 2023
  belgium-10y  11,800,000 persons, 2014-2023
  custom       --persons (default 1,000,000), --first-year to --last-year (default 2023);
               implied by --persons / --first-year / --last-year without --scale
  increment    the yearly update: --persons (default 1,000,000), --first-year to --last-year
               (default 2021-2023). The run without the last year's two files (the history
               build), then again with them on the same outputs (the +1 year update, the row's
               run figures), then the last year alone on fresh outputs: the update's time over
               that one-year build is printed as `update / one-year build`.

With --raw-dir the extract is not generated and the persons and years of the scales do not
apply: a scale other than increment is a run on that folder; increment works on hard links to
its files (copies on another file system), never moving the delivered files, and adds the
latest year that has a beneficiaries_<year>.parquet and a claims_<year>.parquet file.

Scratch folders: <dir>/<scale>-<persons>x<years>-seed<seed>/ (raw/ the extract, run/ the
outputs, *.log the output of each command), <dir> a temporary folder removed at the end, or
--keep-dir DIR, kept, where an extract already generated is reused (a 10-year extract is
generated once). The run's outputs are always built afresh.

The output: progress lines ([benchmark] ...), a table of one row per scale, and with --json
the same figures as JSON. Figures, not a test: the machines are shared, so compare within one
invocation. Exit 1 when a command fails (the last 60 lines of its log are printed).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

from atlas.benchmark.floor import profile_threads
from atlas.benchmark.measure import StepFailed
from atlas.benchmark.report import format_table, increment_lines, progress, write_json
from atlas.benchmark.results import ScaleResult
from atlas.benchmark.scales import (SCALE_NAMES, Scale, ScaleError, extract_scale,
                                      resolve_scales)
from atlas.benchmark.steps import benchmark_increment, benchmark_run, generate_extract, link_extract


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", nargs="+", action="extend", choices=SCALE_NAMES, metavar="SCALE",
                        help=f"scales to run, in order: {', '.join(SCALE_NAMES)} (repeatable; default: 1m-1y, "
                             "or custom when --persons or a year is given)")
    parser.add_argument("--persons", type=int, default=None,
                        help="beneficiaries per year of the custom and increment scales (default: 1,000,000)")
    parser.add_argument("--first-year", type=int, default=None,
                        help="first year of the custom and increment scales (default: the last year for custom, "
                             "two years before it for increment)")
    parser.add_argument("--last-year", type=int, default=None,
                        help="last year of the custom and increment scales (default: 2023)")
    parser.add_argument("--seed", type=int, default=42, help="synthetic data seed (default: %(default)s)")
    parser.add_argument("--raw-dir", type=Path, default=None,
                        help="benchmark this existing Parquet extract instead of generating one (never modified)")
    parser.add_argument("--keep-dir", type=Path, default=None,
                        help="scratch folder to keep and reuse: an extract already generated there is not "
                             "generated again (default: a temporary folder, removed at the end)")
    parser.add_argument("--threads", type=int, default=profile_threads(),
                        help="DuckDB threads of the floor query (default: the dbt profile's, %(default)s)")
    parser.add_argument("--target", choices=["duckdb", "spark"], default="duckdb",
                        help="the run command's --target: duckdb (default), or spark on a local session "
                             "(docs/spark.md; not with the increment scale, which is DuckDB's yearly update)")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH",
                        help="also write the figures as JSON to PATH (seconds, bytes)")
    args = parser.parse_args(argv)
    try:
        args.scales = chosen_scales(args)
    except ScaleError as error:
        parser.error(str(error))
    if args.target == "spark" and any(scale.increment for scale in args.scales):
        parser.error("the increment scale measures DuckDB's yearly update; on Spark every run builds every year")
    return args


def chosen_scales(args: argparse.Namespace) -> list[Scale]:
    if args.raw_dir is None:
        return resolve_scales(args.scale, args.persons, args.first_year, args.last_year)
    if args.persons is not None or args.first_year is not None or args.last_year is not None:
        raise ScaleError("--persons, --first-year and --last-year do not apply to an existing extract (--raw-dir)")
    if not args.raw_dir.is_dir():
        raise ScaleError(f"--raw-dir {args.raw_dir} is not a folder")
    scales = [extract_scale(name, args.raw_dir) for name in dict.fromkeys(args.scale or ["extract"])]
    for scale in scales:
        if scale.increment and scale.first_year == scale.last_year:
            raise ScaleError(f"increment: {args.raw_dir} holds one year only; the update needs a history before it")
    return scales


def scale_folder(scale: Scale, args: argparse.Namespace, base: Path) -> Path:
    if args.raw_dir is not None:
        return base / f"{scale.name}-{args.raw_dir.resolve().name}"
    return base / scale.folder_name(args.seed)


def benchmark_scale(scale: Scale, args: argparse.Namespace, base: Path) -> ScaleResult:
    folder = scale_folder(scale, args, base)
    folder.mkdir(parents=True, exist_ok=True)
    what = f"{scale.persons:,} persons, {scale.years}" if scale.persons else f"the extract in {args.raw_dir}"
    progress(f"{scale.name}: {what}; scratch folder {folder}")
    if args.raw_dir is not None:
        # The increment moves its last year aside: on links, not on the delivery.
        raw = link_extract(args.raw_dir.resolve(), folder) if scale.increment else args.raw_dir.resolve()
        generate_seconds = None
    else:
        raw, generate_seconds = generate_extract(scale, args.seed, folder)
    if scale.increment:
        result = benchmark_increment(scale, raw, folder, generate_seconds, args.threads)
    else:
        result = benchmark_run(scale, raw, folder, generate_seconds, args.threads, args.target)
    for line in increment_lines(result):
        progress(line)
    progress(f"{scale.name}: run {result.run.seconds:.1f} s, floor {result.floor.seconds:.2f} s")
    return result


def benchmark(args: argparse.Namespace, base: Path) -> int:
    progress(f"scales: {', '.join(scale.name for scale in args.scales)}; floor threads {args.threads}; "
             f"scratch {base}{'' if args.keep_dir else ' (removed at the end; keep it with --keep-dir)'}")
    started = time.monotonic()
    results: list[ScaleResult] = []
    returncode = 0
    try:
        for scale in args.scales:
            results.append(benchmark_scale(scale, args, base))
    except StepFailed as error:
        progress(f"stopped: {error}")
        returncode = 1
    if results:
        print(f"\n{format_table(results)}\n", flush=True)
    if args.json is not None and results:
        write_json(args.json, results)
        progress(f"figures written to {args.json}")
    progress(f"{'done' if returncode == 0 else 'failed'} in {time.monotonic() - started:.0f} s")
    return returncode


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.keep_dir is not None:
        args.keep_dir.mkdir(parents=True, exist_ok=True)
        return benchmark(args, args.keep_dir.resolve())
    with tempfile.TemporaryDirectory(prefix="atlas-benchmark-") as scratch:
        return benchmark(args, Path(scratch))


if __name__ == "__main__":
    sys.exit(main())
