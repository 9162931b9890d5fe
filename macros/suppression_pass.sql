{#
    One round of secondary suppression over `state` (cells with cell_id, individuals,
    denominator, is_suppressed). A group is a published parent cell and its children along
    one dimension (see int_indicator_cells_suppressed). Where a visible parent has exactly one
    suppressed child, subtraction would reveal it; where it has none but the persons in no
    child (no known domicile or sector) are a small cell, subtraction would reveal them. Either
    way the child with the fewest individuals (at least one) is suppressed too; with no such
    child left, the parent is. Where the parent has no individuals at all, every child's
    numerator is public (zero) and only denominators need hiding: any visible child will do.
    And where a withheld parent has no withheld child, adding the children up would give it
    back (unless persons in no child blur both its figures): one child is withheld as well.
#}
{% macro suppression_pass(state, round_number) %}

round_{{ round_number }}_group_status as (

    select
        memberships.group_id,
        sum(case when memberships.member_role = 'child' and {{ state }}.is_suppressed then 1 else 0 end)
            as suppressed_children,
        max(case when memberships.member_role = 'parent' and {{ state }}.is_suppressed then 1 else 0 end)
            as parent_is_suppressed,
        max(case when memberships.member_role = 'parent' then {{ state }}.individuals end) as parent_individuals
    from memberships
    inner join {{ state }}
        on memberships.cell_id = {{ state }}.cell_id
    group by memberships.group_id

),

round_{{ round_number }}_exposed_groups as (

    select
        round_{{ round_number }}_group_status.group_id,
        round_{{ round_number }}_group_status.parent_individuals,
        round_{{ round_number }}_group_status.parent_is_suppressed
    from round_{{ round_number }}_group_status
    inner join group_residues_flagged
        on round_{{ round_number }}_group_status.group_id = group_residues_flagged.group_id
    where
        (
            round_{{ round_number }}_group_status.parent_is_suppressed = 0
            and (
                round_{{ round_number }}_group_status.suppressed_children = 1
                or (
                    round_{{ round_number }}_group_status.suppressed_children = 0
                    and group_residues_flagged.residue_is_small
                )
            )
        )
        or (
            round_{{ round_number }}_group_status.parent_is_suppressed = 1
            and round_{{ round_number }}_group_status.suppressed_children = 0
            and group_residues_flagged.children_reveal_parent
        )

),

round_{{ round_number }}_candidates as (

    select
        memberships.group_id,
        {{ state }}.cell_id,
        row_number() over (
            partition by memberships.group_id
            order by
                case when {{ state }}.individuals > 0 then 0 else 1 end,
                {{ state }}.individuals,
                {{ state }}.denominator,
                {{ state }}.cell_id
        ) as candidate_rank
    from memberships
    inner join round_{{ round_number }}_exposed_groups
        on memberships.group_id = round_{{ round_number }}_exposed_groups.group_id
    inner join {{ state }}
        on memberships.cell_id = {{ state }}.cell_id
    where
        memberships.member_role = 'child'
        and not {{ state }}.is_suppressed
        and (
            {{ state }}.individuals > 0
            or round_{{ round_number }}_exposed_groups.parent_individuals = 0
            or round_{{ round_number }}_exposed_groups.parent_is_suppressed = 1
        )

),

round_{{ round_number }}_chosen as (

    select cell_id
    from round_{{ round_number }}_candidates
    where candidate_rank = 1

    union all

    select memberships.cell_id
    from memberships
    inner join round_{{ round_number }}_exposed_groups
        on memberships.group_id = round_{{ round_number }}_exposed_groups.group_id
    left join (select distinct group_id from round_{{ round_number }}_candidates) as groups_with_candidates
        on memberships.group_id = groups_with_candidates.group_id
    where
        memberships.member_role = 'parent'
        and round_{{ round_number }}_exposed_groups.parent_is_suppressed = 0
        and groups_with_candidates.group_id is null

),

round_{{ round_number }} as (

    select
        {{ state }}.cell_id,
        {{ state }}.individuals,
        {{ state }}.denominator,
        {{ state }}.is_suppressed or chosen.cell_id is not null as is_suppressed,
        case
            when {{ state }}.is_suppressed then {{ state }}.suppression_flag
            when chosen.cell_id is not null then 'secondary'
        end as suppression_flag
    from {{ state }}
    left join (select distinct cell_id from round_{{ round_number }}_chosen) as chosen
        on {{ state }}.cell_id = chosen.cell_id

)

{% endmacro %}
