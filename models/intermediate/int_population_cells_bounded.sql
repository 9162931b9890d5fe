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

{{ rows_lower_bounds('memberships', 'cells_with_ids') }}

final as (

    select
        cells_with_ids.cell_id,
        cells_with_ids.year,
        cells_with_ids.geo_level,
        cells_with_ids.geo_code,
        cells_with_ids.parent_geo_level,
        cells_with_ids.parent_geo_code,
        cells_with_ids.age_band,
        cells_with_ids.beneficiaries,
        rows_lower_bounds.rows_lower_bound
    from cells_with_ids
    inner join rows_lower_bounds
        on cells_with_ids.cell_id = rows_lower_bounds.cell_id

)

select * from final
