{#- dbt's default safe_cast is a plain cast. No model calls it (the staging models parse raw text
    with their own macros), but dbt's unit tests cast their fixture values with it: try_cast
    gives null for a fixture value that does not fit instead of aborting the test. Picked up by
    dbt.safe_cast through the dispatch search order in dbt_project.yml. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
