"""The README's run command: generates data into an empty raw directory, builds, publishes.

A build goes to a temporary file; only a fully successful build (models and tests) replaces the
working database, the published database and the exports, each in one step. The failure tests
replace dbt by a stand-in (no dbt run: cheap); the concurrency test runs the real command while
BI-like readers query the published file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import duckdb
import pytest

from conftest import PROJECT_DIR, generate_synthetic, registry_codes

import atlas.publication.versions as publication_versions
import atlas.publication.checks as publication_checks
import atlas.publication.files as publication_files
import atlas.publication.staging as publication_staging
import atlas.pipeline.run as pipeline

RUN_PIPELINE = PROJECT_DIR / "scripts" / "run_pipeline.py"
READER = Path(__file__).with_name("published_reader.py")


def run_pipeline(*args: str, dbt_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if dbt_dir is not None:  # keep dbt's target/ and logs/ out of the project
        env.update(DBT_TARGET_PATH=str(dbt_dir / "target"), DBT_LOG_PATH=str(dbt_dir / "logs"))
    return subprocess.run([sys.executable, str(RUN_PIPELINE), *args], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, check=False)


def output_args(out: Path) -> tuple[str, ...]:
    return ("--database", str(out / "atlas.duckdb"), "--published-database", str(out / "atlas_published.duckdb"),
            "--export-dir", str(out / "exports"))


def snapshot(directory: Path) -> dict[str, str]:
    """Every file under directory: relative path -> sha256 of its bytes (and, for a link such as
    the published database, its target)."""
    return {str(path.relative_to(directory)): (f"-> {os.readlink(path)} " if path.is_symlink() else "")
            + hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(directory.rglob("*")) if path.is_file()}


def publication_id(published: Path) -> str:
    with duckdb.connect(str(published), read_only=True) as connection:
        ids = connection.execute("select distinct publication_id from publication").fetchall()
    assert len(ids) == 1
    return str(ids[0][0])


def test_help_lists_the_options() -> None:
    result = run_pipeline("--help")
    assert result.returncode == 0
    for option in ("--raw-dir", "--database", "--published-database", "--export-dir", "--persons", "--first-year",
                   "--last-year", "--seed", "--accept-quarantine"):
        assert option in result.stdout


def test_half_an_extract_is_refused_with_the_reason(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    raw_dir.mkdir()
    (raw_dir / "beneficiaries_2016.parquet").write_bytes(b"")
    result = run_pipeline("--raw-dir", str(raw_dir), *output_args(tmp_path / "out"))
    assert result.returncode == 2
    assert "no claims file" in result.stderr and "nothing was built or overwritten" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_held_open_for_writing_stops_the_run_before_anything(
    synthetic_build: tuple[Path, Path], tmp_path: Path
) -> None:
    raw_dir, _ = synthetic_build
    out = tmp_path / "out"
    out.mkdir()
    with duckdb.connect(str(out / "atlas_published.duckdb")) as writer:  # a BI tool opened it read-write
        writer.execute("create table scratch (x integer)")
        result = run_pipeline("--raw-dir", str(raw_dir), *output_args(out))
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert "is open for writing by another process" in result.stderr
    assert "dbt build" not in result.stdout


# --- failures leave every output as it was (dbt replaced by a stand-in) ---

@pytest.fixture(scope="module")
def built_outputs(synthetic_build: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working database, its published file and exports, as a run leaves them."""
    out = tmp_path_factory.mktemp("previous") / "out"
    out.mkdir()
    shutil.copyfile(synthetic_build[1], out / "atlas.duckdb")
    publication_staging.publish(out / "atlas.duckdb", out / "atlas_published.duckdb", out / "exports")
    return out


@pytest.fixture()
def previous_outputs(synthetic_build: tuple[Path, Path], built_outputs: Path,
                     tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """(raw directory, output folder, snapshot): a copy of built_outputs, in place before a run."""
    out = tmp_path / "out"
    shutil.copytree(built_outputs, out, symlinks=True)  # the published link stays a link
    return synthetic_build[0], out, snapshot(out)


def stand_in_dbt(source: Path | None) -> Callable[..., int]:
    """A dbt build that copies source into the database it is given (success) or, with None,
    writes part of a database and its write-ahead log and fails."""
    def build(raw_dir: Path, database: Path, check: object, update: object, selection: object = ()) -> int:
        assert database.name == "atlas.building.duckdb"
        if source is not None:
            shutil.copyfile(source, database)
            return 0
        with duckdb.connect(str(database)) as connection:
            connection.execute("create table stg_half_built as select 'P1' as person_id")
        publication_files.wal_path(database).write_bytes(b"left by a crashed writer")
        return 1
    return build


def test_a_failed_build_leaves_every_output_byte_identical(
    previous_outputs: tuple[Path, Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    raw_dir, out, before = previous_outputs
    monkeypatch.setattr(pipeline, "dbt_build", stand_in_dbt(None))
    assert pipeline.main(["--raw-dir", str(raw_dir), *output_args(out)]) == 1
    assert snapshot(out) == before


def test_a_failed_publication_leaves_every_output_byte_identical(
    synthetic_build: tuple[Path, Path], previous_outputs: tuple[Path, Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw_dir, out, before = previous_outputs
    monkeypatch.setattr(pipeline, "dbt_build", stand_in_dbt(synthetic_build[1]))
    monkeypatch.setattr(publication_staging, "check_published_database", lambda path: ["a small cell is shown"])
    assert pipeline.main(["--raw-dir", str(raw_dir), *output_args(out)]) == 1
    assert snapshot(out) == before


def test_a_failure_while_exporting_leaves_every_output_byte_identical(
    synthetic_build: tuple[Path, Path], previous_outputs: tuple[Path, Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir, out, before = previous_outputs
    monkeypatch.setattr(pipeline, "dbt_build", stand_in_dbt(synthetic_build[1]))

    def disk_full(published: Path, destination: Path) -> list[Path]:
        (destination / "csv").mkdir(parents=True)
        (destination / "csv" / "cube_013_001.csv").write_text("indicator_code,ye", encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publication_staging, "write_exports", disk_full)
    assert pipeline.main(["--raw-dir", str(raw_dir), *output_args(out)]) == 1
    error = capsys.readouterr().err
    assert "[run] error: the disk filled up" in error and "Traceback" not in error
    assert snapshot(out) == before


def test_a_successful_build_replaces_all_three_and_leaves_no_temporary_file(
    synthetic_build: tuple[Path, Path], previous_outputs: tuple[Path, Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw_dir, out, before = previous_outputs
    old_publication = publication_id(out / "atlas_published.duckdb")
    # Stale files of an interrupted run: a write-ahead log of the old working database, a half build.
    (out / "atlas.duckdb.wal").write_bytes(b"stale")
    (out / "atlas.building.duckdb").write_bytes(b"half")
    monkeypatch.setattr(pipeline, "dbt_build", stand_in_dbt(synthetic_build[1]))
    assert pipeline.main(["--raw-dir", str(raw_dir), *output_args(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["atlas.duckdb", "atlas_published.duckdb", "exports", "published"]
    assert sorted(p.name for p in (out / "exports").iterdir()) == ["csv", "parquet"]
    after = snapshot(out)
    assert after["atlas_published.duckdb"] != before["atlas_published.duckdb"]
    assert after["exports/csv/publication.csv"] != before["exports/csv/publication.csv"]
    new_publication = publication_id(out / "atlas_published.duckdb")
    assert new_publication != old_publication
    # the published path links to the new version; the one it replaced is kept beside it
    assert os.readlink(out / "atlas_published.duckdb") == f"published/atlas_published.{new_publication}.duckdb"
    assert publication_versions.version_files(out / "atlas_published.duckdb") == sorted(
        publication_versions.version_path(out / "atlas_published.duckdb", version)
        for version in (old_publication, new_publication))
    assert new_publication in (out / "exports" / "csv" / "publication.csv").read_text(encoding="utf-8")
    assert publication_checks.check_published_database(out / "atlas_published.duckdb") == []
    with duckdb.connect(str(out / "atlas.duckdb"), read_only=True) as connection:
        assert connection.execute("select count(*) from stg_ima__claims").fetchall()[0][0] > 0


# --- the synthetic extract of a first run ---

def test_an_empty_raw_directory_gets_synthetic_data_only_before_any_build(tmp_path: Path) -> None:
    """A first run (no working or published database yet) generates an extract into the empty raw
    directory and checks it; once either database exists, an empty (or missing) raw directory is
    a delivery gone missing: exit 2, nothing generated."""
    import argparse

    from atlas.pipeline.errors import RunFailure

    options = argparse.Namespace(persons=60, first_year=2016, last_year=2016, seed=3)
    database, published = tmp_path / "out" / "atlas.duckdb", tmp_path / "out" / "atlas_published.duckdb"
    first = tmp_path / "first_raw"
    check = pipeline.prepare_raw_extract(first, pipeline.building_path(database), options, [database, published])
    assert check is not None and check.ok
    assert sorted(path.name for path in first.iterdir()) == ["beneficiaries_2016.parquet", "claims_2016.parquet"]
    published.parent.mkdir()
    published.symlink_to(tmp_path / "out" / "published" / "atlas_published.v1.duckdb")  # dangling: still a publication
    for raw_dir in (tmp_path / "empty_raw", tmp_path / "missing_raw"):
        if raw_dir.name == "empty_raw":
            raw_dir.mkdir()
        with pytest.raises(RunFailure) as refused:
            pipeline.prepare_raw_extract(raw_dir, pipeline.building_path(database), options, [database, published])
        assert refused.value.exit_code == 2
        assert f"{raw_dir} holds no extract, and {published} holds an earlier build" in str(refused.value)
        assert not raw_dir.exists() or not list(raw_dir.iterdir())
    assert not (tmp_path / "missing_raw").exists()


# --- concurrent readers during real rebuilds ---

def start_reader(published: Path, mode: str, work: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(READER), str(published), mode, str(work / "stop"),
                             str(work / f"{mode}.json"), "0.25", "900"])


def wait_for_version(work: Path, mode: str, version: str, timeout: float = 120) -> None:
    progress = work / f"{mode}.json.progress"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if progress.exists() and progress.read_text(encoding="utf-8") == version:
            return
        time.sleep(0.2)
    pytest.fail(f"the {mode} reader did not see publication {version} within {timeout} s")


def test_run_command_refuses_synthetic_data_then_rebuilds_and_republishes_under_concurrent_readers(
    synthetic_build: tuple[Path, Path], tmp_path: Path
) -> None:
    """The run command refuses to generate synthetic data into an empty raw directory over a
    publication, and publishes each build of a delivered extract. Meanwhile two BI-like readers
    query the published file in a loop (one keeps its read-only connection, one reconnects for
    every query): three rebuilds from two extracts in turn (A, B, A: neighbouring versions differ in
    content), a refused run and a failing run in between. No reader error, every answer from one
    complete publication."""
    extract_a, extract_b, broken = tmp_path / "raw_a", tmp_path / "raw_b", tmp_path / "raw_broken"
    # A re-delivered with a twentieth of its claim lines gone: other content, within the
    # plausibility gate's changes of A's figures (the previous build). Another sample of persons
    # would move the figures of small categories by more, as another extract's file does.
    generate_synthetic(extract_b, 500, 2016, 2016, seed=42)
    claims_b = extract_b / "claims_2016.parquet"
    with duckdb.connect() as connection:
        connection.execute(f"copy (select * from read_parquet('{claims_b}') where hash(person_id, service_date) % 20"
                           f" <> 0) to '{extract_b / 'corrected.parquet'}' (format parquet)")
    os.replace(extract_b / "corrected.parquet", claims_b)
    broken.mkdir()
    for source in ("beneficiaries", "claims"):
        (broken / f"{source}.parquet").write_bytes(b"not a parquet file")
    out, work = tmp_path / "out", tmp_path / "readers"
    out.mkdir()
    work.mkdir()
    published = out / "atlas_published.duckdb"
    outputs = ["atlas.duckdb", "atlas_published.duckdb", "exports", "published"]
    # Version 0: published from the CI-sized build by the publishing command.
    first = subprocess.run([sys.executable, str(PROJECT_DIR / "scripts" / "publish_database.py"),
                            "--database", str(synthetic_build[1]), "--published-database", str(published),
                            "--export-dir", str(out / "exports")], capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    versions = [publication_id(published)]
    readers = [start_reader(published, mode, work) for mode in ("persistent", "reconnect")]
    runs: list[dict[str, Any]] = []
    try:
        for mode in ("persistent", "reconnect"):
            wait_for_version(work, mode, versions[0], timeout=60)
        # A still empty: synthetic figures are not generated over the publication in place.
        extract_a.mkdir()
        before = snapshot(out)
        refused = run_pipeline("--raw-dir", str(extract_a), *output_args(out), dbt_dir=tmp_path / "dbt")
        assert refused.returncode == 2 and "generating synthetic data" not in refused.stdout
        assert f"{extract_a} holds no extract, and {published} holds an earlier build" in refused.stderr
        assert snapshot(out) == before and not list(extract_a.iterdir())
        generate_synthetic(extract_a, 500, 2016, 2016, seed=42)
        generated = sorted(p.name for p in extract_a.iterdir())
        for raw_dir in (extract_a, broken, extract_b, extract_a):
            before = snapshot(out)
            started = time.monotonic()
            # No working database yet: the gate compares A's first build with the publication in
            # place, the CI build's 4,000 persons of 2015-2016, and A is far from it.
            told = ["--accept-quarantine", "replacing version 0"] if not runs else []
            result = run_pipeline("--raw-dir", str(raw_dir), *output_args(out), *told, dbt_dir=tmp_path / "dbt")
            runs.append({"raw": raw_dir.name, "exit": result.returncode, "seconds": round(time.monotonic() - started)})
            if raw_dir == broken:
                assert result.returncode != 0
                assert snapshot(out) == before
                continue
            assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
            versions.append(publication_id(published))
            assert "generating synthetic data" not in result.stdout  # the extract in place is used as it is
            assert ("- beneficiaries 2015: " in result.stdout) == bool(told), result.stdout[-3000:]
            assert sorted(p.name for p in extract_a.iterdir()) == generated
            assert f"Working database (every layer, person-level: do not share): {out / 'atlas.duckdb'}" \
                in result.stdout
            assert f"Published database (for BI tools; open it read-only): {published}" in result.stdout
            # every raw row accounted for, the synthetic data's bad rows by design among them
            for source in ("beneficiaries", "claims"):
                assert re.search(rf"{source}: [\d,]+ rows read = [\d,]+ used \+ [\d,]+ quarantined", result.stdout)
            assert "service_year_not_delivered" in result.stdout or raw_dir == extract_b
            listed = result.stdout.split("published table")[-1]  # the summary's table list
            for table in ("cube_013_001", "cube_013_023", "stat_013_007", "stat_003_007", "indicator_values"):
                assert f"main.{table} " in listed
                assert (out / "exports" / "parquet" / f"{table}.parquet").is_file()
                assert (out / "exports" / "csv" / f"{table}.csv").is_file()
            assert "main.stg_ima__claims" not in listed and listed.count("\nmain.") == len(registry_codes()) + 3
            assert sorted(p.name for p in out.iterdir()) == outputs
            assert publication_checks.check_published_database(published) == []
            wait_for_version(work, "reconnect", versions[-1])
        # versions on disk: the first (the persistent reader holds it), the previous and the current
        on_disk = publication_versions.version_files(published)
    finally:
        (work / "stop").touch()
        for reader in readers:
            try:
                reader.wait(timeout=120)
            except subprocess.TimeoutExpired:
                reader.kill()
    reports = {mode: json.loads((work / f"{mode}.json").read_text(encoding="utf-8"))
               for mode in ("persistent", "reconnect")}
    print(json.dumps({"runs": runs, "versions": versions,
                      "readers": {mode: {k: report[k] for k in ("queries", "errors", "mismatches", "seconds")}
                                  | {"versions_seen": len(report["versions"])} for mode, report in reports.items()}}))
    assert len(set(versions)) == 4  # the first publication and three rebuilds
    for mode, report in reports.items():
        assert report["errors"] == 0, report["error_samples"]
        assert report["mismatches"] == 0, report["mismatch_samples"]
        assert report["queries"] >= 20, report
    # A connection kept open reads the file it opened; a new connection reads the newest complete one.
    assert reports["persistent"]["versions"] == versions[:1]
    assert reports["reconnect"]["versions"] == versions
    assert on_disk == sorted(publication_versions.version_path(published, versions[i]) for i in (0, 2, 3))
