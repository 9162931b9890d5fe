{{ per_year_model('year') }}

-- A cell of a table is withheld when its population cell (its denominator, shared by every
-- table) or its variable cell (its numerator, shared by the tables of the variable) is, and
-- flagged 'small_cell' only where each pattern in which it is small may say so.
with

computed as (

    select * from {{ ref('int_indicator_cells_computed') }}
    where {{ in_build_years('year') }}

),

registry as (

    select * from {{ ref('indicator_registry') }}

),

population_pattern as (

    select * from {{ ref('int_population_cells_suppressed') }}
    where {{ in_build_years('year') }}

),

variable_patterns as (

    select * from {{ ref('int_variable_cells_suppressed') }}
    where {{ in_build_years('year') }}

),

final as (

    select
        computed.indicator_code,
        computed.year,
        computed.geo_level,
        computed.geo_code,
        computed.geo_name,
        computed.geo_name_nl,
        computed.parent_geo_level,
        computed.parent_geo_code,
        computed.age_band,
        computed.individuals,
        computed.numerator,
        computed.denominator,
        computed.value,
        computed.unit,
        population_pattern.is_suppressed or variable_patterns.is_suppressed as is_suppressed,
        case
            -- Every small figure of the cell must be safe to flag (docs/protection.md): a cell
            -- whose beneficiaries the rows below it bound says nothing, whatever its patients.
            when
                (population_pattern.is_small or variable_patterns.is_small)
                and (population_pattern.is_flagged_small or not population_pattern.is_small)
                and (variable_patterns.is_flagged_small or not variable_patterns.is_small)
                then 'small_cell'
            when population_pattern.is_suppressed or variable_patterns.is_suppressed then 'secondary'
        end as suppression_flag,
        population_pattern.changed_in_last_round or variable_patterns.changed_in_last_round as changed_in_last_round
    from computed
    inner join registry
        on computed.indicator_code = registry.indicator_code
    inner join population_pattern
        on
            computed.year = population_pattern.year
            and computed.geo_level = population_pattern.geo_level
            and computed.geo_code = population_pattern.geo_code
            and computed.age_band = population_pattern.age_band
    inner join variable_patterns
        on
            registry.source_variable = variable_patterns.variable_name
            and computed.year = variable_patterns.year
            and computed.geo_level = variable_patterns.geo_level
            and computed.geo_code = variable_patterns.geo_code
            and computed.age_band = variable_patterns.age_band

)

select * from final
