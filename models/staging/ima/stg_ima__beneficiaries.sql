-- Every delivered row, none dropped: values that do not parse become null here, and the text
-- as delivered is kept beside them so the row checks can tell a missing value from a bad one.
with

source as (

    select * from {{ source('ima', 'beneficiaries') }}

),

trimmed as (

    select
        {{ delivered_file_name('filename') }} as source_file,
        {{ trimmed_text('person_id') }} as person_id,
        {{ trimmed_text('year') }} as year_text,
        {{ trimmed_text('birth_year') }} as birth_year_text,
        {{ clean_text('sex') }} as sex,
        {{ trimmed_text('death_date') }} as death_date_text,
        {{ normalise_code('commune_dec31', 5) }} as commune_dec31,
        {{ clean_text('sector_dec31') }} as sector_dec31,
        {{ normalise_code('commune_jun30', 5) }} as commune_jun30,
        {{ clean_text('sector_jun30') }} as sector_jun30
    from source

),

final as (

    select
        source_file,
        person_id,
        year_text,
        case when {{ is_integer_text('year_text') }} then cast(year_text as integer) end as year,
        birth_year_text,
        case
            when {{ is_integer_text('birth_year_text') }} then cast(birth_year_text as integer)
        end as birth_year,
        sex,
        death_date_text,
        {{ parse_date('death_date_text') }} as death_date,
        commune_dec31,
        sector_dec31,
        commune_jun30,
        sector_jun30
    from trimmed

)

select * from final
