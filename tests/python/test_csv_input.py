"""CSV extracts are accepted and give exactly the figures of the same extract in Parquet.

Built with the project's compiled SQL (compiled_project.py); the run command builds a CSV
extract with dbt itself in test_bad_input.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from compiled_project import RAW_DIR_PLACEHOLDER
from conftest import BENEFICIARY_COLUMNS, CLAIM_COLUMNS, PROJECT_DIR, generate_synthetic, query, write_raw_file
from raw_deliveries import Row, day_first, write_csv_extract
from test_bad_input import BASE_BENEFICIARIES, BASE_CLAIMS, indicator_cells, run_pipeline

from atlas.raw.check import check_extract
from atlas.reference.indicators import Conventions, compute

TABLES = ("cube_013_001", "cube_013_002", "cube_013_023", "stat_013_007", "stat_003_007")


def test_csv_and_parquet_give_the_same_tables(tmp_path: Path, compiled_projects: Any) -> None:
    results = {}
    for file_format in ("parquet", "csv"):
        raw_dir, database = tmp_path / file_format / "raw", tmp_path / file_format / "atlas.duckdb"
        generate_synthetic(raw_dir, 1500, 2016, 2016, seed=11, file_format=file_format)
        compiled_projects(file_format).build(raw_dir, database)
        results[file_format] = {
            table: query(database, f"select * from {table} order by year, geo_level, geo_code, age_band")
            for table in TABLES
        }
    for table in TABLES:
        assert results["csv"][table], table
        assert results["csv"][table] == results["parquet"][table], table


def test_codes_that_lost_their_leading_zeros_are_padded_back(tmp_path: Path, compiled_projects: Any) -> None:
    """A spreadsheet saved qualification 003 (general practitioner) as 3: read as text, '3'
    would sort among the specialists' codes and put A's echography in stat_013_007."""
    raw_dir, database = tmp_path / "raw", tmp_path / "atlas.duckdb"
    raw_dir.mkdir()
    (raw_dir / "beneficiaries.csv").write_text(
        "person_id,year,birth_year,sex,death_date,commune_dec31,sector_dec31,commune_jun30,sector_jun30\n"
        "A,2016,1980,F,,11002,11002ZZ1-,,\n"
        "B,2016,1980,M,,11002,11002ZZ1-,,\n",
        encoding="utf-8",
    )
    (raw_dir / "claims.csv").write_text(
        "person_id,service_date,nomenclature_code,quantity,provider_profession,provider_qualification,"
        "billing_practice_id\n"
        "A,2016-05-01,460014,1,1,3,\n",
        encoding="utf-8",
    )
    # Two beneficiaries are a small cell: switch suppression off to read the figures themselves.
    compiled_projects("csv", {"small_cell_threshold": 1}).build(raw_dir, database)
    counted = "select numerator, denominator from {} where geo_level = 'commune' and age_band = 'total'"
    assert query(database, counted.format("cube_013_001")) == [(1, 2)]
    assert query(database, counted.format("stat_013_007")) == [(0, 2)]


# --- the conventions a Belgian provider uses (docs/raw_data.md) -------------------
# Each is detected by the structural check and handed to the build; the figures must equal those
# of the same extract written in the contract's standard form (comma, UTF-8, YYYY-MM-DD).

def accented(rows: list[Row]) -> list[Row]:
    """Person ids with an accent, which Latin-1 and UTF-8 write differently."""
    return [{**row, "person_id": row["person_id"].replace("p", "pé")} for row in rows]


def euro(rows: list[Row]) -> list[Row]:
    """Every other line billed by a practice whose id has a euro sign, which Windows-1252 has and
    Latin-1 lacks."""
    return [{**row, "billing_practice_id": f"HOSP€{index}"} if index % 2 else row for index, row in enumerate(rows)]


CONVENTIONS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "UTF-8 with a byte-order mark": ({"byte_order_mark": True}, ["encoding UTF-8, with a UTF-8 byte-order mark"]),
    "';' and DD/MM/YYYY": ({"separator": ";", "convert": day_first},
                           ["separator ';'", "'service_date' has dates written DD/MM/YYYY (e.g. '10/01/2019')",
                            "dates: DD/MM/YYYY (and YYYY-MM-DD) read as dates"]),
    "Latin-1 (Windows-1252 without its own characters), ';', DD/MM/YYYY, Windows line ends":
        ({"separator": ";", "encoding": "cp1252", "convert": day_first, "line_end": "\r\n"},
         ["separator ';', encoding Latin-1", "dates: DD/MM/YYYY"]),
    "Windows-1252 with a euro sign, ';'":
        ({"separator": ";", "encoding": "cp1252", "with_euro": True},
         ["separator ';', encoding Windows-1252 (read from UTF-8 copies)"]),
}


@pytest.mark.parametrize("convention", CONVENTIONS, ids=list(CONVENTIONS))
def test_belgian_conventions_give_the_figures_of_the_standard_form(
        convention: str, tmp_path: Path, compiled_projects: Any) -> None:
    options, detected = CONVENTIONS[convention]
    options = dict(options)
    with_euro = options.pop("with_euro", False)
    beneficiaries, claims = accented(BASE_BENEFICIARIES), accented(BASE_CLAIMS)
    if with_euro:
        claims = euro(claims)
    standard = write_csv_extract(tmp_path / "standard", beneficiaries, claims)
    delivered = write_csv_extract(tmp_path / "delivered", beneficiaries, claims, **options)
    check = check_extract(delivered, tmp_path / "copies")
    assert check.ok, check.errors
    printed = "\n".join(check.detected)
    for text in detected:
        assert text in printed, f"{text!r} not in:\n{printed}"
    # A Windows-1252 extract is read from its UTF-8 copies, under the delivered files' names.
    assert (check.read_dir is not None) == with_euro
    databases = {
        "standard": compiled_projects("csv").build(standard, tmp_path / "standard.duckdb"),
        "delivered": compiled_projects("csv", check.convention_vars()).build(
            check.read_dir or delivered, tmp_path / "delivered.duckdb"),
    }
    assert {file for (file,) in query(databases["delivered"], "select distinct source_file from stg_ima__claims")} \
        == {str(delivered / "claims.csv")}
    assert compiled_projects("csv", check.convention_vars()).failing_tests(databases["delivered"]) == {}
    rows = "select person_id, service_date, quantity from stg_ima__claims order by all"
    assert query(databases["delivered"], rows) == query(databases["standard"], rows)
    assert query(databases["delivered"], "select count(*) from quarantined_claims") == [(0,)]
    cells = {name: indicator_cells(database) for name, database in databases.items()}
    assert cells["delivered"] == cells["standard"] and cells["standard"]


def test_the_reference_reads_the_conventions_alike(tmp_path: Path) -> None:
    """The pandas reference (scripts/reference_indicators.py), told the conventions, gives the
    figures of the standard form too."""
    beneficiaries, claims = accented(BASE_BENEFICIARIES), accented(BASE_CLAIMS)
    standard = write_csv_extract(tmp_path / "standard", beneficiaries, claims)
    delivered = write_csv_extract(tmp_path / "delivered", beneficiaries, claims, separator=";", encoding="latin-1",
                                  byte_order_mark=False, convert=day_first)
    conventions = Conventions(csv_delimiter=";", csv_encoding="latin-1", day_first=True)
    results = [compute(standard, "csv", progress=lambda message: None),
               compute(delivered, "csv", progress=lambda message: None, conventions=conventions)]
    assert results[0].cells.equals(results[1].cells) and len(results[0].cells)


def test_the_reference_reads_windows_1252_alike(tmp_path: Path) -> None:
    """The reference reads a Windows-1252 extract with a euro sign as the standard form."""
    beneficiaries, claims = accented(BASE_BENEFICIARIES), euro(accented(BASE_CLAIMS))
    standard = write_csv_extract(tmp_path / "standard", beneficiaries, claims)
    delivered = write_csv_extract(tmp_path / "delivered", beneficiaries, claims, separator=";", encoding="cp1252")
    conventions = Conventions(csv_delimiter=";", csv_encoding="windows-1252")
    results = [compute(standard, "csv", progress=lambda message: None),
               compute(delivered, "csv", progress=lambda message: None, conventions=conventions)]
    assert results[0].cells.equals(results[1].cells) and len(results[0].cells)


def zoned(day: str) -> str:
    """Half past midnight in Brussels on `day`, written in UTC: the day before, in UTC."""
    instant = pd.Timestamp(f"{day} 00:30", tz="Europe/Brussels").tz_convert("UTC")
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_date_times_with_a_time_zone_are_brussels_calendar_dates(tmp_path: Path, compiled_projects: Any) -> None:
    """A service at 00:30 in Brussels is 23:30 (or 22:30 in summer) the day before in UTC: it
    stays on its Belgian day, in CSV text and in a Parquet TIMESTAMP WITH TIME ZONE alike, and
    the claim of New Year's night stays in its year."""
    claims = BASE_CLAIMS + [{**BASE_CLAIMS[0], "service_date": "2020-01-01"},
                            {**BASE_CLAIMS[1], "service_date": "2020-07-01"}]
    standard = write_csv_extract(tmp_path / "standard", BASE_BENEFICIARIES, claims)
    in_csv = write_csv_extract(tmp_path / "csv", BASE_BENEFICIARIES,
                               [{**row, "service_date": zoned(row["service_date"])} for row in claims])
    in_parquet = tmp_path / "parquet"
    in_parquet.mkdir()
    write_raw_file(in_parquet / "beneficiaries.parquet", BENEFICIARY_COLUMNS, BASE_BENEFICIARIES)
    write_raw_file(in_parquet / "claims.parquet", {**CLAIM_COLUMNS, "service_date": "timestamptz"},
                   [{**row, "service_date": pd.Timestamp(f"{row['service_date']} 00:30", tz="Europe/Brussels")}
                    for row in claims])
    rows = "select service_date from stg_ima__claims order by all"
    expected = query(compiled_projects("csv").build(standard, tmp_path / "standard.duckdb"), rows)
    reference_cells = compute(standard, "csv", progress=lambda message: None).cells
    for raw_dir, raw_format in ((in_csv, "csv"), (in_parquet, "parquet")):
        check = check_extract(raw_dir)
        assert check.ok, check.errors
        assert any("time zone" in line and "Europe/Brussels" in line for line in check.detected)
        database = compiled_projects(raw_format).build(raw_dir, tmp_path / f"{raw_format}.duckdb")
        assert query(database, rows) == expected, raw_format
        assert compute(raw_dir, raw_format, progress=lambda message: None).cells.equals(reference_cells), raw_format


def test_the_build_fails_when_a_delivered_file_is_not_read(tmp_path: Path, compiled_projects: Any) -> None:
    """extract_file_reconciliation compares the rows the structural check counted per file
    (var raw_file_rows) with the rows the build read: a file the build missed fails its test."""
    raw_dir = write_csv_extract(tmp_path / "raw", BASE_BENEFICIARIES, BASE_CLAIMS)
    counted = check_extract(raw_dir).dbt_vars()["raw_file_rows"]
    assert isinstance(counted, list)
    # The compiled project names the raw directory by a placeholder, replaced at each build.
    delivered = [{**row, "source_file": row["source_file"].replace(str(raw_dir), RAW_DIR_PLACEHOLDER)}
                 for row in counted]
    missed = [*delivered, {"source_name": "claims", "source_file": f"{RAW_DIR_PLACEHOLDER}/claims_2021.csv",
                           "rows": 3}]
    for files, failing in ((delivered, {}), (missed, 1)):
        project = compiled_projects("csv", {"raw_file_rows": files})
        database = project.build(raw_dir, tmp_path / f"{len(files)}.duckdb")
        failures = project.failing_tests(database)
        reconciliation = {name: rows for name, rows in failures.items() if "extract_file_reconciliation" in name}
        assert (len(reconciliation) if failing else reconciliation) == failing, failures
        assert {name for name in failures if "extract_file_reconciliation" not in name} == set()


def test_the_run_command_publishes_a_belgian_extract_reading_every_delivered_row(
        tmp_path: Path, compiled_projects: Any) -> None:
    """The real path: the run command detects ';', Windows-1252 (a euro sign: read from UTF-8
    copies) and DD/MM/YYYY, says so, builds with them, and its per-file reconciliation finds every
    delivered row read, used or quarantined, under the delivered file's name; no copy is left."""
    beneficiaries, claims = accented(BASE_BENEFICIARIES), euro(accented(BASE_CLAIMS))
    claims += [{**claims[0], "quantity": "0"}]  # one quarantined line, to see it counted
    standard = write_csv_extract(tmp_path / "standard", beneficiaries, claims)
    delivered = write_csv_extract(tmp_path / "raw", beneficiaries, claims, separator=";", encoding="cp1252",
                                  convert=day_first, line_end="\r\n")
    database = tmp_path / "out" / "atlas.duckdb"
    result = run_pipeline(delivered, database)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for text in ("[check] detected: CSV: separator ';', encoding Windows-1252 (read from UTF-8 copies)",
                 "dates: DD/MM/YYYY", "claims.csv: 65 rows (2019, 2020)"):
        assert text in result.stdout, text
    assert not [path for path in (tmp_path / "out").iterdir() if path.name.endswith(".utf8")]
    files = query(database, "select source_file, rows_delivered, rows_read, rows_used, rows_quarantined "
                            "from extract_file_reconciliation order by 1")
    assert files == [(str(delivered / "beneficiaries.csv"), 48, 48, 48, 0),
                     (str(delivered / "claims.csv"), 65, 65, 64, 1)]
    expected = compiled_projects("csv").build(standard, tmp_path / "standard.duckdb")
    assert indicator_cells(database) == indicator_cells(expected)


def test_dates_do_not_depend_on_the_machine_time_zone(tmp_path: Path) -> None:
    """One claims file with DATE service dates, another with TIMESTAMP WITH TIME ZONE: read
    together, the dates become timestamps at midnight in the session's time zone. The run
    command, on a machine set to Tokyo time, still gives every claim its Belgian day."""
    raw_dir = tmp_path / "raw"
    raw_dir.mkdir()
    write_raw_file(raw_dir / "beneficiaries_2020.parquet", BENEFICIARY_COLUMNS, BASE_BENEFICIARIES)
    for year, column_type in ((2019, "date"), (2020, "timestamptz")):
        rows = [row for row in BASE_CLAIMS if row["service_date"].startswith(str(year))]
        if column_type == "timestamptz":
            rows = [{**row, "service_date": pd.Timestamp(f"{row['service_date']} 00:30", tz="Europe/Brussels")}
                    for row in rows]
        write_raw_file(raw_dir / f"claims_{year}.parquet", {**CLAIM_COLUMNS, "service_date": column_type}, rows)
    database = tmp_path / "out" / "atlas.duckdb"
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "scripts" / "run_pipeline.py"), "--raw-dir", str(raw_dir),
         "--database", str(database), "--published-database", str(tmp_path / "out" / "published.duckdb"),
         "--export-dir", str(tmp_path / "out" / "exports")],
        env={**os.environ, "TZ": "Asia/Tokyo"}, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # a table, built in the run (staging is a view, which would be evaluated here, in this process)
    dates = query(database, "select strftime(service_date, '%Y-%m-%d') from int_claim_lines_checked order by 1")
    assert dates == sorted((row["service_date"],) for row in BASE_CLAIMS)
