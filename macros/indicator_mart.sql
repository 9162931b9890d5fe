{#
    The table of one Atlas indicator: its rows of indicator_values. Everything that differs
    between indicators is in their registry rows, so every mart is `{{ indicator_mart(this.name) }}`.
#}
{% macro indicator_mart(indicator_code) %}

with

indicator_values as (

    select * from {{ ref('indicator_values') }}

),

final as (

    select *
    from indicator_values
    where indicator_code = '{{ indicator_code }}'

)

select * from final

{% endmacro %}
