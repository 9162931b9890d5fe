{#- What a generic data test reads of its model: dbt's own (the rows of the test's `where`
    config), and in a yearly update, when the model is a per-year one, only the rows of the years
    the update rebuilt (tested_years_filter). The rows of the years it kept passed the same tests,
    of the same project, when they were built; testing them again made the unique test of the
    located population read every year of a ten-year history in every update. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where %}{% do conditions.append('(' ~ where ~ ')') %}{% endif -%}
    {%- set tested_years = tested_years_filter(relation) -%}
    {%- if tested_years %}{% do conditions.append(tested_years) %}{% endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
