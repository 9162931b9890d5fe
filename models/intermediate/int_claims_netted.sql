-- A table, not a view: netting aggregates every claim line of the extract (tens of millions at
-- full scale) and two intermediate models read the result.
with

claim_lines as (

    select * from {{ ref('int_claim_lines_checked') }}
    where quarantine_reason is null

),

-- A correction is billed as the same line with a negative quantity, so summing the quantities
-- of identical lines nets it out. A group netting to zero is a cancelled service; it stays
-- here so that every used line is accounted for, and counts nowhere.
netted as (

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
    from claim_lines
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

    select
        {{ dbt.hash(dbt.concat([
            "person_id", "'|'", "cast(service_date as " ~ dbt.type_string() ~ ")", "'|'",
            "nomenclature_code", "'|'", "coalesce(provider_profession, '')", "'|'",
            "coalesce(provider_qualification, '')", "'|'", "coalesce(billing_practice_id, '')"
        ])) }} as claim_key,
        person_id,
        service_date,
        service_year,
        nomenclature_code,
        provider_profession,
        provider_qualification,
        billing_practice_id,
        net_quantity,
        billed_line_count
    from netted

)

select * from final
