{{ per_year_model('year', population=true) }}

-- The population counted once at its finest grain: the cells by geography and age band and the
-- standardisation strata by age band and sex are both sums of these rows.
with

beneficiary_years as (

    select * from {{ ref('int_beneficiary_years_located') }}
    where {{ in_build_years('year', population=true) }}

),

final as (

    select
        year,
        region_code,
        province_code,
        arrondissement_code,
        commune_code,
        sector_code,
        age_band,
        sex,
        count(*) as beneficiaries
    from beneficiary_years
    group by
        year,
        region_code,
        province_code,
        arrondissement_code,
        commune_code,
        sector_code,
        age_band,
        sex

)

select * from final
