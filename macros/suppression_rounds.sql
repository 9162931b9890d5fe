{#
    Secondary suppression on one pattern (docs/protection.md, "The rules"), in rounds until a
    round changes nothing, at most rounds + 1 of them. The state, round_0 and after each round,
    is one row per cell per group it belongs to, with the cell's is_suppressed and
    needs_partners. Each round is written once (suppression_round); how the rounds are chained
    depends on the engine (DuckDB: a recursive CTE that stops at the fixed point; Spark: unrolled).

    It ends with pattern_outcomes: per cell, whether it is withheld, whether one more round would
    change it (a data test proves it never does), and whether it lies inside a withheld cell,
    where a 'small_cell' flag would tell more than the flag.

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
    The round past the last one allowed is computed if the rounds have not settled by then: the
    data test on changed_in_last_round proves it changes nothing.
#}
{% macro suppression_rounds(rounds) %}
    {{ return(adapter.dispatch('suppression_rounds', 'atlas')(rounds)) }}
{% endmacro %}

{#- DuckDB runs the rounds as a recursive CTE, one round while the round before changed anything:
    cells settle in a handful of rounds, and the rounds allowed are a bound, not a cost. -#}
{% macro default__suppression_rounds(rounds) %}
{{ suppression_start() }}

suppression_iterations as (

    with recursive iterations as (

        select
            {%- for column in suppression_member_columns() %}
            {{ column }},
            {%- endfor %}
            is_suppressed as previous_is_suppressed,
            needs_partners as previous_needs_partners,
            is_suppressed,
            needs_partners,
            0 as round_number,
            true as has_changes
        from round_0

        union all

        select
            {%- for column in suppression_member_columns() %}
            next_round.{{ column }},
            {%- endfor %}
            next_round.previous_is_suppressed,
            next_round.previous_needs_partners,
            next_round.is_suppressed,
            next_round.needs_partners,
            next_round.round_number + 1 as round_number,
            max(
                case
                    when
                        next_round.is_suppressed != next_round.previous_is_suppressed
                        or next_round.needs_partners != next_round.previous_needs_partners
                        then 1
                    else 0
                end
            ) over () = 1 as has_changes
        from (
{{ suppression_round('iterations', ['round_number'], 'has_changes and round_number <= ' ~ rounds) }}
        ) as next_round

    )

    select * from iterations

),

-- The round that changed nothing, or the one past the last allowed.
last_round as (

    select * from suppression_iterations
    where not has_changes or round_number = {{ rounds + 1 }}

),

{{ suppression_outcomes() }}
{% endmacro %}

{#- Spark refuses a recursive reference inside a window function (INVALID_RECURSIVE_REFERENCE.PLACE):
    its rounds are unrolled, each round a CTE reading the one before it once. Spark inlines a CTE
    wherever it is read, so a round reading the one before it several times would make a query
    that grows by far more than one round's worth each round. -#}
{% macro spark__suppression_rounds(rounds) %}
{{ suppression_start() }}

{% for round_number in range(1, rounds + 2) -%}
round_{{ round_number }} as (

{{ suppression_round('round_' ~ (round_number - 1)) }}

),

{% endfor -%}

last_round as (

    select * from round_{{ rounds + 1 }}

),

{{ suppression_outcomes() }}
{% endmacro %}

{#- group_remainders, group_members and round_0: the groups and the state before the first round. -#}
{% macro suppression_start() %}

-- The rounds partition and join on whole numbers rather than on the text keys: their window
-- sorts take about 40% less time.
numbered_cells as (

    select
        cell_id,
        measure,
        is_strong,
        beneficiaries,
        sort_key,
        is_withheld_at_start,
        row_number() over (order by cell_id) as cell_number
    from pattern_cells

),

group_remainders as (

    select
        memberships.group_id,
        sum(
            case when memberships.member_role = 'parent' then memberships.remainder_measure
            else -memberships.remainder_measure end
        ) as remainder,
        row_number() over (order by memberships.group_id) as group_number
    from memberships
    group by memberships.group_id
    -- A group needs a parent and at least one child to be subtracted from or added up.
    having
        sum(case when memberships.member_role = 'child' then 1 else 0 end) > 0
        and sum(case when memberships.member_role = 'parent' then 1 else 0 end) = 1

),

group_members as (

    select
        group_remainders.group_number,
        memberships.member_role,
        numbered_cells.cell_number,
        numbered_cells.measure,
        numbered_cells.is_strong,
        numbered_cells.beneficiaries,
        numbered_cells.sort_key,
        group_remainders.remainder
    from memberships
    inner join group_remainders
        on memberships.group_id = group_remainders.group_id
    inner join numbered_cells
        on memberships.cell_id = numbered_cells.cell_id

),

-- One row per cell per group it is a member of (one row with no group for a cell in none),
-- carrying the cell's state: whether it is withheld and whether it needs partners.
-- A group's candidates are taken children before the parent, the smallest first. A published
-- child is never small (primary suppression took those); a child with no one in it protects
-- nobody, so where no strong child is left the parent goes, if it can. That order does not
-- change from round to round: it is numbered once (candidate_order), and a round sorts on it.
round_0 as (

    select
        numbered_cells.cell_number,
        group_members.group_number,
        group_members.member_role,
        group_members.is_strong,
        group_members.remainder,
        row_number() over (
            partition by group_members.group_number
            order by
                case when group_members.member_role = 'child' then 0 else 1 end,
                group_members.measure,
                group_members.beneficiaries,
                group_members.sort_key
        ) as candidate_order,
        numbered_cells.is_withheld_at_start as is_suppressed,
        numbered_cells.is_withheld_at_start and {{ is_small_count('numbered_cells.measure') }} as needs_partners
    from numbered_cells
    left join group_members
        on numbered_cells.cell_number = group_members.cell_number

),
{%- endmacro %}

{#- What a member row carries from round to round besides the cell's state. -#}
{% macro suppression_member_columns() %}
    {{ return(['cell_number', 'group_number', 'member_role', 'is_strong', 'remainder', 'candidate_order']) }}
{% endmacro %}

{#- One round: a select over the state (one row per cell per group, as round_0, filtered by
    state_condition) giving the member columns, carried_columns, the state before the round
    (previous_is_suppressed, previous_needs_partners) and after it. A round reads the state once:
    a group's figures are windows over its members' rows, a cell's new state a window over its own
    rows. -#}
{% macro suppression_round(state, carried_columns=[], state_condition=none) %}
{%- set passed_columns = suppression_member_columns() + carried_columns %}
{#- The group's members in the order its candidates are taken: the cells that can still be
    withheld first, then candidate_order. The group's sums use the same partition and order over
    the whole group, so that an engine sorts the members once a round. -#}
{%- set group_in_order = "partition by group_number, case when group_number is null then cell_number end order by"
    ~ " case when not is_suppressed and (member_role = 'parent' or is_strong) then 0 else 1 end, candidate_order" %}
{%- set whole_group = group_in_order ~ ' rows between unbounded preceding and unbounded following' %}
    select
        {%- for column in passed_columns %}
        {{ column }},
        {%- endfor %}
        is_suppressed as previous_is_suppressed,
        needs_partners as previous_needs_partners,
        max(case when is_suppressed or is_chosen then 1 else 0 end) over (partition by cell_number) = 1 as is_suppressed,
        max(
            case when needs_partners or (is_chosen and group_needs_partners) or is_partner then 1 else 0 end
        ) over (partition by cell_number) = 1 as needs_partners
    from (
        select
            {%- for column in passed_columns + ['is_suppressed', 'needs_partners'] %}
            {{ column }},
            {%- endfor %}
            withheld_needing_partners > 0 as group_needs_partners,
            -- An exposed group gives up its first candidate.
            group_number is not null
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
            group_number is not null
            and withheld_needing_partners > 0
            and is_suppressed
            and is_strong as is_partner
        from (
            select
                {%- for column in passed_columns + ['is_suppressed', 'needs_partners'] %}
                {{ column }},
                {%- endfor %}
                sum(case when is_suppressed then 1 else 0 end) over ({{ whole_group }}) as withheld_members,
                sum(case when needs_partners then 1 else 0 end) over ({{ whole_group }}) as withheld_needing_partners,
                sum(case when is_suppressed and is_strong then 1 else 0 end) over ({{ whole_group }}) as withheld_strong,
                row_number() over ({{ group_in_order }}) as candidate_rank
            from {{ state }}
            {%- if state_condition is not none %}
            where {{ state_condition }}
            {%- endif %}
        ) as group_status
    ) as choices
{%- endmacro %}

{#- member_outcomes and pattern_outcomes, from last_round: the rows of the last round computed,
    which carry the state before it (the last one allowed, or the fixed point) and after it. -#}
{% macro suppression_outcomes() %}
-- A flag on a cell inside a withheld cell (a band of a withheld total, a commune of a withheld
-- arrondissement, a category of a withheld all-imaging cell) would bound that cell: bands
-- flagged 'small_cell' hold at least 1 each, so a small total over four of them is pinned, and a
-- withheld total loses the room its partners need. Such a cell is flagged 'secondary', which
-- says nothing of its size; a 'small_cell' flag appears only where every cell it adds up to is
-- published. (The population pattern also withholds the flag where the rows below a cell prove
-- 2 or more: rows_lower_bounds.)
-- It is read from the last round's rows, which also carry the state of the round before (the
-- last one allowed), so that the rounds are read once.
{%- set group_window = 'partition by group_number, case when group_number is null then cell_number end' %}
member_outcomes as (

    select
        cell_number,
        previous_is_suppressed,
        previous_needs_partners,
        is_suppressed as check_is_suppressed,
        needs_partners as check_needs_partners,
        member_role = 'child'
        and max(
            case when member_role = 'parent' and previous_is_suppressed then 1 else 0 end
        ) over ({{ group_window }}) = 1 as is_within_withheld_cell
    from last_round

),

cell_outcomes as (

    select
        cell_number,
        max(case when previous_is_suppressed then 1 else 0 end) = 1 as is_suppressed,
        max(
            case
                when
                    previous_is_suppressed != check_is_suppressed
                    or previous_needs_partners != check_needs_partners
                    then 1
                else 0
            end
        ) = 1 as changed_in_last_round,
        max(case when is_within_withheld_cell then 1 else 0 end) = 1 as is_within_withheld_cell
    from member_outcomes
    group by cell_number

),
pattern_outcomes as (

    select
        numbered_cells.cell_id,
        cell_outcomes.is_suppressed,
        cell_outcomes.changed_in_last_round,
        cell_outcomes.is_within_withheld_cell
    from cell_outcomes
    inner join numbered_cells
        on cell_outcomes.cell_number = numbered_cells.cell_number

),
{% endmacro %}
