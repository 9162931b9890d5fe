{#- The configuration of a per-year model (docs/performance.md): incremental, its rows
    appended after delete_build_years has deleted those of the years being rebuilt (on DuckDB by
    materialization per_year_table, which appends them without a temporary copy). Tagged
    per_year: the earlier steps of a long history build every model so tagged, and their parents. -#}
{% macro per_year_model(year_column, population=false, file_column=none) -%}
    {{ config(**adapter.dispatch('per_year_model_config', 'atlas')(year_column, population, file_column)) }}
{%- endmacro %}

{% macro default__per_year_model_config(year_column, population, file_column) -%}
    {%- set delete_arguments = ["'" ~ year_column ~ "'", 'population=' ~ (population | string | lower)] -%}
    {%- if file_column %}{% do delete_arguments.append("file_column='" ~ file_column ~ "'") %}{% endif -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'pre_hook': "{{ delete_build_years(" ~ delete_arguments | join(', ') ~ ") }}",
        'tags': ['per_year'],
        'meta': {'update_year_column': year_column},
    }) }}
{%- endmacro %}

{% macro duckdb__per_year_model_config(year_column, population, file_column) -%}
    {%- set model_config = atlas.default__per_year_model_config(year_column, population, file_column) -%}
    {%- do model_config.update({'materialized': 'per_year_table'}) -%}
    {{ return(model_config) }}
{%- endmacro %}

{#- Spark deletes no row from a Parquet table, but drops a partition: partitioned by the year, the
    table loses the years being rebuilt as whole partitions. -#}
{% macro spark__per_year_model_config(year_column, population, file_column) -%}
    {%- set model_config = atlas.default__per_year_model_config(year_column, population, file_column) -%}
    {%- do model_config.update({'partition_by': [year_column]}) -%}
    {{ return(model_config) }}
{%- endmacro %}
