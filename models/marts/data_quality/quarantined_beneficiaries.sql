-- Person-level: lives in the working database only, never in the published one.
with

-- The checked rows are read twice, the excluded and the used, rather than through one CTE:
-- DuckDB materialises a CTE read twice, here every delivered row of every year (118 million for
-- ten years of all of Belgium, spilled to disk) to keep a few thousand.
excluded_rows as (

    select
        *,
        quarantine_reason as reason_code
    from {{ ref('int_beneficiary_rows_checked') }}
    where quarantine_reason is not null

),

used_rows as (

    select * from {{ ref('int_beneficiary_rows_checked') }}
    where quarantine_reason is null

),

-- Rows kept but placed less precisely than delivered; a person-year has one used row.
misplaced_years as (

    select
        person_id,
        year,
        domicile_issue
    from {{ ref('int_beneficiary_years_located') }}
    where domicile_issue is not null

),

reasons as (

    select * from {{ ref('quarantine_reasons') }}
    where source_name = 'beneficiaries'

),

flagged_rows as (

    select
        used_rows.*,
        misplaced_years.domicile_issue as reason_code
    from used_rows
    inner join misplaced_years
        on
            used_rows.person_id = misplaced_years.person_id
            and used_rows.year = misplaced_years.year

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
