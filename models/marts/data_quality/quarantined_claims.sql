-- Person-level: lives in the working database only, never in the published one.
with

claim_lines as (

    select * from {{ ref('int_claim_lines_checked') }}
    where line_reason is not null

),

settled_lines as (

    select * from {{ ref('int_claim_line_groups_settled') }}
    where quarantine_reason is not null

),

reasons as (

    select * from {{ ref('quarantine_reasons') }}
    where source_name = 'claims'

),

-- A line is listed by the first rule it broke: a line rule, else a rule of its group.
listed_lines as (

    {% for lines, reason_column in [('claim_lines', 'line_reason'), ('settled_lines', 'quarantine_reason')] %}
        select
            source_file,
            service_year,
            {{ reason_column }} as reason_code,
            person_id,
            {{ delivered_text('service_date_text', 'service_date') }} as service_date_text,
            {{ delivered_text('nomenclature_code_text', 'nomenclature_code') }} as nomenclature_code_text,
            {{ delivered_text('quantity_text', 'quantity') }} as quantity_text,
            provider_profession,
            provider_qualification,
            billing_practice_id
        from {{ lines }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        listed_lines.source_file,
        listed_lines.service_year,
        listed_lines.reason_code,
        reasons.reason,
        reasons.row_used,
        listed_lines.person_id,
        listed_lines.service_date_text,
        listed_lines.nomenclature_code_text,
        listed_lines.quantity_text,
        listed_lines.provider_profession,
        listed_lines.provider_qualification,
        listed_lines.billing_practice_id
    from listed_lines
    left join reasons
        on listed_lines.reason_code = reasons.reason_code

)

select * from final
