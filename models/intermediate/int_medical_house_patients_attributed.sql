{{ per_year_model('year') }}

with

claims as (

    select * from {{ ref('int_claims_netted') }}
    -- A group netting to zero is a cancelled service.
    where net_quantity > 0 and {{ in_build_years('service_year') }}

),

beneficiary_years as (

    select * from {{ ref('int_beneficiary_years_located') }}
    where {{ in_build_years('year') }}

),

practice_codes as (

    select * from {{ ref('general_practice_codes') }}

),

coded_claims as (

    select
        claims.person_id,
        claims.service_year as year,
        claims.billing_practice_id,
        claims.net_quantity,
        practice_codes.code_role
    from claims
    inner join practice_codes
        on
            claims.nomenclature_code = practice_codes.nomenclature_code
            and claims.service_date >= practice_codes.valid_from
            and (practice_codes.valid_to is null or claims.service_date <= practice_codes.valid_to)

),

forfaits_by_practice as (

    select
        person_id,
        year,
        billing_practice_id,
        sum(net_quantity) as forfait_count
    from coded_claims
    where code_role = 'medical_house_forfait'
    group by person_id, year, billing_practice_id

),

forfaits as (

    select
        person_id,
        year,
        cast(sum(forfait_count) as integer) as ff_mh,
        cast(count(*) as integer) as forfait_practice_count
    from forfaits_by_practice
    group by person_id, year

),

-- A DMG held at the medical house itself is normal; one at any other practice (or at a
-- practice the line does not name) means the patient chose an ordinary GP practice.
dmg_at_other_practice as (

    select distinct
        dmg.person_id,
        dmg.year
    from coded_claims as dmg
    left join forfaits_by_practice
        on
            dmg.person_id = forfaits_by_practice.person_id
            and dmg.year = forfaits_by_practice.year
            and dmg.billing_practice_id = forfaits_by_practice.billing_practice_id
    where
        dmg.code_role = 'dmg'
        and forfaits_by_practice.person_id is null

),

final as (

    select
        forfaits.person_id,
        forfaits.year,
        forfaits.ff_mh,
        forfaits.forfait_practice_count,
        dmg_at_other_practice.person_id is not null as has_dmg_at_other_practice,
        (
            forfaits.ff_mh >= {{ var('medical_house_min_forfaits') }}
            and dmg_at_other_practice.person_id is null
        ) as is_medical_house_patient
    from forfaits
    inner join beneficiary_years
        on
            forfaits.person_id = beneficiary_years.person_id
            and forfaits.year = beneficiary_years.year
    left join dmg_at_other_practice
        on
            forfaits.person_id = dmg_at_other_practice.person_id
            and forfaits.year = dmg_at_other_practice.year

)

select * from final
