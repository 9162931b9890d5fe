-- Every delivered row, none dropped: values that do not parse become null here, and the text
-- as delivered is kept beside them so the row checks can tell a missing value from a bad one.
with

source as (

    select * from {{ source('ima', 'beneficiaries') }}

),

trimmed as (

    select
        {{ delivered_file_name('filename') }} as source_file,
        {{- raw_typed_value('beneficiaries', 'year') }}
        {{- raw_typed_value('beneficiaries', 'birth_year') }}
        {{- raw_typed_value('beneficiaries', 'death_date') }}
        {{ trimmed_text('person_id') }} as person_id,
        {{ trimmed_text('year') }} as year_text,
        {{ trimmed_text('birth_year') }} as birth_year_text,
        {{ upper_trimmed_text('sex') }} as sex,
        {{ trimmed_text('death_date') }} as death_date_text,
        {{ zero_padded_code('commune_dec31', 5) }} as commune_dec31,
        {{ upper_trimmed_text('sector_dec31') }} as sector_dec31,
        {{ zero_padded_code('commune_jun30', 5) }} as commune_jun30,
        {{ upper_trimmed_text('sector_jun30') }} as sector_jun30
    from source

),

final as (

    select
        source_file,
        person_id,
        year_text,
        {{ raw_integer('beneficiaries', 'year') }} as year,
        birth_year_text,
        {{ raw_integer('beneficiaries', 'birth_year') }} as birth_year,
        sex,
        death_date_text,
        {{ raw_date('beneficiaries', 'death_date') }} as death_date,
        commune_dec31,
        sector_dec31,
        commune_jun30,
        sector_jun30
    from trimmed

)

select * from final
