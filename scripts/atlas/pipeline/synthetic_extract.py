"""The run command's fallback when nothing was delivered: a synthetic extract, generated beside
the raw directory and moved in whole."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from atlas.paths import PROJECT_DIR


def has_raw_files(raw_dir: Path) -> bool:
    """Anything delivered (hidden entries aside): synthetic data only goes into an empty folder,
    never beside a file the check would reject (Claims_2023.parquet, a folder of parts)."""
    return any(not path.name.startswith(".") for path in raw_dir.iterdir())


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
