{%- set rounds = var('secondary_suppression_rounds') -%}

with

computed as (

    select * from {{ ref('int_indicator_cells_computed') }}

),

cells as (

    select
        *,
        {{ composite_key(['indicator_code', 'year', 'geo_level', 'geo_code', 'age_band']) }} as cell_id
    from computed

),

-- Every published cell is the parent of the cells one geographic level down (same band), and
-- every 'total' cell the parent of its age bands: an attacker can subtract along either.
memberships as (

    select
        cell_id,
        'child' as member_role,
        {{ composite_key(["'geo'", 'indicator_code', 'year', 'age_band', 'parent_geo_level', 'parent_geo_code']) }}
            as group_id
    from cells
    where parent_geo_code is not null

    union all

    select
        cell_id,
        'parent' as member_role,
        {{ composite_key(["'geo'", 'indicator_code', 'year', 'age_band', 'geo_level', 'geo_code']) }} as group_id
    from cells

    union all

    select
        cell_id,
        case when age_band = 'total' then 'parent' else 'child' end as member_role,
        {{ composite_key(["'age'", 'indicator_code', 'year', 'geo_level', 'geo_code']) }} as group_id
    from cells

),

-- What no child holds: persons without a known domicile (country) or sector (commune).
group_residues as (

    select
        memberships.group_id,
        max(case when memberships.member_role = 'parent' then cells.individuals end) as parent_individuals,
        sum(case when memberships.member_role = 'parent' then cells.individuals else -cells.individuals end)
            as residue_individuals,
        sum(case when memberships.member_role = 'parent' then cells.denominator else -cells.denominator end)
            as residue_denominator
    from memberships
    inner join cells
        on memberships.cell_id = cells.cell_id
    group by memberships.group_id
    -- A group needs a parent and at least one child to be subtracted from or added up.
    having
        sum(case when memberships.member_role = 'child' then 1 else 0 end) > 0
        and sum(case when memberships.member_role = 'parent' then 1 else 0 end) = 1

),

group_residues_flagged as (

    select
        group_id,
        {{ is_small_count('residue_individuals') }} or {{ is_small_count('residue_denominator') }}
            as residue_is_small,
        -- The children's sum gives the parent's denominator exactly, or its numerator when that
        -- is not a public zero.
        residue_denominator = 0 or (residue_individuals = 0 and parent_individuals > 0) as children_reveal_parent
    from group_residues

),

small_cells as (

    select
        cell_id,
        individuals,
        denominator,
        {{ is_small_count('individuals') }} or {{ is_small_count('denominator') }} as is_small_cell
    from cells

),

round_0 as (

    select
        cell_id,
        individuals,
        denominator,
        is_small_cell as is_suppressed,
        case when is_small_cell then 'small_cell' end as suppression_flag
    from small_cells

),

{#- One round more than allowed: the data test on changed_in_last_round proves it changed nothing. #}
{% for round_number in range(1, rounds + 2) -%}
    {{ suppression_pass('round_' ~ (round_number - 1), round_number) }},
{% endfor %}

final as (

    select
        cells.indicator_code,
        cells.year,
        cells.geo_level,
        cells.geo_code,
        cells.geo_name,
        cells.geo_name_nl,
        cells.parent_geo_level,
        cells.parent_geo_code,
        cells.age_band,
        cells.individuals,
        cells.numerator,
        cells.denominator,
        cells.value,
        cells.unit,
        suppressed.is_suppressed,
        suppressed.suppression_flag,
        suppressed.is_suppressed != check_round.is_suppressed as changed_in_last_round
    from cells
    inner join round_{{ rounds }} as suppressed
        on cells.cell_id = suppressed.cell_id
    inner join round_{{ rounds + 1 }} as check_round
        on cells.cell_id = check_round.cell_id

)

select * from final
