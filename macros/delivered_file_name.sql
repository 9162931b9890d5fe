{#- The delivered file a row was read from. Where the build reads UTF-8 copies of the extract
    (scripts/raw_transcoding.py, vars raw_read_dir and raw_delivered_dir), the copy's folder is
    replaced by the raw folder, so quarantine and reconciliation name what was delivered. -#}
{% macro delivered_file_name(file_name_column) -%}
    {%- set read_dir = run_var('raw_read_dir', '') -%}
    {%- if read_dir -%}
        replace({{ file_name_column }}, '{{ read_dir | replace("'", "''") }}',
            '{{ run_var('raw_delivered_dir') | replace("'", "''") }}')
    {%- else -%}
        {{ file_name_column }}
    {%- endif -%}
{%- endmacro %}
