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

-- Every row of a table holds at least one beneficiary, so a cell over n rows (its bands, or
-- the units below it) holds at least n: that much of it an outsider can always tell.
rows_below as (

    select
        year,
        parent_geo_level as geo_level,
        parent_geo_code as geo_code,
        age_band,
        count(*) as child_rows
    from population_cells
    where parent_geo_code is not null
    group by year, parent_geo_level, parent_geo_code, age_band

    union all

    select
        year,
        geo_level,
        geo_code,
        'total' as age_band,
        count(*) as child_rows
    from population_cells
    where age_band != 'total'
    group by year, geo_level, geo_code

),

most_rows_below as (

    select
        year,
        geo_level,
        geo_code,
        age_band,
        max(child_rows) as child_rows
    from rows_below
    group by year, geo_level, geo_code, age_band

),

pattern_cells as (

    select
        {{ composite_key(['population_cells.year', 'population_cells.geo_level', 'population_cells.geo_code',
                          'population_cells.age_band']) }} as cell_id,
        population_cells.year,
        population_cells.geo_level,
        population_cells.geo_code,
        population_cells.parent_geo_level,
        population_cells.parent_geo_code,
        population_cells.age_band,
        population_cells.beneficiaries,
        population_cells.beneficiaries as measure,
        -- A partner must be able to move down by threshold - 2 above what its rows show.
        (
            population_cells.beneficiaries >= {{ var('small_cell_threshold') }}
            and population_cells.beneficiaries - coalesce(most_rows_below.child_rows, 0)
            >= {{ var('small_cell_threshold') - 2 }}
        ) as is_strong,
        {{ composite_key(['population_cells.geo_code', 'population_cells.age_band']) }} as sort_key,
        {{ is_small_count('population_cells.beneficiaries') }} as is_withheld_at_start
    from population_cells
    left join most_rows_below
        on
            population_cells.year = most_rows_below.year
            and population_cells.geo_level = most_rows_below.geo_level
            and population_cells.geo_code = most_rows_below.geo_code
            and population_cells.age_band = most_rows_below.age_band

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
        pattern_cells.is_withheld_at_start as is_small,
        (
            pattern_cells.is_withheld_at_start
            and not pattern_outcomes.is_within_withheld_cell
            and not pattern_outcomes.is_over_several_rows
        ) as is_flagged_small,
        pattern_outcomes.is_suppressed,
        pattern_outcomes.changed_in_last_round
    from pattern_cells
    inner join pattern_outcomes
        on pattern_cells.cell_id = pattern_outcomes.cell_id

)

select * from final
