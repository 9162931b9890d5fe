{{ per_year_model('service_year') }}

-- The row rules (docs/row_rules.md) that compare a claim line with the other lines of
-- its group, the lines that bill the same service (same person, day, code, provider and
-- practice): a correction nets out the lines it corrects, one that corrects nothing is set
-- aside with its group, and a copy in a group without corrections is a double delivery (a
-- repeat is billed as a quantity). Only lines that passed the line rules take part.
with

-- The table is read twice rather than through one shared CTE: DuckDB materialises a CTE read
-- twice, and here that copies every line of the year (46 million at full scale, 18 s) only to
-- keep one in a hundred.
line_quantities as (

    select
        group_hash,
        quantity
    from {{ ref('int_claim_lines_checked') }}
    where line_reason is null and {{ in_build_years('service_year') }}

),

claim_lines as (

    select * from {{ ref('int_claim_lines_checked') }}
    where line_reason is null and {{ in_build_years('service_year') }}

),

-- Nearly every group is one positive line, which nothing here can change. One aggregation on
-- a hash of the key finds the others (several lines, or a negative quantity); lines of groups
-- that merely share a hash come along and are compared on the real key below.
shared_groups as (

    select group_hash
    from line_quantities
    group by group_hash
    having count(*) > 1 or min(quantity) < 0

),

group_lines as (

    select claim_lines.*
    from claim_lines
    inner join shared_groups
        on claim_lines.group_hash = shared_groups.group_hash

),

groups_compared as (

    select
        *,
        sum(quantity) over (
            partition by {{ claim_group_key() | join(', ') }}
        ) as group_net_quantity,
        min(quantity) over (
            partition by {{ claim_group_key() | join(', ') }}
        ) < 0 as group_has_correction,
        row_number() over (
            partition by {{ claim_group_key() | join(', ') }}, quantity
            order by source_file
        ) as copy_number
    from group_lines

),

final as (

    select
        group_hash,
        source_file,
        person_id,
        service_date_text,
        service_date,
        service_year,
        nomenclature_code_text,
        nomenclature_code,
        quantity_text,
        quantity,
        provider_profession,
        provider_qualification,
        billing_practice_id,
        case
            when group_net_quantity < 0 then 'unmatched_correction'
            when not group_has_correction and copy_number > 1 then 'duplicate_claim_line'
        end as quarantine_reason
    from groups_compared

)

select * from final
