-- Every delivered file accounted for: the rows the structural check counted in each file before
-- the build (var raw_file_rows) must be the rows staging read from it, so a file the build did
-- not read, or read twice, fails the build; and each file's rows read are used or quarantined.
with

beneficiaries as (

    select * from {{ ref('stg_ima__beneficiaries') }}

),

claims as (

    select * from {{ ref('stg_ima__claims') }}

),

beneficiary_rows as (

    select * from {{ ref('int_beneficiary_rows_checked') }}

),

claim_lines_used as (

    select * from {{ ref('int_claim_lines_counted') }}

),

quarantined_beneficiaries as (

    select * from {{ ref('quarantined_beneficiaries') }}

),

quarantined_claims as (

    select * from {{ ref('quarantined_claims') }}

),

delivered as (

    {% for delivered_file in run_var('raw_file_rows') %}
        select
            '{{ delivered_file.source_name }}' as source_name,
            '{{ delivered_file.source_file | replace("'", "''") }}' as source_file,
            cast({{ delivered_file.rows | int }} as bigint) as rows_delivered
        {% if not loop.last %}union all{% endif %}
    {% else %}
        select
            cast(null as {{ dbt.type_string() }}) as source_name,
            cast(null as {{ dbt.type_string() }}) as source_file,
            cast(null as bigint) as rows_delivered
        where false
    {% endfor %}

),

counts as (

    select
        'beneficiaries' as source_name,
        source_file,
        count(*) as rows_read,
        0 as rows_used,
        0 as rows_quarantined
    from beneficiaries
    group by source_file

    union all

    select
        'beneficiaries' as source_name,
        source_file,
        0 as rows_read,
        count(*) as rows_used,
        0 as rows_quarantined
    from beneficiary_rows
    where quarantine_reason is null
    group by source_file

    union all

    select
        'beneficiaries' as source_name,
        source_file,
        0 as rows_read,
        0 as rows_used,
        count(*) as rows_quarantined
    from quarantined_beneficiaries
    where not row_used
    group by source_file

    union all

    select
        'claims' as source_name,
        source_file,
        count(*) as rows_read,
        0 as rows_used,
        0 as rows_quarantined
    from claims
    group by source_file

    union all

    select
        'claims' as source_name,
        source_file,
        0 as rows_read,
        sum(rows_used) as rows_used,
        0 as rows_quarantined
    from claim_lines_used
    group by source_file

    union all

    select
        'claims' as source_name,
        source_file,
        0 as rows_read,
        0 as rows_used,
        count(*) as rows_quarantined
    from quarantined_claims
    where not row_used
    group by source_file

),

files as (

    select
        source_name,
        source_file,
        sum(rows_read) as rows_read,
        sum(rows_used) as rows_used,
        sum(rows_quarantined) as rows_quarantined
    from counts
    group by source_name, source_file

),

final as (

    select
        coalesce(files.source_name, delivered.source_name) as source_name,
        coalesce(files.source_file, delivered.source_file) as source_file,
        {% if run_var('raw_file_rows') -%}
            coalesce(delivered.rows_delivered, 0)
        {%- else -%}
            cast(null as bigint)
        {%- endif %} as rows_delivered,
        cast(coalesce(files.rows_read, 0) as bigint) as rows_read,
        cast(coalesce(files.rows_used, 0) as bigint) as rows_used,
        cast(coalesce(files.rows_quarantined, 0) as bigint) as rows_quarantined
    from files
    full outer join delivered
        on
            files.source_name = delivered.source_name
            and files.source_file = delivered.source_file

)

select * from final
