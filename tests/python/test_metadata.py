"""The DuckDB file documents itself: an `indicators` metadata table and table/column comments.

One tiny extract (three persons in 2016) is built once; the tests read the metadata table and
DuckDB's catalogue (duckdb_tables(), duckdb_columns()), where dbt's persist_docs writes the
model and column descriptions of the marts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import PROJECT_DIR, dbt_build, query, registry_codes, write_raw_extract

# A distinctive phrase of each metadata page's "Méthode de calcul" (../shared/indicator-metadata/).
PAGE_METHOD_PHRASES = {
    "cube_013_001": "Nombre de patients comptant au moins un examen d'imagerie médicale / (Nombre de bénéficiaires / 100)",
    "cube_013_002": "Nombre d'examens d'imagerie médicale / (Nombre de bénéficiaires / 1.000)",
    "cube_013_023": "au moins un examen d'imagerie médicale interventionnelle thérapeutique/ (Nombre de bénéficiaires / 100)",
    "stat_013_007": "effectué par un médecin spécialiste / (Nombre de bénéficiaires / 100)",
    "stat_003_007": "(Nombre forfaits Maison médicale = 6) / (Nombre de bénéficiaires / 100)",
}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("metadata")
    people = [("M1", 1980, "11002ZZ1-"), ("M2", 1990, "11002ZZ2-"), ("M3", 2000, "11002ZZ3-")]
    write_raw_extract(
        work / "raw",
        beneficiaries=[
            {"person_id": person, "year": 2016, "birth_year": born, "sex": "F",
             "commune_dec31": "11002", "sector_dec31": sector}
            for person, born, sector in people
        ],
        claims=[
            {"person_id": "M1", "service_date": "2016-04-01", "nomenclature_code": "460014", "quantity": 1,
             "provider_profession": "1", "provider_qualification": "580"},
        ],
    )
    db_path = work / "atlas.duckdb"
    dbt_build(work / "raw", db_path)
    return db_path


def test_indicators_has_one_row_per_registry_code(database: Path) -> None:
    codes = [code for (code,) in query(database, "select indicator_code from indicators order by indicator_code")]
    assert codes == registry_codes() != []


def test_page_codes_carry_their_page_text(database: Path) -> None:
    rows = query(
        database,
        "select indicator_code, calculation_method_fr, description_source from indicators"
        " where description_source like 'metadata page %' order by indicator_code",
    )
    assert [code for code, _, _ in rows] == sorted(PAGE_METHOD_PHRASES)
    for code, method, source in rows:
        assert PAGE_METHOD_PHRASES[code] in method, code
        assert "<" not in method and "](" not in method, code
        assert "last updated" in source, code


def test_every_indicator_has_a_description_and_a_method(database: Path) -> None:
    missing = query(
        database,
        "select indicator_code from indicators"
        " where coalesce(description_fr, '') = '' or coalesce(calculation_method_fr, '') = ''"
        " or coalesce(description_source, '') = '' or title_fr is null or metadata_date is null",
    )
    assert missing == []
    derived = query(
        database,
        "select count(*) from indicators where description_source like 'derived from the registry and the page of %'",
    )
    assert derived == [(len(registry_codes()) - len(PAGE_METHOD_PHRASES),)]
    volume_methods = query(
        database,
        "select count(*) from indicators where measure = 'volume'"
        " and calculation_method_fr like '%/ (Nombre de bénéficiaires / 1.000)'",
    )
    assert volume_methods == query(database, "select count(*) from indicators where measure = 'volume'")


def test_tables_and_columns_carry_comments(database: Path) -> None:
    tables = [*registry_codes(), "indicator_values", "indicators"]
    table_comments = dict(query(
        database,
        "select table_name, comment from duckdb_tables()"
        " where schema_name = 'main' and list_contains(?, table_name)",
        [tables],
    ))
    assert sorted(table_comments) == sorted(tables)
    for table, comment in table_comments.items():
        assert comment and comment.strip(), table
        assert "{{" not in comment, table
    columns = query(
        database,
        "select table_name, column_name, comment from duckdb_columns()"
        " where schema_name = 'main' and list_contains(?, table_name)",
        [tables],
    )
    assert {table for table, _, _ in columns} == set(tables)
    for table, column, comment in columns:
        assert comment and comment.strip(), (table, column)
        assert "{{" not in comment, (table, column)
