{{ per_year_model('update_year', population=true) }}

-- The row rules (docs/row_rules.md): each delivered row gets the first reason that
-- excludes it, or none and is used. A person-year can only be counted once, so copies and
-- conflicting versions are settled here, among the rows that passed the other rules.
-- The delivered text of a typed column is not kept: the value's own text is what was delivered.
with

beneficiaries as (

    select * from {{ ref('stg_ima__beneficiaries') }}
    where {{ in_build_years('year', with_yearless=true, population=true) }}

),

row_checked as (

    select
        *,
        case
            when person_id is null then 'missing_person_id'
            when year is null then 'invalid_year'
            when birth_year_text is null then 'missing_birth_year'
            when
                birth_year is null or birth_year > year or birth_year < year - {{ var('max_age') }}
                then 'invalid_birth_year'
            when sex is null or sex not in ('M', 'F') then 'invalid_sex'
            when
                death_date_text is not null
                and (death_date is null or extract(year from death_date) != year)
                then 'invalid_death_date'
        end as row_reason
    from beneficiaries

),

-- Nearly every person-year is delivered once, and nothing below can change its row. One
-- aggregation on a hash of the key finds the others; person-years that merely share a hash
-- come along and are compared on the real key below.
repeated_person_years as (

    select {{ group_hash(['person_id', 'year']) }} as person_year_hash
    from beneficiaries
    group by {{ group_hash(['person_id', 'year']) }}
    having count(*) > 1

),

single_rows as (

    select
        *,
        row_reason as quarantine_reason
    from row_checked
    where
        {{ group_hash(['person_id', 'year']) }} not in (
            select repeated_person_years.person_year_hash from repeated_person_years
        )

),

-- Copies are compared only among rows that passed (the partition on passed_row_rules): a
-- broken copy beside a good row leaves the good row usable.
repeated_rows as (

    select
        *,
        row_reason is null as passed_row_rules,
        {{ composite_key([
            "birth_year", "sex", "coalesce(cast(death_date as " ~ dbt.type_string() ~ "), '')",
            "coalesce(commune_dec31, '')", "coalesce(sector_dec31, '')",
            "coalesce(commune_jun30, '')", "coalesce(sector_jun30, '')"
        ]) }} as row_content
    from row_checked
    where
        {{ group_hash(['person_id', 'year']) }} in (
            select repeated_person_years.person_year_hash from repeated_person_years
        )

),

copies_compared as (

    select
        *,
        min(row_content) over (partition by person_id, year, passed_row_rules)
        != max(row_content) over (partition by person_id, year, passed_row_rules) as has_conflicting_versions,
        row_number() over (
            partition by person_id, year, row_content, passed_row_rules order by source_file
        ) as copy_number
    from repeated_rows

),

settled_rows as (

    select
        *,
        case
            when not passed_row_rules then row_reason
            when has_conflicting_versions then 'conflicting_beneficiary_rows'
            when copy_number > 1 then 'duplicate_beneficiary_row'
        end as quarantine_reason
    from copies_compared

),

checked_rows as (

    {% for rows in ['single_rows', 'settled_rows'] %}
        select
            source_file,
            person_id,
            {{ kept_delivered_text('beneficiaries', 'year', 'year_text') }} as year_text,
            year,
            {{ kept_delivered_text('beneficiaries', 'birth_year', 'birth_year_text') }} as birth_year_text,
            birth_year,
            sex,
            {{ kept_delivered_text('beneficiaries', 'death_date', 'death_date_text') }} as death_date_text,
            death_date,
            commune_dec31,
            sector_dec31,
            commune_jun30,
            sector_jun30,
            quarantine_reason,
            {{ update_year('year') }} as update_year
        from {{ rows }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select * from checked_rows

)

select * from final
