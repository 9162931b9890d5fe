{#
    CTEs ending in rows_lower_bounds (cell_id, rows_lower_bound): the fewest beneficiaries an
    outsider can prove a cell holds from the rows alone (docs/protection.md, "Rows"). Every row
    holds at least one beneficiary, and a parent holds at least the sum of what its children
    hold, in each of its groups. So the bound climbs chains of single rows: a region over one
    arrondissement over two communes holds at least 2, though it heads one row.
    memberships: the pattern's groups (cell_id, member_role, group_id); cells: its cells (cell_id).
#}
{% macro rows_lower_bounds(memberships, cells) %}
{#- The longest chain of groups runs from a sector's band up through the five levels above it
    to the country's band, then to the country's total: one step per level. -#}
{%- set steps = geo_levels() | length %}
rows_bound_0 as (

    select
        cell_id,
        cast(1 as bigint) as rows_lower_bound
    from {{ cells }}

),
{%- for step in range(1, steps + 1) %}

children_bound_{{ step }} as (

    select
        {{ memberships }}.group_id,
        cast(sum(rows_bound_{{ step - 1 }}.rows_lower_bound) as bigint) as children_lower_bound
    from {{ memberships }}
    inner join rows_bound_{{ step - 1 }}
        on {{ memberships }}.cell_id = rows_bound_{{ step - 1 }}.cell_id
    where {{ memberships }}.member_role = 'child'
    group by {{ memberships }}.group_id

),

rows_bound_{{ step }} as (

    select
        {{ memberships }}.cell_id,
        -- A group's children hold 1 or more each, so a cell heading none keeps the 1 of its row.
        coalesce(max(children_bound_{{ step }}.children_lower_bound), 1) as rows_lower_bound
    from {{ memberships }}
    left join children_bound_{{ step }}
        on {{ memberships }}.group_id = children_bound_{{ step }}.group_id
    where {{ memberships }}.member_role = 'parent'
    group by {{ memberships }}.cell_id

),
{%- endfor %}

rows_lower_bounds as (

    select * from rows_bound_{{ steps }}

),
{% endmacro %}
