{#- A var the run command sets per run (docs/running.md "What a run passes to dbt"): the rows it
    counted per delivered file, the columns it found typed, the folders of transcoded copies and
    the years to rebuild. It passes them in the environment (ATLAS_RUN_VARS, JSON), read only
    when dbt executes, not on the command line: dbt parses the whole project again whenever the
    command line's vars change, and these change with every extract. What they change is SQL
    text, which dbt renders when it executes, never a model's configuration. A plain `dbt build
    --vars` (the Spark test, a developer) still sets them: var() is the fallback. -#}
{% macro run_var(name, default=none) -%}
    {%- if execute -%}
        {%- set run_vars = fromjson(env_var('ATLAS_RUN_VARS', '{}')) -%}
        {%- if name in run_vars -%}
            {{ return(run_vars[name]) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(var(name, default)) }}
{%- endmacro %}
