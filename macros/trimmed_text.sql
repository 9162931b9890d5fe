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
