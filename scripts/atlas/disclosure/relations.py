"""The linear relations an outsider knows between quantities (docs/protection.md), as arrays.

Equalities are groups `parent - sum(children) = 0`: the age bands of a unit add up to its
'total'; the units one level down (pseudo-units included) add up to their parent; and each
variable relation adds the child variables' volumes (remainder included) up to the parent
variable's volume. Inequalities are pairs `low <= high`: patients <= beneficiaries, patients <=
exams, and the patients of a relation's child variable <= those of its parent variable.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import numpy.typing as npt

from .quantities import Remainder

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

GROUP_KINDS = ("age", "geography")


@dataclass(frozen=True)
class Relations:
    """Equality terms (constraint, quantity, coefficient +1/-1) and inequality pairs."""

    term_constraint: IntArray
    term_qid: IntArray
    term_coefficient: FloatArray
    constraint_kind: list[str]
    le_low: IntArray
    le_high: IntArray

    @property
    def constraints(self) -> int:
        return len(self.constraint_kind)


def _variable_groups(connection: duckdb.DuckDBPyConnection, found: list[Remainder], patient_coverage: bool) -> None:
    """Rows (kind, parent_qid, child_qid, coefficient) of the variable relations into
    `group_members`: a parent cell gets a group only where every child family has the same cell.

    Volumes: parent = sum(children) + remainder. Patient coverage (each patient of the parent
    has an exam in at least one child): overlap = sum(children's patients) + remainder's - parent's,
    overlap >= 0, written as the group overlap - children - remainder + parent = 0."""
    relations = connection.execute("""
        select relation, any_value(parent_variable),
            list(child_variable order by child_variable) filter (where child_is_published = 'true')
        from seed_variable_relations group by relation order by relation
    """).fetchall()
    for relation, parent, published_children in relations:
        own = [remainder for remainder in found if remainder.relation == relation]
        # (kind, parent family, children families, families added with +1)
        groups: list[tuple[str, str, list[str], list[str]]] = [
            (f"variables:{relation}", f"V:{parent}",
             [f"V:{child}" for child in published_children or []] + [r.family for r in own], []),
        ]
        if patient_coverage and own:
            groups.append((f"coverage:{relation}", own[0].overlap_family,
                           [f"P:{child}" for child in published_children or []] + [r.patients_family for r in own],
                           [f"P:{parent}"]))
        for kind, parent_family, children, added in groups:
            connection.execute("""
                insert into group_members
                with members as (
                    select p.qid as parent_qid, c.qid as child_qid,
                        case when c.family in (select unnest($added)) then 1.0 else -1.0 end as coefficient,
                        count(*) over (partition by p.qid) as members
                    from quantities as p
                    join quantities as c
                        on c.family in (select unnest($children || $added)) and c.year = p.year
                        and c.geo_level = p.geo_level and c.geo_code = p.geo_code and c.age_band = p.age_band
                    where p.family = $parent
                )
                select $kind, parent_qid, child_qid, coefficient from members where members = len($children || $added)
            """, {"children": children, "added": added, "parent": parent_family, "kind": kind})


def build_relations(connection: duckdb.DuckDBPyConnection, found: list[Remainder],
                    patient_coverage: bool = False) -> Relations:
    connection.execute("""
        create table group_members as
        select 'age' as kind, total.qid as parent_qid, band.qid as child_qid, -1.0 as coefficient
        from quantities as band
        join quantities as total
            on total.family = band.family and total.year = band.year and total.geo_level = band.geo_level
            and total.geo_code = band.geo_code and total.age_band = 'total'
        where band.age_band != 'total'
        union all
        select 'geography', parent.qid, child.qid, -1.0
        from quantities as child
        join geo_parents as g on g.geo_level = child.geo_level and g.geo_code = child.geo_code
        join quantities as parent
            on parent.family = child.family and parent.year = child.year and parent.geo_level = g.parent_level
            and parent.geo_code = g.parent_code and parent.age_band = child.age_band
    """)
    _variable_groups(connection, found, patient_coverage)
    connection.execute("""
        create table numbered_groups as
        select kind, parent_qid, (row_number() over (order by kind, parent_qid) - 1)::bigint as constraint_id
        from (select distinct kind, parent_qid from group_members)
    """)
    terms = connection.execute("""
        select constraint_id, parent_qid as qid, 1.0 as coefficient from numbered_groups
        union all
        select g.constraint_id, m.child_qid, m.coefficient
        from group_members as m join numbered_groups as g using (kind, parent_qid)
        order by 1, 2
    """).fetchnumpy()
    kinds = [str(kind) for (kind,) in connection.execute(
        "select kind from numbered_groups order by constraint_id").fetchall()]
    pairs = connection.execute("""
        with cell_pairs as (
            -- patients <= beneficiaries, patients <= exams of the same variable and cell
            select p.qid as low, other.qid as high
            from quantities as p
            join quantities as other
                on (other.family = 'D' or other.family = 'V:' || substr(p.family, 3)) and other.year = p.year
                and other.geo_level = p.geo_level and other.geo_code = p.geo_code and other.age_band = p.age_band
            where p.family like 'P:%'
        ),
        variable_pairs as (
            -- the patients of a child variable <= the patients of its parent variable
            select child.qid as low, parent.qid as high
            from seed_variable_relations as r
            join quantities as child on child.family = 'P:' || r.child_variable
            join quantities as parent
                on parent.family = 'P:' || r.parent_variable and parent.year = child.year
                and parent.geo_level = child.geo_level and parent.geo_code = child.geo_code
                and parent.age_band = child.age_band
        )
        select * from cell_pairs union all select * from variable_pairs
    """).fetchnumpy()
    return Relations(
        term_constraint=np.asarray(terms["constraint_id"], dtype=np.int64),
        term_qid=np.asarray(terms["qid"], dtype=np.int64),
        term_coefficient=np.asarray(terms["coefficient"], dtype=np.float64),
        constraint_kind=kinds,
        le_low=np.asarray(pairs["low"], dtype=np.int64),
        le_high=np.asarray(pairs["high"], dtype=np.int64),
    )
