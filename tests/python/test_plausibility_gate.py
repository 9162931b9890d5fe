"""The plausibility gate between the build and the publication (docs/running.md "Plausibility gate").

The gate's checks run on copies of the CI-sized synthetic build with its tables edited to show
each kind of wrong delivery (cheap: no dbt run); the cause guesser on samples of delivered text;
and the run command, end to end, on an extract whose claim dates are spreadsheet day numbers:
refused with exit 2 and every output byte-identical, then published with --accept-quarantine
and the override recorded.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_DIR
from test_run_pipeline import built_outputs, output_args, previous_outputs, run_pipeline, snapshot  # noqa: F401

import atlas.pipeline.plausibility_gate as gate
from atlas.pipeline import figure_changes
from atlas.pipeline.quarantine_causes import describe_values, person_id_mismatch

LIMITS = gate.load_thresholds()


@pytest.fixture()
def build_copy(synthetic_build: tuple[Path, Path], tmp_path: Path) -> Path:
    copy = tmp_path / "atlas.building.duckdb"
    shutil.copyfile(synthetic_build[1], copy)
    return copy


def edit(database: Path, *statements: str) -> None:
    with duckdb.connect(str(database)) as connection:
        for statement in statements:
            connection.execute(statement)


def findings(database: Path, previous: gate.Counts | None = None) -> list[str]:
    return [str(finding) for finding in gate.check_build(database, previous, LIMITS)]


def test_the_thresholds_are_the_dbt_vars() -> None:
    assert LIMITS == gate.Thresholds(max_quarantined_share=0.02, max_reason_share=0.01, min_rows=10,
                                     max_undelivered_year_share=0.01, max_volume_change=0.15,
                                     max_figure_change=0.25, min_figure_numerator=100, max_empty_column_share=0.10,
                                     min_month_share=0.25, min_monthly_lines=100,
                                     min_population_for_zero_figures=100_000)


def test_the_synthetic_build_passes_against_itself(synthetic_build: tuple[Path, Path]) -> None:
    database = synthetic_build[1]
    assert findings(database, gate.previous_volumes(database)) == []


def test_a_year_mostly_quarantined_for_one_reason_is_named_with_its_share(build_copy: Path) -> None:
    # person ids of the claims lower-cased: most 2016 lines find nobody in the population
    edit(build_copy,
         "create table moved as select * from int_claim_lines_checked where service_year = 2016"
         " and line_reason is null limit 3000",
         "insert into quarantined_claims select source_file, service_year, 'person_not_in_population', 'x', false,"
         " lower(person_id), service_date_text, nomenclature_code_text, quantity_text, provider_profession,"
         " provider_qualification, billing_practice_id from moved",
         "update extract_reconciliation set rows_used = rows_used - 3000, rows_quarantined = rows_quarantined + 3000"
         " where source_name = 'claims' and year = 2016")
    (read,) = duckdb.connect(str(build_copy), read_only=True).execute(
        "select rows_read from extract_reconciliation where source_name = 'claims' and year = 2016").fetchall()[0]
    [finding] = findings(build_copy)
    assert finding.startswith(f"claims 2016: {100 * 3000 / read:.1f}% of the lines (3,0")
    assert "quarantined as person_not_in_population" in finding
    assert "person_id differs between the two files only by letter case" in finding


def test_a_year_missing_from_one_source_is_named(build_copy: Path) -> None:
    edit(build_copy, "delete from extract_reconciliation where source_name = 'claims' and year = 2016",
         "insert into extract_reconciliation values ('claims', 2017, 9000, 0, 9000, 0)")
    found = findings(build_copy)
    assert any(f.startswith("beneficiaries 2016:") and "no claim line dated in 2016" in f for f in found), found
    assert any(f.startswith("claims 2017: 9,000 lines") and "population file of 2017 is missing" in f
               for f in found), found


def test_the_late_bookings_of_the_year_before_the_first_pass(synthetic_build: tuple[Path, Path]) -> None:
    (late,) = duckdb.connect(str(synthetic_build[1]), read_only=True).execute(
        "select rows_read from extract_reconciliation where source_name = 'claims' and year = 2014").fetchall()[0]
    assert late > 0  # the generator's late bookings: quarantined, and no reason to stop


def test_a_population_without_domicile_is_named(build_copy: Path) -> None:
    """Empty domicile columns quarantine nothing and flag nothing (no domicile is no data error for
    one person), yet would publish country rows only: the gate names the year."""
    (used, without) = duckdb.connect(str(build_copy), read_only=True).execute(
        "select count(*), count(*) filter (where domicile_reference = 'unknown' and domicile_issue is null)"
        " from int_beneficiary_years_located where year = 2016").fetchall()[0]
    assert 0 < without < LIMITS.max_empty_column_share * used  # the generator's few: no reason to stop
    edit(build_copy, "update int_beneficiary_years_located set domicile_reference = 'unknown', domicile_issue = null,"
                     " commune_code = null where year = 2016")
    assert findings(build_copy) == [
        f"beneficiaries 2016: 100.0% of the used rows ({used:,} of {used:,}) have no domicile, neither a 31 December "
        "nor a 30 June commune; they would count in the country rows only; are the columns commune_dec31 and "
        "commune_jun30 empty in the delivered file?"]



def test_a_population_without_statistical_sector_is_named(build_copy: Path) -> None:
    """Empty sector columns published every table without its statistical_sector rows, with every
    test passing (2026-12-08, on the CI extract)."""
    (placed,) = duckdb.connect(str(build_copy), read_only=True).execute(
        "select count(*) from int_beneficiary_years_located where year = 2015 and domicile_reference <> 'unknown'"
    ).fetchall()[0]
    edit(build_copy, "update int_beneficiary_years_located set sector_code = null, domicile_issue = null"
                     " where year = 2015 and domicile_reference <> 'unknown'")
    assert findings(build_copy) == [
        f"beneficiaries 2015: 100.0% of the used rows placed in a commune ({placed:,} of {placed:,}) have no "
        "statistical sector; they would count in no sector, and the tables published by sector would have no "
        "sector rows; are the columns sector_dec31 and sector_jun30 empty in the delivered file?"]

@pytest.mark.parametrize(("columns", "lines", "lacking"), [
    (("provider_qualification",), "the used imaging lines",
     "have no provider profession or qualification; they would count for no provider group (radiologists of "
     "stat_013_007, dentists, other specialists); are the columns provider_profession and provider_qualification "
     "empty in the delivered file?"),
    (("provider_profession", "provider_qualification"), "the used imaging lines",
     "have no provider profession or qualification"),
    (("billing_practice_id",), "the used medical-house forfait and DMG lines",
     "have no billing practice; a DMG could not be told to be the medical house's own, and its patients would "
     "leave stat_003_007; is the column billing_practice_id empty in the delivered file?"),
])
def test_claim_columns_delivered_empty_are_named(build_copy: Path, columns: tuple[str, ...], lines: str,
                                                 lacking: str) -> None:
    """An empty qualification column set stat_013_007 to 0 everywhere, an empty billing practice
    column took patients out of stat_003_007, both with every test passing (2026-12-08, on the CI
    extract): the lines are used, so no quarantine share shows them."""
    codes = ("imaging_nomenclature_codes" if "imaging" in lines else "general_practice_codes")
    needing = (f"line_reason is null and service_year = 2016 and nomenclature_code in "
               f"(select nomenclature_code from {codes})")
    (count,) = duckdb.connect(str(build_copy), read_only=True).execute(
        f"select count(*) from int_claim_lines_checked where {needing}").fetchall()[0]
    assert count >= LIMITS.min_rows
    assert findings(build_copy) == []
    edit(build_copy, f"update int_claim_lines_checked set {', '.join(f'{c} = null' for c in columns)}"
                     " where service_year = 2016")
    [finding] = findings(build_copy)
    assert finding.startswith(f"claims 2016: 100.0% of {lines} ({count:,} of {count:,}) {lacking}")
    # An update that rebuilt 2015 alone judges 2015 alone: 2016 was judged when it was built.
    assert gate.check_build(build_copy, None, LIMITS, built_years=[2015]) == []
    assert len(gate.check_build(build_copy, None, LIMITS, built_years=[2015, 2016])) == 1


def test_a_volume_far_from_the_previous_build_is_named(synthetic_build: tuple[Path, Path]) -> None:
    database = synthetic_build[1]
    previous = gate.previous_volumes(database)
    assert previous is not None
    read, quarantined = previous[("claims", 2016)]
    previous[("claims", 2016)] = (2 * read, quarantined)
    assert findings(database, previous) == [
        f"claims 2016: {read:,} lines delivered, {2 * read:,} in the previous build (-50.0%); a file missing, "
        "cut short or delivered twice? Compare the files with the previous delivery"]
    previous[("claims", 2016)] = (int(read * 1.1), quarantined)  # late bills of a redelivered year
    assert findings(database, previous) == []


def test_a_year_of_the_previous_build_missing_from_this_one_is_named(synthetic_build: tuple[Path, Path]) -> None:
    """A published year whose files left the extract would leave the publication; an extract
    sharing no year with the previous build is another extract, or the wrong folder."""
    database = synthetic_build[1]
    previous = gate.previous_volumes(database)
    assert previous is not None
    rows_2013 = 5000
    previous[("beneficiaries", 2013)] = (rows_2013, 0)
    assert findings(database, previous) == [
        f"beneficiaries 2013: {rows_2013:,} rows in the previous build, none in this one; their figures would leave "
        "the publication; their files are no longer in the extract: if they were withdrawn on purpose, publish with "
        "the override"]
    other_extract = {("beneficiaries", 2021): (rows_2013, 0), ("beneficiaries", 2022): (rows_2013, 0)}
    [finding] = findings(database, other_extract)
    assert finding.startswith(f"beneficiaries 2021, 2022: {2 * rows_2013:,} rows in the previous build, "
                              "none in this one")
    assert finding.endswith("none of the previous build's years is in this extract: is it the right folder, or "
                            "another extract?")
    # Fewer rows than gate_min_rows never stop a run.
    assert findings(database, {**previous, ("beneficiaries", 2013): (LIMITS.min_rows - 1, 0)}) == []


def test_without_a_working_database_the_publication_in_place_gives_the_years(
        build_copy: Path, synthetic_build: tuple[Path, Path], tmp_path: Path) -> None:
    """The working database deleted once published (it is person-level): the published years and
    their beneficiaries stand in for it, so a year leaving the publication still stops the run."""
    from atlas.pipeline.errors import RunFailure
    from atlas.publication.database import write_published_database

    published = tmp_path / "atlas_published.duckdb"
    write_published_database(synthetic_build[1], published)
    with duckdb.connect(str(synthetic_build[1]), read_only=True) as connection:
        used = dict(connection.execute("select year, rows_used from extract_reconciliation"
                                       " where source_name = 'beneficiaries'").fetchall())
    assert gate.published_population(published) == {("beneficiaries", year): (rows, 0) for year, rows in used.items()}
    absent = tmp_path / "absent.duckdb"
    assert gate.verdict(build_copy, absent, tmp_path, None, published) == "passed"
    edit(build_copy, "delete from extract_reconciliation where year = 2015")
    with pytest.raises(RunFailure) as stopped:
        gate.verdict(build_copy, absent, tmp_path, None, published)
    assert f"- beneficiaries 2015: {used[2015]:,} rows in the previous build, none in this one" in stopped.value.what
    assert gate.published_population(tmp_path / "nothing_published.duckdb") is None
    (tmp_path / "not_a_publication.duckdb").write_bytes(b"garbage")
    assert gate.published_population(tmp_path / "not_a_publication.duckdb") is None


def test_a_figure_far_from_the_previous_build_is_named(build_copy: Path, synthetic_build: tuple[Path, Path]) -> None:
    """Every row read and used, but the imaging codes of 2016 no longer recognised: the country
    figures of 2016 collapse, which no count of rows shows. A change like a re-delivered year's
    late bills passes, and so does a figure too small to tell from chance."""
    previous = figure_changes.country_figures(synthetic_build[1])
    assert previous is not None
    assert gate.check_build(synthetic_build[1], None, LIMITS, previous) == []
    counted = sorted((numerator or 0, code) for (code, year), (numerator, _) in previous.items() if year == 2016)
    small_code = counted[0][1]
    assert counted[0][0] < LIMITS.min_figure_numerator <= counted[-1][0]
    edit(build_copy, "update indicator_values set value = value * 1.1 where year = 2015",
         f"update indicator_values set value = 0, numerator = 0 where year = 2016 and (indicator_code like 'cube_013%'"
         f" or indicator_code = '{small_code}')")
    [finding] = [str(f) for f in gate.check_build(build_copy, None, LIMITS, previous)]
    assert finding.startswith("figures of 2016 far from the previous build's: cube_013_")
    assert "-> 0 (-100%)" in finding and small_code not in finding
    assert "nomenclature codes the seeds' code lists no longer recognise" in finding
    moved = figure_changes.changed_figures(figure_changes.country_figures(build_copy) or {}, previous,
                                           LIMITS.max_figure_change, LIMITS.min_figure_numerator)
    assert set(moved) == {2016}
    assert {code for code, _, _ in moved[2016]} == {code for (code, year), (numerator, _) in previous.items()
                                                    if year == 2016 and code.startswith("cube_013")
                                                    and (numerator or 0) >= LIMITS.min_figure_numerator}
    # A figure gone small enough to be withheld has moved too.
    edit(build_copy, "update indicator_values set value = null, numerator = null, suppression_flag = 'small_cell'"
                     " where year = 2016 and indicator_code like 'cube_013%'")
    [finding] = [str(f) for f in gate.check_build(build_copy, None, LIMITS, previous)]
    assert "-> withheld" in finding


def test_no_previous_build_means_no_volume_comparison(tmp_path: Path) -> None:
    assert gate.previous_volumes(tmp_path / "absent.duckdb") is None
    (tmp_path / "not_a_build.duckdb").write_bytes(b"garbage")
    assert gate.previous_volumes(tmp_path / "not_a_build.duckdb") is None


@pytest.mark.parametrize("reason, values, expected", [
    ("invalid_service_date", ["31/12/2023", "01/02/2023", "15/06/2023"], "look like DD/MM/YYYY (e.g. '31/12/2023'"),
    ("invalid_service_date", ["12/31/2023", "02/01/2023"], "look like MM/DD/YYYY"),
    ("invalid_service_date", ["45291", "45292"], "spreadsheet serial day numbers"),
    ("invalid_service_date", ["20231231", "20230101"], "YYYYMMDD without separators"),
    ("invalid_death_date", ["2023-02-30"], "ISO dates, but impossible days"),
    ("invalid_quantity", ["1,0", "2,0"], "decimal comma"),
    ("invalid_sex", ["1", "2", "2"], "a numeric sex code"),
    ("invalid_service_date", ["", ""], "the values are empty"),
    ("invalid_service_date", ["soon", "later"], "the values are e.g. 'soon', 'later'"),
    ("unknown_commune", ["57096"], "REFNIS version newer or older"),
])
def test_the_likely_cause_is_read_from_the_delivered_text(reason: str, values: list[str], expected: str) -> None:
    assert expected in describe_values(reason, values)


# --- end to end: the run command refuses, then publishes with the override ---

def dashed_person_ids(raw_dir: Path, target: Path) -> Path:
    """The extract with the 2016 claims' person ids written with a dash (P-0000123 for P0000123):
    every file passes the structural check, and no 2016 claim finds its person."""
    shutil.copytree(raw_dir, target)
    claims = target / "claims_2016.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * replace ('P-' || substr(person_id, 2) as person_id)"
            f" from read_parquet('{raw_dir / 'claims_2016.parquet'}')) to '{claims}' (format parquet)")
    return target


def test_a_rejected_extract_changes_no_output_and_the_override_is_recorded(
    previous_outputs: tuple[Path, Path, dict[str, str]], tmp_path: Path  # noqa: F811
) -> None:
    raw_dir, out, before = previous_outputs
    bad = dashed_person_ids(raw_dir, tmp_path / "raw_bad")
    published = tmp_path / "elsewhere" / "published.duckdb"  # the published file given by option
    published.parent.mkdir()
    shutil.copyfile(out / "atlas_published.duckdb", published)
    published_before = snapshot(published.parent)
    args = ("--raw-dir", str(bad), "--database", str(out / "atlas.duckdb"), "--published-database", str(published),
            "--export-dir", str(out / "exports"))
    result = run_pipeline(*args, dbt_dir=tmp_path / "dbt")
    assert result.returncode == 2, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stdout + result.stderr
    message = result.stderr.split("[run] error: ")[-1]
    assert "nothing was published" in message
    assert "claims 2016: " in message and "person_not_in_population" in message
    assert "person_id differs between the two files only by spaces or dashes" in message
    assert "--accept-quarantine" in message
    assert snapshot(out) == before
    assert snapshot(published.parent) == published_before
    assert sorted(p.name for p in out.iterdir()) == ["atlas.duckdb", "atlas_published.duckdb", "exports", "published"]

    result = run_pipeline(*args, "--accept-quarantine", "ids fixed upstream next month", dbt_dir=tmp_path / "dbt")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "plausibility gate overridden with --accept-quarantine" in result.stdout
    with duckdb.connect(str(published), read_only=True) as connection:
        (recorded,) = connection.execute("select distinct plausibility_gate from publication").fetchall()
    assert recorded[0].startswith("overridden with --accept-quarantine: ids fixed upstream next month; found: "
                                  "claims 2016: ")
    assert "P-" not in recorded[0]  # counts only, no delivered value


def test_many_reasons_each_under_its_threshold_add_up(build_copy: Path) -> None:
    reasons = ["invalid_quantity", "invalid_nomenclature_code", "duplicate_claim_line"]
    edit(build_copy, *[
        f"insert into quarantined_claims select source_file, service_year, '{reason}', 'x', false, person_id,"
        " service_date_text, nomenclature_code_text, quantity_text, provider_profession, provider_qualification,"
        f" billing_practice_id from int_claim_lines_checked where service_year = 2016 limit 110" for reason in reasons
    ], "update extract_reconciliation set rows_quarantined = rows_quarantined + 330, rows_used = rows_used - 330"
       " where source_name = 'claims' and year = 2016")
    [finding] = findings(build_copy)
    assert finding.startswith("claims 2016: ") and "quarantined, for several reasons; by reason: " in finding
    assert all(reason in finding for reason in reasons)


@pytest.mark.parametrize("claim_ids, population_ids, expected", [
    (["800", "2185", "2316"], ["0000800", "0002185", "0002316"], "only by leading zeros (3 ids match"),
    (["P-800", "P-2185"], ["P800", "P2185"], "only by spaces or dashes"),
    (["123456789", "223456789"], ["P00000800", "P00002185"],
     "another form in each file (claims: 9 characters, digits only; population: 9 characters, letters and digits)"),
])
def test_claims_that_find_nobody_compare_the_ids_of_the_two_files(
    claim_ids: list[str], population_ids: list[str], expected: str
) -> None:
    with duckdb.connect() as connection:
        connection.execute("create table quarantined_claims (reason_code varchar, service_year integer,"
                           " person_id varchar)")
        connection.execute("create table int_beneficiary_rows_checked (person_id varchar)")
        connection.executemany("insert into quarantined_claims values ('person_not_in_population', 2016, ?)",
                               [[value] for value in claim_ids])
        connection.executemany("insert into int_beneficiary_rows_checked values (?)",
                               [[value] for value in population_ids])
        assert expected in person_id_mismatch(connection, 2016)


def test_a_claims_file_cut_short_is_named(build_copy: Path) -> None:
    """A claims file cut at a line boundary in October loses no line the build can see: every line
    read is used, and 2016's figures came out a fifth lower with every test passing."""
    with duckdb.connect(str(build_copy), read_only=True) as connection:
        months = dict(connection.execute(
            "select month(service_date), count(*) from int_claim_lines_checked where line_reason is null"
            " and service_year = 2016 group by 1").fetchall())
    assert len(months) == 12 and min(months.values()) > 0.8 * sum(months.values()) / 12  # the synthetic year
    edit(build_copy, "delete from int_claim_lines_checked where service_year = 2016 and service_date > '2016-10-17'")
    with duckdb.connect(str(build_copy), read_only=True) as connection:
        (october,) = connection.execute(
            "select count(*) from int_claim_lines_checked where line_reason is null and service_year = 2016"
            " and month(service_date) = 10").fetchall()[0]
    average = (sum(lines for month, lines in months.items() if month < 10) + october) / 12
    assert october > 0.25 * average  # half of October is no cut the gate names
    assert findings(build_copy) == [
        f"claims 2016: 2 months with under 25% of the year's monthly average of {average:,.0f} used lines: "
        "November (0), December (0); the year's figures would count only the months delivered; is the claims file "
        "cut short, or a month missing from the extract?"]
    assert gate.check_build(build_copy, None, LIMITS, built_years=[2015]) == []
    assert gate.check_build(build_copy, None, LIMITS, built_years=[]) == []  # an update that rebuilt nothing


def test_an_indicator_counting_nobody_in_a_large_population_is_named(synthetic_build: tuple[Path, Path]) -> None:
    """The seeds list MRI codes from 2018-12-01 only, so the CI extract (2015-2016), like a real
    extract of those years, counts no MRI: published, 0% reads as a figure. Its 4,000 persons are
    too few to judge by default; judged from 3,000 beneficiaries, both years are named."""
    database = synthetic_build[1]
    assert findings(database) == []
    judged = dataclasses.replace(LIMITS, min_population_for_zero_figures=3000)
    assert [str(f) for f in gate.check_build(database, None, judged)] == [
        f"figures of {year}: IMAG_MRI_N counts nobody among {count:,} beneficiaries (cube_013_015, cube_013_016, "
        f"stat_013_015, stat_013_016 would publish 0 everywhere); no used claim line has a nomenclature code of "
        f"IMAG_MRI_N valid in {year}: do the seeds' code lists (seeds/imaging_nomenclature_codes.csv, "
        "seeds/general_practice_codes.csv) lack the codes of that year, or does the extract lack those codes?"
        for year, count in ((year, _country_population(database, year)) for year in (2015, 2016))]
    assert gate.check_build(database, None, judged, built_years=[2016])[0].what.startswith("figures of 2016:")


def _country_population(database: Path, year: int) -> int:
    with duckdb.connect(str(database), read_only=True) as connection:
        return int(connection.execute("select max(denominator) from indicator_values where geo_level = 'country'"
                                      " and age_band = 'total' and year = ?", [year]).fetchall()[0][0])
