"""Judge the derived intervals: which small cells say more than their flag, which secondary
cells are wasted, and (given the working database) whether every interval holds the truth.

A small cell FAILS when its small quantity is pinned to one value or bounded more tightly than
[1, t - 1]. With the working database, a truly small cell flagged 'secondary' (inside a withheld
cell, its flag says nothing of its size) fails when its small figure is pinned. Its small
quantity: with the working database, the one that truly is 1..t-1 (the individuals, the
beneficiaries or both); without it, the individuals where the beneficiaries are known to be
>= t or the rows below the cell prove 2 or more (no small_cell flag is then about the
beneficiaries), else the beneficiaries. The truth only judges; it never derives.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from .propagation import Intervals
from .relations import FloatArray

FAILURE_STATUSES = ("recovered", "narrowed")


def attach_intervals(connection: duckdb.DuckDBPyConnection, intervals: Intervals,
                     proved_by_rows: FloatArray) -> None:
    """The derived intervals, and what the rows alone prove of each quantity (rows_lower)."""
    frame = pd.DataFrame({"qid": np.arange(len(intervals.lower), dtype=np.int64),
                          "lower": intervals.lower, "upper": intervals.upper, "rows_lower": proved_by_rows})
    connection.register("interval_frame", frame)
    connection.execute("create or replace table intervals as select * from interval_frame")
    connection.unregister("interval_frame")


def attach_truth(connection: duckdb.DuckDBPyConnection, working: Path | None) -> bool:
    """The true individuals, numerator and denominator per published row, or nulls."""
    if working is None:
        connection.execute("""
            create table truth as select row_id, null::bigint as individuals, null::bigint as numerator,
                null::bigint as denominator from row_quantities where false
        """)
        return False
    connection.execute(f"attach '{working}' as working (read_only)")
    connection.execute("""
        create table truth as
        select r.row_id, t.individuals, t.numerator, t.denominator
        from row_quantities as r
        join working.int_indicator_cells_computed as t
            using (indicator_code, year, geo_level, geo_code, age_band)
    """)
    connection.execute("detach working")
    return True


def judge_rows(connection: duckdb.DuckDBPyConnection, threshold: int) -> None:
    """Create `judged_rows`: every withheld row with its intervals and verdict."""
    connection.execute("""
        create table judged_rows as
        with joined as (
            select r.*, n.lower as numerator_lower, n.upper as numerator_upper,
                d.lower as denominator_lower, d.upper as denominator_upper, d.rows_lower as denominator_rows_lower,
                i.lower as individuals_lower, i.upper as individuals_upper,
                t.individuals as true_individuals, t.numerator as true_numerator,
                t.denominator as true_denominator
            from row_quantities as r
            join intervals as n on n.qid = r.numerator_qid
            join intervals as d on d.qid = r.denominator_qid
            join intervals as i on i.qid = r.individuals_qid
            left join truth as t using (row_id)
            where r.is_withheld
        ),
        targeted as (
            select *,
                coalesce(true_individuals between 1 and $small or true_denominator between 1 and $small, false)
                    as truth_known,
                -- Without the truth: the beneficiaries are not the small figure where they are
                -- known to be t or more, or where the rows below prove 2 or more (the population
                -- pattern flags no such cell), whatever the outsider reads of the flags.
                case when true_individuals between 1 and $small or true_denominator between 1 and $small
                     then true_individuals between 1 and $small
                     else denominator_lower >= $threshold or denominator_rows_lower >= 2 end as judge_individuals,
                case when true_individuals between 1 and $small or true_denominator between 1 and $small
                     then true_denominator between 1 and $small
                     else denominator_lower < $threshold and denominator_rows_lower < 2 end as judge_beneficiaries
            from joined
        ),
        verdicts as (
            select *,
                judge_individuals and individuals_lower = individuals_upper as individuals_pinned,
                judge_beneficiaries and denominator_lower = denominator_upper as beneficiaries_pinned,
                judge_individuals and individuals_lower < individuals_upper
                    and (individuals_lower > 1 or individuals_upper < $small) as individuals_narrowed,
                judge_beneficiaries and denominator_lower < denominator_upper
                    and (denominator_lower > 1 or denominator_upper < $small) as beneficiaries_narrowed
            from targeted
        )
        select *,
            case
                when suppression_flag = 'small_cell' and (individuals_pinned or beneficiaries_pinned) then 'recovered'
                when suppression_flag = 'small_cell' and (individuals_narrowed or beneficiaries_narrowed)
                    then 'narrowed'
                -- With the truth, a small cell flagged 'secondary' (its flag says nothing of its
                -- size) fails when its small figure comes back exactly.
                when truth_known and (individuals_pinned or beneficiaries_pinned) then 'recovered'
                when suppression_flag = 'small_cell' then 'protected'
                when numerator_lower = numerator_upper and denominator_lower = denominator_upper then 'pinned'
                else 'protecting'
            end as status,
            -- The quantity that gives the most away: a pinned one before a narrowed one.
            case when individuals_pinned then 'individuals'
                 when beneficiaries_pinned then 'beneficiaries'
                 when individuals_narrowed then 'individuals'
                 when beneficiaries_narrowed then 'beneficiaries' end as disclosed,
            numerator_lower = numerator_upper as numerator_pinned
        from verdicts
    """, {"small": threshold - 1, "threshold": threshold})


def inconsistencies(connection: duckdb.DuckDBPyConnection, has_truth: bool) -> list[str]:
    """Errors: one quantity published with two values; with the truth, an interval that misses
    the true value (the derivation would be unsound) or a quantity with two true values."""
    errors = [f"{family} {year} {geo_level} {geo_code} {age_band}: published with {values} different values"
              for family, year, geo_level, geo_code, age_band, values in connection.execute("""
                  select family, year, geo_level, geo_code, age_band, published_values
                  from quantities where published_values > 1 order by all limit 20
              """).fetchall()]
    if not has_truth:
        return errors
    for family, year, geo_level, geo_code, age_band, values, lower, upper in connection.execute("""
        with truths as (
            select r.denominator_qid as qid, t.denominator as truth from row_quantities as r join truth as t using (row_id)
            union select r.individuals_qid, t.individuals from row_quantities as r join truth as t using (row_id)
            union select r.numerator_qid, t.numerator from row_quantities as r join truth as t using (row_id)
        ),
        per_quantity as (
            select qid, list(distinct truth order by truth) as truth_values from truths group by qid
        )
        select q.family, q.year, q.geo_level, q.geo_code, q.age_band, p.truth_values, i.lower, i.upper
        from per_quantity as p join quantities as q using (qid) join intervals as i using (qid)
        where len(p.truth_values) > 1 or p.truth_values[1] < i.lower or p.truth_values[1] > i.upper
        order by all limit 20
    """).fetchall():
        errors.append(f"{family} {year} {geo_level} {geo_code} {age_band}: true value(s) {values} "
                      f"outside the derived [{lower:g}, {upper:g}] or not unique")
    return errors
