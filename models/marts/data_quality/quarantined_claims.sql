-- Person-level: lives in the working database only, never in the published one.
with

claim_lines as (

    select * from {{ ref('int_claim_lines_checked') }}
    where quarantine_reason is not null

),

reasons as (

    select * from {{ ref('quarantine_reasons') }}
    where source_name = 'claims'

),

final as (

    select
        claim_lines.source_file,
        claim_lines.service_year,
        claim_lines.quarantine_reason as reason_code,
        reasons.reason,
        reasons.row_used,
        claim_lines.person_id,
        claim_lines.service_date_text,
        claim_lines.nomenclature_code_text,
        claim_lines.quantity_text,
        claim_lines.provider_profession,
        claim_lines.provider_qualification,
        claim_lines.billing_practice_id
    from claim_lines
    left join reasons
        on claim_lines.quarantine_reason = reasons.reason_code

)

select * from final
