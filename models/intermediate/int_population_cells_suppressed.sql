{{ per_year_model('year') }}

-- The population pattern (docs/protection.md): a denominator is the same in every indicator
-- table, so whether it is published is decided once, over every cell any table publishes.
{%- set rounds = var('secondary_suppression_rounds') %}

with

population_cells as (

    select * from {{ ref('int_population_cells_bounded') }}
    where {{ in_build_years('year') }}

),

pattern_cells as (

    select
        *,
        beneficiaries as measure,
        -- A partner must be able to move down by threshold - 2 above what its rows prove.
        (
            beneficiaries >= {{ var('small_cell_threshold') }}
            and beneficiaries - rows_lower_bound >= {{ var('small_cell_threshold') - 2 }}
        ) as is_strong,
        {{ composite_key(['geo_code', 'age_band']) }} as sort_key,
        {{ is_small_count('beneficiaries') }} as is_withheld_at_start
    from population_cells

),

memberships as (

    {{ geography_and_age_groups('pattern_cells') }}

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
