-- The row rules of the README ("Row rules") for claim lines: each delivered line gets the first
-- reason that excludes it, or none and is used. Corrections and copies are judged per group of
-- identical lines, among the lines that passed the other rules.
with

claims as (

    select * from {{ ref('stg_ima__claims') }}

),

beneficiary_rows as (

    select * from {{ ref('int_beneficiary_rows_checked') }}

),

-- The years of the population file: a claim outside all of them cannot be given a population.
delivered_years as (

    select distinct year
    from beneficiary_rows
    where year is not null

),

population as (

    select
        person_id,
        year
    from beneficiary_rows
    where quarantine_reason is null

),

line_checked as (

    select
        claims.*,
        cast(extract(year from claims.service_date) as integer) as service_year,
        case
            when claims.person_id is null then 'missing_person_id'
            when claims.service_date is null then 'invalid_service_date'
            when claims.nomenclature_code is null then 'invalid_nomenclature_code'
            when claims.quantity is null or claims.quantity = 0 then 'invalid_quantity'
            when delivered_years.year is null then 'service_year_not_delivered'
            when population.person_id is null then 'person_not_in_population'
        end as line_reason
    from claims
    left join delivered_years
        on extract(year from claims.service_date) = delivered_years.year
    left join population
        on
            claims.person_id = population.person_id
            and extract(year from claims.service_date) = population.year

),

-- A group holds the lines that bill the same service (same person, day, code, provider and
-- practice); the partition on passed_line_rules keeps rejected lines out of every group.
groups_compared as (

    select
        *,
        line_reason is null as passed_line_rules,
        sum(quantity) over (
            partition by
                line_reason is null, person_id, service_date, nomenclature_code,
                provider_profession, provider_qualification, billing_practice_id
        ) as group_net_quantity,
        min(quantity) over (
            partition by
                line_reason is null, person_id, service_date, nomenclature_code,
                provider_profession, provider_qualification, billing_practice_id
        ) < 0 as group_has_correction,
        row_number() over (
            partition by
                line_reason is null, person_id, service_date, nomenclature_code,
                provider_profession, provider_qualification, billing_practice_id, quantity
            order by source_file
        ) as copy_number
    from line_checked

),

final as (

    select
        source_file,
        person_id,
        service_date_text,
        service_date,
        service_year,
        nomenclature_code_text,
        nomenclature_code,
        quantity_text,
        quantity,
        provider_profession,
        provider_qualification,
        billing_practice_id,
        case
            when not passed_line_rules then line_reason
            when group_net_quantity < 0 then 'unmatched_correction'
            -- A double delivery, not a repeat: a repeat is billed as a quantity (README).
            when not group_has_correction and copy_number > 1 then 'duplicate_claim_line'
        end as quarantine_reason
    from groups_compared

)

select * from final
