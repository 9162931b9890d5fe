-- Every delivered line, none dropped: values that do not parse become null here, and the text
-- as delivered is kept beside them so the line checks can tell a missing value from a bad one.
with

source as (

    select * from {{ source('ima', 'claims') }}

),

trimmed as (

    select
        {{ delivered_file_name('filename') }} as source_file,
        {{ trimmed_text('person_id') }} as person_id,
        {{ trimmed_text('service_date') }} as service_date_text,
        {{ trimmed_text('nomenclature_code') }} as nomenclature_code_text,
        {{ trimmed_text('quantity') }} as quantity_text,
        {{ clean_text('provider_profession') }} as provider_profession,
        {{ normalise_code('provider_qualification', 3) }} as provider_qualification,
        {{ clean_text('billing_practice_id') }} as billing_practice_id
    from source

),

final as (

    select
        source_file,
        person_id,
        service_date_text,
        {{ parse_date('service_date_text') }} as service_date,
        nomenclature_code_text,
        case
            when {{ is_digit_code('nomenclature_code_text', 6) }}
                then lpad(nomenclature_code_text, 6, '0')
        end as nomenclature_code,
        quantity_text,
        case when {{ is_integer_text('quantity_text') }} then cast(quantity_text as integer) end as quantity,
        provider_profession,
        provider_qualification,
        billing_practice_id
    from trimmed

)

select * from final
