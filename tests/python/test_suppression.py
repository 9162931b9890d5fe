"""Small-cell suppression on published tables: no published cell has 1 to 4 individuals, and the
whole-publication auditor (scripts/audit_disclosure.py) recovers withheld cells when secondary
suppression is off. That it recovers nothing on the CI build is in test_disclosure_audit.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import PROJECT_DIR, dbt_command, query, write_raw_extract


from atlas.disclosure.audit import run_audit


def test_no_published_small_cell(synthetic_build: tuple[Path, Path]) -> None:
    _, database = synthetic_build
    assert query(database, """
        select count(*) from indicator_values as published
        join int_indicator_cells_computed as truth using (indicator_code, year, geo_level, geo_code, age_band)
        where published.denominator is not null
            and (truth.individuals between 1 and 4 or truth.denominator between 1 and 4)
    """) == [(0,)]
    flags = dict(query(database, "select coalesce(suppression_flag, 'published'), count(*) from indicator_values "
                                 "group by 1"))
    assert flags["small_cell"] > 0 and flags["secondary"] > 0 and flags["published"] > 0


@pytest.mark.parametrize("rounds, should_recover", [(0, True), (10, False)])
def test_the_auditor_recovers_cells_without_secondary_suppression(
        tmp_path: Path, rounds: int, should_recover: bool) -> None:
    """The audit is real: with primary suppression only, it recovers withheld cells."""
    raw_dir = write_raw_extract(
        tmp_path / "raw",
        # Four communes of Antwerp's arrondissement; one holds a single imaging patient.
        [{"person_id": f"P{i:02d}", "year": 2016, "birth_year": 1980, "sex": "F",
          "commune_dec31": commune, "sector_dec31": None}
         for i, commune in enumerate(["11001"] * 3 + ["11002"] * 10 + ["11004"] * 10 + ["11005"] * 10)],
        [{"person_id": person, "service_date": "2016-03-01", "nomenclature_code": "460014", "quantity": 1,
          "provider_profession": "1", "provider_qualification": "580", "billing_practice_id": None}
         for person in ["P00"] + [f"P{i:02d}" for i in range(3, 33, 2)]],
    )
    database = tmp_path / f"rounds_{rounds}" / "atlas.duckdb"
    database.parent.mkdir()
    # Seeds and models only: with no round allowed, the data test that the rounds sufficed fails, as it should.
    result = dbt_command(["build", "--select", "+indicator_values", "+indicators", "--resource-type", "seed",
                          "--resource-type", "model", "--vars", f"{{secondary_suppression_rounds: {rounds}}}"],
                         raw_dir, database)
    assert result.returncode == 0, result.stdout[-3000:]
    # The working database holds indicator_values and indicators as published; the truth only judges.
    audit = run_audit(database, PROJECT_DIR / "seeds", working=database)
    assert audit.errors == []
    assert (audit.summary.recovered > 0) == should_recover, audit.summary.failures[:5]
    assert (audit.summary.failed > 0) == should_recover, audit.summary.failures[:5]
