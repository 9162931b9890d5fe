"""Peak resident memory of a whole process tree and peak size of a folder, sampled from /proc.

The run command is a Python process that starts dbt, which holds DuckDB: the memory that
counts is the sum over the tree, which getrusage cannot give (it reports the largest single
child, and only once it has ended). Linux only; /proc is read directly, no psutil.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class ProcessStat:
    pid: int
    ppid: int
    rss_bytes: int


def read_stat(pid: int) -> ProcessStat | None:
    """Parent and resident size of one process; None once it has gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name is in parentheses and may itself hold spaces and parentheses: the fields
    # are counted from the last one. After it: state, ppid, ..., rss (field 24 of proc(5)).
    fields = text.rpartition(")")[2].split()
    if len(fields) < 22:
        return None
    return ProcessStat(pid, int(fields[1]), int(fields[21]) * PAGE_BYTES)


def all_processes() -> list[ProcessStat]:
    # /proc/<pid>/task/<tid>/children needs CONFIG_PROC_CHILDREN, which not every kernel has
    # (this machine's does not); the parent field of every process is always there.
    stats = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            stat = read_stat(int(entry.name))
            if stat is not None:
                stats.append(stat)
    return stats


def tree_rss(root_pid: int) -> tuple[int, int]:
    """(resident bytes of root_pid and all its descendants, resident bytes of root_pid alone).

    Pages shared between processes (libraries, copy-on-write after fork) are counted once per
    process, as `ps` and `top` do: an upper bound of the memory the tree really holds."""
    processes = all_processes()
    children: dict[int, list[ProcessStat]] = {}
    root: ProcessStat | None = None
    for stat in processes:
        children.setdefault(stat.ppid, []).append(stat)
        if stat.pid == root_pid:
            root = stat
    if root is None:
        return 0, 0
    total, pending = 0, [root]
    while pending:
        stat = pending.pop()
        total += stat.rss_bytes
        pending.extend(children.get(stat.pid, []))
    return total, root.rss_bytes


def directory_bytes(directory: Path) -> int:
    """Total size of the files under directory (0 if absent)."""
    total = 0
    pending = [directory]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except (FileNotFoundError, NotADirectoryError):
            continue  # DuckDB removes its spill files and folders while we walk them
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_size
            except FileNotFoundError:
                continue
    return total


@dataclass
class Peaks:
    tree_rss_bytes: int = 0
    root_rss_bytes: int = 0
    directory_bytes: int = 0


class PeakSampler:
    """Samples, in a background thread every `interval` seconds, the resident memory of the
    tree under `pid` and the size of `directory`, and keeps the peaks.

        with PeakSampler(process.pid, spill_dir) as sampler:
            process.wait()
        sampler.peaks.tree_rss_bytes
    """

    def __init__(self, pid: int | None, directory: Path | None = None, interval: float = 0.2) -> None:
        self.pid = pid
        self.directory = directory
        self.interval = interval
        self.peaks = Peaks()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="peak-sampler", daemon=True)

    def sample(self) -> None:
        if self.pid is not None:
            tree, root = tree_rss(self.pid)
            self.peaks.tree_rss_bytes = max(self.peaks.tree_rss_bytes, tree)
            self.peaks.root_rss_bytes = max(self.peaks.root_rss_bytes, root)
        if self.directory is not None:
            self.peaks.directory_bytes = max(self.peaks.directory_bytes, directory_bytes(self.directory))

    def _loop(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
