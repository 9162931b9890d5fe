"""Lookup tables derived from the model's parameters and the seeds, which the yearly queries join
on to draw ages, communes, sectors, forfait counts, modalities, providers and imaging codes.
All are built once per run except the codes valid per day, built per year."""

from __future__ import annotations

import duckdb

from atlas.synthetic.draws import SALT
from atlas.synthetic.parameters import (
    BIG_CITY_SHARES, FORFAIT_COUNT_WEIGHTS, IMAGING_CATEGORIES, MAX_AGE, NON_IMAGING_CANDIDATE_CODES,
    PROVIDER_MIX, PYRAMID_DECLINE_POWER, PYRAMID_DECLINE_YEARS, PYRAMID_FLAT_UNTIL, REGION_SHARES,
)
from atlas.synthetic.sql import values_sql

# Weighted draws use quantised inverse-CDF lookup tables (bucket -> value) joined on an integer
# bucket: an equi-join on a tiny table is far cheaper than a range join on millions of rows.
LOOKUP_BUCKETS = 100_000
PROVIDER_BUCKETS = 10_000


def create_weighted_lookup(connection: duckdb.DuckDBPyConnection, name: str, source_sql: str, buckets: int) -> None:
    """Turn weighted rows (grp, sort_key, weight, payload...) into a table (grp, bucket, payload...).

    A draw u in [0, 1) for group g then reads the row with bucket = floor(u * buckets): the
    asof join assigns each bucket's midpoint to the row whose cumulative interval holds it.
    """
    connection.execute(
        f"""
        create or replace table {name} as
        with source as (
            select * from ({source_sql}) where weight > 0
        ),
        cumulative as (
            select
                *,
                sum(weight) over (partition by grp) as total_weight,
                sum(weight) over (partition by grp order by sort_key rows unbounded preceding) - weight as cum_low
            from source
        ),
        bucket_points as (
            select g.grp, b.bucket, (b.bucket + 0.5) / {buckets} * g.total_weight as point
            from (select distinct grp, total_weight from cumulative) as g
            cross join range({buckets}) as b(bucket)
        )
        select bucket_points.grp, bucket_points.bucket, cumulative.* exclude (grp, sort_key, weight, total_weight, cum_low)
        from bucket_points
        asof join cumulative
            on bucket_points.grp = cumulative.grp and bucket_points.point >= cumulative.cum_low
        """
    )


def create_lookups(connection: duckdb.DuckDBPyConnection) -> None:
    """Static lookup tables derived from the model parameters and the seeds."""
    create_weighted_lookup(
        connection, "age_lookup",
        f"""
        select 1 as grp, age as sort_key, age::integer as age,
            case when age <= {PYRAMID_FLAT_UNTIL} then 1.0
                 else pow(greatest(0.0, 1 - (age - {PYRAMID_FLAT_UNTIL}) / {PYRAMID_DECLINE_YEARS}),
                          {PYRAMID_DECLINE_POWER}) end as weight
        from range({MAX_AGE + 1}) as t(age)
        """,
        LOOKUP_BUCKETS,
    )
    # Commune weights: the big cities get their fixed share; every other commune a skewed
    # hash-derived size, scaled so each region's total matches its target share.
    region_shares = values_sql(list(REGION_SHARES.items()))
    big_cities = values_sql(list(BIG_CITY_SHARES.items()))
    create_weighted_lookup(
        connection, "commune_lookup",
        f"""
        with region_share(region_code, share) as ({region_shares}),
        big_city(commune_code, share) as ({big_cities}),
        sized as (
            select c.commune_code, c.region_code, b.share as city_share,
                0.2 + 3.0 * pow(unif_text(c.commune_code, {SALT['commune_size']}), 3) as size
            from seed_communes as c
            left join big_city as b using (commune_code)
        ),
        per_region as (
            select region_code,
                sum(size) filter (where city_share is null) as other_size,
                coalesce(sum(city_share), 0) as city_total
            from sized group by region_code
        )
        select 1 as grp, s.commune_code as sort_key, s.commune_code, s.region_code,
            coalesce(s.city_share,
                     greatest(coalesce(r.share, 0.01) - p.city_total, 0.001) * s.size / p.other_size) as weight
        from sized as s
        join per_region as p using (region_code)
        left join region_share as r using (region_code)
        """,
        LOOKUP_BUCKETS,
    )
    connection.execute(
        """
        create or replace table sector_lookup as
        select commune_code, sector_code,
            row_number() over (partition by commune_code order by sector_code) - 1 as sector_rank,
            count(*) over (partition by commune_code) as sector_count
        from seed_sectors
        """
    )
    create_weighted_lookup(
        connection, "forfait_lookup",
        f"select 1 as grp, n as sort_key, n::integer as forfait_count, w as weight "
        f"from ({values_sql(list(FORFAIT_COUNT_WEIGHTS.items()))}) as t(n, w)",
        LOOKUP_BUCKETS,
    )
    create_category_by_age(connection)
    create_provider_lookup(connection)
    connection.execute(
        f"""
        create or replace table other_codes as
        select code as nomenclature_code, row_number() over (order by code) - 1 as code_rank,
            count(*) over () as code_count
        from ({values_sql([(code,) for code in NON_IMAGING_CANDIDATE_CODES])}) as t(code)
        where code not in (select nomenclature_code from seed_imaging_codes)
          and code not in (select nomenclature_code from seed_gp_codes)
        """
    )


def create_category_by_age(connection: duckdb.DuckDBPyConnection) -> None:
    """Per age: the primary-modality interval [pi_low, pi_high) and the extra-modality chance.

    For a user, P(modality) = pi + (1 - pi) * extra = target share, with pi = target / sum of
    targets, so every user has at least one exam and modality shares match their targets.
    """
    rows = [(c.cat_id, c.name, c.share_age0, c.share_age80, c.mean_extra_exams) for c in IMAGING_CATEGORIES]
    connection.execute(
        f"""
        create or replace table category_by_age as
        with category(cat_id, imaging_category, share_age0, share_age80, mean_extra_exams) as ({values_sql(rows)}),
        target as (
            select a.age::integer as age, c.*,
                share_age0 + (share_age80 - share_age0) * least(a.age, 90) / 80.0 as share
            from range({MAX_AGE + 1}) as a(age) cross join category as c
        ),
        primary_share as (
            select *, share / sum(share) over (partition by age) as pi from target
        )
        select age, cat_id, imaging_category, mean_extra_exams,
            sum(pi) over (partition by age order by cat_id rows unbounded preceding) - pi as pi_low,
            sum(pi) over (partition by age order by cat_id rows unbounded preceding) as pi_high,
            least(1.0, greatest(0.0, (share - pi) / (1 - pi))) as extra_chance
        from primary_share
        """
    )


def create_provider_lookup(connection: duckdb.DuckDBPyConnection) -> None:
    """(line kind, bucket) -> provider group, profession and qualification.

    Qualifications are taken from the seed's ranges (first, middle and last code of each range);
    doctors and dentists ('1', '3') are preferred as the contract's claims come from them.
    """
    mix_rows = [(kind, group, weight) for kind, groups in PROVIDER_MIX.items() for group, weight in groups.items()]
    connection.execute(
        """
        create or replace table provider_options as
        with ranges as (
            select *, bool_or(provider_profession in ('1', '3')) over (partition by provider_group) as group_has_doctors
            from seed_provider_groups
        ),
        chosen as (
            select * from ranges where provider_profession in ('1', '3') or not group_has_doctors
        ),
        options as (
            select provider_group, provider_profession, qualification_from as provider_qualification from chosen
            union
            select provider_group, provider_profession, qualification_to from chosen
            union
            select provider_group, provider_profession,
                lpad(((try_cast(qualification_from as integer) + try_cast(qualification_to as integer)) // 2)::varchar, 3, '0')
            from chosen
            where try_cast(qualification_from as integer) is not null and try_cast(qualification_to as integer) is not null
        )
        select *, count(*) over (partition by provider_group) as option_count from options
        """
    )
    create_weighted_lookup(
        connection, "provider_lookup",
        f"""
        with mix(line_kind, provider_group, weight) as ({values_sql(mix_rows)})
        select m.line_kind as grp,
            m.provider_group || '|' || o.provider_profession || '|' || o.provider_qualification as sort_key,
            o.provider_group, o.provider_profession, o.provider_qualification,
            m.weight / o.option_count as weight
        from mix as m
        join provider_options as o using (provider_group)
        """,
        PROVIDER_BUCKETS,
    )


def create_day_codes(connection: duckdb.DuckDBPyConnection, year: int) -> None:
    """(imaging category, day) -> the codes valid that day, from 1 December of the year before.

    Choosing the service day first and then a code valid on it keeps every line valid even for
    codes that start or end during the year (e.g. dental codes replaced on 2024-04-01).
    """
    connection.execute(
        f"""
        create or replace table day_codes as
        with days as (
            select d::date as service_date
            from generate_series(date '{year - 1}-12-01', date '{year}-12-31', interval 1 day) as t(d)
        )
        select c.imaging_category, days.service_date,
            list(c.nomenclature_code order by c.nomenclature_code) as codes
        from days
        join seed_imaging_codes as c
            on days.service_date >= coalesce(c.valid_from, date '1900-01-01')
           and days.service_date <= coalesce(c.valid_to, date '9999-12-31')
        group by all
        """
    )
