with

suppressed_cells as (

    select * from {{ ref('int_indicator_cells_suppressed') }}

),

standardised as (

    select * from {{ ref('int_indicator_rates_standardised') }}
    where is_published

),

final as (

    select
        suppressed_cells.indicator_code,
        suppressed_cells.year,
        suppressed_cells.geo_level,
        suppressed_cells.geo_code,
        suppressed_cells.geo_name,
        suppressed_cells.geo_name_nl,
        suppressed_cells.age_band,
        case when not suppressed_cells.is_suppressed then suppressed_cells.numerator end as numerator,
        case when not suppressed_cells.is_suppressed then suppressed_cells.denominator end as denominator,
        case when not suppressed_cells.is_suppressed then suppressed_cells.value end as value,
        suppressed_cells.unit,
        suppressed_cells.suppression_flag,
        -- Only on a published total row whose figures follow the rules of docs/standardisation.md.
        standardised.standardised_rate,
        standardised.standardised_rate_lower,
        standardised.standardised_rate_upper,
        standardised.expected,
        standardised.standardised_ratio,
        standardised.standardised_ratio_lower,
        standardised.standardised_ratio_upper,
        standardised.compared_with_belgium
    from suppressed_cells
    left join standardised
        on
            suppressed_cells.indicator_code = standardised.indicator_code
            and suppressed_cells.year = standardised.year
            and suppressed_cells.geo_level = standardised.geo_level
            and suppressed_cells.geo_code = standardised.geo_code
            and suppressed_cells.age_band = 'total'
            and not suppressed_cells.is_suppressed

)

select * from final
