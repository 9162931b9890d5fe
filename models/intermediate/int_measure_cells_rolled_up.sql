{{ per_year_model('year') }}

with

strata as (

    select * from {{ ref('int_measure_strata_counted') }}
    where {{ in_build_years('year') }}

),

final as (

    {{ rollup_to_geo_levels('strata', ['patients', 'volume'], ['variable_name']) }}

)

select * from final
