{{ per_year_model('year') }}

-- The standardised figures weigh a unit's rates by age band and sex (docs/standardisation.md):
-- its cells split by sex, which no table publishes.
with

beneficiary_finest as (

    select * from {{ ref('int_beneficiary_strata_counted') }}
    where {{ in_build_years('year') }}

),

measure_finest as (

    select * from {{ ref('int_measure_strata_counted') }}
    where {{ in_build_years('year') }}

),

registry as (

    select * from {{ ref('indicator_registry') }}

),

beneficiary_strata as (

    {{ rollup_to_geo_levels('beneficiary_finest', ['beneficiaries'], ['sex'], with_age_totals=false) }}

),

measure_strata as (

    {{ rollup_to_geo_levels(
        'measure_finest', ['patients', 'volume'], ['sex', 'variable_name'], with_age_totals=false
    ) }}

),

-- Each variable down to the smallest level and from the first year any of its tables publishes.
variable_scopes as (

    select
        source_variable as variable_name,
        min(first_year) as first_year,
        min(
            case when smallest_geo_level = 'statistical_sector' then sector_from_year end
        ) as sector_from_year
    from registry
    group by source_variable

),

final as (

    select
        beneficiary_strata.year,
        beneficiary_strata.geo_level,
        beneficiary_strata.geo_code,
        beneficiary_strata.age_band,
        beneficiary_strata.sex,
        variable_scopes.variable_name,
        beneficiary_strata.beneficiaries,
        cast(coalesce(measure_strata.patients, 0) as bigint) as patients,
        cast(coalesce(measure_strata.volume, 0) as bigint) as volume
    from beneficiary_strata
    inner join variable_scopes
        on
            beneficiary_strata.year >= variable_scopes.first_year
            and (
                beneficiary_strata.geo_level != 'statistical_sector'
                or beneficiary_strata.year >= variable_scopes.sector_from_year
            )
    left join measure_strata
        on
            beneficiary_strata.year = measure_strata.year
            and beneficiary_strata.geo_level = measure_strata.geo_level
            and beneficiary_strata.geo_code = measure_strata.geo_code
            and beneficiary_strata.age_band = measure_strata.age_band
            and beneficiary_strata.sex = measure_strata.sex
            and variable_scopes.variable_name = measure_strata.variable_name

)

select * from final
