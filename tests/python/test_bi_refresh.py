"""A BI server that stays up sees every new publication (docs/bi_users.md).

Each publication is a file of its own behind the published path, a link swapped in one step
(scripts/publication_versions.py). The long test keeps two BI-like processes up while the
working database is published again and again (directly with publication_staging.publish: no dbt
run, two working databases in turn so that neighbouring versions differ in content): one on
DuckDB's Python API, one on SQLAlchemy + duckdb_engine as Superset connects. Each keeps a
connection open for the whole run and opens others for its queries.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import PROJECT_DIR, SYNTHETIC_YEARS, registry_codes

import atlas.publication.versions as publication_versions
import atlas.publication.checks as publication_checks
import atlas.publication.database as publication_database
import atlas.publication.staging as publication_staging

READER = Path(__file__).with_name("long_running_reader.py")
# Routes that open a connection for each query: they must see every publication, in order.
FRESH_ROUTES = {"duckdb": ("fresh",), "sqlalchemy": ("pool", "superset", "superset_mutator")}


def publication_id(connection: duckdb.DuckDBPyConnection) -> str:
    ids = connection.execute("select distinct publication_id from publication").fetchall()
    assert len(ids) == 1
    return str(ids[0][0])


@pytest.fixture(scope="module")
def working_databases(synthetic_build: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two working databases: the CI-sized build, and a copy without its first year."""
    other = tmp_path_factory.mktemp("working") / "atlas_without_first_year.duckdb"
    shutil.copyfile(synthetic_build[1], other)
    with duckdb.connect(str(other)) as connection:
        tables = [name for (name,) in connection.execute(
            "select table_name from duckdb_columns() where column_name = 'year' and schema_name = 'main'"
            " and table_name in (select indicator_code from indicator_registry union all select 'indicator_values')"
        ).fetchall()]
        for table in tables:
            connection.execute(f"delete from {table} where year = {SYNTHETIC_YEARS[0]}")
        connection.execute("checkpoint")
    assert len(tables) == len(registry_codes()) + 1
    return [synthetic_build[1], other]


def test_a_process_holding_a_connection_opens_the_new_version_and_keeps_the_old(
    working_databases: list[Path], tmp_path: Path
) -> None:
    entry = tmp_path / "atlas_published.duckdb"
    first = publication_staging.publish(working_databases[0], entry, None).publication_id
    assert entry.is_symlink() and os.readlink(entry) == f"published/atlas_published.{first}.duckdb"
    with duckdb.connect(str(entry), read_only=True) as held, duckdb.connect() as attaching:
        attaching.execute(f"attach '{entry}' as atlas (read_only); use atlas")
        second = publication_staging.publish(working_databases[1], entry, None).publication_id
        with duckdb.connect(str(entry), read_only=True) as fresh:
            assert publication_id(fresh) == second
        with duckdb.connect(os.path.realpath(entry), read_only=True) as resolved:
            assert publication_id(resolved) == second
        assert publication_id(held) == first
        # ATTACH from another DuckDB: attached, it stays on its version; attached again, the new one
        assert publication_id(attaching) == first
        attaching.execute(f"use memory; detach atlas; attach '{entry}' as atlas (read_only); use atlas")
        assert publication_id(attaching) == second
    assert publication_checks.check_published_database(entry) == []
    assert publication_versions.version_files(entry) == sorted(
        publication_versions.version_path(entry, version) for version in (first, second))
    listing = subprocess.run([sys.executable, str(PROJECT_DIR / "scripts" / "publication_versions.py"), str(entry)],
                             capture_output=True, text=True, check=True).stdout
    assert f"atlas_published.{second}.duckdb" in listing and "  current" in listing, listing
    assert subprocess.run([sys.executable, str(PROJECT_DIR / "scripts" / "publication_versions.py"), "--help"],
                          capture_output=True, text=True, check=True).stdout.startswith("usage:")
    # Why the link: one file replaced in place stays hidden behind a connection held in the process.
    plain = tmp_path / "one_file.duckdb"
    shutil.copyfile(publication_versions.version_path(entry, first), plain)
    with duckdb.connect(str(plain), read_only=True):
        shutil.copyfile(publication_versions.version_path(entry, second), tmp_path / "one_file.new")
        os.replace(tmp_path / "one_file.new", plain)
        with duckdb.connect(str(plain), read_only=True) as stale:
            assert publication_id(stale) == first


def test_sqlalchemy_lists_the_columns_as_superset_does(working_databases: list[Path], tmp_path: Path) -> None:
    """Superset lists a table's columns by SQLAlchemy reflection (duckdb_engine on SQLAlchemy 2.0.x)."""
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.pool import NullPool

    entry = tmp_path / "atlas_published.duckdb"
    publication_staging.publish(working_databases[0], entry, None)
    engine = create_engine(f"duckdb:///{entry}", connect_args={"read_only": True}, poolclass=NullPool)
    try:
        columns = inspect(engine).get_columns("publication")
    finally:
        engine.dispose()
    assert [column["name"] for column in columns] == [name for name, _, _ in publication_database.PUBLICATION_COLUMNS]
    assert all(column["comment"] for column in columns)


def start_reader(entry: Path, kind: str, work: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(READER), str(entry), kind, str(work / "stop"),
                             str(work / f"{kind}.json"), "0.05", "300"], cwd=READER.parent)


def wait_until_seen(work: Path, version: str, timeout: float = 60) -> None:
    """Until every fresh route of both readers has answered from this publication."""
    deadline = time.monotonic() + timeout
    progress: dict[str, Any] = {}
    while time.monotonic() < deadline:
        for kind in FRESH_ROUTES:
            path = work / f"{kind}.json.progress"
            progress[kind] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if all(progress[kind].get(route) == version for kind, routes in FRESH_ROUTES.items() for route in routes):
            return
        time.sleep(0.05)
    pytest.fail(f"publication {version} not seen within {timeout} s: {progress}")


def test_long_running_readers_see_every_publication(working_databases: list[Path], tmp_path: Path) -> None:
    """Both processes, holding a connection throughout: no error, every answer from one complete
    publication; each query opened after a publication returned reads it (or a later one); the
    held connections keep the first. Versions on disk: the current, the previous, those held."""
    out, work = tmp_path / "out", tmp_path / "readers"
    work.mkdir()
    entry = out / "atlas_published.duckdb"
    publications = [publication_staging.publish(working_databases[0], entry, None).publication_id]
    published_at = [time.time()]
    readers = [start_reader(entry, kind, work) for kind in FRESH_ROUTES]
    try:
        wait_until_seen(work, publications[0])
        for turn in range(1, 4):
            publications.append(publication_staging.publish(working_databases[turn % 2], entry, None).publication_id)
            published_at.append(time.time())
            wait_until_seen(work, publications[-1])
        # the first version is held by both readers, the second by none: deleted at the fourth
        on_disk_while_held = publication_versions.version_files(entry)
    finally:
        (work / "stop").touch()
        for reader in readers:
            try:
                reader.wait(timeout=60)
            except subprocess.TimeoutExpired:
                reader.kill()
    assert [reader.returncode for reader in readers] == [0, 0]
    reports = {kind: json.loads((work / f"{kind}.json").read_text(encoding="utf-8")) for kind in FRESH_ROUTES}
    print(json.dumps({kind: {route: {key: value for key, value in record.items() if key != "seen"}
                             for route, record in report.items()} for kind, report in reports.items()}))
    assert len(set(publications)) == 4
    for kind, report in reports.items():
        for route, record in report.items():
            assert record["errors"] == 0, (kind, route, record["error_samples"])
            assert record["mismatches"] == 0, (kind, route, record["mismatch_samples"])
            assert record["queries"] >= 20, (kind, route, record["queries"])
            if route == "held":  # an open connection keeps reading the version it opened
                assert record["versions"] == publications[:1], (kind, route)
                continue
            assert record["versions"] == publications, (kind, route)
            for started, version in record["seen"]:
                newest = max(i for i, moment in enumerate(published_at) if moment <= started) \
                    if started >= published_at[0] else 0
                assert publications.index(version) >= newest, (kind, route, started, version, published_at)
    assert on_disk_while_held == sorted(publication_versions.version_path(entry, publications[i]) for i in (0, 2, 3))
    # Nothing held any more: the next publication keeps only itself and the previous version.
    last = publication_staging.publish(working_databases[0], entry, None).publication_id
    assert publication_versions.version_files(entry) == sorted(
        publication_versions.version_path(entry, version) for version in (publications[-1], last))
    assert publication_checks.check_published_database(entry) == []
    assert sorted(p.name for p in out.iterdir()) == ["atlas_published.duckdb", "published"]
