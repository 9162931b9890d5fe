"""The hash-based draws every random choice of the generator is made with.

A draw is a function of (seed, person, salt, key) only, never of threads or row order, which is
what makes the files byte-identical for the same arguments.
"""

from __future__ import annotations

import duckdb

from atlas.synthetic.parameters import MAX_AGE

# Salts keep the hash streams of different draws independent. Changing one changes the output.
SALT = {
    "age": 1, "death": 2, "sex": 3, "birth_day": 4, "death_day": 5, "move": 6, "home_commune": 7,
    "home_sector": 8, "domicile_state": 9, "medical_house": 10, "medical_house_id": 11,
    "gp_practice": 12, "dmg": 13, "medical_house_dmg": 14, "imaging_user": 20, "primary": 21,
    "extra_category": 22, "exam_count": 23, "out_of_year": 24, "service_day": 25, "code": 26,
    "quantity": 27, "provider": 30, "forfait_count": 31, "forfait_start": 32, "other_count": 33,
    "edit": 40, "person_defect": 41, "commune_size": 101,
}


def create_draw_macros(connection: duckdb.DuckDBPyConnection, seed: int) -> None:
    # unif(person, salt, key): a uniform draw in [0, 1) from the 53 high bits of a hash. Casting
    # every argument to bigint keeps the hash independent of the literal types used.
    connection.execute(
        f"create or replace macro unif(person, salt, key) as "
        f"((hash({seed}::bigint, person::bigint, salt::bigint, key::bigint) >> 11)::double "
        f"/ 9007199254740992.0)"
    )
    connection.execute(
        f"create or replace macro unif_text(key, salt) as "
        f"((hash({seed}::bigint, key::varchar, salt::bigint) >> 11)::double / 9007199254740992.0)"
    )
    # Death probability by age reached in the year: infant mortality, then Gompertz growth.
    # It is the threshold the death draws are compared with, in every year since entry.
    connection.execute(
        f"create or replace macro death_probability(age) as "
        f"case when age <= 0 then 0.003 when age >= {MAX_AGE} then 1.0 "
        f"else least(1.0, 0.0001 + 0.000014 * exp(0.1 * age)) end"
    )
