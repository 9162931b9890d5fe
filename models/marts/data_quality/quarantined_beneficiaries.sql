-- Person-level: lives in the working database only, never in the published one.
with

beneficiary_rows as (

    select * from {{ ref('int_beneficiary_rows_checked') }}

),

beneficiary_years as (

    select * from {{ ref('int_beneficiary_years_located') }}

),

reasons as (

    select * from {{ ref('quarantine_reasons') }}
    where source_name = 'beneficiaries'

),

-- Rows kept but placed less precisely than delivered; a person-year has one used row.
flagged_rows as (

    select
        beneficiary_rows.*,
        beneficiary_years.domicile_issue as reason_code
    from beneficiary_rows
    inner join beneficiary_years
        on
            beneficiary_rows.person_id = beneficiary_years.person_id
            and beneficiary_rows.year = beneficiary_years.year
    where
        beneficiary_rows.quarantine_reason is null
        and beneficiary_years.domicile_issue is not null

),

excluded_rows as (

    select
        *,
        quarantine_reason as reason_code
    from beneficiary_rows
    where quarantine_reason is not null

),

listed_rows as (

    select * from excluded_rows
    union all
    select * from flagged_rows

),

final as (

    select
        listed_rows.source_file,
        listed_rows.year,
        listed_rows.reason_code,
        reasons.reason,
        reasons.row_used,
        listed_rows.person_id,
        {{ delivered_text('listed_rows.year_text', 'listed_rows.year') }} as year_text,
        {{ delivered_text('listed_rows.birth_year_text', 'listed_rows.birth_year') }} as birth_year_text,
        listed_rows.sex,
        {{ delivered_text('listed_rows.death_date_text', 'listed_rows.death_date') }} as death_date_text,
        listed_rows.commune_dec31,
        listed_rows.sector_dec31,
        listed_rows.commune_jun30,
        listed_rows.sector_jun30
    from listed_rows
    left join reasons
        on listed_rows.reason_code = reasons.reason_code

)

select * from final
