-- The claim lines used, per file and year, for the reconciliations: one pass over the delivered
-- lines instead of one per reconciliation. Used lines are those the line rules pass, less those
-- int_claim_line_groups_settled sets aside; the lines set aside are counted separately, from
-- the quarantine table, so that a line lost or listed twice between the two breaks
-- rows_read = rows_used + rows_quarantined.
with

claim_lines as (

    select * from {{ ref('int_claim_lines_checked') }}
    where line_reason is null

),

settled_lines as (

    select * from {{ ref('int_claim_line_groups_settled') }}
    where quarantine_reason is not null

),

counts as (

    select
        source_file,
        service_year,
        count(*) as line_count
    from claim_lines
    group by source_file, service_year

    union all

    select
        source_file,
        service_year,
        -count(*) as line_count
    from settled_lines
    group by source_file, service_year

),

final as (

    select
        source_file,
        service_year,
        cast(sum(line_count) as bigint) as rows_used
    from counts
    group by source_file, service_year

)

select * from final
