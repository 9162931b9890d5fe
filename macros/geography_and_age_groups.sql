{#
    The geographic and age groups of a suppression pattern (docs/protection.md), as rows of
    memberships (cell_id, member_role, remainder_measure, group_id) from a relation with cell_id,
    measure, year, geo_level, geo_code, parent_geo_level, parent_geo_code and age_band: a unit in
    a band heads the units one level down in the same band, and a unit's 'total' heads its bands.
    pattern_columns names what else tells two patterns apart (the variable).
#}
{% macro geography_and_age_groups(cells, pattern_columns=[]) %}

    select
        cell_id,
        'child' as member_role,
        measure as remainder_measure,
        {{ composite_key(["'geo'"] + pattern_columns + ['year', 'age_band', 'parent_geo_level', 'parent_geo_code']) }}
            as group_id
    from {{ cells }}
    where parent_geo_code is not null

    union all

    select
        cell_id,
        'parent' as member_role,
        measure as remainder_measure,
        {{ composite_key(["'geo'"] + pattern_columns + ['year', 'age_band', 'geo_level', 'geo_code']) }} as group_id
    from {{ cells }}

    union all

    select
        cell_id,
        case when age_band = 'total' then 'parent' else 'child' end as member_role,
        measure as remainder_measure,
        {{ composite_key(["'age'"] + pattern_columns + ['year', 'geo_level', 'geo_code']) }} as group_id
    from {{ cells }}

{% endmacro %}
