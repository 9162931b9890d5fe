{#- A 64-bit hash of several columns: one aggregation on it finds the rare groups of identical
    keys far faster than grouping on the keys themselves (several text columns). Two keys may
    share a hash: callers use it only to select candidates, then compare the real keys. -#}
{% macro group_hash(expressions) -%}
    {{ return(adapter.dispatch('group_hash', 'atlas')(expressions)) }}
{%- endmacro %}

{% macro default__group_hash(expressions) -%}
    hash({{ expressions | join(', ') }})
{%- endmacro %}

{% macro spark__group_hash(expressions) -%}
    xxhash64({{ expressions | join(', ') }})
{%- endmacro %}
