{#- The raw extract as the sources of the project (models/staging/ima/_ima__sources.yml). DuckDB
    reads the files in place through each source's external_location and needs nothing here. Spark
    has no such setting: before the build, a view over each source's files (the same glob), adding
    the file each row was read from as DuckDB's filename = true does. A view, not a table: a
    catalog table over a glob would make a folder of that name among the delivered files. Files
    whose columns differ are read together by name, as DuckDB's union_by_name does. Run as an
    on-run-start hook (dbt_project.yml). -#}
{% macro create_raw_source_relations() -%}
    {{ return(adapter.dispatch('create_raw_source_relations', 'atlas')()) }}
{%- endmacro %}

{% macro default__create_raw_source_relations() -%}
{%- endmacro %}

{% macro spark__create_raw_source_relations() -%}
    {%- if execute -%}
        {%- set raw_format = env_var('ATLAS_RAW_FORMAT', var('raw_format')) -%}
        {%- if raw_format != 'parquet' -%}
            {%- do exceptions.raise_compiler_error(
                'On Spark the raw extract is read as Parquet (docs/spark.md); ATLAS_RAW_FORMAT is '
                ~ raw_format ~ ': convert the CSV files to Parquet, or build this extract on DuckDB.') -%}
        {%- endif -%}
        {%- set raw_dir = env_var('ATLAS_RAW_DIR', var('raw_dir')) -%}
        {%- do run_query('set spark.sql.parquet.mergeSchema = true') -%}
        {%- for source_node in graph.sources.values() if source_node.source_name == 'ima' -%}
            {%- set files = raw_dir ~ '/' ~ source_node.name ~ '*.parquet' -%}
            {%- do run_query('create schema if not exists ' ~ source_node.schema) -%}
            {#- Local files are named file:/...; the path alone, as DuckDB names them. -#}
            {%- do run_query('create or replace view ' ~ source_node.schema ~ '.' ~ source_node.name
                ~ " as select *, regexp_replace(_metadata.file_path, '^file:(//)?', '') as filename"
                ~ ' from parquet.`' ~ files | replace('`', '``') ~ '`') -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
