{#- Whole-string regular-expression match; null text gives null. -#}
{% macro matches_pattern(text_expression, pattern) -%}
    {{ return(adapter.dispatch('matches_pattern', 'atlas')(text_expression, pattern)) }}
{%- endmacro %}

{% macro default__matches_pattern(text_expression, pattern) -%}
    regexp_full_match({{ text_expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__matches_pattern(text_expression, pattern) -%}
    ({{ text_expression }} rlike '^{{ pattern }}$')
{%- endmacro %}
