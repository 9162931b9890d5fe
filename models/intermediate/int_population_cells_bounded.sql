{{ per_year_model('year') }}

-- The cells of the population pattern (docs/protection.md), one per (year, unit, age band) over
-- every cell any table publishes, with what the rows below each prove of it. Every row of a
-- table holds at least one beneficiary, so the rows below a cell (its bands, the units below it,
-- and theirs) prove a least number of beneficiaries: that much an outsider can always tell.
-- Apart from the suppression rounds, so that their plan stays small on Spark.
with

computed as (

    select * from {{ ref('int_indicator_cells_computed') }}
    where {{ in_build_years('year') }}

),

population_cells as (

    select distinct
        {{ composite_key(['year', 'geo_level', 'geo_code', 'age_band']) }} as cell_id,
        year,
        geo_level,
        geo_code,
        parent_geo_level,
        parent_geo_code,
        age_band,
        denominator as beneficiaries,
        denominator as measure
    from computed

),

memberships as (

    {{ geography_and_age_groups('population_cells') }}

),

{{ rows_lower_bounds('memberships', 'population_cells') }}

final as (

    select
        population_cells.cell_id,
        population_cells.year,
        population_cells.geo_level,
        population_cells.geo_code,
        population_cells.parent_geo_level,
        population_cells.parent_geo_code,
        population_cells.age_band,
        population_cells.beneficiaries,
        rows_lower_bounds.rows_lower_bound
    from population_cells
    inner join rows_lower_bounds
        on population_cells.cell_id = rows_lower_bounds.cell_id

)

select * from final
