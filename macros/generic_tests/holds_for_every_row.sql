{#- Fails on every row where the SQL expression is not true: false, and null too.
    Not called expression_is_true, whose dbt_utils namesake fails only where the expression is
    false (`where not (expression)` keeps no null row) and, under a column, writes column_name
    in front of the expression. A test passing here says the expression is true on every row;
    under dbt_utils' rules it would also pass with rows where it is null, as "denominator is
    null or (denominator >= 5 and numerator >= 0)" is for a null numerator, and the tests
    written under a column ("denominator > 0") would be invalid SQL. So the semantics stay and
    the name changes. -#}
{% test holds_for_every_row(model, expression, column_name=none) %}

with

final as (

    select * from {{ model }}
    where not coalesce({{ expression }}, false)

)

select * from final

{% endtest %}
