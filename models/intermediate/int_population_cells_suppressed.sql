{{ per_year_model('year') }}

-- The population pattern (docs/protection.md): a denominator is the same in every indicator
-- table, so whether it is published is decided once, over every cell any table publishes.
{%- set rounds = var('secondary_suppression_rounds') %}

with

computed as (

    select * from {{ ref('int_indicator_cells_computed') }}
    where {{ in_build_years('year') }}

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

cells_with_ids as (

    select
        {{ composite_key(['year', 'geo_level', 'geo_code', 'age_band']) }} as cell_id,
        year,
        geo_level,
        geo_code,
        parent_geo_level,
        parent_geo_code,
        age_band,
        beneficiaries,
        beneficiaries as measure
    from population_cells

),

memberships as (

    {{ geography_and_age_groups('cells_with_ids') }}

),

-- Every row of a table holds at least one beneficiary, so the rows below a cell (its bands, the
-- units below it, and theirs) prove a least number of beneficiaries: that much of it an outsider
-- can always tell.
{{ rows_lower_bounds('memberships', 'cells_with_ids') }}

pattern_cells as (

    select
        cells_with_ids.cell_id,
        cells_with_ids.year,
        cells_with_ids.geo_level,
        cells_with_ids.geo_code,
        cells_with_ids.age_band,
        cells_with_ids.beneficiaries,
        cells_with_ids.measure,
        rows_lower_bounds.rows_lower_bound,
        -- A partner must be able to move down by threshold - 2 above what its rows prove.
        (
            cells_with_ids.beneficiaries >= {{ var('small_cell_threshold') }}
            and cells_with_ids.beneficiaries - rows_lower_bounds.rows_lower_bound
            >= {{ var('small_cell_threshold') - 2 }}
        ) as is_strong,
        {{ composite_key(['cells_with_ids.geo_code', 'cells_with_ids.age_band']) }} as sort_key,
        {{ is_small_count('cells_with_ids.beneficiaries') }} as is_withheld_at_start
    from cells_with_ids
    inner join rows_lower_bounds
        on cells_with_ids.cell_id = rows_lower_bounds.cell_id

),

{{ suppression_rounds(rounds) }}

final as (

    select
        pattern_cells.year,
        pattern_cells.geo_level,
        pattern_cells.geo_code,
        pattern_cells.age_band,
        pattern_cells.beneficiaries,
        pattern_cells.rows_lower_bound,
        pattern_cells.is_withheld_at_start as is_small,
        -- Rows proving 2 or more would narrow the flag's 1 to threshold - 1.
        (
            pattern_cells.is_withheld_at_start
            and not pattern_outcomes.is_within_withheld_cell
            and pattern_cells.rows_lower_bound = 1
        ) as is_flagged_small,
        pattern_outcomes.is_suppressed,
        pattern_outcomes.changed_in_last_round
    from pattern_cells
    inner join pattern_outcomes
        on pattern_cells.cell_id = pattern_outcomes.cell_id

)

select * from final
