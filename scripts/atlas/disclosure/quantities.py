"""Read the publication and the public seeds into quantities: one per figure an outsider can
reason about, shared by every table that publishes it.

A quantity is a (family, year, unit, band). Families: `D` (beneficiaries, the same in every
table), `P:<variable>` (patients of a per-person variable: a 'patients' numerator, or the
individuals behind a 'volume' cell), `V:<variable>` (exams: a 'volume' numerator), and the
unpublished remainders of the variable relations (`V:IMAG_CBCT_N`, `V:provider_groups_rest`;
with the patient coverage also their patients `P:...` and each relation's overlap `S:...`).
Pseudo-units hold the persons no published child holds: `no_domicile` (child of the country,
with age bands) and `no_sector` (child of each commune, band 'total').

Everything here is derived from the published file and the seeds only; a row that is absent
from the publication is a cell with no beneficiaries (every table publishes every cell of its
scope that has at least one), so it is 0 and simply not a quantity.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from .standardised import read_standardised_rows

NO_DOMICILE = "no_domicile"
NO_SECTOR = "no_sector"
TOTAL_BAND = "total"

# Unit -> parent unit, from the public geography; the pseudo-units hang under the country and
# under each commune. $country is the country row's code in the publication.
GEO_PARENTS_SQL = """
    select 'region' as geo_level, region_code as geo_code, 'country' as parent_level, $country as parent_code
    from seed_regions
    union all select 'province', province_code, 'region', region_code from seed_provinces
    union all select 'arrondissement', arrondissement_code, 'province', province_code from seed_arrondissements
    union all select 'commune', commune_code, 'arrondissement', arrondissement_code from seed_communes
    union all select 'statistical_sector', sector_code, 'commune', commune_code from seed_sectors
    union all select '{no_domicile}', $country, 'country', $country
    union all select '{no_sector}', commune_code, 'commune', commune_code from seed_communes
""".format(no_domicile=NO_DOMICILE, no_sector=NO_SECTOR)

SEED_FILES = {
    "seed_regions": "geo_regions.csv",
    "seed_provinces": "geo_provinces.csv",
    "seed_arrondissements": "geo_arrondissements.csv",
    "seed_communes": "geo_communes.csv",
    "seed_sectors": "geo_statistical_sectors.csv",
    "seed_variable_relations": "variable_relations.csv",
}


@dataclass(frozen=True)
class Remainder:
    """The unpublished remainder of one variable relation: a volume family of its own (and,
    with the patient coverage, a patients family and the relation's overlap family)."""

    relation: str
    parent_variable: str
    variable: str

    @property
    def family(self) -> str:
        return f"V:{self.variable}"

    @property
    def patients_family(self) -> str:
        return f"P:{self.variable}"

    @property
    def overlap_family(self) -> str:
        """The persons counted in more than one child: sum(children's patients) - parent's."""
        return f"S:{self.relation}"


def open_publication(published: Path, seeds_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory connection holding the published rows (`observed_rows`), their standardised
    figures (`standardised_rows`) and the seeds."""
    connection = duckdb.connect()
    connection.execute(f"attach '{published}' as publication (read_only)")
    for table, file_name in SEED_FILES.items():
        # Codes such as 04000 are text: read every seed column as varchar.
        connection.execute(f"create table {table} as select * from read_csv(?, header = true, all_varchar = true)",
                           [str(seeds_dir / file_name)])
    connection.execute("""
        create table observed_rows as
        select row_number() over (order by v.indicator_code, v.year, v.geo_level, v.geo_code, v.age_band) as row_id,
            v.indicator_code, i.source_variable as variable, i.measure, cast(v.year as integer) as year,
            v.geo_level, v.geo_code, v.age_band, v.numerator, v.denominator, v.suppression_flag
        from publication.indicator_values as v
        join publication.indicators as i using (indicator_code)
    """)
    read_standardised_rows(connection, "publication")
    connection.execute("detach publication")
    return connection


def country_code(connection: duckdb.DuckDBPyConnection) -> str:
    found = connection.execute("select distinct geo_code from observed_rows where geo_level = 'country'").fetchall()
    if not found:
        # No country row: nothing hangs under the country, any code will do.
        return "BE"
    if len(found) != 1:
        raise ValueError(f"expected one country code in the publication, found {found}")
    return str(found[0][0])


def remainders(connection: duckdb.DuckDBPyConnection) -> list[Remainder]:
    """Per variable relation, its unpublished remainder: the unpublished child variable if the
    seed names one (cone-beam CT), else a rest of its own (the providers without a variable)."""
    relations = connection.execute("""
        select relation, any_value(parent_variable),
            list(child_variable order by child_variable) filter (where child_is_published != 'true')
        from seed_variable_relations group by relation order by relation
    """).fetchall()
    found: list[Remainder] = []
    for relation, parent, unpublished in relations:
        names = unpublished or [f"{relation}_rest"]
        found.extend(Remainder(str(relation), str(parent), str(name)) for name in names)
    return found


def build_quantities(connection: duckdb.DuckDBPyConnection, patient_coverage: bool = False) -> list[Remainder]:
    """Create `geo_parents`, `family_cells`, `quantities` (qid, family, cell, is_pseudo, published
    value or null, number of distinct published values) and `row_quantities` (per published
    row: its numerator's, denominator's and individuals' qid)."""
    country = country_code(connection)
    connection.execute(f"create table geo_parents as {GEO_PARENTS_SQL}", {"country": country})
    found = remainders(connection)
    connection.execute("""
        create table observed_cells as
        select 'D' as family, year, geo_level, geo_code, age_band from observed_rows
        union select 'P:' || variable, year, geo_level, geo_code, age_band from observed_rows
        union select 'V:' || variable, year, geo_level, geo_code, age_band from observed_rows where measure = 'volume'
    """)
    # A family has pseudo-units where it publishes the level below: the regions (no_domicile,
    # in each band of the country) and the sectors (no_sector, band 'total' of each commune).
    connection.execute(f"""
        create table family_cells as
        select *, false as is_pseudo from observed_cells
        union all
        select c.family, c.year, '{NO_DOMICILE}', c.geo_code, c.age_band, true
        from observed_cells as c
        where c.geo_level = 'country' and exists (
            select 1 from observed_cells as r
            where r.family = c.family and r.year = c.year and r.geo_level = 'region')
        union all
        select c.family, c.year, '{NO_SECTOR}', c.geo_code, '{TOTAL_BAND}', true
        from observed_cells as c
        where c.geo_level = 'commune' and c.age_band = '{TOTAL_BAND}' and exists (
            select 1 from observed_cells as s
            where s.family = c.family and s.year = c.year and s.geo_level = 'statistical_sector')
    """)
    copies = [(remainder.family, f"V:{remainder.parent_variable}") for remainder in found]
    if patient_coverage:
        copies += [(family, f"P:{remainder.parent_variable}") for remainder in found
                   for family in (remainder.patients_family, remainder.overlap_family)]
    for family, model in dict(copies).items():
        connection.execute("""
            insert into family_cells
            select ?, year, geo_level, geo_code, age_band, is_pseudo from family_cells where family = ?
        """, [family, model])
    connection.execute("""
        create table row_figures as
        select row_id, 'D' as family, year, geo_level, geo_code, age_band, denominator as figure from observed_rows
        union all
        select row_id, case when measure = 'volume' then 'V:' else 'P:' end || variable,
            year, geo_level, geo_code, age_band, numerator from observed_rows
    """)
    connection.execute("""
        create table quantities as
        with published as (
            select family, year, geo_level, geo_code, age_band,
                min(figure) as published_value, count(distinct figure) as published_values
            from row_figures where figure is not null
            group by all
        )
        select (row_number() over (order by c.family, c.year, c.geo_level, c.geo_code, c.age_band) - 1)::bigint as qid,
            c.family, c.year, c.geo_level, c.geo_code, c.age_band, c.is_pseudo,
            p.published_value, coalesce(p.published_values, 0) as published_values
        from family_cells as c
        left join published as p using (family, year, geo_level, geo_code, age_band)
    """)
    connection.execute("""
        create table row_quantities as
        select r.row_id, r.indicator_code, r.measure, r.year, r.geo_level, r.geo_code, r.age_band,
            r.suppression_flag, r.numerator is null or r.denominator is null as is_withheld,
            numerator_q.qid as numerator_qid, denominator_q.qid as denominator_qid,
            individuals_q.qid as individuals_qid
        from observed_rows as r
        join quantities as numerator_q
            on numerator_q.family = case when r.measure = 'volume' then 'V:' else 'P:' end || r.variable
            and numerator_q.year = r.year and numerator_q.geo_level = r.geo_level
            and numerator_q.geo_code = r.geo_code and numerator_q.age_band = r.age_band
        join quantities as denominator_q
            on denominator_q.family = 'D' and denominator_q.year = r.year and denominator_q.geo_level = r.geo_level
            and denominator_q.geo_code = r.geo_code and denominator_q.age_band = r.age_band
        join quantities as individuals_q
            on individuals_q.family = 'P:' || r.variable and individuals_q.year = r.year
            and individuals_q.geo_level = r.geo_level and individuals_q.geo_code = r.geo_code
            and individuals_q.age_band = r.age_band
    """)
    return found
