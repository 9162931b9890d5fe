"""dbt build on CI-sized synthetic data: every table, year and level is there, and the figures
obey the invariants the metadata pages imply (denominators add up, patients <= exams, ...)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_DIR, SYNTHETIC_YEARS, query

FIRST_YEAR, LAST_YEAR = SYNTHETIC_YEARS
GEO_LEVELS = ["arrondissement", "commune", "country", "province", "region"]


def registry() -> dict[str, dict[str, str]]:
    with (PROJECT_DIR / "seeds" / "indicator_registry.csv").open(newline="", encoding="utf-8") as handle:
        return {row["indicator_code"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def built(synthetic_build: tuple[Path, Path]) -> tuple[Path, Path]:
    return synthetic_build


@pytest.mark.parametrize("code", sorted(registry()))
def test_every_year_level_and_band(built: tuple[Path, Path], code: str) -> None:
    _, database = built
    row = registry()[code]
    years = [y for y in range(FIRST_YEAR, LAST_YEAR + 1) if y >= int(row["first_year"])]
    for year in years:
        levels = [r[0] for r in query(database, f"select distinct geo_level from {code} where year = ? order by 1", [year])]
        with_sector = row["sector_from_year"] and year >= int(row["sector_from_year"])
        assert levels == sorted(GEO_LEVELS + (["statistical_sector"] if with_sector else [])), (code, year)
        bands = {r[0] for r in query(database, f"select distinct age_band from {code} where year = ?", [year])}
        if row["dimensions"] == "age_band_10y":
            assert bands == {"total", "0-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80-89",
                             "90+"}
        else:
            assert bands == {"total"}
    assert [r[0] for r in query(database, f"select distinct year from {code} order by 1")] == years


def test_country_denominator_is_the_whole_population(built: tuple[Path, Path]) -> None:
    """Every delivered row counts in the country denominator, unless it was quarantined (the
    generator's bad rows by design; a row with an unknown commune still counts)."""
    raw_dir, database = built
    with duckdb.connect() as connection:
        population = dict(connection.execute(
            f"select year, count(*) from read_parquet('{raw_dir}/beneficiaries*.parquet') group by year"
        ).fetchall())
    excluded = dict(query(database, "select year, count(*) from quarantined_beneficiaries where not row_used "
                                    "group by year"))
    assert sum(excluded.values()) > 0
    population = {year: rows - excluded.get(year, 0) for year, rows in population.items()}
    for code in registry():
        for year, denominator in query(database, f"select year, denominator from {code} "
                                                 "where geo_level = 'country' and age_band = 'total'"):
            assert denominator == population[year], (code, year)


def unsuppressed(code: str) -> str:
    """The cells of one indicator before small-cell suppression (published tables hide some)."""
    return f"(select * from int_indicator_cells_computed where indicator_code = '{code}')"


def test_children_add_up_to_their_parents(built: tuple[Path, Path]) -> None:
    """Regions, provinces, arrondissements and communes each sum to the located population, and
    the country adds the persons without a domicile; age bands sum to the total."""
    _, database = built
    sums = query(database, f"""
        select year, geo_level, sum(denominator), sum(numerator)
        from {unsuppressed('cube_013_002')} where age_band = 'total' and geo_level != 'country'
        group by year, geo_level
    """)
    by_year: dict[int, set[tuple[int, int]]] = {}
    for year, _, denominator, numerator in sums:
        by_year.setdefault(year, set()).add((denominator, numerator))
    for year, totals in by_year.items():
        assert len(totals) == 1, f"levels disagree in {year}: {totals}"
        (located, _), = totals
        country = query(database, "select denominator from cube_013_002 where geo_level = 'country' "
                                  "and age_band = 'total' and year = ?", [year])[0][0]
        assert 0.95 * country < located < country, "about 2% of persons have no known domicile"
    mismatched = query(database, f"""
        select bands.year, bands.geo_level, bands.geo_code
        from (select year, geo_level, geo_code, sum(denominator) as d, sum(numerator) as n
              from {unsuppressed('cube_013_001')} where age_band != 'total' group by 1, 2, 3) as bands
        join {unsuppressed('cube_013_001')} as total
            on bands.year = total.year and bands.geo_level = total.geo_level
            and bands.geo_code = total.geo_code and total.age_band = 'total'
        where bands.d != total.denominator or bands.n != total.numerator
    """)
    assert mismatched == []


def test_patients_never_exceed_exams_or_all_imaging(built: tuple[Path, Path]) -> None:
    _, database = built
    for subset in ("cube_013_023", "stat_013_007"):
        violations = query(database, f"""
            select count(*) from {unsuppressed(subset)} as sub
            join {unsuppressed('cube_013_001')} as all_imaging using (year, geo_level, geo_code, age_band)
            where sub.numerator > all_imaging.numerator
        """)
        assert violations == [(0,)], subset
    assert query(database, f"""
        select count(*) from {unsuppressed('cube_013_001')} as patients
        join {unsuppressed('cube_013_002')} as exams using (year, geo_level, geo_code, age_band)
        where patients.numerator > exams.numerator
    """) == [(0,)]


def test_national_figures_are_near_the_published_ones(built: tuple[Path, Path]) -> None:
    _, database = built
    national = dict(query(database, """
        select indicator_code, value from cube_013_001 where geo_level = 'country' and age_band = 'total' and year = 2016
        union all
        select indicator_code, value from stat_003_007 where geo_level = 'country' and year = 2016
    """))
    assert 45 < national["cube_013_001"] < 70  # about 59% in 2023
    assert 2 < national["stat_003_007"] < 8  # 4.4% to 4.7% in 2020-2021
