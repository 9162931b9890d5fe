{#
    Secondary suppression on one pattern (docs/protection.md, "The rules"), as CTEs
    round_0 ... round_{rounds + 1}: one row per cell per group it belongs to, with the cell's
    is_suppressed and needs_partners.

    It ends with pattern_outcomes: per cell, whether it is withheld, whether one more round would
    change it (a data test proves it never does), and whether it lies inside a withheld cell or
    heads two rows or more in a group, where a 'small_cell' flag would tell more than the flag.

    It expects two CTEs in the calling model:
    - pattern_cells: cell_id, measure (beneficiaries or individuals), is_strong (a partner with
      room to move both ways: at least the threshold, and for patients at least threshold - 2
      below the beneficiaries, since patients <= beneficiaries bounds them from above),
      beneficiaries, sort_key (the cell key the ties are broken on) and is_withheld_at_start
      (primary suppression, and for a variable pattern the cells the population pattern
      withholds);
    - memberships: group_id, cell_id, member_role ('parent' or 'child') and remainder_measure
      (the figure whose parent-minus-children remainder an outsider could read: individuals or
      beneficiaries, or volume for the variable relations).

    A group is exposed when (a) nothing in it is withheld but its remainder is small; or (b) a
    withheld member needs partners and fewer than two strong members are withheld. A small cell
    needs partners that can move by up to threshold - 2 either way (a small partner moves too
    little, a zero one cannot go down), and so does each such partner, in all its groups: a
    strong cell withheld in a group with a member needing partners needs them too, as does a
    cell withheld for (b). A cell withheld only to hide a small remainder (a), or only because
    the population pattern withholds it, hides no small published cell and needs none.
    Each exposed group gives up the published strong child with the smallest measure, else its
    parent; with neither, it stays as it is and its withheld members rely on their other groups.
    The last round is one more than allowed: the data test on changed_in_last_round proves it
    changes nothing.
#}
{% macro suppression_rounds(rounds) %}
{%- set threshold = var('small_cell_threshold') -%}

group_remainders as (

    select
        memberships.group_id,
        sum(
            case when memberships.member_role = 'parent' then memberships.remainder_measure
            else -memberships.remainder_measure end
        ) as remainder
    from memberships
    group by memberships.group_id
    -- A group needs a parent and at least one child to be subtracted from or added up.
    having
        sum(case when memberships.member_role = 'child' then 1 else 0 end) > 0
        and sum(case when memberships.member_role = 'parent' then 1 else 0 end) = 1

),

group_members as (

    select
        memberships.group_id,
        memberships.member_role,
        pattern_cells.cell_id,
        pattern_cells.measure,
        pattern_cells.is_strong,
        pattern_cells.beneficiaries,
        pattern_cells.sort_key,
        group_remainders.remainder
    from memberships
    inner join group_remainders
        on memberships.group_id = group_remainders.group_id
    inner join pattern_cells
        on memberships.cell_id = pattern_cells.cell_id

),

-- One row per cell per group it is a member of (one row with no group for a cell in none),
-- carrying the cell's state: whether it is withheld and whether it needs partners.
round_0 as (

    select
        pattern_cells.cell_id,
        group_members.group_id,
        group_members.member_role,
        group_members.measure,
        group_members.is_strong,
        group_members.beneficiaries,
        group_members.sort_key,
        group_members.remainder,
        pattern_cells.is_withheld_at_start as is_suppressed,
        pattern_cells.is_withheld_at_start and {{ is_small_count('pattern_cells.measure') }} as needs_partners
    from pattern_cells
    left join group_members
        on pattern_cells.cell_id = group_members.cell_id

),

{#- A round reads the round before it once, and nothing else: a group's figures are windows over
    its members' rows, a cell's new state a window over its own rows. Spark inlines a CTE
    wherever it is read, so a round reading the one before it and the groups several times
    would make a query that grows by far more than one round's worth each round. -#}
{#- What a member row carries from round to round besides the cell's state. -#}
{%- set member_columns = ['cell_id', 'group_id', 'member_role', 'measure', 'is_strong', 'beneficiaries',
    'sort_key', 'remainder'] %}
{% for round_number in range(1, rounds + 2) -%}
{%- set state = 'round_' ~ (round_number - 1) %}
{%- set prefix = 'round_' ~ round_number %}
{#- The group's members in the order its candidates are taken: the candidates first, children
    before the parent, the smallest first. A published child is never small (primary suppression
    took those); a child with no one in it protects nobody, so where no strong child is left the
    parent goes, if it can. The group's sums use the same partition and order over the whole
    group, so that an engine sorts the members once a round. -#}
{%- set group_in_order = 'partition by ' ~ state ~ '.group_id, case when ' ~ state ~ '.group_id is null then '
    ~ state ~ '.cell_id end order by case when not ' ~ state ~ '.is_suppressed and (' ~ state
    ~ ".member_role = 'parent' or " ~ state ~ '.is_strong) then 0 else 1 end, case when ' ~ state
    ~ ".member_role = 'child' then 0 else 1 end, " ~ state ~ '.measure, ' ~ state ~ '.beneficiaries, '
    ~ state ~ '.sort_key' %}
{%- set whole_group = group_in_order ~ ' rows between unbounded preceding and unbounded following' %}
{{ prefix }}_group_status as (

    select
        {%- for column in member_columns + ['is_suppressed', 'needs_partners'] %}
        {{ state }}.{{ column }},
        {%- endfor %}
        sum(case when {{ state }}.is_suppressed then 1 else 0 end) over ({{ whole_group }}) as withheld_members,
        sum(case when {{ state }}.needs_partners then 1 else 0 end) over ({{ whole_group }}) as withheld_needing_partners,
        sum(
            case when {{ state }}.is_suppressed and {{ state }}.is_strong then 1 else 0 end
        ) over ({{ whole_group }}) as withheld_strong,
        row_number() over ({{ group_in_order }}) as candidate_rank
    from {{ state }}

),

{{ prefix }}_choices as (

    select
        {%- for column in member_columns + ['is_suppressed', 'needs_partners'] %}
        {{ column }},
        {%- endfor %}
        withheld_needing_partners > 0 as group_needs_partners,
        -- An exposed group gives up its first candidate.
        group_id is not null
        and not is_suppressed
        and (member_role = 'parent' or is_strong)
        and candidate_rank = 1
        and (
            (withheld_members = 0 and {{ is_small_count('remainder') }})
            or (withheld_needing_partners > 0 and withheld_strong < 2)
        ) as is_chosen,
        -- A withheld strong cell that shares a group with a cell needing partners is a partner,
        -- and a partner needs partners of its own in its other groups, or the chain of sums
        -- stops it there.
        group_id is not null
        and withheld_needing_partners > 0
        and is_suppressed
        and is_strong as is_partner
    from {{ prefix }}_group_status

),

{{ prefix }} as (

    select
        {%- for column in member_columns %}
        {{ column }},
        {%- endfor %}
        {%- if round_number == rounds + 1 %}
        -- The state after the last round allowed, for pattern_outcomes to compare with this one.
        is_suppressed as allowed_is_suppressed,
        needs_partners as allowed_needs_partners,
        {%- endif %}
        max(case when is_suppressed or is_chosen then 1 else 0 end) over (partition by cell_id) = 1 as is_suppressed,
        max(
            case when needs_partners or (is_chosen and group_needs_partners) or is_partner then 1 else 0 end
        ) over (partition by cell_id) = 1 as needs_partners
    from {{ prefix }}_choices

),

{% endfor -%}

-- A flag on a cell inside a withheld cell (a band of a withheld total, a commune of a withheld
-- arrondissement, a category of a withheld all-imaging cell) would bound that cell: bands
-- flagged 'small_cell' hold at least 1 each, so a small total over four of them is pinned, and a
-- withheld total loses the room its partners need. Such a cell is flagged 'secondary', which
-- says nothing of its size; a 'small_cell' flag appears only where every cell it adds up to is
-- published.
-- Every row of a table is a cell with at least one beneficiary, so the rows below a cell tell
-- an outsider it holds at least as many beneficiaries: a small cell over two rows or more is
-- bounded below by them and must not also be flagged as below the threshold.
-- Both are read from the last round's rows, which also carry the state of the round before
-- (the last one allowed), so that the rounds are read once.
{%- set last_round = 'round_' ~ (rounds + 1) %}
{%- set group_window = 'partition by group_id, case when group_id is null then cell_id end' %}
member_outcomes as (

    select
        cell_id,
        allowed_is_suppressed,
        allowed_needs_partners,
        is_suppressed as check_is_suppressed,
        needs_partners as check_needs_partners,
        member_role = 'child'
        and max(
            case when member_role = 'parent' and allowed_is_suppressed then 1 else 0 end
        ) over ({{ group_window }}) = 1 as is_within_withheld_cell,
        member_role = 'parent'
        and sum(case when member_role = 'child' then 1 else 0 end) over ({{ group_window }}) > 1 as is_over_several_rows
    from {{ last_round }}

),

pattern_outcomes as (

    select
        cell_id,
        max(case when allowed_is_suppressed then 1 else 0 end) = 1 as is_suppressed,
        max(
            case
                when
                    allowed_is_suppressed != check_is_suppressed
                    or allowed_needs_partners != check_needs_partners
                    then 1
                else 0
            end
        ) = 1 as changed_in_last_round,
        max(case when is_within_withheld_cell then 1 else 0 end) = 1 as is_within_withheld_cell,
        max(case when is_over_several_rows then 1 else 0 end) = 1 as is_over_several_rows
    from member_outcomes
    group by cell_id

),
{% endmacro %}
