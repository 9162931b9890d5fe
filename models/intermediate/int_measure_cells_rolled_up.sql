{{ per_year_model('year') }}

with

measures as (

    select * from {{ ref('int_person_year_measures_counted') }}
    where {{ in_build_years('year') }}

),

beneficiary_years as (

    select * from {{ ref('int_beneficiary_years_located') }}
    where {{ in_build_years('year') }}

),

finest_cells as (

    select
        beneficiary_years.year,
        beneficiary_years.region_code,
        beneficiary_years.province_code,
        beneficiary_years.arrondissement_code,
        beneficiary_years.commune_code,
        beneficiary_years.sector_code,
        beneficiary_years.age_band,
        measures.variable_name,
        count(*) as patients,
        sum(measures.measure_value) as volume
    from measures
    inner join beneficiary_years
        on
            measures.person_id = beneficiary_years.person_id
            and measures.year = beneficiary_years.year
    where measures.measure_value > 0
    group by
        beneficiary_years.year,
        beneficiary_years.region_code,
        beneficiary_years.province_code,
        beneficiary_years.arrondissement_code,
        beneficiary_years.commune_code,
        beneficiary_years.sector_code,
        beneficiary_years.age_band,
        measures.variable_name

),

final as (

    {{ rollup_to_geo_levels('finest_cells', ['patients', 'volume'], ['variable_name']) }}

)

select * from final
