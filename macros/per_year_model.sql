{#- The configuration of a per-year model (docs/performance.md): incremental, its rows
    appended after delete_build_years has deleted those of the years being rebuilt. -#}
{% macro per_year_model(year_column) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_build_years('" ~ year_column ~ "') }}",
    ) }}
{%- endmacro %}
