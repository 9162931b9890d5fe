"""The claim lines of a year, drawn for the persons table: imaging, general practice (DMG and
medical-house forfaits) and non-imaging lines, with corrections, duplicates and late bookings."""

from __future__ import annotations

from atlas.synthetic.config import Config
from atlas.synthetic.defects import defective_claim_columns
from atlas.synthetic.draws import SALT
from atlas.synthetic.files import contract_select_list
from atlas.synthetic.lookups import LOOKUP_BUCKETS, PROVIDER_BUCKETS
from atlas.synthetic.parameters import (
    CORRECTION_RATE, DUPLICATE_RATE, IMAGING_AGE_SLOPE, IMAGING_BASE, IMAGING_QUANTITY_TWO_RATE,
    IMAGING_REGION_FACTOR, IMAGING_SEX_FACTOR, MAX_AGE, NON_IMAGING_MEAN_LINES, OUT_OF_YEAR_RATE,
    PARTIAL_CORRECTION_RATE,
)
from atlas.synthetic.sql import region_case


def provider_join_sql(lines_cte: str) -> str:
    """Draw the provider of each line of `lines_cte` (a CTE named `<lines_cte>_provided`).

    Done per kind of line, before the union: with the join after the union, DuckDB 2.0.0 fails
    at full scale with "INTERNAL Error: dict-surviving cache: global dictionary column 2 changed
    identity" (the code column is a differently-built vector in each branch of the union).
    """
    return f"""
    {lines_cte}_provided as (
        select l.person_id, l.service_date::date as service_date, l.nomenclature_code, l.quantity,
            p.provider_profession, p.provider_qualification,
            coalesce(l.fixed_practice,
                     case when p.provider_group = 'general_practitioner' then l.gp_practice end) as billing_practice_id,
            l.line_kind, unif(l.person_index, {SALT['edit']}, l.line_key) as edit_draw
        from {lines_cte} as l
        join provider_lookup as p
            on p.grp = l.line_kind
           and p.bucket = floor(unif(l.person_index, {SALT['provider']}, l.line_key) * {PROVIDER_BUCKETS})
    )"""


def claims_sql(config: Config, year: int) -> str:
    """The claim lines of `year` as one query (sorted), built from the persons table."""
    dec1_before = f"date '{year - 1}-12-01'"
    imaging_rate = (
        f"least(0.95, ({IMAGING_BASE} + {IMAGING_AGE_SLOPE} * age)"
        f" * {region_case('region_code', IMAGING_REGION_FACTOR, 1.0)}"
        f" * (case sex when 'F' then {IMAGING_SEX_FACTOR['F']} else {IMAGING_SEX_FACTOR['M']} end))"
    )

    def service_date(key: str, allow_out_of_year: bool) -> str:
        # uniform over the person's active days; a few lines booked in the previous December
        in_year = f"active_from + floor(unif(person_index, {SALT['service_day']}, {key}) * (active_to - active_from + 1))::integer"
        if not allow_out_of_year:
            return in_year
        return (
            f"case when unif(person_index, {SALT['out_of_year']}, {key}) < {OUT_OF_YEAR_RATE} "
            f"then {dec1_before} + floor(unif(person_index, {SALT['service_day']}, {key}) * 31)::integer "
            f"else {in_year} end"
        )

    provider_joins = ",".join(
        provider_join_sql(lines) for lines in ("imaging_lines", "dmg_lines", "forfait_lines", "other_lines")
    )
    # line keys: unique per person and year, they index every per-line draw
    return f"""
    with imaging_users as (
        select * from persons
        where unif(person_index, {SALT['imaging_user']}, {year}) < {imaging_rate}
    ),
    imaging_categories as (
        select u.*, c.cat_id, c.imaging_category, c.mean_extra_exams
        from imaging_users as u
        join category_by_age as c on c.age = least(u.age, {MAX_AGE})
        where (unif(u.person_index, {SALT['primary']}, {year}) >= c.pi_low
               and unif(u.person_index, {SALT['primary']}, {year}) < c.pi_high)
           or unif(u.person_index, {SALT['extra_category']}, {year} * 100 + c.cat_id) < c.extra_chance
    ),
    imaging_exams as (
        select *, unnest(range(1 + least(11, floor(
            -ln(1 - unif(person_index, {SALT['exam_count']}, {year} * 100 + cat_id)) * mean_extra_exams))::integer))
            as exam_number
        from imaging_categories
    ),
    imaging_dated as (
        select *, (cat_id * 100 + exam_number) as line_key
        from imaging_exams
    ),
    imaging_lines as (
        select i.person_index, i.person_id, i.imaging_category as line_kind, i.line_key,
            d.service_date,
            d.codes[1 + floor(unif(i.person_index, {SALT['code']}, i.line_key) * len(d.codes))::integer]
                as nomenclature_code,
            case when unif(i.person_index, {SALT['quantity']}, i.line_key) < {IMAGING_QUANTITY_TWO_RATE}
                 then 2 else 1 end as quantity,
            coalesce(i.medical_house_id, i.gp_practice_id) as gp_practice,
            null::varchar as fixed_practice
        from (select *, {service_date('line_key', True)} as drawn_date from imaging_dated) as i
        join day_codes as d on d.imaging_category = i.imaging_category and d.service_date = i.drawn_date
    ),
    dmg_lines as (
        select person_index, person_id, 'gp_line' as line_kind, 1000 as line_key,
            {service_date('1000', True)} as service_date,
            (select nomenclature_code from seed_gp_codes where code_role = 'dmg') as nomenclature_code,
            1 as quantity, null::varchar as gp_practice, dmg_practice_id as fixed_practice
        from persons
        where dmg_practice_id is not null
    ),
    forfait_windows as (
        -- enrolled for n consecutive months inside the months the person is insured
        select p.*, month(p.active_from) as month_low,
            least(f.forfait_count, month(p.active_to) - month(p.active_from) + 1) as forfait_count
        from persons as p
        join forfait_lookup as f
            on f.bucket = floor(unif(p.person_index, {SALT['forfait_count']}, {year}) * {LOOKUP_BUCKETS})
        where p.is_medical_house
    ),
    forfait_months as (
        select *, month_low + floor(unif(person_index, {SALT['forfait_start']}, {year})
            * (month(active_to) - month_low - forfait_count + 2))::integer as month_start,
            unnest(range(forfait_count)) as forfait_number
        from forfait_windows
    ),
    forfait_lines as (
        select person_index, person_id, 'gp_line' as line_kind, 2000 + forfait_number as line_key,
            greatest(active_from, make_date({year}, month_start + forfait_number, 1)) as service_date,
            (select nomenclature_code from seed_gp_codes where code_role = 'medical_house_forfait') as nomenclature_code,
            1 as quantity, null::varchar as gp_practice, medical_house_id as fixed_practice
        from forfait_months
    ),
    other_exams as (
        select *, 3000 + unnest(range(least(20, floor(
            -ln(1 - unif(person_index, {SALT['other_count']}, {year})) * {NON_IMAGING_MEAN_LINES})::integer)))
            as line_key
        from persons
    ),
    other_dated as (
        select *, {service_date('line_key', True)} as service_date from other_exams
    ),
    other_lines as (
        select o.person_index, o.person_id, 'non_imaging' as line_kind, o.line_key, o.service_date,
            c.nomenclature_code, 1 as quantity,
            coalesce(o.medical_house_id, o.gp_practice_id) as gp_practice, null::varchar as fixed_practice
        from other_dated as o
        join other_codes as c
            on c.code_rank = floor(unif(o.person_index, {SALT['code']}, o.line_key) * c.code_count)
    ),
    {provider_joins},
    all_lines as (
        select * from imaging_lines_provided
        union all select * from dmg_lines_provided
        union all select * from forfait_lines_provided
        union all select * from other_lines_provided
    ),
    edited as (
        -- corrections (a negative copy), partial corrections of quantity-2 lines, duplicates
        select person_id, service_date, nomenclature_code,
            unnest(case
                when edit_draw < {CORRECTION_RATE} then [quantity, -quantity]
                when quantity = 2 and edit_draw < {PARTIAL_CORRECTION_RATE} then [2, -1]
                when edit_draw >= 1 - {DUPLICATE_RATE} and line_kind <> 'gp_line' then [quantity, quantity]
                else [quantity] end)::integer as quantity,
            provider_profession, provider_qualification, billing_practice_id, edit_draw
        from all_lines
    )
    select {contract_select_list('claims', defective_claim_columns(config))}
    from edited
    -- every column (an original before its correction): the same arguments, the same bytes
    order by person_id nulls first, service_date, nomenclature_code, provider_profession,
        provider_qualification, billing_practice_id nulls first, quantity desc
    """
