{{ per_year_model('year') }}

-- The variable patterns (docs/protection.md): the patients and the volume tables of a variable,
-- cube_ and stat_, share their cells, so whether a numerator is published is decided once per
-- variable, together with the variables it adds up with.
{%- set rounds = var('secondary_suppression_rounds') %}

with

computed as (

    select * from {{ ref('int_indicator_cells_computed') }}
    where {{ in_build_years('year') }}

),

registry as (

    select * from {{ ref('indicator_registry') }}

),

measure_cells as (

    select * from {{ ref('int_measure_cells_rolled_up') }}
    where {{ in_build_years('year') }}

),

population_pattern as (

    select * from {{ ref('int_population_cells_suppressed') }}
    where {{ in_build_years('year') }}

),

variable_relations as (

    select * from {{ ref('variable_relations') }}

),

-- In a variable relation, the sum is the parent and each part a child.
relation_roles as (

    select
        relation,
        child_variable as variable_name,
        'child' as member_role
    from variable_relations

    union all

    select distinct
        relation,
        parent_variable as variable_name,
        'parent' as member_role
    from variable_relations

),

variable_cells as (

    select distinct
        registry.source_variable as variable_name,
        computed.year,
        computed.geo_level,
        computed.geo_code,
        computed.parent_geo_level,
        computed.parent_geo_code,
        computed.age_band,
        computed.individuals,
        computed.denominator as beneficiaries
    from computed
    inner join registry
        on computed.indicator_code = registry.indicator_code

),

pattern_cells as (

    select
        {{ composite_key(['variable_cells.variable_name', 'variable_cells.year', 'variable_cells.geo_level',
                          'variable_cells.geo_code', 'variable_cells.age_band']) }} as cell_id,
        variable_cells.variable_name,
        variable_cells.year,
        variable_cells.geo_level,
        variable_cells.geo_code,
        variable_cells.parent_geo_level,
        variable_cells.parent_geo_code,
        variable_cells.age_band,
        variable_cells.beneficiaries,
        variable_cells.individuals as measure,
        -- Patients cannot exceed the beneficiaries: a partner needs room below them too.
        (
            variable_cells.individuals >= {{ var('small_cell_threshold') }}
            and variable_cells.beneficiaries - variable_cells.individuals >= {{ var('small_cell_threshold') - 2 }}
        ) as is_strong,
        coalesce(measure_cells.volume, 0) as volume,
        {{ composite_key(['variable_cells.geo_code', 'variable_cells.age_band', 'variable_cells.variable_name']) }}
            as sort_key,
        {{ is_small_count('variable_cells.individuals') }} as is_small,
        {{ is_small_count('variable_cells.individuals') }} or population_pattern.is_suppressed as is_withheld_at_start
    from variable_cells
    inner join population_pattern
        on
            variable_cells.year = population_pattern.year
            and variable_cells.geo_level = population_pattern.geo_level
            and variable_cells.geo_code = population_pattern.geo_code
            and variable_cells.age_band = population_pattern.age_band
    left join measure_cells
        on
            variable_cells.variable_name = measure_cells.variable_name
            and variable_cells.year = measure_cells.year
            and variable_cells.geo_level = measure_cells.geo_level
            and variable_cells.geo_code = measure_cells.geo_code
            and variable_cells.age_band = measure_cells.age_band

),

-- Geography and age as in the population pattern, per variable; and the variable relations:
-- the all-imaging cell heads the same cell of its categories, and of its provider groups,
-- whose remainder (cone-beam CT, the providers without a table) is read in volume.
memberships as (

    {{ geography_and_age_groups('pattern_cells', ['variable_name']) }}

    union all

    select
        pattern_cells.cell_id,
        relation_roles.member_role,
        pattern_cells.volume as remainder_measure,
        {{ composite_key(["'relation'", 'relation_roles.relation', 'pattern_cells.year',
                          'pattern_cells.geo_level', 'pattern_cells.geo_code', 'pattern_cells.age_band']) }}
            as group_id
    from pattern_cells
    inner join relation_roles
        on pattern_cells.variable_name = relation_roles.variable_name

),

{{ suppression_rounds(rounds) }}

final as (

    select
        pattern_cells.variable_name,
        pattern_cells.year,
        pattern_cells.geo_level,
        pattern_cells.geo_code,
        pattern_cells.age_band,
        pattern_cells.measure as individuals,
        pattern_cells.volume,
        pattern_cells.is_small,
        pattern_cells.is_small and not pattern_outcomes.is_within_withheld_cell as is_flagged_small,
        pattern_outcomes.is_suppressed,
        pattern_outcomes.changed_in_last_round
    from pattern_cells
    inner join pattern_outcomes
        on pattern_cells.cell_id = pattern_outcomes.cell_id

)

select * from final
