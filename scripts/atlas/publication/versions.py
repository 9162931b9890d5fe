"""Each publication in a file of its own, behind a stable entry point; old ones removed when unread.

    data/atlas_published.duckdb                  -> published/atlas_published.<publication_id>.duckdb
    data/published/atlas_published.<publication_id>.duckdb   (one per publication still kept)

The entry point is a relative symbolic link to the current version, replaced in one step (a new
link under a temporary name, then os.replace): whoever opens the entry point gets one complete
version, the old or the new one, never a file being written.

Why not one file replaced in place: a DuckDB process keeps one database instance per file and
hands it to every new connection to that file while any connection to it is open. With one path
for every version, a long-running BI server that always has a connection open (a pool, a second
user) would keep serving the version it opened first. Here every version has its own path, and
DuckDB 2.0 resolves the link when a connection is opened: a new connection gets the current
version even while older connections in the same process still read theirs (a client with an
older DuckDB must resolve the link itself, see docs/bi_users.md).

Old versions: the current one and the one it replaced are always kept (a reader may have
resolved the link just before the swap and not yet opened the file). Older ones are deleted at
each publication unless a process still has them open: DuckDB locks a file it opens (a shared
lock when read-only), so a file on which an exclusive lock can be taken is read by no one.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import sys
from pathlib import Path
from typing import Sequence

VERSIONS_FOLDER = "published"


def versions_folder(entry: Path) -> Path:
    return entry.parent / VERSIONS_FOLDER


def version_path(entry: Path, publication_id: str) -> Path:
    return versions_folder(entry) / f"{entry.stem}.{publication_id}{entry.suffix}"


def _version_name(entry: Path) -> re.Pattern[str]:
    return re.compile(re.escape(entry.stem) + r"\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                      + re.escape(entry.suffix) + "$")


def version_files(entry: Path) -> list[Path]:
    """The version files of this entry point in its versions folder, by name."""
    folder = versions_folder(entry)
    if not folder.is_dir():
        return []
    pattern = _version_name(entry)
    return sorted(path for path in folder.iterdir() if pattern.match(path.name))


def current_version(entry: Path) -> Path | None:
    """The file the entry point links to (None when it is no link, e.g. a file of an older layout)."""
    if not entry.is_symlink():
        return None
    return Path(os.path.normpath(entry.parent / os.readlink(entry)))


def is_held(path: Path) -> bool:
    """Whether a process has the file open through DuckDB (or the probe cannot tell: keep it).

    Locks are per process: a connection of the calling process itself is not seen; its copy
    stays readable after the file is deleted (Linux keeps an open file until it is closed).
    """
    try:
        descriptor = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(descriptor)
    return False


def fsync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def point_entry_at(entry: Path, version: Path) -> None:
    """Make entry a relative link to version in one step (relative: the folder can be moved)."""
    link = entry.with_name(f"{entry.stem}.linking{entry.suffix}")
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(version, entry.parent), link)
    os.replace(link, entry)
    fsync_directory(entry.parent)


def remove_old_versions(entry: Path, keep: Sequence[Path | None]) -> list[Path]:
    """Delete the version files not in keep that no process holds open; the deleted ones."""
    kept = {path.resolve() for path in keep if path is not None}
    removed = []
    for path in version_files(entry):
        if path.resolve() in kept or is_held(path):
            continue
        for candidate in (path, path.with_name(path.name + ".wal")):
            candidate.unlink(missing_ok=True)
        removed.append(path)
    return removed


def install_version(staged: Path, entry: Path, publication_id: str) -> Path:
    """Move a complete, checked, checkpointed file into the versions folder and point entry at it.

    Then old versions are removed (see the module's docstring). A stale write-ahead log beside
    the entry point goes before the swap: a tool opening the entry read-write would replay it.
    """
    previous = current_version(entry)
    version = version_path(entry, publication_id)
    version.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged, version)
    fsync_directory(version.parent)
    entry.with_name(entry.name + ".wal").unlink(missing_ok=True)
    point_entry_at(entry, version)
    remove_old_versions(entry, [version, previous])
    return version


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("entry", type=Path, nargs="?",
                        default=Path(os.environ.get("ATLAS_PUBLISHED_DUCKDB_PATH", "data/atlas_published.duckdb")),
                        help="the published database's entry point (default: $ATLAS_PUBLISHED_DUCKDB_PATH or "
                             "data/atlas_published.duckdb)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """List the versions on disk: the current one, those a reader holds, the others (removed at the
    next publication unless it is the one just replaced)."""
    args = parse_args(argv)
    entry = Path(os.path.abspath(args.entry))
    current = current_version(entry)
    print(f"{entry} -> {current if current is not None else '(not a link)'}")
    for path in version_files(entry):
        state = "current" if current is not None and path.resolve() == current.resolve() else (
            "held by a reader" if is_held(path) else "not held")
        print(f"  {path.name}  {path.stat().st_size:>12,} bytes  {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
