"""Tests of the benchmark command (scripts/benchmark_run.py and scripts/benchmark/): the
process-tree and folder samplers, the floor query on a tiny synthetic extract, the scales and
the command line. No dbt build: the whole command is too slow for the test suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_DIR, generate_synthetic

from atlas.benchmark import steps
from atlas.benchmark.floor import run_floor
from atlas.benchmark.measure import measure_floor
from atlas.benchmark.process_tree import PeakSampler, directory_bytes, tree_rss
from atlas.benchmark.report import format_table
from atlas.benchmark.results import FloorMeasurement, IncrementMeasurement, Measurement, ScaleResult
from atlas.benchmark.scales import Scale, ScaleError, resolve_scales

MIB = 2**20
# The memory is written, not only reserved: a zero-filled bytearray would stay mostly unmapped.
CHILD = "import time; block = b'x' * (200 * 2**20); time.sleep(1)"
PARENT = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {CHILD!r}], check=True)"


def test_tree_rss_counts_the_descendants() -> None:
    process = subprocess.Popen([sys.executable, "-c", PARENT])
    with PeakSampler(process.pid) as sampler:
        process.wait()
    assert process.returncode == 0
    peaks = sampler.peaks
    assert peaks.tree_rss_bytes >= 180 * MIB, peaks
    # The parent holds only an interpreter: the 200 MiB were seen in its child.
    assert peaks.tree_rss_bytes > peaks.root_rss_bytes + 150 * MIB, peaks


def test_tree_rss_of_this_process_and_of_none() -> None:
    own_tree, own = tree_rss(os.getpid())
    assert own_tree >= own > 0
    assert tree_rss(2**22 + 1) == (0, 0)  # above the kernel's largest pid: a process that is gone


def test_directory_peak_outlives_the_deleted_files(tmp_path: Path) -> None:
    spill = tmp_path / "spill"
    assert directory_bytes(spill) == 0
    with PeakSampler(None, spill, interval=0.05) as sampler:
        (spill / "nested").mkdir(parents=True)
        (spill / "first.tmp").write_bytes(b"0" * 300_000)
        (spill / "nested" / "second.tmp").write_bytes(b"0" * 700_000)
        time.sleep(0.3)
        assert directory_bytes(spill) == 1_000_000
        shutil.rmtree(spill)  # as DuckDB removes its spill files at the end
        time.sleep(0.2)
    assert sampler.peaks.directory_bytes == 1_000_000
    assert sampler.peaks.tree_rss_bytes == 0


@pytest.fixture(scope="module")
def tiny_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw_dir = tmp_path_factory.mktemp("benchmark") / "raw"
    generate_synthetic(raw_dir, 300, 2023, 2023, seed=42)
    return raw_dir


def person_years(raw_dir: Path) -> int:
    with duckdb.connect() as connection:
        row = connection.execute(
            f"select count(distinct (person_id, year)) from read_parquet('{raw_dir}/beneficiaries*.parquet')"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_floor_counts_every_person_year(tiny_extract: Path) -> None:
    result = run_floor(tiny_extract, threads=2)
    assert result.rows > 0
    assert result.persons == person_years(tiny_extract) > 0
    assert 0 < result.persons_with_exam <= result.persons
    assert result.exams >= result.persons_with_exam


def test_floor_measured_in_its_own_process(tiny_extract: Path, tmp_path: Path) -> None:
    measured = measure_floor(tiny_extract, threads=2, work_dir=tmp_path)
    assert measured.rows > 0 and measured.persons == person_years(tiny_extract)
    assert measured.seconds > 0 and measured.peak_rss_bytes > 10 * MIB
    assert (tmp_path / "floor_1.log").is_file() and (tmp_path / "floor_2.log").is_file()


# Stands for the run command: records the claim years of --raw-dir beside --database.
FAKE_RUN = """
import sys
from pathlib import Path
args = sys.argv[1:]
raw, database = Path(args[args.index("--raw-dir") + 1]), Path(args[args.index("--database") + 1])
years = " ".join(sorted(path.stem.split("_")[1] for path in raw.glob("claims_*.parquet")))
print(f"[run] years built: {years}")
with (database.parent / "runs.txt").open("a") as runs:
    runs.write(years + "\\n")
"""


def test_increment_moves_the_last_year_aside_and_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    fake_run = tmp_path / "fake_run.py"
    fake_run.write_text(FAKE_RUN)
    monkeypatch.setattr(steps, "RUN_COMMAND", fake_run)
    folder = tmp_path / "increment"
    generate_synthetic(folder / "raw", 200, 2022, 2023, seed=3)
    scale = Scale("increment", 200, 2022, 2023, increment=True)
    result = steps.benchmark_increment(scale, folder / "raw", folder, None, threads=1)
    # The history without 2023, then the update on the same outputs, then 2023 alone.
    assert (folder / "run" / "runs.txt").read_text() == "2022\n2022 2023\n"
    assert (folder / "one_year" / "run" / "runs.txt").read_text() == "2023\n"
    assert sorted(path.name for path in (folder / "raw").iterdir()) == [
        "beneficiaries_2022.parquet", "beneficiaries_2023.parquet", "claims_2022.parquet", "claims_2023.parquet"]
    assert not (folder / steps.ASIDE).exists()
    assert result.increment is not None and result.run == result.increment.update
    assert result.floor.persons == person_years(folder / "raw")
    assert "[benchmark] increment: +1 year update (2023): [run] years built: 2022 2023" in capsys.readouterr().out


def test_scales() -> None:
    assert [scale.name for scale in resolve_scales(None, None, None, None)] == ["1m-1y"]
    custom, = resolve_scales(None, 2000, 2023, 2023)
    assert (custom.name, custom.persons, custom.years) == ("custom", 2000, "2023")
    increment, tenyears = resolve_scales(["increment", "belgium-10y"], None, None, None)
    assert (increment.persons, increment.years, increment.increment) == (1_000_000, "2021-2023", True)
    assert (tenyears.persons, tenyears.years) == (11_800_000, "2014-2023")
    with pytest.raises(ScaleError, match="apply to"):
        resolve_scales(["belgium-1y"], 5000, None, None)
    with pytest.raises(ScaleError, match="two years"):
        resolve_scales(["increment"], None, 2023, 2023)


def test_table_gives_units() -> None:
    run = Measurement(120.0, 3 * 2**30, 2**29)
    result = ScaleResult("increment", 1_000_000, "2021-2023", 20.0, run, FloorMeasurement(4.0, 2**30, 10, 100),
                         IncrementMeasurement(run, run, Measurement(60.0, 2**30, 0)))
    table = format_table([result])
    assert "120.0 s" in table and "3.00 GiB" in table and "0.50 GiB" in table
    assert "30.0x" in table and "2.00x" in table  # run / floor, update / one-year build


def test_help() -> None:
    shown = subprocess.run([sys.executable, str(PROJECT_DIR / "scripts" / "benchmark_run.py"), "--help"],
                           capture_output=True, text=True, check=False)
    assert shown.returncode == 0, shown.stderr
    for option in ("--scale", "--persons", "--first-year", "--last-year", "--raw-dir", "--keep-dir", "--seed",
                   "--json", "belgium-10y", "increment", "Parquet"):
        assert option in shown.stdout, option
