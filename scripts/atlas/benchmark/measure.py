"""Run one command with its output in a log file, measuring wall time, the peak resident memory
of its whole process tree and the peak size of its spill folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import deque
from pathlib import Path
from typing import Sequence

from atlas.benchmark.process_tree import PeakSampler
from atlas.benchmark.report import gib, progress
from atlas.benchmark.results import FloorMeasurement, Measurement

from atlas.paths import PROJECT_DIR
TAIL_LINES = 60
# What the run says of its own work, worth seeing beside the benchmark's figures.
ECHOED_PREFIXES = ("[run] years built:", "[run] years kept:", "[run] done in")


class StepFailed(Exception):
    """A measured command exited with an error; its log tail has been printed."""


def run_measured(label: str, command: Sequence[str], log_path: Path, env: dict[str, str] | None = None,
                 spill_dir: Path | None = None) -> Measurement:
    """Run command from the project folder, its stdout and stderr into log_path."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    progress(f"{label}: log in {log_path}")
    with log_path.open("w") as log:
        started = time.monotonic()
        process = subprocess.Popen(list(command), cwd=PROJECT_DIR, env={**os.environ, **(env or {})},
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            with PeakSampler(process.pid, spill_dir) as sampler:
                returncode = process.wait()
        except BaseException:  # interrupted: the run must not go on building in the scratch folder
            process.kill()
            process.wait()
            raise
        seconds = time.monotonic() - started
    if returncode != 0:
        progress(f"{label} failed (exit {returncode}); the last {TAIL_LINES} lines of {log_path}:")
        print("".join(log_tail(log_path)), end="", file=sys.stderr, flush=True)
        raise StepFailed(f"{label} failed (exit {returncode}); see {log_path}")
    for line in echoed_lines(log_path):
        progress(f"{label}: {line}")
    return Measurement(seconds, sampler.peaks.tree_rss_bytes, sampler.peaks.directory_bytes)


def log_tail(log_path: Path, lines: int = TAIL_LINES) -> list[str]:
    with log_path.open(errors="replace") as log:
        return list(deque(log, maxlen=lines))


def echoed_lines(log_path: Path) -> list[str]:
    with log_path.open(errors="replace") as log:
        return [line.strip() for line in log if line.strip().startswith(ECHOED_PREFIXES)]


def measure_floor(raw_dir: Path, threads: int, work_dir: Path, attempts: int = 2) -> FloorMeasurement:
    """The floor query in a process of its own, `attempts` times; the fastest attempt. Its time
    is the query's, measured inside the process (not the interpreter's start)."""
    fastest: FloorMeasurement | None = None
    for attempt in range(1, attempts + 1):
        label = f"floor, attempt {attempt}/{attempts}"
        log_path = work_dir / f"floor_{attempt}.log"
        command = [sys.executable, "-m", "atlas.benchmark.floor", "--raw-dir", str(raw_dir),
                   "--threads", str(threads), "--temp-directory", str(work_dir / "floor_spill")]
        measurement = run_measured(label, command, log_path)
        result = floor_output(log_path)
        peak_rss_bytes = max(measurement.peak_rss_bytes, int(result.get("max_rss_bytes", 0)))
        current = FloorMeasurement(float(result["seconds"]), peak_rss_bytes, int(result["rows"]), int(result["persons"]))
        progress(f"{label}: {current.seconds:.2f} s, peak RSS {gib(current.peak_rss_bytes)}, "
                 f"{current.rows:,} rows, {current.persons:,} person-years")
        if fastest is None or current.seconds < fastest.seconds:
            fastest = current
    assert fastest is not None
    return fastest


def floor_output(log_path: Path) -> dict[str, float]:
    """The JSON line the floor module prints last (anything DuckDB warns comes before it)."""
    with log_path.open(errors="replace") as log:
        lines = [line for line in log if line.startswith("{")]
    if not lines:
        raise StepFailed(f"the floor printed no result; see {log_path}")
    result: dict[str, float] = json.loads(lines[-1])
    return result
