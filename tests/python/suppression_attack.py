"""Play the attacker against the published tables.

The attacker knows the published cells (indicator_values) and the public geography (which
unit lies in which). For every published parent cell and its children (the units one level
down in the same age band; the age bands of an all-ages total) it subtracts the visible
children from the parent. With exactly one child withheld, the difference is that child's
figure, unless persons outside every child (no known domicile or sector) blur it: the true,
unsuppressed figures tell us whether it was recovered (a numerator of 0 under a parent whose
numerator is 0 is no news). With no child withheld, the difference
is the persons outside every child: a small group of them is a disclosure too. And where a
withheld parent has no withheld child, the attacker adds the children up.

Written from the rule, not from the models' SQL: it reads the geography seeds, not the models'
parent columns, and compares with the unsuppressed cells only to judge the attack.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

GEO_PARENTS = """
    select 'region' as geo_level, region_code as geo_code, 'country' as parent_level, '{country}' as parent_code
    from geo_regions
    union all
    select 'province', province_code, 'region', region_code from geo_provinces
    union all
    select 'arrondissement', arrondissement_code, 'province', province_code from geo_arrondissements
    union all
    select 'commune', commune_code, 'arrondissement', arrondissement_code from geo_communes
    union all
    select 'statistical_sector', sector_code, 'commune', commune_code from geo_statistical_sectors
"""


def attack(database: Path, threshold: int = 5, country_code: str = "BE") -> list[tuple[object, ...]]:
    """Every disclosure found: (indicator, year, parent level, parent code, parent band, what, value)."""
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(f"""
            with
            published as (select * from indicator_values),
            truth as (select * from int_indicator_cells_computed),
            geo_parents as ({GEO_PARENTS.format(country=country_code)}),
            families as (
                -- geographic: child unit in the same band as its parent unit
                select child.indicator_code, child.year, geo_parents.parent_level as parent_level,
                    geo_parents.parent_code as parent_code, child.age_band as parent_band,
                    child.geo_level, child.geo_code, child.age_band
                from published as child
                join geo_parents on child.geo_level = geo_parents.geo_level and child.geo_code = geo_parents.geo_code
                union all
                -- age: a band of the same unit as its all-ages total
                select indicator_code, year, geo_level, geo_code, 'total', geo_level, geo_code, age_band
                from published where age_band != 'total'
            ),
            subtraction as (
                select families.indicator_code, families.year, families.parent_level, families.parent_code,
                    families.parent_band,
                    count(*) filter (where child.denominator is null) as withheld_children,
                    any_value(child.geo_level) filter (where child.denominator is null) as withheld_level,
                    any_value(child.geo_code) filter (where child.denominator is null) as withheld_code,
                    any_value(child.age_band) filter (where child.denominator is null) as withheld_band,
                    coalesce(sum(child.numerator), 0) as visible_numerator,
                    coalesce(sum(child.denominator), 0) as visible_denominator
                from families
                join published as child using (indicator_code, year, geo_level, geo_code, age_band)
                group by all
            ),
            additions as (
                select subtraction.indicator_code, subtraction.year, subtraction.parent_level,
                    subtraction.parent_code, subtraction.parent_band, 'withheld parent added up' as disclosure,
                    subtraction.visible_numerator, subtraction.visible_denominator
                from subtraction
                join published as parent
                    on parent.indicator_code = subtraction.indicator_code and parent.year = subtraction.year
                    and parent.geo_level = subtraction.parent_level and parent.geo_code = subtraction.parent_code
                    and parent.age_band = subtraction.parent_band
                join truth
                    on truth.indicator_code = subtraction.indicator_code and truth.year = subtraction.year
                    and truth.geo_level = subtraction.parent_level and truth.geo_code = subtraction.parent_code
                    and truth.age_band = subtraction.parent_band
                where parent.denominator is null and subtraction.withheld_children = 0
                    and (subtraction.visible_denominator = truth.denominator
                         or (subtraction.visible_numerator = truth.numerator and truth.numerator > 0))
            ),
            attempts as (
                select subtraction.*,
                    parent.numerator as parent_numerator,
                    parent.numerator - subtraction.visible_numerator as recovered_numerator,
                    parent.denominator - subtraction.visible_denominator as recovered_denominator
                from subtraction
                join published as parent
                    on parent.indicator_code = subtraction.indicator_code and parent.year = subtraction.year
                    and parent.geo_level = subtraction.parent_level and parent.geo_code = subtraction.parent_code
                    and parent.age_band = subtraction.parent_band
                where parent.denominator is not null
            )
            select attempts.indicator_code, attempts.year, attempts.parent_level, attempts.parent_code,
                attempts.parent_band,
                case when attempts.withheld_children = 1 then 'withheld cell recovered'
                     else 'small group outside every child' end as disclosure,
                attempts.recovered_numerator, attempts.recovered_denominator
            from attempts
            left join truth
                on truth.indicator_code = attempts.indicator_code and truth.year = attempts.year
                and truth.geo_level = attempts.withheld_level and truth.geo_code = attempts.withheld_code
                and truth.age_band = attempts.withheld_band
            where
                (attempts.withheld_children = 1
                 -- a parent numerator of 0 already tells every child's: nothing left to recover
                 and ((attempts.recovered_numerator = truth.numerator and attempts.parent_numerator > 0)
                      or attempts.recovered_denominator = truth.denominator))
                or (attempts.withheld_children = 0
                    and attempts.recovered_denominator between 1 and {threshold - 1})
            union all
            select * from additions
            order by all
        """).fetchall()
