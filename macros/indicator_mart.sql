{#
    Builds the table of one Atlas indicator from its row in the indicator registry: the
    registry says which per-person variable it counts, whether it counts patients or volume,
    the multiplier, whether it has age bands, its smallest geographic level and first years.
    Every mart is `{{ indicator_mart(this.name) }}`; nothing else differs between them.
#}
{% macro indicator_mart(indicator_code) %}

with

registry as (

    select * from {{ ref('indicator_registry') }}
    where indicator_code = '{{ indicator_code }}'

),

beneficiary_cells as (

    select * from {{ ref('int_beneficiary_cells_rolled_up') }}

),

measure_cells as (

    select * from {{ ref('int_measure_cells_rolled_up') }}

),

published_cells as (

    select
        registry.indicator_code,
        registry.measure,
        registry.multiplier,
        registry.unit,
        registry.source_variable,
        beneficiary_cells.year,
        beneficiary_cells.geo_level,
        beneficiary_cells.geo_code,
        beneficiary_cells.geo_name,
        beneficiary_cells.geo_name_nl,
        beneficiary_cells.age_band,
        beneficiary_cells.beneficiaries
    from beneficiary_cells
    inner join registry
        on beneficiary_cells.year >= registry.first_year
    where
        (registry.dimensions = 'age_band_10y' or beneficiary_cells.age_band = 'total')
        and (
            beneficiary_cells.geo_level != 'statistical_sector'
            or (
                registry.smallest_geo_level = 'statistical_sector'
                and beneficiary_cells.year >= registry.sector_from_year
            )
        )

),

counted as (

    select
        published_cells.*,
        coalesce(
            case
                when published_cells.measure = 'patients' then measure_cells.patients
                else measure_cells.volume
            end,
            0
        ) as numerator
    from published_cells
    left join measure_cells
        on
            published_cells.year = measure_cells.year
            and published_cells.geo_level = measure_cells.geo_level
            and published_cells.geo_code = measure_cells.geo_code
            and published_cells.age_band = measure_cells.age_band
            and published_cells.source_variable = measure_cells.variable_name

),

final as (

    select
        cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
        cast(year as integer) as year,
        cast(geo_level as {{ dbt.type_string() }}) as geo_level,
        cast(geo_code as {{ dbt.type_string() }}) as geo_code,
        cast(geo_name as {{ dbt.type_string() }}) as geo_name,
        cast(geo_name_nl as {{ dbt.type_string() }}) as geo_name_nl,
        cast(age_band as {{ dbt.type_string() }}) as age_band,
        cast(numerator as bigint) as numerator,
        cast(beneficiaries as bigint) as denominator,
        -- The pages write numerator / (beneficiaries / multiplier).
        cast(numerator * multiplier as double) / beneficiaries as value,
        cast(unit as {{ dbt.type_string() }}) as unit
    from counted

)

select * from final

{% endmacro %}
