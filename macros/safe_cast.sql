{#- dbt's default safe_cast is a plain cast, which aborts the whole build on one bad value;
    DuckDB's try_cast gives null instead, so the row checks can quarantine the row. Picked up by
    dbt.safe_cast through the dispatch search order in dbt_project.yml. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
