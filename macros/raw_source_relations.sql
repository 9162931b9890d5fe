{#- The raw extract as the sources of the project (models/staging/ima/_ima__sources.yml). DuckDB
    reads the files in place through each source's external_location and needs nothing here. Spark
    has no such setting: before the build, a table over each source's files (the same glob,
    Parquet or CSV read as text) and a view adding the file each row was read from, as DuckDB's
    filename = true does. Run as an on-run-start hook (dbt_project.yml). -#}
{% macro create_raw_source_relations() -%}
    {{ return(adapter.dispatch('create_raw_source_relations', 'atlas')()) }}
{%- endmacro %}

{% macro default__create_raw_source_relations() -%}
{%- endmacro %}

{% macro spark__create_raw_source_relations() -%}
    {%- if execute -%}
        {%- set raw_format = env_var('ATLAS_RAW_FORMAT', var('raw_format')) -%}
        {%- set raw_dir = env_var('ATLAS_RAW_DIR', var('raw_dir')) -%}
        {%- set options = {'mergeSchema': 'true'} if raw_format == 'parquet' else {
            'header': 'true', 'sep': var('csv_delimiter'), 'encoding': var('csv_encoding'),
            'quote': '"', 'escape': '"', 'multiLine': 'true'} -%}
        {%- for source_node in graph.sources.values() if source_node.source_name == 'ima' -%}
            {%- set source_relation = source_node.schema ~ '.' ~ source_node.name -%}
            {%- set files_relation = source_relation ~ '_files' -%}
            {%- set option_list = ['path ' ~ spark_string_literal(raw_dir ~ '/' ~ source_node.name ~ '*.' ~ raw_format)] -%}
            {%- for option_name, option_value in options.items() -%}
                {%- do option_list.append(option_name ~ ' ' ~ spark_string_literal(option_value)) -%}
            {%- endfor -%}
            {%- do run_query('create schema if not exists ' ~ source_node.schema) -%}
            {%- do run_query('drop view if exists ' ~ source_relation) -%}
            {%- do run_query('drop table if exists ' ~ files_relation) -%}
            {%- do run_query('create table ' ~ files_relation ~ ' using ' ~ raw_format
                ~ ' options (' ~ option_list | join(', ') ~ ')') -%}
            {#- Local files are named file:/...; the path alone, as DuckDB names them. -#}
            {%- do run_query('create view ' ~ source_relation ~ ' as select *,'
                ~ " regexp_replace(_metadata.file_path, '^file:(//)?', '') as filename from " ~ files_relation) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- A Spark SQL string literal: backslashes and quotes escaped. -#}
{% macro spark_string_literal(text) -%}
    {{- "'" ~ (text | string | replace('\\', '\\\\') | replace("'", "\\'")) ~ "'" -}}
{%- endmacro %}
