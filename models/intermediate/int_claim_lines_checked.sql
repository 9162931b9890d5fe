{{ per_year_model('update_year', file_column='source_file') }}

-- The row rules (docs/row_rules.md) that judge a claim line on its own: each delivered
-- line gets the first reason that excludes it, or none. The rules that compare a line with the
-- other lines of its group (corrections, double deliveries) are int_claim_line_groups_settled's.
-- The one table of every delivered line (46 million a year at full scale), so it is narrow:
-- the delivered text is kept only where the typed value cannot give it back.
with

claims as (

    select * from {{ ref('stg_ima__claims') }}
    where
        {{ dates_in_build_years('service_date', with_yearless=true) }}
        and {{ in_rechecked_claim_files('source_file', 'extract(year from service_date)') }}

),

beneficiaries as (

    select * from {{ ref('stg_ima__beneficiaries') }}

),

-- The person-years of the population: its rows that passed the row rules, one per person-year,
-- which int_beneficiary_years_located then places. Read here before they are placed, so that the
-- lines are checked while the population is placed, not after. Only the years being built: a
-- line finds its population in its own year, and the other years' would only swell the join.
beneficiary_years as (

    select
        person_id,
        year
    from {{ ref('int_beneficiary_rows_checked') }}
    where quarantine_reason is null and {{ in_build_years('year') }}

),

-- The years of the population file: a claim outside all of them cannot be given a population.
delivered_years as (

    select distinct year
    from beneficiaries
    where year is not null

),

final as (

    select
        claims.source_file,
        claims.person_id,
        {{ kept_delivered_text('claims', 'service_date', 'claims.service_date_text') }} as service_date_text,
        claims.service_date,
        cast(extract(year from claims.service_date) as integer) as service_year,
        -- Delivered as text: kept only where padding changed it or it is no code at all.
        case
            when claims.nomenclature_code is null or claims.nomenclature_code != claims.nomenclature_code_text
                then claims.nomenclature_code_text
        end as nomenclature_code_text,
        claims.nomenclature_code,
        {{ kept_delivered_text('claims', 'quantity', 'claims.quantity_text') }} as quantity_text,
        claims.quantity,
        claims.provider_profession,
        claims.provider_qualification,
        claims.billing_practice_id,
        {{ group_hash(claim_group_key('claims')) }} as group_hash,
        {{ update_year('cast(extract(year from claims.service_date) as integer)') }} as update_year,
        case
            when claims.person_id is null then 'missing_person_id'
            when claims.service_date is null then 'invalid_service_date'
            when claims.nomenclature_code is null then 'invalid_nomenclature_code'
            when claims.quantity is null or claims.quantity = 0 then 'invalid_quantity'
            when delivered_years.year is null then 'service_year_not_delivered'
            when beneficiary_years.person_id is null then 'person_not_in_population'
        end as line_reason
    from claims
    left join delivered_years
        on extract(year from claims.service_date) = delivered_years.year
    left join beneficiary_years
        on
            claims.person_id = beneficiary_years.person_id
            and extract(year from claims.service_date) = beneficiary_years.year

)

select * from final
