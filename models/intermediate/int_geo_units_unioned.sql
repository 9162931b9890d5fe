with

regions as (

    select * from {{ ref('geo_regions') }}

),

provinces as (

    select * from {{ ref('geo_provinces') }}

),

arrondissements as (

    select * from {{ ref('geo_arrondissements') }}

),

communes as (

    select * from {{ ref('geo_communes') }}

),

sectors as (

    select * from {{ ref('geo_statistical_sectors') }}

),

final as (

    select
        'country' as geo_level,
        '{{ var("country_code") }}' as geo_code,
        'Belgique' as geo_name,
        'België' as geo_name_nl,
        cast(null as {{ dbt.type_string() }}) as parent_geo_level,
        cast(null as {{ dbt.type_string() }}) as parent_geo_code

    union all

    select
        'region' as geo_level,
        region_code as geo_code,
        region_name_fr as geo_name,
        region_name_nl as geo_name_nl,
        'country' as parent_geo_level,
        '{{ var("country_code") }}' as parent_geo_code
    from regions

    union all

    select
        'province' as geo_level,
        province_code as geo_code,
        province_name_fr as geo_name,
        province_name_nl as geo_name_nl,
        'region' as parent_geo_level,
        region_code as parent_geo_code
    from provinces

    union all

    select
        'arrondissement' as geo_level,
        arrondissement_code as geo_code,
        arrondissement_name_fr as geo_name,
        arrondissement_name_nl as geo_name_nl,
        'province' as parent_geo_level,
        province_code as parent_geo_code
    from arrondissements

    union all

    select
        'commune' as geo_level,
        commune_code as geo_code,
        commune_name_fr as geo_name,
        commune_name_nl as geo_name_nl,
        'arrondissement' as parent_geo_level,
        arrondissement_code as parent_geo_code
    from communes

    union all

    -- Sector names exist in one language only.
    select
        'statistical_sector' as geo_level,
        sector_code as geo_code,
        sector_name as geo_name,
        sector_name as geo_name_nl,
        'commune' as parent_geo_level,
        commune_code as parent_geo_code
    from sectors

)

select * from final
