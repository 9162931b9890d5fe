"""What the run command prints at the end: where everything was written, the published tables and
their rows, and the raw rows read, used and quarantined."""

from __future__ import annotations

from pathlib import Path

import duckdb


def table_summary(database: Path) -> list[tuple[str, str, int]]:
    """(schema, table, rows) of every table in the database, marts first."""
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by table_name"
        ).fetchall()
        summary = []
        for schema, name in tables:
            rows = connection.execute(f'select count(*) from "{schema}"."{name}"').fetchall()[0][0]
            summary.append((schema, name, int(rows)))
    return sorted(summary, key=lambda row: (not row[1].startswith(("cube_", "stat_")), row[1]))


def reconciliation_summary(database: Path) -> list[str]:
    """Per source: rows read, used and quarantined (by reason), from the build's own tables."""
    with duckdb.connect(str(database), read_only=True) as connection:
        totals = connection.execute(
            "select source_name, sum(rows_read), sum(rows_used), sum(rows_quarantined), sum(rows_used_with_issue) "
            "from extract_reconciliation group by source_name order by source_name"
        ).fetchall()
        reasons = connection.execute(
            "select 'beneficiaries', reason_code, row_used, count(*) from quarantined_beneficiaries group by all "
            "union all select 'claims', reason_code, row_used, count(*) from quarantined_claims group by all "
            "order by 1, 3, 4 desc, 2"
        ).fetchall()
    lines = []
    for source, read, used, quarantined, flagged in totals:
        lines.append(f"{source}: {int(read):,} rows read = {int(used):,} used + {int(quarantined):,} quarantined"
                     + (f" ({int(flagged):,} of the used rows flagged)" if flagged else ""))
        for reason_source, reason, row_used, rows in reasons:
            if reason_source == source:
                lines.append(f"    {reason:<30} {int(rows):>10,}  {'used, flagged' if row_used else 'quarantined'}")
    return lines


def print_summary(database: Path, published: Path, export_dir: Path, seconds: float) -> None:
    print(f"\n[run] done in {seconds:.0f} s.")
    print(f"Working database (every layer, person-level: do not share): {database}")
    print(f"Published database (for BI tools; open it read-only): {published}")
    print(f"Exports (Parquet and CSV): {export_dir / 'parquet'}, {export_dir / 'csv'}")
    print(f"\n{'published table':<45} {'rows':>12}")
    for schema, name, rows in table_summary(published):
        print(f"{schema + '.' + name:<45} {rows:>12,}")
    print("\n[run] raw rows (working database: extract_reconciliation, quarantined_beneficiaries, "
          "quarantined_claims):")
    for line in reconciliation_summary(database):
        print(f"  {line}")
