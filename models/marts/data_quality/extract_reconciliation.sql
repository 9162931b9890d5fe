-- Each count comes from a different model (staging for rows read, the rows the indicators
-- are built from for rows used, the quarantine tables for the rest), so a row lost or doubled
-- by any step in between breaks rows_read = rows_used + rows_quarantined, which is tested.
with

beneficiaries as (

    select * from {{ ref('stg_ima__beneficiaries') }}

),

claims as (

    select * from {{ ref('stg_ima__claims') }}

),

beneficiary_years as (

    select * from {{ ref('int_beneficiary_years_located') }}

),

claim_lines_used as (

    select * from {{ ref('int_claim_lines_counted') }}

),

quarantined_beneficiaries as (

    select * from {{ ref('quarantined_beneficiaries') }}

),

quarantined_claims as (

    select * from {{ ref('quarantined_claims') }}

),

counts as (

    select
        'beneficiaries' as source_name,
        year,
        count(*) as rows_read,
        0 as rows_used,
        0 as rows_quarantined,
        0 as rows_used_with_issue
    from beneficiaries
    group by year

    union all

    select
        'beneficiaries' as source_name,
        year,
        0 as rows_read,
        count(*) as rows_used,
        0 as rows_quarantined,
        count(domicile_issue) as rows_used_with_issue
    from beneficiary_years
    group by year

    union all

    select
        'beneficiaries' as source_name,
        year,
        0 as rows_read,
        0 as rows_used,
        count(*) as rows_quarantined,
        0 as rows_used_with_issue
    from quarantined_beneficiaries
    where not row_used
    group by year

    union all

    select
        'claims' as source_name,
        cast(extract(year from service_date) as integer) as year,
        count(*) as rows_read,
        0 as rows_used,
        0 as rows_quarantined,
        0 as rows_used_with_issue
    from claims
    group by cast(extract(year from service_date) as integer)

    union all

    select
        'claims' as source_name,
        service_year as year,
        0 as rows_read,
        sum(rows_used) as rows_used,
        0 as rows_quarantined,
        0 as rows_used_with_issue
    from claim_lines_used
    group by service_year

    union all

    select
        'claims' as source_name,
        service_year as year,
        0 as rows_read,
        0 as rows_used,
        count(*) as rows_quarantined,
        0 as rows_used_with_issue
    from quarantined_claims
    where not row_used
    group by service_year

),

final as (

    select
        source_name,
        year,
        cast(sum(rows_read) as bigint) as rows_read,
        cast(sum(rows_used) as bigint) as rows_used,
        cast(sum(rows_quarantined) as bigint) as rows_quarantined,
        cast(sum(rows_used_with_issue) as bigint) as rows_used_with_issue
    from counts
    group by source_name, year

)

select * from final
