{% macro clean_text(column_name) -%}
    upper({{ trimmed_text(column_name) }})
{%- endmacro %}
