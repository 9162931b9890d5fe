{#
    Sums the measures of a relation at the finest grain (year, the person's domicile codes,
    age band) up to every geographic level of the Atlas, each with a row per age band and an
    age_band 'total'. A unit whose code is null (no known domicile, no known sector) is left
    out of that level only, so persons without a domicile still count in the country rows.
    Without with_age_totals, the bands only.
#}
{% macro rollup_to_geo_levels(relation, measures, extra_group_columns=[], with_age_totals=true) %}
    {%- set selects = [] -%}
    {%- for geo_level, code_column in geo_levels() -%}
        {%- for by_age_band in ([true, false] if with_age_totals else [true]) -%}
            {%- set group_columns = ['year']
                + ([code_column] if code_column else [])
                + (['age_band'] if by_age_band else [])
                + extra_group_columns -%}
            {%- set conditions = ([code_column ~ ' is not null'] if code_column else [])
                + (['age_band is not null'] if by_age_band else []) -%}
            {%- set level_select -%}
    select
        year,
        '{{ geo_level }}' as geo_level,
        {{ code_column if code_column else "'" ~ var('country_code') ~ "'" }} as geo_code,
        {{ 'age_band' if by_age_band else "'total'" }} as age_band,
        {%- for column in extra_group_columns %}
        {{ column }},
        {%- endfor %}
        {%- for measure in measures %}
        cast(sum({{ measure }}) as bigint) as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {%- if conditions %}
    where {{ conditions | join(' and ') }}
    {%- endif %}
    group by {{ group_columns | join(', ') }}
            {%- endset -%}
            {%- do selects.append(level_select) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ selects | join('\n\n    union all\n') }}
{% endmacro %}
