"""A BI client in a loop: queries the published database until told to stop, then reports.

    python published_reader.py DATABASE MODE STOP_FILE REPORT_FILE [PAUSE_SECONDS] [MAX_SECONDS]

MODE `persistent` keeps one read-only connection for the whole loop; `reconnect` opens a new
read-only connection for every query. Each query is one SQL statement that reads the
`publication` table, counts the rows of every table it lists and checksums one of them (each in
turn): one statement reads one snapshot, so what it counts must be what that publication
recorded. The loop ends when STOP_FILE exists (or after MAX_SECONDS); REPORT_FILE gets JSON: the
number of queries, errors (any exception a BI user would see), mismatches, and the publications
seen, in order. REPORT_FILE.progress holds the publication of the last query, as it goes.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[2]

from atlas.publication.sql_text import checksum_sql, quote_identifier, quote_literal


def recount_sql(tables: list[str], checksummed: str) -> str:
    """One statement: per table, the recorded and the actual row count (and checksum, for one)."""
    actual = " union all ".join(
        f"select {quote_literal(t)} as table_name, (select count(*) from {quote_identifier(t)}) as rows, "
        + (f"({checksum_sql(quote_identifier(t))})" if t == checksummed else "null") + " as checksum"
        for t in tables
    )
    return (
        "select p.publication_id, p.table_name, p.row_count, p.checksum, a.rows, a.checksum,"
        " (select count(distinct publication_id) from publication) as publications"
        f" from publication as p full join ({actual}) as a using (table_name) order by table_name"
    )


def is_consistent(rows: list[Any], names: list[str]) -> bool:
    """Whether the rows of recount_sql come from one complete publication."""
    versions = {row[0] for row in rows}
    return (len(rows) == len(names) and len(versions) == 1 and rows[0][6] == 1
            and all(row[2] == row[4] and (row[5] is None or row[3] == row[5]) for row in rows)
            and sum(row[5] is not None for row in rows) == 1)


def write_progress(report_file: str, version: str) -> None:
    progress = Path(report_file + ".progress")
    scratch = progress.with_name(progress.name + ".tmp")
    scratch.write_text(version, encoding="utf-8")
    scratch.replace(progress)


def main(database: str, mode: str, stop_file: str, report_file: str, pause: str = "0.1",
         max_seconds: str = "900") -> None:
    report: dict[str, Any] = {"mode": mode, "queries": 0, "errors": 0, "error_samples": [], "mismatches": 0,
                              "mismatch_samples": [], "versions": [], "queries_per_version": {}}
    connection: duckdb.DuckDBPyConnection | None = None
    turn = 0
    started = time.monotonic()
    while not Path(stop_file).exists() and time.monotonic() - started < float(max_seconds):
        try:
            if connection is None:
                connection = duckdb.connect(database, read_only=True)
            if turn == 0 or mode == "reconnect":
                names = [name for (name,) in connection.execute(
                    "select table_name from publication order by table_name").fetchall()]
            table = names[turn % len(names)]
            turn += 1
            rows = connection.execute(recount_sql(names, table)).fetchall()
            if mode == "reconnect":
                connection.close()
                connection = None
            report["queries"] += 1
            versions = {row[0] for row in rows}
            if not is_consistent(rows, names):
                report["mismatches"] += 1
                if len(report["mismatch_samples"]) < 10:
                    report["mismatch_samples"].append([list(map(str, row)) for row in rows])
            for version in sorted(versions):
                if not report["versions"] or report["versions"][-1] != version:
                    report["versions"].append(version)
                    write_progress(report_file, str(version))
                report["queries_per_version"][version] = report["queries_per_version"].get(version, 0) + 1
        except Exception as error:  # every failure a BI user would see counts
            report["errors"] += 1
            if len(report["error_samples"]) < 10:
                report["error_samples"].append(f"{type(error).__name__}: {error}")
            if connection is not None:
                connection.close()
                connection = None
        time.sleep(float(pause))
    if connection is not None:
        connection.close()
    report["seconds"] = round(time.monotonic() - started, 1)
    Path(report_file).write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:7])
