"""Counts over the judged rows: the failures, the wasted withholding and the share withheld."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb


@dataclass(frozen=True)
class Share:
    """Rows of one group (a geo level, an indicator, or everything) and how many are withheld."""

    group: str
    rows: int
    small: int
    secondary: int

    def percent(self, count: int) -> float:
        return 100.0 * count / self.rows if self.rows else 0.0


@dataclass(frozen=True)
class Failure:
    """The key of one derivation: the table's cell, the quantity it gives away, its interval."""

    indicator_code: str
    year: int
    geo_level: str
    geo_code: str
    age_band: str
    status: str
    quantity: str
    lower: float
    upper: float
    true_value: int | None


@dataclass
class Summary:
    small_cells: int = 0
    recovered: int = 0
    narrowed: int = 0
    secondary_cells: int = 0
    pinned_secondary: int = 0
    # Distinct figures, the way of counting: beneficiary counts of 1..t-1 pinned, and
    # volumes pinned behind small cells of a volume table.
    beneficiary_counts_recovered: int = 0
    volumes_recovered: int = 0
    by_indicator: list[tuple[str, int, int, int]] = field(default_factory=list)
    by_level: list[tuple[str, int, int, int]] = field(default_factory=list)
    shares_by_level: list[Share] = field(default_factory=list)
    shares_by_indicator: list[Share] = field(default_factory=list)
    share_all: Share = Share("all", 0, 0, 0)
    failures: list[Failure] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.recovered + self.narrowed


def _verdict_counts(connection: duckdb.DuckDBPyConnection, column: str) -> list[tuple[str, int, int, int]]:
    return [(str(group), int(recovered), int(narrowed), int(pinned)) for group, recovered, narrowed, pinned in
            connection.execute(f"""
                select {column}, count(*) filter (where status = 'recovered'),
                    count(*) filter (where status = 'narrowed'), count(*) filter (where status = 'pinned')
                from judged_rows group by 1
                having count(*) filter (where status in ('recovered', 'narrowed', 'pinned')) > 0
                order by 1
            """).fetchall()]


def _shares(connection: duckdb.DuckDBPyConnection, column: str) -> list[Share]:
    return [Share(str(group), int(rows), int(small), int(secondary)) for group, rows, small, secondary in
            connection.execute(f"""
                select {column}, count(*), count(*) filter (where suppression_flag = 'small_cell'),
                    count(*) filter (where suppression_flag = 'secondary')
                from row_quantities group by 1 order by 1
            """).fetchall()]


def summarise(connection: duckdb.DuckDBPyConnection, sample_size: int) -> Summary:
    summary = Summary()
    (summary.small_cells, summary.recovered, summary.narrowed, summary.secondary_cells,
     summary.pinned_secondary) = connection.execute("""
        select count(*) filter (where suppression_flag = 'small_cell'), count(*) filter (where status = 'recovered'),
            count(*) filter (where status = 'narrowed'), count(*) filter (where suppression_flag = 'secondary'),
            count(*) filter (where status = 'pinned')
        from judged_rows
    """).fetchone() or (0, 0, 0, 0, 0)
    summary.beneficiary_counts_recovered, summary.volumes_recovered = connection.execute("""
        select count(distinct denominator_qid) filter (where beneficiaries_pinned),
            count(distinct numerator_qid) filter (where measure = 'volume' and numerator_pinned and judge_individuals)
        from judged_rows where suppression_flag = 'small_cell'
    """).fetchone() or (0, 0)
    summary.by_indicator = _verdict_counts(connection, "indicator_code")
    summary.by_level = _verdict_counts(connection, "geo_level")
    summary.shares_by_level = _shares(connection, "geo_level")
    summary.shares_by_indicator = _shares(connection, "indicator_code")
    all_rows = _shares(connection, "'all'")
    summary.share_all = all_rows[0] if all_rows else Share("all", 0, 0, 0)
    summary.failures = [Failure(*row) for row in connection.execute("""
        select indicator_code, year, geo_level, geo_code, age_band, status, disclosed,
            case when disclosed = 'individuals' then individuals_lower else denominator_lower end,
            case when disclosed = 'individuals' then individuals_upper else denominator_upper end,
            case when disclosed = 'individuals' then true_individuals else true_denominator end
        from judged_rows where status in ('recovered', 'narrowed')
        order by status desc, year, indicator_code, geo_level, geo_code, age_band
        limit ?
    """, [sample_size]).fetchall()]
    return summary
