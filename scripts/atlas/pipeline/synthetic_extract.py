"""The run command's fallback when nothing was delivered: a synthetic extract, generated beside
the raw directory and moved in whole; for a first run only, never over an earlier build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Sequence

from atlas.paths import PROJECT_DIR
from atlas.pipeline.errors import RunFailure


def has_raw_files(raw_dir: Path) -> bool:
    """Anything delivered (hidden entries aside): synthetic data only goes into an empty folder,
    never beside a file the check would reject (Claims_2023.parquet, a folder of parts)."""
    return any(not path.name.startswith(".") for path in raw_dir.iterdir())


def refuse_over_earlier_build(raw_dir: Path, outputs: Sequence[Path]) -> None:
    """RunFailure (exit 2) when one of the outputs (the working or the published database) exists.

    An empty raw directory next to a build is a delivery gone missing (a mount that did not come up,
    files moved away), not a wish for a demonstration: synthetic figures would be published over
    real ones, and the synthetic files left in the folder taken for the next delivery."""
    earlier = [path for path in outputs if os.path.lexists(path)]
    if earlier:
        raise RunFailure(
            f"{raw_dir} holds no extract, and {earlier[0]} holds an earlier build: synthetic data is only "
            "generated for a first run, never over figures already built or published",
            str(raw_dir),
            f"put the delivered files in {raw_dir} (is the folder or its mount the right one?) and run again; "
            "to try the synthetic data, give --database and --published-database paths of their own", exit_code=2)


def generate(raw_dir: Path, persons: int, first_year: int, last_year: int, seed: int) -> None:
    """Generate beside raw_dir, then move the files in: an interrupted generation must not leave
    half an extract that the next run would take for a delivery."""
    print(f"[run] {raw_dir} holds no extract: generating synthetic data "
          f"({persons:,} persons, {first_year}-{last_year}, seed {seed})", flush=True)
    staging = raw_dir.with_name(raw_dir.name + ".generating")
    shutil.rmtree(staging, ignore_errors=True)
    command = [sys.executable, str(PROJECT_DIR / "scripts" / "generate_synthetic_data.py"),
               "--out-dir", str(staging), "--persons", str(persons), "--first-year", str(first_year),
               "--last-year", str(last_year), "--seed", str(seed)]
    try:
        subprocess.run(command, check=True)
        for path in sorted(staging.iterdir()):
            os.replace(path, raw_dir / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
