{#- The composite-key test dbt_utils would give us; the package hub is out of reach here. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

keyed as (

    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}

),

final as (

    select * from keyed
    where row_count > 1

)

select * from final

{% endtest %}
