{#- A contract's not_null constraints on Spark. Spark declares them only on Delta tables (dbt-spark
    alters the column, which a Parquet table refuses); on a Parquet table this checks them after
    the build instead, and fails the model naming the columns that hold nulls, as an enforced
    constraint fails it on DuckDB. Picked up through the dispatch search order in dbt_project.yml. -#}
{% macro spark__persist_constraints(relation, model) %}
    {%- if config.get('contract').enforced -%}
        {%- if config.get('file_format', 'delta') == 'delta' -%}
            {%- do spark__alter_table_add_constraints(relation, model.constraints) -%}
            {%- do spark__alter_column_set_constraints(relation, model.columns) -%}
        {%- else -%}
            {%- do check_not_null_columns(relation, model.columns) -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{#- Fails when a column under a not_null constraint holds a null. -#}
{% macro check_not_null_columns(relation, column_dict) %}
    {%- set not_null_columns = [] -%}
    {%- for column_name, column in column_dict.items() -%}
        {%- if column['constraints'] | selectattr('type', 'equalto', 'not_null') | list -%}
            {%- do not_null_columns.append(column_name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not_null_columns -%}
        {%- set counts_query -%}
            select
            {%- for column_name in not_null_columns %}
                count_if({{ column_name }} is null) as {{ column_name }}{{ ',' if not loop.last }}
            {%- endfor %}
            from {{ relation }}
        {%- endset -%}
        {%- set counts = run_query(counts_query) -%}
        {%- set with_nulls = [] -%}
        {%- for column_name in not_null_columns -%}
            {%- if counts.columns[loop.index0].values()[0] > 0 -%}
                {%- do with_nulls.append(column_name ~ ' (' ~ counts.columns[loop.index0].values()[0] ~ ' nulls)') -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if with_nulls -%}
            {%- do exceptions.raise_compiler_error(
                'Contract of ' ~ relation ~ ': not_null constraint violated by ' ~ with_nulls | join(', ')) -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
