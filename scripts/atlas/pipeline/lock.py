"""One run at a time on a set of outputs: a lock file beside each output, held with fcntl.flock.

Two runs on the same outputs would build into the same temporary file and move their results
over each other. The lock is the OS's (flock), not the file's existence: a run killed even with
SIGKILL loses it when its process ends, so a stale lock file never blocks the next run. The
file holds the holder's pid and start time, for the message of the run that is turned away.
Claiming the lock also creates the output folder and a file in it: an output that cannot be
written fails here, before any work.
"""

from __future__ import annotations

import fcntl
import os
import sys
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Sequence

from atlas.pipeline.errors import RunFailure


def lock_path(output: Path) -> Path:
    return output.with_name(output.name + ".lock")


def _claim(path: Path) -> int:
    """An open descriptor of path, locked; RunFailure when another run holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(descriptor, 500).decode("utf-8", "replace").strip() or "a process that has not written its pid yet"
            os.close(descriptor)
            raise RunFailure("another run is writing these outputs", f"{path}: held by {holder}",
                             "wait for that run to end (or stop it), then run again") from None
        except BaseException:
            os.close(descriptor)
            raise
        # The holder removes the file when it ends: a lock on a removed file guards nothing.
        try:
            if os.stat(path).st_ino == os.fstat(descriptor).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(descriptor)
    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    os.ftruncate(descriptor, 0)
    os.write(descriptor, f"pid {os.getpid()} (started {started} UTC: {' '.join(sys.argv)})\n".encode())
    return descriptor


def check_output_kinds(database: Path, published: Path, export_dir: Path) -> None:
    """RunFailure when an output path is of the wrong kind (a folder for a file, or the reverse)."""
    for path, folder in ((database, False), (published, False), (export_dir, True)):
        if path.exists() and path.is_dir() != folder:
            raise RunFailure(f"an output path is a {'file' if folder else 'folder'}, a {'folder' if folder else 'file'} "
                             "is expected", str(path),
                             "give another path (--database, --published-database, --export-dir), or move it away",
                             exit_code=2)


@contextmanager
def outputs_locked(outputs: Sequence[Path]) -> Iterator[None]:
    """Hold the lock of every output (in a fixed order) for the duration of the block."""
    held: list[tuple[Path, int]] = []
    try:
        for output in sorted(set(outputs)):
            path = lock_path(output)
            held.append((path, _claim(path)))
        yield
    finally:
        for path, descriptor in reversed(held):
            path.unlink(missing_ok=True)  # while still holding it: the next run then locks a new file
            os.close(descriptor)
