{{ per_year_model('year', population=true) }}

with

beneficiaries as (

    select * from {{ ref('int_beneficiary_rows_checked') }}
    where quarantine_reason is null and {{ in_build_years('year', population=true) }}

),

communes as (

    select * from {{ ref('geo_communes') }}

),

commune_predecessors as (

    select * from {{ ref('geo_commune_predecessors') }}

),

sectors as (

    select * from {{ ref('geo_statistical_sectors') }}

),

age_bands as (

    select * from {{ ref('age_bands') }}

),

-- The pages place a person at the 31 December domicile, else at the 30 June one; a code the
-- geography seed does not know is no usable domicile either, so it falls through the same way.
-- An extract gives the domicile in the REFNIS codes of its year: the code of a commune merged or
-- renumbered since is read as the commune of geo_communes that holds its territory, so that
-- every year is counted on the same communes. Sector codes did not change with the mergers.
domiciled as (

    select
        beneficiaries.person_id,
        beneficiaries.year,
        beneficiaries.birth_year,
        beneficiaries.sex,
        beneficiaries.death_date,
        case
            when december_commune.commune_code is not null then 'dec31'
            when june_commune.commune_code is not null then 'jun30'
            else 'unknown'
        end as domicile_reference,
        coalesce(december_commune.commune_code, june_commune.commune_code) as commune_code,
        case
            when december_commune.commune_code is not null then beneficiaries.sector_dec31
            else beneficiaries.sector_jun30
        end as reported_sector_code,
        -- The commune the rule looked at first: 31 December if reported, else 30 June.
        case
            when beneficiaries.commune_dec31 is not null then december_commune.commune_code is null
            when beneficiaries.commune_jun30 is not null then june_commune.commune_code is null
            else false
        end as has_unknown_commune
    from beneficiaries
    left join commune_predecessors as december_predecessor
        on beneficiaries.commune_dec31 = december_predecessor.predecessor_code
    left join commune_predecessors as june_predecessor
        on beneficiaries.commune_jun30 = june_predecessor.predecessor_code
    left join communes as december_commune
        on coalesce(december_predecessor.commune_code, beneficiaries.commune_dec31) = december_commune.commune_code
    left join communes as june_commune
        on coalesce(june_predecessor.commune_code, beneficiaries.commune_jun30) = june_commune.commune_code

),

final as (

    select
        domiciled.person_id,
        domiciled.year,
        domiciled.birth_year,
        domiciled.sex,
        domiciled.death_date,
        -- Everyone alive on 31 December has had a birthday by then.
        domiciled.year - domiciled.birth_year as age,
        age_bands.age_band,
        domiciled.domicile_reference,
        communes.region_code,
        communes.province_code,
        communes.arrondissement_code,
        domiciled.commune_code,
        -- A sector counts only where the seed places it in the person's commune.
        sectors.sector_code,
        -- Codes the geography seeds do not know: the row is used, and listed in the quarantine.
        case
            when domiciled.has_unknown_commune then 'unknown_commune'
            when
                domiciled.commune_code is not null
                and domiciled.reported_sector_code is not null
                and sectors.sector_code is null
                then 'unknown_sector'
        end as domicile_issue
    from domiciled
    left join communes
        on domiciled.commune_code = communes.commune_code
    left join sectors
        on
            domiciled.reported_sector_code = sectors.sector_code
            and domiciled.commune_code = sectors.commune_code
    left join age_bands
        on domiciled.year - domiciled.birth_year between age_bands.age_from and age_bands.age_to

)

select * from final
