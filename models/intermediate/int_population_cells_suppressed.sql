-- The population pattern (docs/protection.md): a denominator is the same in every indicator
-- table, so whether it is published is decided once, over every cell any table publishes.
{%- set rounds = var('secondary_suppression_rounds') %}

with

computed as (

    select * from {{ ref('int_indicator_cells_computed') }}

),

population_cells as (

    select distinct
        year,
        geo_level,
        geo_code,
        parent_geo_level,
        parent_geo_code,
        age_band,
        denominator as beneficiaries
    from computed

),

pattern_cells as (

    select
        {{ composite_key(['year', 'geo_level', 'geo_code', 'age_band']) }} as cell_id,
        year,
        geo_level,
        geo_code,
        parent_geo_level,
        parent_geo_code,
        age_band,
        beneficiaries,
        beneficiaries as measure,
        beneficiaries >= {{ var('small_cell_threshold') }} as is_strong,
        {{ composite_key(['geo_code', 'age_band']) }} as sort_key,
        {{ is_small_count('beneficiaries') }} as is_withheld_at_start
    from population_cells

),

-- A unit in a band heads the units one level down in the same band; a unit's 'total' heads
-- its bands.
memberships as (

    select
        cell_id,
        'child' as member_role,
        beneficiaries as remainder_measure,
        {{ composite_key(["'geo'", 'year', 'age_band', 'parent_geo_level', 'parent_geo_code']) }} as group_id
    from pattern_cells
    where parent_geo_code is not null

    union all

    select
        cell_id,
        'parent' as member_role,
        beneficiaries as remainder_measure,
        {{ composite_key(["'geo'", 'year', 'age_band', 'geo_level', 'geo_code']) }} as group_id
    from pattern_cells

    union all

    select
        cell_id,
        case when age_band = 'total' then 'parent' else 'child' end as member_role,
        beneficiaries as remainder_measure,
        {{ composite_key(["'age'", 'year', 'geo_level', 'geo_code']) }} as group_id
    from pattern_cells

),

{{ suppression_rounds(rounds) }}

final as (

    select
        pattern_cells.year,
        pattern_cells.geo_level,
        pattern_cells.geo_code,
        pattern_cells.age_band,
        pattern_cells.beneficiaries,
        pattern_cells.is_withheld_at_start as is_small,
        pattern_cells.is_withheld_at_start and cells_within_withheld_cells.cell_id is null as is_flagged_small,
        suppressed.is_suppressed,
        suppressed.is_suppressed != check_round.is_suppressed as changed_in_last_round
    from pattern_cells
    inner join round_{{ rounds }} as suppressed
        on pattern_cells.cell_id = suppressed.cell_id
    inner join round_{{ rounds + 1 }} as check_round
        on pattern_cells.cell_id = check_round.cell_id
    left join cells_within_withheld_cells
        on pattern_cells.cell_id = cells_within_withheld_cells.cell_id

)

select * from final
