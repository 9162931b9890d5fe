{#- The values of the raw integer and date columns, and the text they were delivered as.
    Where every delivered file already gives a column the contract's type (var
    raw_typed_columns, set by the run command's structural check), it is taken as it is;
    otherwise its text (the `<column>_text` column beside it) is parsed, and what does not
    parse becomes null for the row rules. Parsing 46 million dates a year costs more than the
    rest of reading the claims. -#}
{% macro is_typed_raw_column(source_name, column_name) -%}
    {{ return(column_name in run_var('raw_typed_columns', {}).get(source_name, [])) }}
{%- endmacro %}

{% macro raw_integer(source_name, column_name) -%}
    {%- if is_typed_raw_column(source_name, column_name) -%}
        {{ column_name }}_value
    {%- else -%}
        case
            when {{ is_integer_text(column_name ~ '_text') }} then cast({{ column_name }}_text as integer)
        end
    {%- endif -%}
{%- endmacro %}

{% macro raw_date(source_name, column_name) -%}
    {%- if is_typed_raw_column(source_name, column_name) -%}
        {{ column_name }}_value
    {%- else -%}
        {{ parse_date(column_name ~ '_text') }}
    {%- endif -%}
{%- endmacro %}

{#- The typed value carried beside the text, for raw_integer and raw_date to take. -#}
{% macro raw_typed_value(source_name, column_name) -%}
    {%- if is_typed_raw_column(source_name, column_name) %}
        {{ column_name }} as {{ column_name }}_value,
    {%- endif -%}
{%- endmacro %}

{#- The delivered text of a raw column, for a table that keeps every row: null where the column
    is typed, since the value's own text is then what was delivered (listings take that). -#}
{% macro kept_delivered_text(source_name, column_name, text_expression) -%}
    {%- if is_typed_raw_column(source_name, column_name) -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        {{ text_expression }}
    {%- endif -%}
{%- endmacro %}

{#- The delivered text of a column a table kept with kept_delivered_text (or kept only where it
    differs from the value): the text where kept, else the value's own. -#}
{% macro delivered_text(text_column, value_column) -%}
    coalesce({{ text_column }}, cast({{ value_column }} as {{ dbt.type_string() }}))
{%- endmacro %}
