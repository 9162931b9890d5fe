{{ per_year_model('year') }}

-- The person-level join, made once: the cells by geography and age band and the standardisation
-- strata by age band and sex are both sums of these rows.
with

measures as (

    select * from {{ ref('int_person_year_measures_counted') }}
    where {{ in_build_years('year') }}

),

beneficiary_years as (

    select * from {{ ref('int_beneficiary_years_located') }}
    where {{ in_build_years('year') }}

),

final as (

    select
        beneficiary_years.year,
        beneficiary_years.region_code,
        beneficiary_years.province_code,
        beneficiary_years.arrondissement_code,
        beneficiary_years.commune_code,
        beneficiary_years.sector_code,
        beneficiary_years.age_band,
        beneficiary_years.sex,
        measures.variable_name,
        count(*) as patients,
        cast(sum(measures.measure_value) as bigint) as volume
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
        beneficiary_years.sex,
        measures.variable_name

)

select * from final
