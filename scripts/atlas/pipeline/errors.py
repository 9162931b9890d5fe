"""Every failure of the run command as one message: what happened, where, what to do, an exit code.

A traceback tells the person running the pipeline where the code was, not what to do about
their disk, their folder or the other run. scripts/run_pipeline.py turns whatever stops it into
a RunFailure (explain) and prints it; the steps have already removed their temporary files on
the way out, so the message can say that the outputs are as they were. Exit 2 is for a problem
of the input (the extract, the options), 1 for anything else. ATLAS_DEBUG=1 prints the traceback
as well, for a bug report.
"""

from __future__ import annotations

import errno
import re
import shutil
import signal
import subprocess
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Iterator, Sequence

import duckdb

UNCHANGED = "The working database, the published database and the exports were left as they were."
# What DuckDB says when the disk under its temporary directory, or the limit set on it, is full.
_DISK_FULL = re.compile(r"No space left on device|max_temp_directory_size|failed to offload data block|Failed to create directory",
                        re.IGNORECASE)
_QUOTED_PATH = re.compile(r'"(/[^"]+)"')
_USED = re.compile(r"\(([\d.]+ \w+)/([\d.]+ \w+) used\)")
_NOT_WRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EISDIR, errno.EEXIST,
                 errno.ENOENT, errno.ETXTBSY}


class RunFailure(Exception):
    """A failure explained for the person running the pipeline."""

    def __init__(self, what: str, where: str, todo: str, exit_code: int = 1) -> None:
        super().__init__(what)
        self.what, self.where, self.todo, self.exit_code = what, where, todo, exit_code

    def __str__(self) -> str:
        return f"error: {self.what}\n  where: {self.where}\n  what to do: {self.todo}\n{UNCHANGED}"


class Interrupted(BaseException):
    """SIGTERM or SIGINT, raised like KeyboardInterrupt so that every step removes its temporary files."""


@contextmanager
def interrupts_raised() -> Iterator[None]:
    """Within the block, both signals raise Interrupted: SIGINT too, since a shell that started
    the run in the background has it ignored, and Python then raises no KeyboardInterrupt."""
    def handler(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(signal.Signals(signum).name)
    previous = {signum: signal.signal(signum, handler) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, disposition in previous.items():
            signal.signal(signum, disposition)


def _size(size: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"


def _free_space(path: Path) -> str:
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        return _size(shutil.disk_usage(existing).free)
    except OSError:
        return "unknown"


def disk_full_line(lines: Sequence[str]) -> str | None:
    """The line of dbt's or DuckDB's output saying that the temporary directory is full, if any."""
    return next((line.strip() for line in lines if _DISK_FULL.search(line)), None)


def disk_full(message: str, temp_directory: Path, extract_bytes: int) -> RunFailure:
    """The build ran out of disk while DuckDB spilled to its temporary directory."""
    quoted = _QUOTED_PATH.search(message)
    where = Path(quoted.group(1)) if quoted else temp_directory
    if where.name.startswith("duckdb_temp"):  # a spill file: its folder is what to free or move
        where = where.parent
    used = _USED.search(message)
    if used:
        needed = (f"DuckDB had used {used.group(1)} of the {used.group(2)} it may spill there "
                  f"(max_temp_directory_size) and needed more")
    else:
        needed = (f"{_free_space(where)} is free there; the build needs more: plan for at least the size of "
                  f"the raw extract ({_size(extract_bytes)}) free")
    return RunFailure(
        f"the disk filled up while DuckDB was spilling to its temporary directory ({message})",
        f"{where} ({needed})",
        "free space on that disk, or set ATLAS_DUCKDB_TEMP_DIRECTORY to a folder on a disk with more room "
        "(or --database to build on that disk), then run again")


def _not_writable(error: OSError) -> RunFailure:
    where = error.filename or "an output path"
    reason = {errno.ENOTDIR: "a part of the path is a file, not a folder",
              errno.EISDIR: "the path is a folder, a file was expected",
              errno.EEXIST: "a file is in the way of a folder",
              errno.EROFS: "the file system is read-only"}.get(error.errno or 0, error.strerror or str(error))
    return RunFailure(f"an output cannot be written: {reason}", str(where),
                      "give writable paths with --database, --published-database and --export-dir "
                      "(or their ATLAS_* variables), or fix that folder, then run again")


def explain(error: BaseException, temp_directory: Path, extract_bytes: int) -> RunFailure:
    """The message for whatever stopped the run."""
    if isinstance(error, RunFailure):
        return error
    if isinstance(error, (KeyboardInterrupt, Interrupted)):
        name = str(error) or "SIGINT"
        return RunFailure(f"interrupted ({name})", "the run, before everything was moved into place",
                          "run again: the temporary files were removed")
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return disk_full(str(error), Path(error.filename) if error.filename else temp_directory, extract_bytes)
    if isinstance(error, duckdb.Error) and disk_full_line([str(error)]):
        return disk_full(str(error).splitlines()[0], temp_directory, extract_bytes)
    if isinstance(error, OSError) and error.errno in _NOT_WRITABLE:
        return _not_writable(error)
    if isinstance(error, subprocess.CalledProcessError):
        return RunFailure(f"a step failed (exit {error.returncode})", " ".join(map(str, error.cmd))[:300],
                          "read the messages above; run again once the cause is fixed")
    first_line = (str(error).splitlines() or [""])[0]
    return RunFailure(f"unexpected {type(error).__name__}: {first_line}", "scripts/run_pipeline.py",
                      "run again with ATLAS_DEBUG=1 for the traceback and report it")
