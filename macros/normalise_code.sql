{#- Blank text is missing data, not a value. Trimmed only where a space or nothing is there to
    trim: trimming every value copies it, which at full scale is most of the cost of reading a
    claims file's person ids. -#}
{% macro trimmed_text(column_name) -%}
    {%- set text = "cast(" ~ column_name ~ " as " ~ dbt.type_string() ~ ")" -%}
    case
        when {{ text }} like ' %' or {{ text }} like '% ' or {{ text }} = '' then nullif(trim({{ text }}), '')
        else {{ text }}
    end
{%- endmacro %}

{% macro normalise_code(column_name, length) -%}
    {#- Spreadsheets drop leading zeros from codes such as 011001 or REFNIS 04000: pad them back.
        Only pad: lpad also cuts a longer text to the width, which would turn a wrong code
        (REFNIS 210040, qualification 4600) into a valid one. -#}
    case
        when length({{ trimmed_text(column_name) }}) < {{ length }}
            then lpad({{ trimmed_text(column_name) }}, {{ length }}, '0')
        else {{ trimmed_text(column_name) }}
    end
{%- endmacro %}

{% macro clean_text(column_name) -%}
    upper({{ trimmed_text(column_name) }})
{%- endmacro %}

{#- True when the text is a whole number that fits an integer. A cast alone would accept
    '1.5' (rounded to 2) or '1e2', which are not counts. -#}
{% macro is_integer_text(text_expression) -%}
    {{ return(adapter.dispatch('matches_pattern', 'atlas')(text_expression, '[+-]?[0-9]{1,9}')) }}
{%- endmacro %}

{#- True when the text is 1 to max_length digits, i.e. a code that padding can mend. -#}
{% macro is_digit_code(text_expression, max_length) -%}
    {{ return(adapter.dispatch('is_digit_code', 'atlas')(text_expression, max_length)) }}
{%- endmacro %}

{#- Stripping the digits off the front leaves nothing: ten times cheaper than a regular
    expression on every claim line. -#}
{% macro default__is_digit_code(text_expression, max_length) -%}
    ({{ dbt.length(text_expression) }} between 1 and {{ max_length }} and ltrim({{ text_expression }}, '0123456789') = '')
{%- endmacro %}

{% macro spark__is_digit_code(text_expression, max_length) -%}
    {{ atlas.spark__matches_pattern(text_expression, '[0-9]{1,' ~ max_length ~ '}') }}
{%- endmacro %}

{#- Whole-string regular-expression match; null text gives null. -#}
{% macro default__matches_pattern(text_expression, pattern) -%}
    regexp_full_match({{ text_expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__matches_pattern(text_expression, pattern) -%}
    ({{ text_expression }} rlike '^{{ pattern }}$')
{%- endmacro %}
