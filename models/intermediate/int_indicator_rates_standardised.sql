{{ per_year_model('year') }}

-- The age-sex standardised figures of every indicator, year and unit, and whether they may be
-- published (docs/standardisation.md gives the formulas, their sources and the rules).
{%- set exact_sum_type = 'decimal(38, 18)' %}
{%- if var('standard_population') not in ['belgium', 'esp2013'] %}
    {{ exceptions.raise_compiler_error("var standard_population must be 'belgium' or 'esp2013', not '"
        ~ var('standard_population') ~ "'") }}
{%- endif %}

with

registry as (

    select * from {{ ref('indicator_registry') }}

),

strata as (

    select * from {{ ref('int_stratum_cells_rolled_up') }}
    where {{ in_build_years('year') }}

),

total_cells as (

    select * from {{ ref('int_indicator_cells_suppressed') }}
    where {{ in_build_years('year') }} and age_band = 'total'

),

population_pattern as (

    select * from {{ ref('int_population_cells_suppressed') }}
    where {{ in_build_years('year') }} and age_band != 'total'

),

variable_patterns as (

    select * from {{ ref('int_variable_cells_suppressed') }}
    where {{ in_build_years('year') }} and age_band != 'total'

),

european_standard_population as (

    select * from {{ ref('european_standard_population') }}

),

age_bands as (

    select * from {{ ref('age_bands') }}

),

poisson_exact_limits as (

    select * from {{ ref('poisson_exact_limits') }}

),

-- Only the units, years and levels each indicator's table publishes (its total cells).
indicator_strata as (

    select
        registry.indicator_code,
        registry.source_variable,
        -- A double: squared in the variance, a multiplier of 100,000 would overflow an integer.
        cast(registry.multiplier as double) as multiplier,
        strata.year,
        strata.geo_level,
        strata.geo_code,
        strata.age_band,
        strata.sex,
        strata.beneficiaries,
        strata.patients as individuals,
        case when registry.measure = 'patients' then strata.patients else strata.volume end as events
    from strata
    inner join registry
        on strata.variable_name = registry.source_variable
    inner join total_cells
        on
            registry.indicator_code = total_cells.indicator_code
            and strata.year = total_cells.year
            and strata.geo_level = total_cells.geo_level
            and strata.geo_code = total_cells.geo_code

),

belgium_strata as (

    select
        indicator_code,
        year,
        age_band,
        sex,
        beneficiaries as belgium_beneficiaries,
        cast(events as double) / beneficiaries as belgium_rate
    from indicator_strata
    where geo_level = 'country'

),

-- The European standard's 5-year bands summed into the 10-year bands; each sex weighs the same.
european_band_weights as (

    select
        age_bands.age_band,
        sum(european_standard_population.persons) as persons
    from european_standard_population
    inner join age_bands
        on european_standard_population.age_from between age_bands.age_from and age_bands.age_to
    group by age_bands.age_band

),

reference_strata as (

    select
        belgium_strata.indicator_code,
        belgium_strata.year,
        belgium_strata.age_band,
        belgium_strata.sex,
        belgium_strata.belgium_rate,
        case '{{ var('standard_population') }}'
            when 'esp2013' then cast(european_band_weights.persons as double)
            else cast(belgium_strata.belgium_beneficiaries as double)
        end as reference_persons
    from belgium_strata
    left join european_band_weights
        on belgium_strata.age_band = european_band_weights.age_band

),

reference_totals as (

    select
        indicator_code,
        year,
        sum(reference_persons) as reference_persons
    from reference_strata
    group by indicator_code, year

),

-- Each stratum's terms, summed as decimals: a sum of doubles depends on the order DuckDB's
-- threads add them in, and a yearly update must give the full build's figures bit for bit.
stratum_terms as (

    select
        indicator_strata.indicator_code,
        indicator_strata.source_variable,
        indicator_strata.multiplier,
        indicator_strata.year,
        indicator_strata.geo_level,
        indicator_strata.geo_code,
        indicator_strata.age_band,
        indicator_strata.beneficiaries,
        indicator_strata.individuals,
        indicator_strata.events,
        cast(
            reference_strata.reference_persons * indicator_strata.events / indicator_strata.beneficiaries
            as {{ exact_sum_type }}
        ) as weighted_rate,
        cast(
            reference_strata.reference_persons * reference_strata.reference_persons * indicator_strata.events
            / (cast(indicator_strata.beneficiaries as double) * indicator_strata.beneficiaries)
            as {{ exact_sum_type }}
        ) as weighted_variance,
        cast(
            indicator_strata.beneficiaries * reference_strata.belgium_rate as {{ exact_sum_type }}
        ) as expected_events
    from indicator_strata
    inner join reference_strata
        on
            indicator_strata.indicator_code = reference_strata.indicator_code
            and indicator_strata.year = reference_strata.year
            and indicator_strata.age_band = reference_strata.age_band
            and indicator_strata.sex = reference_strata.sex

),

-- A stratum count of 1 to t - 1 could be solved for from the figures (their weights are near
-- public), and a withheld band cell from the figures and the bands published beside it.
unit_checks as (

    select
        stratum_terms.indicator_code,
        stratum_terms.year,
        stratum_terms.geo_level,
        stratum_terms.geo_code,
        {{ dbt.bool_or(is_small_count('stratum_terms.beneficiaries') ~ ' or '
            ~ is_small_count('stratum_terms.individuals')) }} as has_small_stratum,
        coalesce({{ dbt.bool_or('population_pattern.is_suppressed') }}, false)
        or coalesce({{ dbt.bool_or('variable_patterns.is_suppressed') }}, false) as has_withheld_band
    from stratum_terms
    left join population_pattern
        on
            stratum_terms.year = population_pattern.year
            and stratum_terms.geo_level = population_pattern.geo_level
            and stratum_terms.geo_code = population_pattern.geo_code
            and stratum_terms.age_band = population_pattern.age_band
    left join variable_patterns
        on
            stratum_terms.source_variable = variable_patterns.variable_name
            and stratum_terms.year = variable_patterns.year
            and stratum_terms.geo_level = variable_patterns.geo_level
            and stratum_terms.geo_code = variable_patterns.geo_code
            and stratum_terms.age_band = variable_patterns.age_band
    group by
        stratum_terms.indicator_code,
        stratum_terms.year,
        stratum_terms.geo_level,
        stratum_terms.geo_code

),

unit_sums as (

    select
        indicator_code,
        multiplier,
        year,
        geo_level,
        geo_code,
        cast(sum(events) as bigint) as observed,
        cast(sum(beneficiaries) as bigint) as beneficiaries,
        cast(sum(weighted_rate) as double) as weighted_rate,
        cast(sum(weighted_variance) as double) as weighted_variance,
        cast(sum(expected_events) as double) as expected
    from stratum_terms
    group by indicator_code, multiplier, year, geo_level, geo_code

),

estimates as (

    select
        unit_sums.indicator_code,
        unit_sums.year,
        unit_sums.geo_level,
        unit_sums.geo_code,
        unit_sums.observed,
        unit_sums.beneficiaries,
        unit_sums.expected,
        unit_sums.multiplier * unit_sums.weighted_rate / reference_totals.reference_persons as standardised_rate,
        unit_sums.multiplier * unit_sums.multiplier * unit_sums.weighted_variance
        / (reference_totals.reference_persons * reference_totals.reference_persons) as standardised_rate_variance,
        {{ poisson_limit('unit_sums.observed', 'poisson_exact_limits.lower_95', 'lower') }} as observed_lower,
        {{ poisson_limit('unit_sums.observed', 'poisson_exact_limits.upper_95', 'upper') }} as observed_upper
    from unit_sums
    inner join reference_totals
        on
            unit_sums.indicator_code = reference_totals.indicator_code
            and unit_sums.year = reference_totals.year
    left join poisson_exact_limits
        on unit_sums.observed = poisson_exact_limits.observed

),

intervals as (

    select
        *,
        -- Dobson et al. 1991: the DSR's interval is the exact interval of the count, rescaled.
        case
            when observed > 0
                then standardised_rate + sqrt(standardised_rate_variance / observed) * (observed_lower - observed)
        end as standardised_rate_lower,
        case
            when observed > 0
                then standardised_rate + sqrt(standardised_rate_variance / observed) * (observed_upper - observed)
        end as standardised_rate_upper,
        case when expected > 0 then observed / expected end as standardised_ratio,
        case when expected > 0 then observed_lower / expected end as standardised_ratio_lower,
        case when expected > 0 then observed_upper / expected end as standardised_ratio_upper
    from estimates

),

final as (

    select
        intervals.indicator_code,
        intervals.year,
        intervals.geo_level,
        intervals.geo_code,
        intervals.observed,
        intervals.beneficiaries,
        intervals.standardised_rate,
        intervals.standardised_rate_lower,
        intervals.standardised_rate_upper,
        intervals.expected,
        intervals.standardised_ratio,
        intervals.standardised_ratio_lower,
        intervals.standardised_ratio_upper,
        case
            when intervals.standardised_ratio_lower > 1 then 'higher'
            when intervals.standardised_ratio_upper < 1 then 'lower'
            when intervals.standardised_ratio is not null then 'not different'
        end as compared_with_belgium,
        (
            not total_cells.is_suppressed
            and not unit_checks.has_withheld_band
            and not unit_checks.has_small_stratum
            and intervals.observed >= {{ var('standardisation_min_events') }}
            and (
                intervals.geo_level != 'statistical_sector'
                or intervals.beneficiaries >= {{ var('standardisation_min_sector_beneficiaries') }}
            )
        ) as is_published
    from intervals
    inner join total_cells
        on
            intervals.indicator_code = total_cells.indicator_code
            and intervals.year = total_cells.year
            and intervals.geo_level = total_cells.geo_level
            and intervals.geo_code = total_cells.geo_code
    inner join unit_checks
        on
            intervals.indicator_code = unit_checks.indicator_code
            and intervals.year = unit_checks.year
            and intervals.geo_level = unit_checks.geo_level
            and intervals.geo_code = unit_checks.geo_code

)

select * from final
