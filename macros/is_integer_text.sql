{#- True when the text is a whole number that fits an integer. A cast alone would accept
    '1.5' (rounded to 2) or '1e2', which are not counts. -#}
{% macro is_integer_text(text_expression) -%}
    {{ matches_pattern(text_expression, '[+-]?[0-9]{1,9}') }}
{%- endmacro %}
