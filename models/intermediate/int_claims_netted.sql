{{ config(materialized='view') }}

-- The used claim lines, netted: a correction is billed as the same line with a negative
-- quantity, so summing the quantities of a group nets it out. A group netting to zero is a
-- cancelled service; it stays here, and counts nowhere. Only the codes of the seeds that
-- define the variables (imaging_nomenclature_codes, general_practice_codes). A view: its
-- two readers each take their codes of it.
with

imaging_codes as (

    select * from {{ ref('imaging_nomenclature_codes') }}

),

practice_codes as (

    select * from {{ ref('general_practice_codes') }}

),

-- One list, one semi join: Spark runs two alternative IN subqueries as subqueries of their own
-- instead of joins.
counted_codes as (

    select imaging_codes.nomenclature_code from imaging_codes
    union
    select practice_codes.nomenclature_code from practice_codes

),

-- Only the codes some variable counts: the other lines (a third of a year's) are accounted
-- for in the reconciliation, and nothing here would read them.
claim_lines as (

    select * from {{ ref('int_claim_lines_checked') }}
    where
        line_reason is null
        and nomenclature_code in (select counted_codes.nomenclature_code from counted_codes)

),

settled_lines as (

    select * from {{ ref('int_claim_line_groups_settled') }}

),

-- The lines int_claim_line_groups_settled did not need to look at: each alone in its group,
-- and positive, so each is a service as billed.
single_lines as (

    select
        claim_lines.person_id,
        claim_lines.service_date,
        claim_lines.service_year,
        claim_lines.nomenclature_code,
        claim_lines.provider_profession,
        claim_lines.provider_qualification,
        claim_lines.billing_practice_id,
        claim_lines.quantity as net_quantity,
        1 as billed_line_count
    from claim_lines
    where
        claim_lines.group_hash not in (
            select settled_lines.group_hash from settled_lines
        )

),

settled_groups as (

    select
        person_id,
        service_date,
        service_year,
        nomenclature_code,
        provider_profession,
        provider_qualification,
        billing_practice_id,
        cast(sum(quantity) as integer) as net_quantity,
        cast(count(*) as integer) as billed_line_count
    from settled_lines
    where
        quarantine_reason is null
        and nomenclature_code in (select counted_codes.nomenclature_code from counted_codes)
    group by
        person_id,
        service_date,
        service_year,
        nomenclature_code,
        provider_profession,
        provider_qualification,
        billing_practice_id

),

final as (

    select * from single_lines
    union all
    select * from settled_groups

)

select * from final
