-- Every delivered line, none dropped: values that do not parse become null here, and the text
-- as delivered is kept beside them so the line checks can tell a missing value from a bad one.
with

source as (

    select * from {{ source('ima', 'claims') }}

),

trimmed as (

    select
        {{ delivered_file_name('filename') }} as source_file,
        {{- raw_typed_value('claims', 'service_date') }}
        {{- raw_typed_value('claims', 'quantity') }}
        {{ trimmed_text('person_id') }} as person_id,
        {{ trimmed_text('service_date') }} as service_date_text,
        {{ trimmed_text('nomenclature_code') }} as nomenclature_code_text,
        {{ trimmed_text('quantity') }} as quantity_text,
        {{ upper_trimmed_text('provider_profession') }} as provider_profession,
        {{ zero_padded_code('provider_qualification', 3) }} as provider_qualification,
        {{ upper_trimmed_text('billing_practice_id') }} as billing_practice_id
    from source

),

final as (

    select
        source_file,
        person_id,
        service_date_text,
        {{ raw_date('claims', 'service_date') }} as service_date,
        nomenclature_code_text,
        case
            when not {{ is_digit_code('nomenclature_code_text', 6) }} then null
            -- Padded only where short: padding every code copies it, at full scale every line.
            when {{ dbt.length('nomenclature_code_text') }} < 6 then lpad(nomenclature_code_text, 6, '0')
            else nomenclature_code_text
        end as nomenclature_code,
        quantity_text,
        {{ raw_integer('claims', 'quantity') }} as quantity,
        provider_profession,
        provider_qualification,
        billing_practice_id
    from trimmed

)

select * from final
