-- A table, not a view: netting aggregates every claim line of the extract (tens of millions at
-- full scale) and two intermediate models read the result.
{{ config(materialized='table') }}

with

source as (

    select * from {{ source('ima', 'claims') }}

),

cleaned as (

    select
        trim(cast(person_id as {{ dbt.type_string() }})) as person_id,
        cast(service_date as date) as service_date,
        {{ normalise_code('nomenclature_code', 6) }} as nomenclature_code,
        cast(quantity as integer) as quantity,
        {{ clean_text('provider_profession') }} as provider_profession,
        {{ normalise_code('provider_qualification', 3) }} as provider_qualification,
        {{ clean_text('billing_practice_id') }} as billing_practice_id
    from source

),

-- A correction is billed as the same line with a negative quantity, so summing the
-- quantities of identical lines nets it out. Identical positive lines are kept as
-- repeated services (their quantities add up); keys netting to zero or below are dropped.
netted as (

    select
        person_id,
        service_date,
        nomenclature_code,
        provider_profession,
        provider_qualification,
        billing_practice_id,
        cast(sum(quantity) as integer) as net_quantity,
        cast(count(*) as integer) as billed_line_count
    from cleaned
    group by
        person_id,
        service_date,
        nomenclature_code,
        provider_profession,
        provider_qualification,
        billing_practice_id

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            "person_id", "'|'", "cast(service_date as " ~ dbt.type_string() ~ ")", "'|'",
            "nomenclature_code", "'|'", "coalesce(provider_profession, '')", "'|'",
            "coalesce(provider_qualification, '')", "'|'", "coalesce(billing_practice_id, '')"
        ])) }} as claim_key,
        person_id,
        service_date,
        cast(extract(year from service_date) as integer) as service_year,
        nomenclature_code,
        provider_profession,
        provider_qualification,
        billing_practice_id,
        net_quantity,
        billed_line_count
    from netted
    where net_quantity > 0

)

select * from final
