"""The auditor and the standardised figures (docs/standardisation.md, issue 15).

Tiny published databases written by hand, in the published layout (indicator_values and one
table per indicator code, with the standardised columns): a publication that follows "Where
they are published" passes; a withheld numerator comes back as standardised_ratio x expected;
a figure over a withheld band is exposed; a figure on a band row or a flagged row is misplaced.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import duckdb
import pytest

from conftest import PROJECT_DIR

from atlas.disclosure.audit import AuditResult, run_audit
from atlas.indicator_models import STANDARDISED_COLUMNS

SEEDS = PROJECT_DIR / "seeds"
YEAR = 2021
INDICATORS = {"cube_013_001": ("IMAG_ALL_N", "patients"), "cube_013_002": ("IMAG_ALL_N", "volume"),
              "cube_013_003": ("IMAG_RADIO_N", "patients"), "stat_013_001": ("IMAG_ALL_N", "patients")}
Figures = dict[str, float | str]
# (indicator, geo_level, geo_code, age_band, numerator, denominator, flag, standardised figures);
# a flagged row's numerator and denominator are withheld in the file.
Row = tuple[str, str, str, str, int, int, str | None, Figures | None]


def figures(observed: float, expected: float, ratio: float | None = None) -> Figures:
    """A row's standardised figures; the ratio is O / E unless given (rounded, say)."""
    ratio = observed / expected if ratio is None else ratio
    return {"standardised_rate": 12.5, "standardised_rate_lower": 9.5, "standardised_rate_upper": 16.0,
            "expected": expected, "standardised_ratio": ratio, "standardised_ratio_lower": ratio * 0.7,
            "standardised_ratio_upper": ratio * 1.4, "compared_with_belgium": "not different"}


def write_publication(path: Path, rows: Sequence[Row], figures_in_indicator_values: bool = True) -> Path:
    """indicators, indicator_values and a table per code (its rows of indicator_values). Without
    figures_in_indicator_values, only the indicator tables carry the standardised columns."""
    standardised = ", ".join(f"{column} {'varchar' if column == 'compared_with_belgium' else 'double'}"
                             for column in STANDARDISED_COLUMNS)
    with duckdb.connect(str(path)) as connection:
        connection.execute("create table indicators (indicator_code varchar, source_variable varchar, "
                           "measure varchar)")
        connection.executemany("insert into indicators values (?, ?, ?)",
                               [(code, variable, measure) for code, (variable, measure) in INDICATORS.items()])
        connection.execute(f"""
            create table indicator_values (indicator_code varchar, year integer, geo_level varchar,
                geo_code varchar, age_band varchar, numerator bigint, denominator bigint, value double,
                suppression_flag varchar, {standardised})
        """)
        connection.executemany(
            f"insert into indicator_values values ({', '.join('?' for _ in range(9 + len(STANDARDISED_COLUMNS)))})",
            [(code, YEAR, level, geo, band, None if flag else numerator, None if flag else denominator,
              None if flag else 100.0 * numerator / denominator, flag,
              *[(found or {}).get(column) for column in STANDARDISED_COLUMNS])
             for code, level, geo, band, numerator, denominator, flag, found in rows])
        for code in INDICATORS:
            connection.execute(f"create table {code} as select * from indicator_values where indicator_code = ?",
                               [code])
        if not figures_in_indicator_values:
            for column in STANDARDISED_COLUMNS:
                connection.execute(f"alter table indicator_values drop column {column}")
    return path


def audit(tmp_path: Path, rows: Sequence[Row], figures_in_indicator_values: bool = True) -> AuditResult:
    published = write_publication(tmp_path / "published.duckdb", rows, figures_in_indicator_values)
    return run_audit(published, SEEDS, sample_size=1000, keep_intervals=True)


def findings(result: AuditResult, status: str) -> set[tuple[str, str, str, str]]:
    """(table, unit, band, the figure's table) of each finding of one status."""
    return {(f.indicator_code, f.geo_code, f.age_band, f.figure_indicator)
            for f in result.standardised.findings if f.status == status}


def commune_11001(total_figures: bool = True) -> list[Row]:
    """Commune 11001 with every band and its total published; figures on the totals."""
    return [
        ("cube_013_001", "commune", "11001", "total", 30, 200, None, figures(30, 25.0) if total_figures else None),
        ("cube_013_001", "commune", "11001", "0-9", 10, 100, None, None),
        ("cube_013_001", "commune", "11001", "10-19", 20, 100, None, None),
        ("cube_013_002", "commune", "11001", "total", 45, 200, None, figures(45, 41.3) if total_figures else None),
        ("cube_013_002", "commune", "11001", "0-9", 15, 100, None, None),
        ("cube_013_002", "commune", "11001", "10-19", 30, 100, None, None),
        ("stat_013_001", "commune", "11001", "total", 30, 200, None, figures(30, 25.0) if total_figures else None),
    ]


def commune_11002_bands_withheld() -> list[Row]:
    """Commune 11002: a small band and its partner withheld; its total published, no figure."""
    return [
        ("cube_013_001", "commune", "11002", "total", 12, 60, None, None),
        ("cube_013_001", "commune", "11002", "0-9", 2, 30, "small_cell", None),
        ("cube_013_001", "commune", "11002", "10-19", 10, 30, "secondary", None),
        ("cube_013_002", "commune", "11002", "total", 20, 60, None, None),
        ("cube_013_002", "commune", "11002", "0-9", 3, 30, "secondary", None),
        ("cube_013_002", "commune", "11002", "10-19", 17, 30, "secondary", None),
        ("stat_013_001", "commune", "11002", "total", 12, 60, None, None),
    ]


@pytest.mark.parametrize("figures_in_indicator_values", [True, False])
def test_figures_that_follow_the_rules_pass(tmp_path: Path, figures_in_indicator_values: bool) -> None:
    result = audit(tmp_path, commune_11001() + commune_11002_bands_withheld(), figures_in_indicator_values)
    assert result.standardised.figures == 3
    assert (result.standardised.failed, result.standardised.findings, result.errors) == (0, [], [])
    assert result.summary.failed == 0 and result.exit_code == 0


def communes_withheld_together(observed_figures: Figures | None) -> list[Row]:
    """Arrondissement 11000: 12 patients; 11001 (2, small) and 11002 (10) withheld together, the
    beneficiaries published by cube_013_003. The figures, if any, sit on 11002's withheld total."""
    return [
        ("cube_013_001", "arrondissement", "11000", "total", 12, 100, None, None),
        ("cube_013_001", "commune", "11001", "total", 2, 40, "small_cell", None),
        ("cube_013_001", "commune", "11002", "total", 10, 60, "secondary", observed_figures),
        ("cube_013_003", "arrondissement", "11000", "total", 5, 100, None, None),
        ("cube_013_003", "commune", "11001", "total", 0, 40, None, None),
        ("cube_013_003", "commune", "11002", "total", 5, 60, None, None),
    ]


def test_without_a_figure_the_withheld_communes_protect_each_other(tmp_path: Path) -> None:
    result = audit(tmp_path, communes_withheld_together(None))
    assert result.withheld[("P:IMAG_ALL_N", YEAR, "commune", "11001", "total")] == (1, 4)
    assert result.exit_code == 0


@pytest.mark.parametrize("ratio", [10 / 9.37, round(10 / 9.37, 4)], ids=["exact", "rounded"])
def test_ratio_times_expected_gives_the_withheld_numerator_back(tmp_path: Path, ratio: float) -> None:
    result = audit(tmp_path, communes_withheld_together(figures(10, 9.37, ratio)))
    # 1.0672 x 9.37 = 9.9997, and rounded figures keep 10 the only count within their precision.
    assert result.withheld[("P:IMAG_ALL_N", YEAR, "commune", "11002", "total")] == (10, 10)
    assert result.standardised.recovered == 1
    recovered = [f for f in result.standardised.findings if f.status == "recovered"]
    assert [(f.indicator_code, f.geo_code, f.detail) for f in recovered] == [
        ("cube_013_001", "11002", "numerator = standardised_ratio x expected in [10, 10]")]
    # and through the arrondissement, 12 - 10: the small commune.
    assert result.withheld[("P:IMAG_ALL_N", YEAR, "commune", "11001", "total")] == (2, 2)
    assert [(f.status, f.indicator_code, f.geo_code, f.quantity) for f in result.summary.failures] == [
        ("recovered", "cube_013_001", "11001", "individuals")]
    assert result.exit_code == 1


@pytest.mark.parametrize("figure_table", ["stat_013_001", "cube_013_001"])
@pytest.mark.parametrize("figures_in_indicator_values", [True, False])
def test_a_figure_over_a_withheld_band_is_exposed(tmp_path: Path, figure_table: str,
                                                  figures_in_indicator_values: bool) -> None:
    # 11002's total is published but two of its bands are withheld: the figure of the stat_ table
    # (no bands of its own) or of the cube_ table is an equation over them.
    rows = [(code, level, geo, band, numerator, denominator, flag,
             figures(numerator, 11.0) if (code, geo, band) == (figure_table, "11002", "total") else found)
            for code, level, geo, band, numerator, denominator, flag, found in
            commune_11001() + commune_11002_bands_withheld()]
    result = audit(tmp_path, rows, figures_in_indicator_values)
    assert result.standardised.exposed == 2
    assert findings(result, "exposed") == {("cube_013_001", "11002", "0-9", figure_table),
                                           ("cube_013_001", "11002", "10-19", figure_table)}
    assert result.standardised.recovered == result.standardised.misplaced == 0
    assert result.summary.failed == 0 and result.exit_code == 1


def test_a_figure_on_a_band_row_is_misplaced(tmp_path: Path) -> None:
    rows = [row[:7] + (figures(10, 9.0),) if row[:4] == ("cube_013_001", "commune", "11001", "0-9") else row
            for row in commune_11001()]
    result = audit(tmp_path, rows)
    assert result.standardised.misplaced == 1
    assert findings(result, "misplaced") == {("cube_013_001", "11001", "0-9", "cube_013_001")}
    assert result.standardised.exposed == result.standardised.recovered == 0
    assert result.exit_code == 1


def test_a_rate_on_a_withheld_total_is_misplaced_and_exposes_it(tmp_path: Path) -> None:
    # A rate alone gives no count back, but the row is withheld: no figure may sit on it.
    rate_only: Figures = {"standardised_rate": 12.5}
    rows = commune_11001(total_figures=False) + [
        ("cube_013_001", "commune", "11002", "total", 3, 60, "small_cell", rate_only)]
    result = audit(tmp_path, rows)
    assert findings(result, "misplaced") == findings(result, "exposed") == {
        ("cube_013_001", "11002", "total", "cube_013_001")}
    assert result.standardised.recovered == 0 and result.exit_code == 1


def test_a_ratio_that_contradicts_the_published_numerator_is_an_error(tmp_path: Path) -> None:
    rows = [row[:7] + (figures(31, 25.0),) if row[:4] == ("cube_013_001", "commune", "11001", "total") else row
            for row in commune_11001()]
    result = audit(tmp_path, rows)
    assert any("published numerator 30 outside standardised_ratio x expected [31, 31]" in error
               for error in result.errors), result.errors
    assert result.exit_code == 1
