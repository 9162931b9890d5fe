{{ config(materialized='view') }}

with

claims as (

    select * from {{ ref('int_claims_netted') }}
    -- A group netting to zero is a cancelled service.
    where net_quantity > 0

),

imaging_codes as (

    select * from {{ ref('imaging_nomenclature_codes') }}

),

imaging_categories as (

    select * from {{ ref('imaging_categories') }}

),

qualification_groups as (

    select * from {{ ref('provider_qualification_groups') }}

),

provider_groups as (

    select * from {{ ref('provider_groups') }}

),

medical_house_years as (

    select * from {{ ref('int_medical_house_patients_attributed') }}

),

-- Every netted claim is of a person-year of the population (the line rules set the others
-- aside). A code counts only for services inside its validity period: codes are created, split and
-- ended over the years, and the same number may change category.
imaging_exams as (

    select
        claims.person_id,
        claims.service_year as year,
        claims.net_quantity,
        imaging_categories.variable_name as category_variable,
        provider_groups.variable_name as provider_variable
    from claims
    inner join imaging_codes
        on
            claims.nomenclature_code = imaging_codes.nomenclature_code
            and claims.service_date >= imaging_codes.valid_from
            and (imaging_codes.valid_to is null or claims.service_date <= imaging_codes.valid_to)
    inner join imaging_categories
        on imaging_codes.imaging_category = imaging_categories.imaging_category
    -- Qualifications are 3-digit text compared as text: a longer code such as 4600 would fall
    -- between 460 and 469, so only 3-character codes can match a range.
    left join qualification_groups
        on
            claims.provider_profession = qualification_groups.provider_profession
            and {{ dbt.length('claims.provider_qualification') }} = 3
            and claims.provider_qualification
            between qualification_groups.qualification_from and qualification_groups.qualification_to
    left join provider_groups
        on qualification_groups.provider_group = provider_groups.provider_group

),

-- Each exam counts three times: in IMAG_ALL_N, in its category's variable and in its provider
-- group's (none for other providers). One read of the exams in three roles, not three reads:
-- DuckDB materialises a CTE read three times, and the year filter of the per-year model reading
-- this view then stops short of the claim lines' scan, which reads every year of a history to
-- keep one (22 s against 9 s on ten years of all of Belgium).
exam_measures as (

    select
        imaging_exams.person_id,
        imaging_exams.year,
        case exam_roles.role_number
            when 1 then 'IMAG_ALL_N'
            when 2 then imaging_exams.category_variable
            else imaging_exams.provider_variable
        end as variable_name,
        imaging_exams.net_quantity as quantity
    from imaging_exams
    cross join (values (1), (2), (3)) as exam_roles (role_number)

),

measures as (

    select
        person_id,
        year,
        variable_name,
        quantity
    from exam_measures
    where variable_name is not null

    union all

    select
        person_id,
        year,
        'FF_MH' as variable_name,
        ff_mh as quantity
    from medical_house_years
    where ff_mh > 0

    union all

    select
        person_id,
        year,
        'MH_PATIENT' as variable_name,
        1 as quantity
    from medical_house_years
    where is_medical_house_patient

),

final as (

    select
        person_id,
        year,
        variable_name,
        cast(sum(quantity) as integer) as measure_value
    from measures
    group by person_id, year, variable_name

)

select * from final
