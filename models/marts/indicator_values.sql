with

suppressed_cells as (

    select * from {{ ref('int_indicator_cells_suppressed') }}

),

final as (

    select
        indicator_code,
        year,
        geo_level,
        geo_code,
        geo_name,
        geo_name_nl,
        age_band,
        case when not is_suppressed then numerator end as numerator,
        case when not is_suppressed then denominator end as denominator,
        case when not is_suppressed then value end as value,
        unit,
        suppression_flag
    from suppressed_cells

)

select * from final
