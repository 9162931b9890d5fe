{#- trimmed_text in capitals, for codes and ids: they are not free text, and 'mh_a' and 'MH_A'
    are one practice (docs/row_rules.md). -#}
{% macro upper_trimmed_text(column_name) -%}
    upper({{ trimmed_text(column_name) }})
{%- endmacro %}
