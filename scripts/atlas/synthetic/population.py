"""The persons insured in a year (the population model), and the beneficiaries file made from them."""

from __future__ import annotations

import calendar

import duckdb

from atlas.synthetic.config import Config
from atlas.synthetic.defects import PersonDefect, defective_beneficiary_columns, person_defect
from atlas.synthetic.draws import SALT
from atlas.synthetic.files import contract_select_list
from atlas.synthetic.lookups import LOOKUP_BUCKETS
from atlas.synthetic.parameters import (
    BIRTH_RATE, DMG_RATE, DMG_RATE_ELSEWHERE, FEMALE_SHARE_SLOPE, FEMALE_SHARE_YOUNG, MEDICAL_HOUSE_DMG_ELSEWHERE,
    MEDICAL_HOUSE_DMG_SAME, MEDICAL_HOUSE_RATE, MEDICAL_HOUSE_RATE_ELSEWHERE, MOVE_RATE, NO_DOMICILE_RATE,
    ONLY_JUNE_DOMICILE_RATE,
)
from atlas.synthetic.sql import region_case


def births_per_year(persons: int) -> int:
    return max(1, round(persons * BIRTH_RATE))


def person_id_width(config: Config) -> int:
    """One zero-padded width for the whole run: every year writes a person's id the same way."""
    last_index = config.persons + (config.last_year - config.first_year) * births_per_year(config.persons)
    return max(8, len(str(last_index)))


def create_persons(connection: duckdb.DuckDBPyConnection, config: Config, year: int) -> int:
    """The persons insured in `year` with their domicile, practices and active day window."""
    first, n, births = config.first_year, config.persons, births_per_year(config.persons)
    jan1, dec31 = f"date '{year}-01-01'", f"date '{year}-12-31'"
    days = 366 if calendar.isleap(year) else 365
    connection.execute(
        f"""
        create or replace table persons as
        with universe as (
            -- the initial population, alive on 1 January of the first year (or born during it)
            select t.i as person_index, {first} - a.age as birth_year, {first} as entry_year
            from range(1, {n} + 1) as t(i)
            join age_lookup as a on a.bucket = floor(unif(t.i, {SALT['age']}, 0) * {LOOKUP_BUCKETS})
            union all
            -- one birth cohort per later year up to this one; ids follow the initial population
            select {n} + (c.y - {first} - 1) * {births} + j.j, c.y, c.y
            from range({first} + 1, {year} + 1) as c(y) cross join range(1, {births} + 1) as j(j)
        ),
        alive as (
            -- absent once dead: no death drawn in any earlier year since entry
            select *, {year} - birth_year as age
            from universe
            where len(list_filter(range(entry_year, {year}),
                      lambda y: unif(person_index, {SALT['death']}, y) < death_probability(y - birth_year))) = 0
        ),
        drawn as (
            select
                *,
                -- sex from the age in the first year so it never changes across years
                case when unif(person_index, {SALT['sex']}, 0)
                          < {FEMALE_SHARE_YOUNG} + {FEMALE_SHARE_SLOPE} * greatest(0, {first} - birth_year - 50) / 55.0
                     then 'F' else 'M' end as sex,
                case when birth_year = {year}
                     then {jan1} + floor(unif(person_index, {SALT['birth_day']}, 0) * {days})::integer
                     else {jan1} end as active_from,
                unif(person_index, {SALT['death']}, {year}) < death_probability(age) as dies,
                -- the home changes at each move; the count of earlier moves indexes the home
                len(list_filter(range(entry_year, {year}),
                    lambda y: unif(person_index, {SALT['move']}, y) < {MOVE_RATE})) as moves_before,
                (unif(person_index, {SALT['move']}, {year}) < {MOVE_RATE})::integer as moves_now,
                unif(person_index, {SALT['domicile_state']}, {year}) as domicile_draw
            from alive
        ),
        dated as (
            select *,
                case when dies then active_from
                    + floor(unif(person_index, {SALT['death_day']}, {year}) * ({dec31} - active_from + 1))::integer
                end as death_date
            from drawn
        ),
        homes as (
            select d.*,
                jun.commune_code as home_commune_jun30, dec.commune_code as home_commune_dec31,
                dec.region_code,
                moves_before as home_key_jun30, moves_before + moves_now as home_key_dec31
            from dated as d
            join commune_lookup as jun
                on jun.bucket = floor(unif(d.person_index, {SALT['home_commune']}, d.moves_before) * {LOOKUP_BUCKETS})
            join commune_lookup as dec
                on dec.bucket = floor(unif(d.person_index, {SALT['home_commune']}, d.moves_before + d.moves_now)
                                      * {LOOKUP_BUCKETS})
        ),
        with_sectors as (
            select h.*, sj.sector_code as home_sector_jun30, sd.sector_code as home_sector_dec31
            from homes as h
            left join sector_lookup as sj
                on sj.commune_code = h.home_commune_jun30
               and sj.sector_rank = floor(unif(h.person_index, {SALT['home_sector']}, h.home_key_jun30) * sj.sector_count)
            left join sector_lookup as sd
                on sd.commune_code = h.home_commune_dec31
               and sd.sector_rank = floor(unif(h.person_index, {SALT['home_sector']}, h.home_key_dec31) * sd.sector_count)
        ),
        practices as (
            select *,
                unif(person_index, {SALT['medical_house']}, 0)
                    < {region_case('region_code', MEDICAL_HOUSE_RATE, MEDICAL_HOUSE_RATE_ELSEWHERE)} as is_medical_house,
                -- two medical houses and about six GP practices per commune
                'MH' || lpad((hash({config.seed}::bigint, home_commune_dec31,
                    floor(unif(person_index, {SALT['medical_house_id']}, 0) * 2)::bigint) % 10000)::varchar, 4, '0')
                    as medical_house_id,
                'GP' || lpad((hash({config.seed}::bigint, home_commune_dec31,
                    floor(unif(person_index, {SALT['gp_practice']}, 0) * 6)::bigint, 1::bigint) % 100000)::varchar, 5, '0')
                    as gp_practice_id,
                unif(person_index, {SALT['dmg']}, 0) as dmg_draw,
                unif(person_index, {SALT['medical_house_dmg']}, 0) as medical_house_dmg_draw
            from with_sectors
        )
        select
            'P' || lpad(person_index::varchar, {person_id_width(config)}, '0') as person_id,
            {year}::integer as year,
            birth_year::integer as birth_year,
            sex,
            death_date::date as death_date,
            case when domicile_draw >= {NO_DOMICILE_RATE + ONLY_JUNE_DOMICILE_RATE}
                 then home_commune_dec31 end as commune_dec31,
            case when domicile_draw >= {NO_DOMICILE_RATE + ONLY_JUNE_DOMICILE_RATE}
                 then home_sector_dec31 end as sector_dec31,
            -- a baby born after 30 June has no 30 June domicile
            case when domicile_draw >= {NO_DOMICILE_RATE} and active_from <= date '{year}-06-30'
                 then home_commune_jun30 end as commune_jun30,
            case when domicile_draw >= {NO_DOMICILE_RATE} and active_from <= date '{year}-06-30'
                 then home_sector_jun30 end as sector_jun30,
            person_index, age, region_code, active_from, coalesce(death_date, {dec31}) as active_to,
            is_medical_house,
            case when is_medical_house then medical_house_id end as medical_house_id,
            gp_practice_id,
            case
                when not is_medical_house and dmg_draw < {region_case('region_code', DMG_RATE, DMG_RATE_ELSEWHERE)} then gp_practice_id
                when is_medical_house and medical_house_dmg_draw < {MEDICAL_HOUSE_DMG_ELSEWHERE} then gp_practice_id
                when is_medical_house
                     and medical_house_dmg_draw < {MEDICAL_HOUSE_DMG_ELSEWHERE + MEDICAL_HOUSE_DMG_SAME}
                     then medical_house_id
            end as dmg_practice_id
        from practices
        """
    )
    return int(connection.execute("select count(*) from persons").fetchall()[0][0])


def beneficiaries_sql(config: Config, year: int) -> str:
    """The beneficiaries file of `year`: the persons table in the contract's columns, a few rows
    defective and a few delivered twice (defects.py)."""
    return f"""
        with delivered as (
            select {contract_select_list('beneficiaries', defective_beneficiary_columns(config, year))}
            from persons
            union all
            select {contract_select_list('beneficiaries')}
            from persons
            where {person_defect(PersonDefect.DELIVERED_TWICE, config, year)}
        )
        select * from delivered order by person_id
    """
