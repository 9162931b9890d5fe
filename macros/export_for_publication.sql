{#- The published tables are written as one DuckDB file whichever engine built them
    (docs/spark.md). DuckDB builds into that file's working database and needs nothing here. On
    Spark, after a build, every table the publication and the plausibility gate read (the marts
    and the seeds) is written as Parquet, one folder per table, under ATLAS_SPARK_EXPORT_DIR: the
    run command loads them into the working DuckDB file with their contracts
    (scripts/atlas/spark/working_database.py). The person-level intermediate tables stay where
    they were built. Unset, nothing is written. Run as an on-run-end hook (dbt_project.yml). -#}
{% macro export_for_publication() -%}
    {{ return(adapter.dispatch('export_for_publication', 'atlas')()) }}
{%- endmacro %}

{% macro default__export_for_publication() -%}
{%- endmacro %}

{% macro spark__export_for_publication() -%}
    {%- set export_dir = env_var('ATLAS_SPARK_EXPORT_DIR', '') -%}
    {%- if execute and export_dir -%}
        {%- for node in graph.nodes.values() if is_exported_for_publication(node) -%}
            {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) -%}
            {%- if relation is not none -%}
                {%- do run_query('insert overwrite directory ' ~ spark_string_literal(export_dir ~ '/' ~ node.alias)
                    ~ ' using parquet select * from ' ~ relation) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- A seed, or a model of models/marts that is not a view. -#}
{% macro is_exported_for_publication(node) -%}
    {{ return(
        node.package_name == project_name
        and (node.resource_type == 'seed'
             or (node.resource_type == 'model' and node.fqn[1] == 'marts' and node.config.materialized != 'view'))
    ) }}
{%- endmacro %}
