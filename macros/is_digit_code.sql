{#- True when the text is 1 to max_length digits, i.e. a code that padding can mend. -#}
{% macro is_digit_code(text_expression, max_length) -%}
    {{ return(adapter.dispatch('is_digit_code', 'atlas')(text_expression, max_length)) }}
{%- endmacro %}

{#- Stripping the digits off the front leaves nothing: ten times cheaper than a regular
    expression on every claim line. -#}
{% macro default__is_digit_code(text_expression, max_length) -%}
    ({{ dbt.length(text_expression) }} between 1 and {{ max_length }} and ltrim({{ text_expression }}, '0123456789') = '')
{%- endmacro %}

{% macro spark__is_digit_code(text_expression, max_length) -%}
    {{ atlas.spark__matches_pattern(text_expression, '[0-9]{1,' ~ max_length ~ '}') }}
{%- endmacro %}
