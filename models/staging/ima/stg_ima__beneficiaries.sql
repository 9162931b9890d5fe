with

source as (

    select * from {{ source('ima', 'beneficiaries') }}

),

cleaned as (

    select
        trim(cast(person_id as {{ dbt.type_string() }})) as person_id,
        cast(year as integer) as year,
        cast(birth_year as integer) as birth_year,
        {{ clean_text('sex') }} as sex,
        cast(death_date as date) as death_date,
        {{ normalise_code('commune_dec31', 5) }} as commune_dec31,
        {{ clean_text('sector_dec31') }} as sector_dec31,
        {{ normalise_code('commune_jun30', 5) }} as commune_jun30,
        {{ clean_text('sector_jun30') }} as sector_jun30
    from source

)

select * from cleaned
