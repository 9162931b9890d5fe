{#- A 95% confidence limit of the mean of a Poisson count `observed` (side 'lower' or 'upper'):
    the exact limit read from the seed poisson_exact_limits (`seed_limit`, null beyond its last
    count), else Byar's approximation (Breslow & Day 1987, vol. II, p. 69), within 5e-8 of the
    exact limit from 5000 on (tests/python/test_poisson_limits.py). -#}
{% macro poisson_limit(observed, seed_limit, side) -%}
    {%- set z = 1.959963984540054 -%}
    {%- if side == 'lower' -%}
    coalesce(
        {{ seed_limit }},
        case
            when {{ observed }} = 0 then 0.0
            else {{ observed }} * power(1 - 1 / (9.0 * {{ observed }}) - {{ z }} / (3 * sqrt({{ observed }})), 3)
        end
    )
    {%- else -%}
    coalesce(
        {{ seed_limit }},
        ({{ observed }} + 1) * power(1 - 1 / (9.0 * ({{ observed }} + 1)) + {{ z }} / (3 * sqrt({{ observed }} + 1)), 3)
    )
    {%- endif -%}
{%- endmacro %}
