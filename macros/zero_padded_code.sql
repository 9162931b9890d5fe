{#- Spreadsheets drop leading zeros from codes such as 011001 or REFNIS 04000: pad them back.
    Only pad: lpad also cuts a longer text to the width, which would turn a wrong code
    (REFNIS 210040, qualification 4600) into a valid one. -#}
{% macro zero_padded_code(column_name, length) -%}
    case
        when length({{ trimmed_text(column_name) }}) < {{ length }}
            then lpad({{ trimmed_text(column_name) }}, {{ length }}, '0')
        else {{ trimmed_text(column_name) }}
    end
{%- endmacro %}
