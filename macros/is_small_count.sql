{#- A count of persons too small to publish: 1 to small_cell_threshold - 1 (0 is no one). -#}
{% macro is_small_count(column_name) -%}
    ({{ column_name }} between 1 and {{ var('small_cell_threshold') - 1 }})
{%- endmacro %}
