"""The README's run command: generates data into an empty raw directory, builds, lists tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import PROJECT_DIR

RUN_PIPELINE = PROJECT_DIR / "scripts" / "run_pipeline.py"


def run_pipeline(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(RUN_PIPELINE), *args], cwd=PROJECT_DIR,
                          capture_output=True, text=True, check=False)


def test_help_lists_the_options() -> None:
    result = run_pipeline("--help")
    assert result.returncode == 0
    for option in ("--raw-dir", "--database", "--persons", "--first-year", "--last-year", "--seed"):
        assert option in result.stdout


def test_generates_when_empty_then_reuses_the_extract(tmp_path: Path) -> None:
    raw_dir, database = tmp_path / "raw", tmp_path / "out" / "atlas.duckdb"
    args = ("--raw-dir", str(raw_dir), "--database", str(database), "--persons", "1500",
            "--first-year", "2016", "--last-year", "2016")
    first = run_pipeline(*args)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-2000:]
    assert "generating synthetic data" in first.stdout
    assert f"DuckDB file: {database}" in first.stdout
    for table in ("cube_013_001", "cube_013_002", "cube_013_023", "stat_013_007", "stat_003_007"):
        assert f"main.{table} " in first.stdout
    generated = sorted(p.name for p in raw_dir.iterdir())
    second = run_pipeline(*args)
    assert second.returncode == 0, second.stdout[-3000:]
    assert "generating synthetic data" not in second.stdout
    assert sorted(p.name for p in raw_dir.iterdir()) == generated
    # the synthetic data hold a few bad rows by design: the summary accounts for them
    assert "claims: " in second.stdout and " quarantined" in second.stdout
    assert "duplicate_claim_line" in second.stdout and "service_year_not_delivered" in second.stdout


def test_half_an_extract_is_refused_with_the_reason(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    raw_dir.mkdir()
    (raw_dir / "beneficiaries_2016.parquet").write_bytes(b"")
    result = run_pipeline("--raw-dir", str(raw_dir), "--database", str(tmp_path / "atlas.duckdb"))
    assert result.returncode == 2
    assert "no claims file" in result.stderr and "nothing was built or overwritten" in result.stderr
    assert "Traceback" not in result.stderr
