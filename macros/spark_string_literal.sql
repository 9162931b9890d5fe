{#- A Spark SQL string literal: backslashes and quotes escaped. -#}
{% macro spark_string_literal(text) -%}
    {{- "'" ~ (text | string | replace('\\', '\\\\') | replace("'", "\\'")) ~ "'" -}}
{%- endmacro %}
