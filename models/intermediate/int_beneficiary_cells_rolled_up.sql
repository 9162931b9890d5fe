{{ per_year_model('year', population=true) }}

with

beneficiary_strata as (

    select * from {{ ref('int_beneficiary_strata_counted') }}
    where {{ in_build_years('year', population=true) }}

),

geo_units as (

    select * from {{ ref('int_geo_units_unioned') }}

),

rolled_up as (

    {{ rollup_to_geo_levels('beneficiary_strata', ['beneficiaries']) }}

),

final as (

    select
        rolled_up.year,
        rolled_up.geo_level,
        rolled_up.geo_code,
        geo_units.geo_name,
        geo_units.geo_name_nl,
        geo_units.parent_geo_level,
        geo_units.parent_geo_code,
        rolled_up.age_band,
        rolled_up.beneficiaries
    from rolled_up
    left join geo_units
        on
            rolled_up.geo_level = geo_units.geo_level
            and rolled_up.geo_code = geo_units.geo_code

)

select * from final
