{{ per_year_model('year') }}

with

registry as (

    select * from {{ ref('indicator_registry') }}

),

beneficiary_cells as (

    select * from {{ ref('int_beneficiary_cells_rolled_up') }}
    where {{ in_build_years('year') }}

),

measure_cells as (

    select * from {{ ref('int_measure_cells_rolled_up') }}
    where {{ in_build_years('year') }}

),

-- The cells each indicator publishes, as its registry row says: years from its first year,
-- age bands only where it has them, statistical sectors only from its sector year.
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
        beneficiary_cells.parent_geo_level,
        beneficiary_cells.parent_geo_code,
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
        -- The persons a cell is about: the patients, also behind a volume of exams.
        coalesce(measure_cells.patients, 0) as individuals,
        coalesce(
            case
                when published_cells.measure = 'patients' then measure_cells.patients
                else measure_cells.volume
            end,
            0
        ) as counted_numerator
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
        indicator_code,
        year,
        geo_level,
        geo_code,
        geo_name,
        geo_name_nl,
        parent_geo_level,
        parent_geo_code,
        age_band,
        cast(individuals as bigint) as individuals,
        cast(counted_numerator as bigint) as numerator,
        cast(beneficiaries as bigint) as denominator,
        -- The pages write numerator / (beneficiaries / multiplier).
        cast(counted_numerator * multiplier as double) / beneficiaries as value,
        unit
    from counted

)

select * from final
