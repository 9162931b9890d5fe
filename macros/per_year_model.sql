{#- The configuration of a per-year model (docs/performance.md): incremental, its rows
    appended after delete_build_years has deleted those of the years being rebuilt. Tagged
    per_year: the earlier steps of a long history build every model so tagged, and their parents. -#}
{% macro per_year_model(year_column) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_build_years('" ~ year_column ~ "') }}",
        tags=['per_year'],
    ) }}
{%- endmacro %}
