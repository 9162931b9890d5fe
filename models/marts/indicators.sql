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
        cast(descriptions.source_page as {{ dbt.type_string() }}) as source_page,
        cast(
            'Direct standardisation by 10-year age band and sex (standardised_rate); indirect standardisation'
            || ' on Belgium''s age-sex rates of the year (standardised_ratio = numerator / expected);'
            || ' compared_with_belgium from the 95% interval of the ratio. On published total rows with at least'
            || ' {{ var("standardisation_min_events") }} events, no band withheld or small, and, for a statistical'
            || ' sector, at least {{ var("standardisation_min_sector_beneficiaries") }} beneficiaries'
            || ' (docs/standardisation.md).'
            as {{ dbt.type_string() }}
        ) as standardisation_method,
        cast(
            {% if var('standard_population') == 'esp2013' -%}
                'European Standard Population 2013 (Eurostat), its 5-year bands summed into 10-year bands,'
                || ' the same weight for each sex'
            {%- else -%}
                'Belgium: the beneficiaries of the same year in the extract, by 10-year age band and sex'
            {%- endif %}
            as {{ dbt.type_string() }}
        ) as reference_population,
        cast(
            '95%. standardised_rate: Dobson et al. (Stat Med 1991), from the exact Poisson interval of the'
            || ' numerator. standardised_ratio: exact Poisson (Garwood, chi-square) limits of the numerator divided'
            || ' by expected. Exact limits read from the seed poisson_exact_limits below 5000 events, Byar''s'
            || ' approximation (within 5e-8) above.'
            as {{ dbt.type_string() }}
        ) as confidence_interval
    from registry
    left join descriptions
        on registry.indicator_code = descriptions.indicator_code

)

select * from final
