"""A BI server that stays up: queries the published database in a loop, each way a tool connects.

    python long_running_reader.py ENTRY KIND STOP_FILE REPORT_FILE [PAUSE_SECONDS] [MAX_SECONDS]

KIND `duckdb` (a notebook or a dashboard app on DuckDB's Python API), two routes:
  held   one read-only connection to ENTRY opened at the start and kept;
  fresh  duckdb.connect(ENTRY, read_only=True) for each query, closed after, while `held` is open.
KIND `sqlalchemy` (SQLAlchemy + duckdb_engine, Superset's route), four routes:
  held      a connection checked out of the engine at the start and kept (another user's query);
  pool      a connection from the same long-lived engine for each query (NullPool, as docs/bi_users.md says);
  superset  as Superset runs a query: a new engine with NullPool (Superset's default), disposed after;
  superset_mutator  the same, the URI first through the DB_CONNECTION_MUTATOR of docs/bi_users.md, run as
                    written there.

In turn, each route runs one statement (published_reader.recount_sql): the `publication` table
and the row count of every table it lists (and the checksum of one), so a query reading two
versions would not match. The loop ends when STOP_FILE exists (or after MAX_SECONDS). REPORT_FILE
gets JSON, per route: queries, errors, mismatches (with samples), the publications seen in order
and, for each query, [start time, publication]. REPORT_FILE.progress holds {route: last
publication seen}, as it goes.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, Callable

import duckdb

from published_reader import is_consistent, recount_sql

Route = Callable[[str], list[Any]]


def readme_connection_mutator() -> Callable[..., tuple[Any, Any]]:
    """The superset_config.py setting of docs/bi_users.md, run as written there (the Python block defining it)."""
    readme = (Path(__file__).resolve().parents[2] / "docs" / "bi_users.md").read_text(encoding="utf-8")
    blocks = [block.split("```", 1)[0] for block in readme.split("```python\n")[1:]]
    (code,) = [block for block in blocks if "def DB_CONNECTION_MUTATOR(" in block]
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102 - the project's own README
    mutator: Callable[..., tuple[Any, Any]] = namespace["DB_CONNECTION_MUTATOR"]
    return mutator


def duckdb_routes(entry: str) -> tuple[dict[str, Route], Callable[[], None]]:
    held = duckdb.connect(entry, read_only=True)

    def fresh(sql: str) -> list[Any]:
        with duckdb.connect(entry, read_only=True) as connection:
            return connection.execute(sql).fetchall()

    return {"held": lambda sql: held.execute(sql).fetchall(), "fresh": fresh}, held.close


def sqlalchemy_routes(entry: str) -> tuple[dict[str, Route], Callable[[], None]]:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    uri = f"duckdb:///{entry}"
    mutator = readme_connection_mutator()
    engine = create_engine(uri, connect_args={"read_only": True}, poolclass=NullPool)
    held = engine.connect()

    def pool(sql: str) -> list[Any]:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.exec_driver_sql(sql).fetchall()]

    def superset(sql: str, mutate: bool = False) -> list[Any]:
        url, params = make_url(uri), {"connect_args": {"read_only": True}}
        if mutate:
            url, params = mutator(url, params, None, None, None)
        per_query = create_engine(url, poolclass=NullPool, **params)
        try:
            with per_query.connect() as connection:
                return [tuple(row) for row in connection.exec_driver_sql(sql).fetchall()]
        finally:
            per_query.dispose()

    def close() -> None:
        held.close()
        engine.dispose()

    return {"held": lambda sql: [tuple(row) for row in held.exec_driver_sql(sql).fetchall()],
            "pool": pool, "superset": superset, "superset_mutator": lambda sql: superset(sql, mutate=True)}, close


def write_progress(report_file: str, progress: dict[str, str]) -> None:
    target = Path(report_file + ".progress")
    scratch = target.with_name(target.name + ".tmp")
    scratch.write_text(json.dumps(progress), encoding="utf-8")
    scratch.replace(target)


def main(entry: str, kind: str, stop_file: str, report_file: str, pause: str = "0.05",
         max_seconds: str = "300") -> None:
    routes, close = (duckdb_routes if kind == "duckdb" else sqlalchemy_routes)(entry)
    names = [name for (name,) in routes["held"]("select table_name from publication order by table_name")]
    report: dict[str, dict[str, Any]] = {
        route: {"queries": 0, "errors": 0, "error_samples": [], "mismatches": 0, "mismatch_samples": [],
                "versions": [], "seen": []} for route in routes}
    progress: dict[str, str] = {}
    turn = 0
    started = time.monotonic()
    while not Path(stop_file).exists() and time.monotonic() - started < float(max_seconds):
        for route, run in routes.items():
            record = report[route]
            query_start = time.time()
            try:
                rows = run(recount_sql(names, names[turn % len(names)]))
            except Exception as error:  # every failure a BI user would see counts
                record["errors"] += 1
                if len(record["error_samples"]) < 10:
                    record["error_samples"].append(f"{type(error).__name__}: {error}")
                continue
            record["queries"] += 1
            if not is_consistent(rows, names):
                record["mismatches"] += 1
                if len(record["mismatch_samples"]) < 5:
                    record["mismatch_samples"].append([list(map(str, row)) for row in rows])
                continue
            version = str(rows[0][0])
            record["seen"].append([query_start, version])
            if not record["versions"] or record["versions"][-1] != version:
                record["versions"].append(version)
                progress[route] = version
                write_progress(report_file, progress)
        turn += 1
        time.sleep(float(pause))
    close()
    Path(report_file).write_text(json.dumps(report), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:7])
