{% macro normalise_code(column_name, length) -%}
    {#- Spreadsheets drop leading zeros from codes such as 011001 or REFNIS 04000: pad them back. -#}
    lpad(nullif(trim(cast({{ column_name }} as {{ dbt.type_string() }})), ''), {{ length }}, '0')
{%- endmacro %}

{% macro clean_text(column_name) -%}
    nullif(upper(trim(cast({{ column_name }} as {{ dbt.type_string() }}))), '')
{%- endmacro %}
