{#- The yearly update (docs/performance.md). The run command passes in var build_years
    the years its delivered files changed (a new year, a corrected one, and any year their lines
    fall in); the per-year models are incremental and rebuild those years only, keeping the
    others. A first build or --full-refresh builds every year, and so does a run without the
    var (a plain `dbt build`). -#}
{% macro builds_some_years() -%}
    {{ return(run_var('build_years', none) is not none) }}
{%- endmacro %}

{#- The model's table holds an earlier build's rows, and this run keeps them: dbt's
    is_incremental() without its test of the materialization's name, since on DuckDB the per-year
    models are materialized per_year_table. -#}
{% macro has_earlier_build() -%}
    {%- if not execute or should_full_refresh() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(this.database, this.schema, this.identifier) -%}
    {{ return(relation is not none and relation.is_table) }}
{%- endmacro %}

{#- Some years rebuilt on an earlier build (the pre-hook deletes them first). Not on an empty
    database: a long history is built in steps of a few years, the first on an empty one. -#}
{% macro is_year_update() -%}
    {#- The var first: unit tests have no relation for has_earlier_build() to look at. -#}
    {{ return(builds_some_years() and has_earlier_build()) }}
{%- endmacro %}

{#- The years a model rebuilds. A population model (one that reads the beneficiaries and no claim)
    rebuilds only the years whose beneficiary files changed, when the run says which (var
    population_build_years): a new claims file bills late services of the year before, whose
    population has not changed and is kept. -#}
{% macro years_to_build(population=false) -%}
    {%- if population and run_var('population_build_years', none) is not none -%}
        {{ return(run_var('population_build_years') | map('int') | list) }}
    {%- endif -%}
    {{ return(run_var('build_years') | map('int') | list) }}
{%- endmacro %}

{#- A filter keeping the rows of the years to build: every row outside a yearly update. Rows
    without a year (it did not parse) have update_year 0 and are rebuilt with every update when
    with_yearless is set. -#}
{% macro in_build_years(year_expression, with_yearless=false, population=false) -%}
    {%- if builds_some_years() -%}
        {{ in_years(year_expression, years_to_build(population), with_yearless) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- A filter keeping the rows whose year is one of years (false when there is none), and with
    with_yearless those whose year is null. -#}
{% macro in_years(year_expression, years, with_yearless=false) -%}
    (
        {%- if years %}{{ year_expression }} in ({{ years | join(', ') }}){% else %}false{% endif -%}
        {%- if with_yearless %} or {{ year_expression }} is null{% endif -%}
    )
{%- endmacro %}

{#- The claim lines a yearly update checks again: those of the claims files added, changed or
    removed (var changed_claim_files), and those of the years whose population changed, since a line
    is checked against its year's population. The other lines of a rebuilt year keep their
    checks; every line of it is settled again with its group. Every line when the run does not
    say which files changed (a full build, a step of a history, a plain `dbt build`). -#}
{% macro in_rechecked_claim_files(file_expression, year_expression) -%}
    {%- if builds_some_years() and run_var('changed_claim_files', none) is not none -%}
        {%- set files = run_var('changed_claim_files') -%}
        {%- set years = years_to_build(population=true) -%}
        (
            {%- if files %}{{ file_expression }} in (
                {%- for file in files %}{{ dbt.string_literal(file | replace("'", "''")) }}{{ ', ' if not loop.last }}{% endfor -%}
            ){% else %}false{% endif %}
            or {{ in_years(year_expression, years) }}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The same filter on a date, written as ranges so that a Parquet reader can skip the row
    groups of other years from their statistics instead of reading them. -#}
{% macro dates_in_build_years(date_expression, with_yearless=false) -%}
    {%- if builds_some_years() -%}
        {%- set years = run_var('build_years') | map('int') | list -%}
        (
            {%- for year in years %}
            ({{ date_expression }} >= {{ dbt.cast("'" ~ year ~ "-01-01'", 'date') }}
                and {{ date_expression }} < {{ dbt.cast("'" ~ (year + 1) ~ "-01-01'", 'date') }})
            {%- if not loop.last %} or {% endif -%}
            {%- else %}false{%- endfor -%}
            {%- if with_yearless %} or {{ date_expression }} is null{% endif -%}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The year with which an update rebuilds a row: its year, or 0 when it has none. -#}
{% macro update_year(year_expression) -%}
    coalesce({{ year_expression }}, 0)
{%- endmacro %}

{#- The pre-hook of every per-year model: in a yearly update, delete the rows of the years to
    build (and the yearless rows, year 0) before the new ones are appended. Deleting by the keys
    of the new rows (dbt's delete+insert) would keep the rows of a year, or of a file, that the
    new delivery no longer has. -#}
{% macro delete_build_years(year_column, population=false, file_column=none) -%}
    {{ return(adapter.dispatch('delete_build_years', 'atlas')(year_column, population, file_column)) }}
{%- endmacro %}

{#- The years a yearly update deletes: the years it builds, and the yearless rows (year 0). -#}
{% macro deleted_years(population=false) -%}
    {{ return(years_to_build(population) + [0]) }}
{%- endmacro %}

{% macro default__delete_build_years(year_column, population, file_column) -%}
    {%- if is_year_update() -%}
        delete from {{ this }}
        where
            {{ year_column }} in ({{ deleted_years(population) | join(', ') }})
            {%- if file_column %} and {{ in_rechecked_claim_files(file_column, year_column) }}{% endif %}
    {%- elif not builds_some_years() and has_earlier_build() -%}
        {#- A plain `dbt build` on a built database builds every year again: appended to the
            rows already there, they would count twice. -#}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro %}

{#- On Spark, whose Parquet tables support no delete, the per-year models are partitioned by their
    year (spark__per_year_model_config): the same rows go as whole partitions. -#}
{% macro spark__delete_build_years(year_column, population, file_column) -%}
    {%- if is_year_update() and file_column and run_var('changed_claim_files', none) is not none -%}
        {{ exceptions.raise_compiler_error(
            "var changed_claim_files asks " ~ this ~ " to delete some files' rows of a year, which a Parquet "
            ~ "table cannot: on Spark, leave it out, and the update checks every line of the years it builds again.") }}
    {%- elif is_year_update() -%}
        alter table {{ this }} drop if exists
        {%- for year in deleted_years(population) %} partition ({{ year_column }} = {{ year }}){{ ',' if not loop.last }}{% endfor %}
    {%- elif not builds_some_years() and has_earlier_build() -%}
        truncate table {{ this }}
    {%- endif -%}
{%- endmacro %}

{#- The filter a data test puts on a per-year model in a yearly update: the rows of the years the
    update rebuilt in any of its steps (var tested_years), those without a year (update year 0,
    rebuilt by every update) and any whose year is null, which a test must still see. None (no
    filter) outside an update, for a model that is not per-year, or for another relation. -#}
{% macro tested_years_filter(relation) -%}
    {#- Not at parse time: a var given on the command line reaches it, but the graph is not built yet. -#}
    {%- set tested_years = run_var('tested_years', none) if execute else none -%}
    {%- if tested_years is none or model is not defined or not model.get('attached_node') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set tested_model = graph.nodes.get(model.attached_node) -%}
    {%- set year_column = (tested_model or {}).get('config', {}).get('meta', {}).get('update_year_column') -%}
    {%- if not year_column or tested_model.alias != relation.identifier -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(in_years(year_column, tested_years | map('int') | list + [0], with_yearless=true)) }}
{%- endmacro %}
