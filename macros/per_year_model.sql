{#- The configuration of a per-year model (docs/performance.md): incremental, its rows
    appended after delete_build_years has deleted those of the years being rebuilt. Tagged
    per_year: the earlier steps of a long history build every model so tagged, and their parents. -#}
{% macro per_year_model(year_column) -%}
    {{ config(**adapter.dispatch('per_year_model_config', 'atlas')(year_column)) }}
{%- endmacro %}

{% macro default__per_year_model_config(year_column) -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'pre_hook': "{{ delete_build_years('" ~ year_column ~ "') }}",
        'tags': ['per_year'],
    }) }}
{%- endmacro %}

{#- Spark deletes no row from a Parquet table, but drops a partition: partitioned by the year, the
    table loses the years being rebuilt as whole partitions. -#}
{% macro spark__per_year_model_config(year_column) -%}
    {%- set model_config = atlas.default__per_year_model_config(year_column) -%}
    {%- do model_config.update({'partition_by': [year_column]}) -%}
    {{ return(model_config) }}
{%- endmacro %}
