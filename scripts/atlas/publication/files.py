"""DuckDB files and folders on disk: their write-ahead logs, names beside a target, who holds
them, and moving a complete file or folder into place in one step."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

import atlas.publication.versions as publication_versions
from atlas.publication.errors import PublishError


def wal_path(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def temporary_path(target: Path, label: str) -> Path:
    """A file or folder beside target (same file system, so a rename moves it in one step)."""
    if target.suffix:
        return target.with_name(f"{target.stem}.{label}{target.suffix}")
    return target.with_name(f"{target.name}.{label}")


def remove_database_file(path: Path) -> None:
    """Delete a DuckDB file and its write-ahead log, if present."""
    for candidate in (path, wal_path(path)):
        candidate.unlink(missing_ok=True)


def writer_lock_holder(database: Path) -> str | None:
    """The DuckDB error when another process holds database open for writing, else None."""
    if not database.exists():
        return None
    try:
        duckdb.connect(str(database), read_only=True).close()
    except duckdb.Error as error:  # not a lock (e.g. a half-written file): nothing holds it
        if "lock" in str(error).lower():
            return str(error).splitlines()[0]
    return None


def replace_database_file(source: Path, target: Path) -> None:
    """Move a closed, checkpointed DuckDB file onto target in one step (os.replace): the working
    database (the published one goes through publication_versions.install_version).

    A stale write-ahead log of the old target would be replayed into the new file by the next
    writer, so it goes first. A reader holding the old file keeps its (unlinked) copy.
    """
    if wal_path(source).exists():
        raise PublishError(f"{source} still has a write-ahead log; checkpoint it before replacing {target}")
    wal_path(target).unlink(missing_ok=True)
    os.replace(source, target)
    publication_versions.fsync_directory(target.parent)


def replace_directory(source: Path, target: Path) -> None:
    """Put a complete folder in place of target: target moves aside, source takes its name."""
    previous = temporary_path(target, "previous")
    if previous.exists():
        shutil.rmtree(previous)
    if target.exists():
        os.rename(target, previous)
    os.rename(source, target)
    publication_versions.fsync_directory(target.parent)
    shutil.rmtree(previous, ignore_errors=True)
