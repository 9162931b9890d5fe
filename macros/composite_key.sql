{#- A text key of several columns, '|'-separated: one spelling for every key of a cell or group. -#}
{% macro composite_key(expressions) -%}
    {%- set parts = [] -%}
    {%- for expression in expressions -%}
        {%- do parts.append("cast(" ~ expression ~ " as " ~ dbt.type_string() ~ ")") -%}
        {%- if not loop.last -%}{%- do parts.append("'|'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}
