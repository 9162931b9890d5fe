with

registry as (

    select * from {{ ref('indicator_registry') }}

),

descriptions as (

    select * from {{ ref('indicator_descriptions') }}

),

final as (

    select
        cast(registry.indicator_code as {{ dbt.type_string() }}) as indicator_code,
        cast(registry.title_fr as {{ dbt.type_string() }}) as title_fr,
        cast(descriptions.title_nl as {{ dbt.type_string() }}) as title_nl,
        cast(descriptions.title_en as {{ dbt.type_string() }}) as title_en,
        cast(descriptions.description_fr as {{ dbt.type_string() }}) as description_fr,
        cast(descriptions.description_nl as {{ dbt.type_string() }}) as description_nl,
        cast(descriptions.description_en as {{ dbt.type_string() }}) as description_en,
        cast(registry.unit as {{ dbt.type_string() }}) as unit,
        cast(descriptions.calculation_method_fr as {{ dbt.type_string() }}) as calculation_method_fr,
        cast(descriptions.calculation_method_nl as {{ dbt.type_string() }}) as calculation_method_nl,
        cast(descriptions.calculation_method_en as {{ dbt.type_string() }}) as calculation_method_en,
        cast(registry.source_variable as {{ dbt.type_string() }}) as source_variable,
        cast(registry.page_source_variables as {{ dbt.type_string() }}) as page_source_variables,
        cast(registry.measure as {{ dbt.type_string() }}) as measure,
        cast(registry.multiplier as integer) as multiplier,
        cast(registry.dimensions as {{ dbt.type_string() }}) as dimensions,
        cast(registry.smallest_geo_level as {{ dbt.type_string() }}) as smallest_geo_level,
        cast(registry.sector_from_year as integer) as sector_from_year,
        cast(registry.first_year as integer) as first_year,
        cast(registry.metadata_date as date) as metadata_date,
        cast(descriptions.source_page as {{ dbt.type_string() }}) as source_page
    from registry
    left join descriptions
        on registry.indicator_code = descriptions.indicator_code

)

select * from final
