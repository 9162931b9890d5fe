-- The row rules of the README ("Row rules"): each delivered row gets the first reason that
-- excludes it, or none and is used. A person-year can only be counted once, so copies and
-- conflicting versions are settled here, among the rows that passed the other rules.
with

beneficiaries as (

    select * from {{ ref('stg_ima__beneficiaries') }}

),

row_checked as (

    select
        *,
        case
            when person_id is null then 'missing_person_id'
            when year is null then 'invalid_year'
            when birth_year_text is null then 'missing_birth_year'
            when birth_year is null or birth_year > year or birth_year < year - 120 then 'invalid_birth_year'
            when sex is null or sex not in ('M', 'F') then 'invalid_sex'
            when
                death_date_text is not null
                and (death_date is null or extract(year from death_date) != year)
                then 'invalid_death_date'
        end as row_reason,
        {{ composite_key([
            "birth_year", "sex", "coalesce(cast(death_date as " ~ dbt.type_string() ~ "), '')",
            "coalesce(commune_dec31, '')", "coalesce(sector_dec31, '')",
            "coalesce(commune_jun30, '')", "coalesce(sector_jun30, '')"
        ]) }} as row_content
    from beneficiaries

),

-- Copies are compared only among rows that passed (the partition on passed_row_rules): a
-- broken copy beside a good row leaves the good row usable.
copies_compared as (

    select
        *,
        row_reason is null as passed_row_rules,
        min(row_content) over (partition by person_id, year, row_reason is null)
        != max(row_content) over (partition by person_id, year, row_reason is null) as has_conflicting_versions,
        row_number() over (
            partition by person_id, year, row_content, row_reason is null order by source_file
        ) as copy_number
    from row_checked

),

final as (

    select
        source_file,
        person_id,
        year_text,
        year,
        birth_year_text,
        birth_year,
        sex,
        death_date_text,
        death_date,
        commune_dec31,
        sector_dec31,
        commune_jun30,
        sector_jun30,
        case
            when not passed_row_rules then row_reason
            when has_conflicting_versions then 'conflicting_beneficiary_rows'
            when copy_number > 1 then 'duplicate_beneficiary_row'
        end as quarantine_reason
    from copies_compared

)

select * from final
