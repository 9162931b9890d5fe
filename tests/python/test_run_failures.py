"""Every failure of the run command ends in one message and an exit code, outputs unchanged.

Outputs that cannot be written, a second run on the same outputs (and the lock a killed run
leaves behind), a full disk while DuckDB spills, an interrupted run followed by a rerun. dbt is
replaced by a stand-in except for the interruption, which stops a real build. "Cannot be
written" uses a path under a regular file: it fails for root too, as CI runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import PROJECT_DIR
from test_run_pipeline import (  # noqa: F401
    RUN_PIPELINE, built_outputs, output_args, previous_outputs, snapshot, stand_in_dbt,
)

import atlas.pipeline.dbt_invocation as dbt_invocation
import atlas.pipeline.lock as run_lock
import atlas.pipeline.run as pipeline

OUTPUTS = ["atlas.duckdb", "atlas_published.duckdb", "exports", "published"]

HOLD_LOCK = """
import sys, time
from pathlib import Path
import atlas.pipeline.lock as run_lock
with run_lock.outputs_locked([Path(sys.argv[1])]):
    print("locked", flush=True)
    time.sleep(600)
"""

# What dbt prints when a model fails because DuckDB may spill no more: a real DuckDB error,
# caused the way a full disk causes it (the temporary directory's limit reached).
SPILLING_BUILD = """
import os, sys
import duckdb
connection = duckdb.connect(os.environ["ATLAS_DUCKDB_PATH"])
for setting in ("memory_limit = '20MB'", "max_temp_directory_size = '1MB'", "preserve_insertion_order = false"):
    connection.execute("set " + setting)
try:
    connection.execute("create table int_claims_netted as select i, md5(cast(i as varchar)) as s"
                       " from range(3000000) as r(i) order by s")
except duckdb.Error as error:
    print("Runtime Error in model int_claims_netted (models/intermediate/int_claims_netted.sql)")
    print("  " + str(error).splitlines()[0])
    sys.exit(1)
"""
NO_SPACE_BUILD = """
import os, sys
print('  IO Error: Could not write file "' + os.environ["ATLAS_DUCKDB_PATH"] + '.tmp/duckdb_temp_storage-0.tmp":'
      ' No space left on device')
sys.exit(1)
"""


def message(captured: str) -> str:
    """The run's final message; there must be exactly one, and no traceback."""
    assert "Traceback" not in captured
    assert captured.count("[run] error: ") == 1, captured
    return captured.split("[run] error: ")[1]


def no_stand_in(raw_dir: Path, database: Path, file_format: str) -> int:
    raise AssertionError("the run should have stopped before the build")


def test_help_lists_the_gate_override() -> None:
    result = subprocess.run([sys.executable, str(RUN_PIPELINE), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "--accept-quarantine" in result.stdout


def test_an_output_under_a_regular_file_cannot_be_written(
    previous_outputs: tuple[Path, Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir, out, before = previous_outputs
    (tmp_path / "a_file").write_text("not a folder", encoding="utf-8")
    monkeypatch.setattr(pipeline, "dbt_build", no_stand_in)
    published = tmp_path / "a_file" / "atlas_published.duckdb"
    assert pipeline.main(["--raw-dir", str(raw_dir), "--database", str(out / "atlas.duckdb"),
                          "--published-database", str(published), "--export-dir", str(out / "exports")]) == 1
    text = message(capsys.readouterr().err)
    assert text.startswith("an output cannot be written: a file is in the way of a folder")
    assert f"where: {tmp_path / 'a_file'}" in text and "--published-database" in text
    assert "were left as they were" in text
    assert snapshot(out) == before


@pytest.mark.parametrize("which", ["--published-database", "--export-dir"])
def test_an_output_of_the_wrong_kind_is_refused(
    which: str, previous_outputs: tuple[Path, Path, dict[str, str]], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir, out, before = previous_outputs
    monkeypatch.setattr(pipeline, "dbt_build", no_stand_in)
    wrong = tmp_path / "a_folder"
    wrong.mkdir()
    if which == "--export-dir":
        wrong = tmp_path / "a_file.txt"
        wrong.write_text("x", encoding="utf-8")
    args = dict(zip(output_args(out)[::2], output_args(out)[1::2])) | {which: str(wrong)}
    assert pipeline.main(["--raw-dir", str(raw_dir), *[item for pair in args.items() for item in pair]]) == 2
    text = message(capsys.readouterr().err)
    assert "an output path is a" in text and f"where: {wrong}" in text
    assert snapshot(out) == before


def test_a_second_run_is_turned_away_naming_the_first_and_a_killed_run_does_not_block(
    synthetic_build: tuple[Path, Path], previous_outputs: tuple[Path, Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir, out, before = previous_outputs
    published = out / "atlas_published.duckdb"
    # This checkout's package, whichever one the virtualenv's editable install points at.
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(published)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(PROJECT_DIR / "scripts")})
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        monkeypatch.setattr(pipeline, "dbt_build", no_stand_in)
        assert pipeline.main(["--raw-dir", str(raw_dir), *output_args(out)]) == 1
        text = message(capsys.readouterr().err)
        assert text.startswith("another run is writing these outputs")
        assert f"{run_lock.lock_path(published)}: held by pid {holder.pid} (started " in text
        assert "wait for that run to end" in text
    finally:
        holder.kill()  # SIGKILL: no clean-up, its lock file stays
        holder.wait()
    stale = run_lock.lock_path(published)
    assert stale.exists()
    assert {k: v for k, v in snapshot(out).items() if k != stale.name} == before

    monkeypatch.setattr(pipeline, "dbt_build", stand_in_dbt(synthetic_build[1]))
    assert pipeline.main(["--raw-dir", str(raw_dir), *output_args(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == OUTPUTS  # the locks are gone with the run


@pytest.mark.parametrize("build, expected", [
    (SPILLING_BUILD, ["failed to offload data block", "where: OUT/atlas.building.duckdb.tmp (DuckDB had used",
                      "(max_temp_directory_size)"]),
    (NO_SPACE_BUILD, ["No space left on device", "where: OUT/atlas.building.duckdb.tmp (",
                      "is free there; the build needs more"]),
], ids=["limit reached", "no space left"])
def test_a_full_disk_while_spilling_names_the_temporary_directory(
    build: str, expected: list[str], previous_outputs: tuple[Path, Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir, out, before = previous_outputs
    monkeypatch.setattr(dbt_invocation, "dbt_command", lambda: [sys.executable, "-c", build])
    assert pipeline.main(["--raw-dir", str(raw_dir), *output_args(out)]) == 1
    text = message(capsys.readouterr().err)
    assert text.startswith("the disk filled up while DuckDB was spilling to its temporary directory")
    for part in expected:
        assert part.replace("OUT", str(out)) in text, text
    assert "ATLAS_DUCKDB_TEMP_DIRECTORY" in text
    assert snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == OUTPUTS  # no build, write-ahead log or spill left


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interrupted_build_cleans_up_and_a_rerun_succeeds(
    signum: signal.Signals, previous_outputs: tuple[Path, Path, dict[str, str]], tmp_path: Path,
) -> None:
    raw_dir, out, before = previous_outputs
    command = [sys.executable, str(RUN_PIPELINE), "--raw-dir", str(raw_dir), *output_args(out)]
    env_dbt = {"DBT_TARGET_PATH": str(tmp_path / "dbt" / "target"), "DBT_LOG_PATH": str(tmp_path / "dbt" / "logs")}
    env = {**os.environ, **env_dbt}
    run = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    assert run.stdout is not None
    for line in run.stdout:
        if line.startswith("[run] dbt build"):
            break
    deadline = time.monotonic() + 60
    while not (out / "atlas.building.duckdb").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # well into the build
    run.send_signal(signum)
    _, stderr = run.communicate(timeout=120)
    assert run.returncode == 1, stderr[-3000:]
    text = message(stderr)
    assert text.startswith(f"interrupted ({signum.name})")
    assert "run again: the temporary files were removed" in text
    time.sleep(1)  # dbt, killed, writes nothing more
    assert sorted(p.name for p in out.iterdir()) == OUTPUTS
    assert snapshot(out) == before
    if signum == signal.SIGTERM:
        rerun = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
        assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
        assert sorted(p.name for p in out.iterdir()) == OUTPUTS
        assert snapshot(out)["atlas_published.duckdb"] != before["atlas_published.duckdb"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder anyway")
def test_a_read_only_output_folder_cannot_be_written(
    previous_outputs: tuple[Path, Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir, out, before = previous_outputs
    monkeypatch.setattr(pipeline, "dbt_build", no_stand_in)
    out.chmod(0o500)
    try:
        assert pipeline.main(["--raw-dir", str(raw_dir), *output_args(out)]) == 1
    finally:
        out.chmod(0o700)
    text = message(capsys.readouterr().err)
    assert text.startswith("an output cannot be written: Permission denied") and str(out) in text
    assert snapshot(out) == before
