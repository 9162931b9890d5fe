"""The whole-publication disclosure auditor (scripts/audit_disclosure.py, issue #10).

(a) Tiny published databases written by hand: each leak the issue names is found with the exact
interval, and a safe pattern passes. (b) The CI build: no small cell may be recovered or
narrowed once the whole-publication suppression rules are in place.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Sequence

import duckdb
import pytest

from conftest import PROJECT_DIR


from atlas.disclosure.audit import AuditResult, run_audit
from atlas.publication.staging import publish

SEEDS = PROJECT_DIR / "seeds"
YEAR = 2021
# indicator_code -> (source_variable, measure), as in seeds/indicator_registry.csv.
INDICATORS = {
    "cube_013_001": ("IMAG_ALL_N", "patients"), "cube_013_002": ("IMAG_ALL_N", "volume"),
    "cube_013_003": ("IMAG_RADIO_N", "patients"), "cube_013_004": ("IMAG_RADIO_N", "volume"),
    "cube_013_006": ("IMAG_DENTIST_N", "volume"), "cube_013_008": ("IMAG_SPEC_N", "volume"),
    "cube_013_010": ("IMAG_CONV_N", "volume"), "cube_013_012": ("IMAG_DENTAL_N", "volume"),
    "cube_013_013": ("IMAG_CT_N", "patients"), "cube_013_014": ("IMAG_CT_N", "volume"),
    "cube_013_016": ("IMAG_MRI_N", "volume"), "cube_013_018": ("IMAG_ECHO_N", "volume"),
    "cube_013_020": ("IMAG_SCINTI_N", "volume"), "cube_013_022": ("IMAG_DIAG_N", "volume"),
    "cube_013_024": ("IMAG_THERA_N", "volume"), "cube_013_026": ("IMAG_RXTHORAX_N", "volume"),
    "cube_013_009": ("IMAG_CONV_N", "patients"), "cube_013_011": ("IMAG_DENTAL_N", "patients"),
    "cube_013_015": ("IMAG_MRI_N", "patients"), "cube_013_017": ("IMAG_ECHO_N", "patients"),
    "cube_013_019": ("IMAG_SCINTI_N", "patients"), "cube_013_021": ("IMAG_DIAG_N", "patients"),
    "cube_013_023": ("IMAG_THERA_N", "patients"), "cube_013_025": ("IMAG_RXTHORAX_N", "patients"),
}
# (indicator, geo_level, geo_code, age_band, numerator, denominator, flag); a flagged row's
# figures are what the working database would hold, and are withheld in the file.
Row = tuple[str, str, str, str, int, int, str | None]


def write_publication(path: Path, rows: Sequence[Row]) -> Path:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create table indicators (indicator_code varchar, source_variable varchar, measure varchar)")
        connection.executemany("insert into indicators values (?, ?, ?)",
                               [(code, variable, measure) for code, (variable, measure) in INDICATORS.items()])
        connection.execute("""
            create table indicator_values (indicator_code varchar, year integer, geo_level varchar,
                geo_code varchar, age_band varchar, numerator bigint, denominator bigint, suppression_flag varchar)
        """)
        connection.executemany(
            "insert into indicator_values values (?, ?, ?, ?, ?, ?, ?, ?)",
            [(code, YEAR, level, geo, band, None if flag else numerator, None if flag else denominator, flag)
             for code, level, geo, band, numerator, denominator, flag in rows])
    return path


def audit(tmp_path: Path, rows: Sequence[Row], secondary_not_small: bool = False,
          patient_coverage: bool = False) -> AuditResult:
    published = write_publication(tmp_path / "published.duckdb", rows)
    return run_audit(published, SEEDS, secondary_not_small=secondary_not_small, sample_size=1000,
                     keep_intervals=True, patient_coverage=patient_coverage)


def failure(result: AuditResult, indicator: str, geo_code: str, band: str = "total") -> tuple[str, str, float, float]:
    found = [(f.status, f.quantity, f.lower, f.upper) for f in result.summary.failures
             if (f.indicator_code, f.geo_code, f.age_band) == (indicator, geo_code, band)]
    assert len(found) == 1, result.summary.failures
    return found[0]


def test_a_denominator_published_in_another_table_gives_the_small_band_back(tmp_path: Path) -> None:
    # Commune 11001 has 3 beneficiaries. Table 001 withholds 11002 as its complementary cell,
    # but table 003 publishes 11002's beneficiaries: 20 - 17 = 3.
    rows: list[Row] = [
        ("cube_013_001", "arrondissement", "11000", "total", 10, 20, None),
        ("cube_013_001", "commune", "11001", "total", 1, 3, "small_cell"),
        ("cube_013_001", "commune", "11002", "total", 9, 17, "secondary"),
        ("cube_013_003", "arrondissement", "11000", "total", 8, 20, None),
        ("cube_013_003", "commune", "11001", "total", 0, 3, "small_cell"),
        ("cube_013_003", "commune", "11002", "total", 8, 17, None),
    ]
    result = audit(tmp_path, rows)
    assert result.withheld[("D", YEAR, "commune", "11001", "total")] == (3, 3)
    assert failure(result, "cube_013_001", "11001") == ("recovered", "beneficiaries", 3, 3)
    assert result.summary.recovered == 2 and result.exit_code == 1


def test_a_small_cell_flag_over_two_rows_speaks_of_the_patients(tmp_path: Path) -> None:
    # Commune 11001's two band rows prove 2 or more beneficiaries, and the population pattern
    # flags no such cell (docs/protection.md): its flag says its patients are 1 to 4, so its
    # beneficiaries are 5 or more (and at most 100 - 6: 11002 holds 10 - 4 patients or more), and
    # the patients are what is judged.
    rows: list[Row] = [
        ("cube_013_001", "arrondissement", "11000", "total", 10, 100, None),
        ("cube_013_001", "commune", "11001", "total", 2, 40, "small_cell"),
        ("cube_013_001", "commune", "11001", "0-9", 1, 20, "secondary"),
        ("cube_013_001", "commune", "11001", "10-19", 1, 20, "secondary"),
        ("cube_013_001", "commune", "11002", "total", 8, 60, "secondary"),
    ]
    result = audit(tmp_path, rows)
    assert result.withheld[("D", YEAR, "commune", "11001", "total")] == (5, 94)
    assert result.withheld[("P:IMAG_ALL_N", YEAR, "commune", "11001", "total")] == (1, 4)
    assert result.summary.failed == 0 and result.exit_code == 0


def category_volumes(ct_volume: int) -> list[Row]:
    """Commune 11001, 100 beneficiaries: every category volume published but CT's (1 patient)."""
    published = {"cube_013_010": 10, "cube_013_012": 5, "cube_013_016": 5, "cube_013_018": 5, "cube_013_020": 0,
                 "cube_013_022": 0, "cube_013_024": 0, "cube_013_026": 5}
    rows: list[Row] = [(code, "commune", "11001", "total", volume, 100, None) for code, volume in published.items()]
    return rows + [("cube_013_002", "commune", "11001", "total", sum(published.values()) + ct_volume, 100, None),
                   ("cube_013_014", "commune", "11001", "total", ct_volume, 100, "small_cell")]


def test_all_imaging_volume_minus_the_categories_gives_the_withheld_category(tmp_path: Path) -> None:
    # 31 - 30 leaves CT at most 1 (cone-beam CT >= 0), and its small flag at least 1 patient.
    result = audit(tmp_path, category_volumes(1))
    assert result.withheld[("V:IMAG_CT_N", YEAR, "commune", "11001", "total")] == (1, 1)
    assert result.withheld[("V:IMAG_CBCT_N", YEAR, "commune", "11001", "total")] == (0, 0)
    assert failure(result, "cube_013_014", "11001") == ("recovered", "individuals", 1, 1)


def test_the_cone_beam_remainder_keeps_a_larger_category_volume_open(tmp_path: Path) -> None:
    result = audit(tmp_path, category_volumes(9))
    assert result.withheld[("V:IMAG_CT_N", YEAR, "commune", "11001", "total")] == (1, 9)
    assert result.summary.failed == 0 and result.exit_code == 0


@pytest.mark.parametrize("patient_coverage", [False, True])
def test_the_patients_of_all_imaging_are_patients_of_some_category(tmp_path: Path, patient_coverage: bool) -> None:
    # Volumes: 36 = 30 + CT's 6, so cone-beam CT is 0. Patients: 22 of all imaging, 20 in the
    # other categories: with the coverage relation, at least 2 in CT.
    patients = {"cube_013_009": 5, "cube_013_011": 5, "cube_013_015": 5, "cube_013_017": 5, "cube_013_019": 0,
                "cube_013_021": 0, "cube_013_023": 0, "cube_013_025": 0}
    rows = [row for row in category_volumes(6) if row[0] != "cube_013_014"]
    rows += [("cube_013_014", "commune", "11001", "total", 6, 100, None),
             ("cube_013_001", "commune", "11001", "total", 22, 100, None),
             ("cube_013_013", "commune", "11001", "total", 2, 100, "small_cell")]
    rows += [(code, "commune", "11001", "total", count, 100, None) for code, count in patients.items()]
    result = audit(tmp_path, rows, patient_coverage=patient_coverage)
    assert result.withheld[("V:IMAG_CBCT_N", YEAR, "commune", "11001", "total")] == (0, 0)
    if patient_coverage:
        assert failure(result, "cube_013_013", "11001") == ("narrowed", "individuals", 2, 4)
    else:
        assert result.withheld[("P:IMAG_CT_N", YEAR, "commune", "11001", "total")] == (1, 4)
        assert result.summary.failed == 0


def test_two_small_cells_that_add_up_to_a_published_total_narrow_each_other(tmp_path: Path) -> None:
    # 1 + 2 = 3: both bands lie in [1, 2] once their beneficiaries (30 each) are known elsewhere.
    rows: list[Row] = [
        ("cube_013_001", "commune", "11001", "total", 3, 60, None),
        ("cube_013_001", "commune", "11001", "0-9", 1, 30, "small_cell"),
        ("cube_013_001", "commune", "11001", "10-19", 2, 30, "small_cell"),
        ("cube_013_003", "commune", "11001", "total", 0, 60, None),
        ("cube_013_003", "commune", "11001", "0-9", 0, 30, None),
        ("cube_013_003", "commune", "11001", "10-19", 0, 30, None),
    ]
    result = audit(tmp_path, rows)
    assert failure(result, "cube_013_001", "11001", "0-9") == ("narrowed", "individuals", 1, 2)
    assert failure(result, "cube_013_001", "11001", "10-19") == ("narrowed", "individuals", 1, 2)
    assert result.summary.narrowed == 2 and result.summary.recovered == 0


def test_the_provider_split_gives_the_withheld_group_back(tmp_path: Path) -> None:
    # All imaging 20 = radiologists 12 + specialists 7 + dentists + a rest >= 0: dentists <= 1.
    rows: list[Row] = [
        ("cube_013_002", "commune", "11001", "total", 20, 50, None),
        ("cube_013_004", "commune", "11001", "total", 12, 50, None),
        ("cube_013_008", "commune", "11001", "total", 7, 50, None),
        ("cube_013_006", "commune", "11001", "total", 1, 50, "small_cell"),
    ]
    result = audit(tmp_path, rows)
    assert result.withheld[("V:IMAG_DENTIST_N", YEAR, "commune", "11001", "total")] == (1, 1)
    assert result.withheld[("V:provider_groups_rest", YEAR, "commune", "11001", "total")] == (0, 0)
    assert failure(result, "cube_013_006", "11001") == ("recovered", "individuals", 1, 1)


def test_patients_are_at_most_the_published_exams(tmp_path: Path) -> None:
    rows: list[Row] = [
        ("cube_013_013", "commune", "11001", "total", 1, 40, "small_cell"),
        ("cube_013_014", "commune", "11001", "total", 2, 40, None),
    ]
    result = audit(tmp_path, rows)
    assert failure(result, "cube_013_013", "11001") == ("narrowed", "individuals", 1, 2)


def test_the_persons_without_a_domicile_or_sector_keep_the_last_unit_open(tmp_path: Path) -> None:
    # Country 100 = regions 50 + 45 + Brussels + no domicile >= 0: Brussels in [1, 5], not pinned.
    # Commune 50 = sectors 45 + the withheld one + no sector >= 0: [1, 5] again.
    rows: list[Row] = [
        ("cube_013_001", "country", "BE", "total", 40, 100, None),
        ("cube_013_001", "region", "02000", "total", 20, 50, None),
        ("cube_013_001", "region", "03000", "total", 19, 45, None),
        ("cube_013_001", "region", "04000", "total", 1, 3, "small_cell"),
        ("cube_013_001", "commune", "11001", "total", 20, 50, None),
        ("cube_013_001", "statistical_sector", "11001ZZ1-", "total", 18, 45, None),
        ("cube_013_001", "statistical_sector", "11001ZZ2-", "total", 2, 3, "small_cell"),
    ]
    result = audit(tmp_path, rows)
    assert result.withheld[("D", YEAR, "region", "04000", "total")] == (1, 5)
    assert result.withheld[("D", YEAR, "no_domicile", "BE", "total")] == (0, 4)
    assert result.withheld[("D", YEAR, "statistical_sector", "11001ZZ2-", "total")] == (1, 5)
    assert result.withheld[("D", YEAR, "no_sector", "11001", "total")] == (0, 4)
    assert result.summary.failed == 0


def safe_rows() -> list[Row]:
    """Two communes withheld together in every table: the small one stays within its flag."""
    return [
        ("cube_013_001", "arrondissement", "11000", "total", 12, 100, None),
        ("cube_013_001", "commune", "11001", "total", 2, 40, "small_cell"),
        ("cube_013_001", "commune", "11002", "total", 10, 60, "secondary"),
        ("cube_013_003", "arrondissement", "11000", "total", 9, 100, None),
        ("cube_013_003", "commune", "11001", "total", 1, 40, "small_cell"),
        ("cube_013_003", "commune", "11002", "total", 8, 60, "secondary"),
    ]


@pytest.mark.parametrize("secondary_not_small", [False, True])
def test_a_complementary_cell_in_every_table_protects(tmp_path: Path, secondary_not_small: bool) -> None:
    result = audit(tmp_path, safe_rows(), secondary_not_small)
    # Patients of all imaging: 12 - at most 4 in 11001 leaves at least 8 in 11002, whose
    # beneficiaries are then at least 8: 11001 has at most 100 - 8 and stays open.
    assert result.withheld[("P:IMAG_ALL_N", YEAR, "commune", "11002", "total")] == (8, 12)
    assert result.withheld[("D", YEAR, "commune", "11001", "total")] == (1, 92)
    assert result.withheld[("P:IMAG_ALL_N", YEAR, "commune", "11001", "total")] == (0, 4)
    assert result.summary.failed == 0 and result.summary.pinned_secondary == 0 and result.exit_code == 0


def test_two_values_for_one_quantity_is_an_error(tmp_path: Path) -> None:
    rows = safe_rows() + [("cube_013_004", "arrondissement", "11000", "total", 30, 101, None)]
    result = audit(tmp_path, rows)
    assert any("published with 2 different values" in error for error in result.errors)
    assert result.exit_code == 1


def test_command_line_help_and_exit_status(tmp_path: Path) -> None:
    script = PROJECT_DIR / "scripts" / "audit_disclosure.py"
    shown = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, check=False)
    assert shown.returncode == 0 and "--working-database" in shown.stdout
    published = write_publication(tmp_path / "published.duckdb", safe_rows())
    passed = subprocess.run([sys.executable, str(script), "--published-database", str(published)],
                            capture_output=True, text=True, check=False)
    assert passed.returncode == 0 and "RESULT: PASS" in passed.stdout, passed.stdout + passed.stderr
    leaking = write_publication(tmp_path / "leaking.duckdb", category_volumes(1))
    failed = subprocess.run([sys.executable, str(script), "--published-database", str(leaking)],
                            capture_output=True, text=True, check=False)
    assert failed.returncode == 1 and "RESULT: FAIL" in failed.stdout, failed.stdout + failed.stderr
    assert "recovered cube_013_014 2021 commune 11001 total: individuals in [1, 1]" in failed.stdout


# (b) The requirement of issue #10 on the CI build: nothing recovered, nothing narrowed, every
# derived interval holding the truth. On the per-table rules it failed (46,585 small cells
# recovered, 80,602 narrowed on this build).
def test_no_small_cell_is_recovered_or_narrowed_on_the_ci_build(
        synthetic_build: tuple[Path, Path], tmp_path: Path) -> None:
    _, working = synthetic_build
    published = tmp_path / "published.duckdb"
    publish(working, published, None)
    result = run_audit(published, SEEDS, working=working)
    assert result.errors == []
    assert (result.summary.recovered, result.summary.narrowed) == (0, 0), result.summary.failures[:10]
    # The standardised figures (issue 15): no count back through ratio x expected, no figure over
    # a withheld cell, none on a band or flagged row.
    assert result.standardised.figures > 0 and result.standardised.failed == 0, result.standardised.findings[:10]


# The yearly tests' extract (1,500 persons, 2021-2023), as the run command publishes it. Its
# Brussels region held 3 beneficiaries aged 80-89 over one arrondissement over two communes: the
# region headed one row, yet an outsider knew it held at least 2, and a 'small_cell' flag on it
# narrowed it to [2, 4] until the rows' bound climbed chains of single rows (rows_lower_bounds).
def test_no_small_cell_is_recovered_or_narrowed_on_the_yearly_build(yearly_full_build: Path) -> None:
    result = run_audit(yearly_full_build / "atlas_published.duckdb", SEEDS,
                       working=yearly_full_build / "atlas.duckdb")
    assert result.errors == []
    assert (result.summary.recovered, result.summary.narrowed) == (0, 0), result.summary.failures[:10]
