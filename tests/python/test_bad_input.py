"""Bad input (docs/row_rules.md and docs/raw_data.md): every corrupted extract gives either a
clear error naming the file and column, or quarantined rows with their reason, never a trace and
never a lost row; the indicators from what is left equal those of the extract without the bad
rows; and a failed run leaves the database it would have replaced exactly as it was.

Row-level cases are built with the project's compiled SQL (compiled_project.py: the same SQL dbt
runs, a second or two per build); one end-to-end run of the run command checks the real path.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pytest

from compiled_project import CompiledProject
from atlas.raw.check import check_extract
from conftest import BENEFICIARY_COLUMNS, CLAIM_COLUMNS, PROJECT_DIR, query, write_raw_file
from raw_deliveries import (
    copy_as, csv_extract, edit_csv, part_files, person_id_typed_integer, replace_column, rewrite,
    second_file_of_a_year)

Row = dict[str, Any]
YEARS = (2019, 2020)
# Known to the geography seeds: Brussels (21004) and Antwerp (11002), with synthetic sectors.
COMMUNES = ("21004", "11002")


def person(person_id: str, year: int, **changes: Any) -> Row:
    index = int("".join(ch for ch in person_id if ch.isdigit()) or 0)
    commune = COMMUNES[index % 2]
    row: Row = {"person_id": person_id, "year": str(year), "birth_year": str(1940 + 3 * index),
                "sex": "MF"[index % 2], "death_date": None, "commune_dec31": commune,
                "sector_dec31": f"{commune}ZZ1-", "commune_jun30": commune, "sector_jun30": f"{commune}ZZ1-"}
    row.update(changes)
    return row


def claim(person_id: str | None, service_date: str, code: str = "458990", quantity: str = "1", **changes: Any) -> Row:
    row: Row = {"person_id": person_id, "service_date": service_date, "nomenclature_code": code,
                "quantity": quantity, "provider_profession": "1", "provider_qualification": "465",
                "billing_practice_id": None}
    row.update(changes)
    return row


# The clean extract every case starts from: 24 persons in two communes, both years, with CT,
# echography and radiologist exams, enough for unsuppressed cells at the commune level.
BASE_BENEFICIARIES = [person(f"p{i}", year) for i in range(24) for year in YEARS]
BASE_CLAIMS = [claim(f"p{i}", f"{year}-0{1 + i % 9}-1{i % 10}", code)
               for i in range(24) for year in YEARS for code in (("458990",) if i % 3 else ("458990", "460014"))]


@dataclass
class Case:
    """A corrupted extract: what is added to (or replaces rows of) the clean one, the rows that
    must be quarantined, and the clean extract it must give the same indicators as."""

    name: str
    bad_beneficiaries: list[Row] = field(default_factory=list)
    bad_claims: list[Row] = field(default_factory=list)
    quarantined: dict[tuple[str, str], int] = field(default_factory=dict)
    # Rows that stand for the bad ones in the equivalent clean extract (e.g. the one used copy).
    clean_beneficiaries: list[Row] = field(default_factory=list)
    clean_claims: list[Row] = field(default_factory=list)
    # Base rows the corruption replaces (by person_id, in both files).
    replaces_person: str | None = None


ROW_CASES = [
    Case("claim without person id", bad_claims=[claim("  ", "2020-03-01")],
         quarantined={("claims", "missing_person_id"): 1}),
    Case("beneficiary without person id", bad_beneficiaries=[person("", 2020)],
         quarantined={("beneficiaries", "missing_person_id"): 1}),
    Case("birth year missing, and the person's claims with it", replaces_person="p5",
         bad_beneficiaries=[person("p5", 2019), person("p5", 2020, birth_year=" ")],
         bad_claims=[claim("p5", "2019-02-01"), claim("p5", "2020-02-01"), claim("p5", "2020-02-02", "460014")],
         quarantined={("beneficiaries", "missing_birth_year"): 1, ("claims", "person_not_in_population"): 2},
         clean_beneficiaries=[person("p5", 2019)], clean_claims=[claim("p5", "2019-02-01")]),
    Case("birth year in the future", bad_beneficiaries=[person("q1", 2020, birth_year="2021")],
         quarantined={("beneficiaries", "invalid_birth_year"): 1}),
    Case("birth year implausible", bad_beneficiaries=[person("q1", 2020, birth_year="1899")],
         quarantined={("beneficiaries", "invalid_birth_year"): 1}),
    Case("birth year not an integer", bad_beneficiaries=[person("q1", 2020, birth_year="1980.5")],
         quarantined={("beneficiaries", "invalid_birth_year"): 1}),
    Case("sex outside M/F", bad_beneficiaries=[person("q1", 2020, sex="X"), person("q2", 2020, sex=" ")],
         quarantined={("beneficiaries", "invalid_sex"): 2}),
    Case("year not an integer", bad_beneficiaries=[person("q1", 2020) | {"year": "twenty"}],
         quarantined={("beneficiaries", "invalid_year"): 1}),
    Case("death date not a date", bad_beneficiaries=[person("q1", 2020, death_date="31/05/2020")],
         quarantined={("beneficiaries", "invalid_death_date"): 1}),
    Case("unknown REFNIS code: placed on 30 June", replaces_person="p6",
         bad_beneficiaries=[person("p6", 2019), person("p6", 2020, commune_dec31="99999", sector_dec31=None,
                                                      commune_jun30="11002", sector_jun30="11002ZZ1-")],
         quarantined={("beneficiaries", "unknown_commune"): 1},
         clean_beneficiaries=[person("p6", 2019), person("p6", 2020, commune_dec31=None, sector_dec31=None,
                                                         commune_jun30="11002", sector_jun30="11002ZZ1-")]),
    Case("unknown REFNIS code on both dates: national only", replaces_person="p7",
         bad_beneficiaries=[person("p7", 2019), person("p7", 2020, commune_dec31="9999", commune_jun30="ABCDE")],
         quarantined={("beneficiaries", "unknown_commune"): 1},
         clean_beneficiaries=[person("p7", 2019), person("p7", 2020, commune_dec31=None, sector_dec31=None,
                                                         commune_jun30=None, sector_jun30=None)]),
    Case("REFNIS code of 6 digits is not cut to a valid one", replaces_person="p13",
         bad_beneficiaries=[person("p13", 2019), person("p13", 2020, commune_dec31="110020", commune_jun30=None,
                                                        sector_jun30=None)],
         quarantined={("beneficiaries", "unknown_commune"): 1},
         clean_beneficiaries=[person("p13", 2019), person("p13", 2020, commune_dec31=None, sector_dec31=None,
                                                          commune_jun30=None, sector_jun30=None)]),
    Case("qualification of 4 digits is not cut to a radiologist's",
         bad_claims=[claim("p14", "2020-08-09", "460014", provider_qualification="4600")],
         quarantined={}, clean_claims=[claim("p14", "2020-08-09", "460014", provider_qualification=None)]),
    Case("unknown statistical sector", replaces_person="p8",
         bad_beneficiaries=[person("p8", 2019), person("p8", 2020, sector_dec31="99999ZZ9-")],
         quarantined={("beneficiaries", "unknown_sector"): 1},
         clean_beneficiaries=[person("p8", 2019), person("p8", 2020, sector_dec31=None)]),
    Case("beneficiary delivered twice", bad_beneficiaries=[person("p9", 2020)],
         quarantined={("beneficiaries", "duplicate_beneficiary_row"): 1}, clean_beneficiaries=[]),
    Case("two conflicting rows for one person-year, and the person's claims", replaces_person="p10",
         bad_beneficiaries=[person("p10", 2019), person("p10", 2020), person("p10", 2020, birth_year="1951")],
         bad_claims=[claim("p10", "2019-03-01"), claim("p10", "2020-03-01")],
         quarantined={("beneficiaries", "conflicting_beneficiary_rows"): 2, ("claims", "person_not_in_population"): 1},
         clean_beneficiaries=[person("p10", 2019)], clean_claims=[claim("p10", "2019-03-01")]),
    Case("service date not a date", bad_claims=[claim("p1", "31/12/2020"), claim("p1", "2020-02-30")],
         quarantined={("claims", "invalid_service_date"): 2}),
    Case("service date in a year not delivered", bad_claims=[claim("p1", "2018-12-31"), claim("p1", "2021-01-01")],
         quarantined={("claims", "service_year_not_delivered"): 2}),
    Case("nomenclature code with a letter", bad_claims=[claim("p1", "2020-05-05", "45899O")],
         quarantined={("claims", "invalid_nomenclature_code"): 1}),
    Case("nomenclature code of 7 digits", bad_claims=[claim("p1", "2020-05-05", "4589901")],
         quarantined={("claims", "invalid_nomenclature_code"): 1}),
    Case("quantity zero, blank, 1.5", bad_claims=[claim("p1", "2020-05-05", quantity="0"),
                                                  claim("p2", "2020-05-05", quantity=" "),
                                                  claim("p3", "2020-05-05", quantity="1.5")],
         quarantined={("claims", "invalid_quantity"): 3}),
    Case("claim for a person absent from the population", bad_claims=[claim("nobody", "2020-05-05")],
         quarantined={("claims", "person_not_in_population"): 1}),
    Case("exact duplicate claim line", bad_claims=[claim("p2", "2020-06-06", "460014")] * 2,
         quarantined={("claims", "duplicate_claim_line"): 1}, clean_claims=[claim("p2", "2020-06-06", "460014")]),
    Case("correction without its original", bad_claims=[claim("p3", "2020-06-06", "460014", quantity="-1")],
         quarantined={("claims", "unmatched_correction"): 1}),
    Case("bill, cancel and re-bill is not a duplicate",
         bad_claims=[claim("p4", "2020-07-07", "460014"), claim("p4", "2020-07-07", "460014", quantity="-1"),
                     claim("p4", "2020-07-07", "460014")],
         quarantined={}, clean_claims=[claim("p4", "2020-07-07", "460014")]),
    Case("a code that lost its leading zero is mended, not quarantined",
         bad_claims=[claim("p11", "2020-08-08", "58990", provider_profession="3", provider_qualification="1")],
         quarantined={},
         clean_claims=[claim("p11", "2020-08-08", "058990", provider_profession="3", provider_qualification="001")]),
    Case("several defects at once", replaces_person="p12",
         bad_beneficiaries=[person("p12", 2019, sex="F "), person("p12", 2020, birth_year="2030"),
                            person("q9", 2020, commune_dec31="12345")],
         bad_claims=[claim("p12", "2019-01-01"), claim("p12", "2020-01-01"), claim("q9", "2020-01-01", quantity="2"),
                     claim("q9", "2020-01-01", quantity="2"), claim("q9", "not a date"), claim(None, "2020-01-01")],
         quarantined={("beneficiaries", "invalid_birth_year"): 1, ("beneficiaries", "unknown_commune"): 1,
                      ("claims", "person_not_in_population"): 1, ("claims", "duplicate_claim_line"): 1,
                      ("claims", "invalid_service_date"): 1, ("claims", "missing_person_id"): 1},
         clean_beneficiaries=[person("p12", 2019, sex="F"),
                              person("q9", 2020, commune_dec31=None, sector_dec31=None)],
         clean_claims=[claim("p12", "2019-01-01"), claim("q9", "2020-01-01", quantity="2")]),
]


def extract(case: Case, clean: bool) -> tuple[list[Row], list[Row]]:
    beneficiaries = [row for row in BASE_BENEFICIARIES if row["person_id"] != case.replaces_person]
    claims = [row for row in BASE_CLAIMS if row["person_id"] != case.replaces_person]
    if clean:
        return beneficiaries + case.clean_beneficiaries, claims + case.clean_claims
    return beneficiaries + case.bad_beneficiaries, claims + case.bad_claims


def write_csv_extract(raw_dir: Path, beneficiaries: list[Row], claims: list[Row]) -> Path:
    """The extract as CSV, every value text as a delivery would hold it."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    write_raw_file(raw_dir / "beneficiaries.csv", {name: "varchar" for name in BENEFICIARY_COLUMNS}, beneficiaries)
    write_raw_file(raw_dir / "claims.csv", {name: "varchar" for name in CLAIM_COLUMNS}, claims)
    return raw_dir


@pytest.fixture(scope="module")
def project(compiled_projects: Any) -> CompiledProject:
    return compiled_projects("csv")


def indicator_cells(database: Path) -> list[tuple[Any, ...]]:
    return query(database, "select * from indicator_values order by all") + query(
        database, "select * from int_indicator_cells_computed order by all")


@pytest.fixture(scope="module")
def clean_builds(project: CompiledProject, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Build a clean extract once, however many cases share it: (case) -> database."""
    root = tmp_path_factory.mktemp("clean_builds")
    cache: dict[str, Path] = {}

    def build(case: Case) -> Path:
        beneficiaries, claims = extract(case, clean=True)
        key = hashlib.sha256(repr((beneficiaries, claims)).encode()).hexdigest()[:16]
        if key not in cache:
            raw_dir = write_csv_extract(root / key, beneficiaries, claims)
            cache[key] = project.build(raw_dir, root / f"{key}.duckdb")
        return cache[key]

    yield build


@pytest.mark.parametrize("case", ROW_CASES, ids=[case.name for case in ROW_CASES])
def test_bad_rows_are_quarantined_with_their_reason_and_nothing_else_moves(
        case: Case, project: CompiledProject, clean_builds: Any, tmp_path: Path) -> None:
    raw_dir = write_csv_extract(tmp_path / "corrupted", *extract(case, clean=False))
    built = {"corrupted": project.build(raw_dir, tmp_path / "corrupted.duckdb"), "clean": clean_builds(case)}
    # the project's data tests, the reconciliation among them, hold on the corrupted extract
    assert project.failing_tests(built["corrupted"]) == {}
    quarantined = query(built["corrupted"], """
        select 'beneficiaries', reason_code, count(*) from quarantined_beneficiaries group by all
        union all select 'claims', reason_code, count(*) from quarantined_claims group by all""")
    assert {(source, reason): rows for source, reason, rows in quarantined} == case.quarantined
    # every row read is used or quarantined (the dbt test above checks the same per year)
    beneficiaries, claims = extract(case, clean=False)
    totals = dict(query(built["corrupted"], "select source_name, sum(rows_read) from extract_reconciliation group by 1"))
    assert totals == {"beneficiaries": len(beneficiaries), "claims": len(claims)}
    corrupted_cells, clean_cells = indicator_cells(built["corrupted"]), indicator_cells(built["clean"])
    assert len(corrupted_cells) == len(clean_cells) > 0
    differing = [(a, b) for a, b in zip(corrupted_cells, clean_cells) if a != b]
    assert not differing, f"{len(differing)} cells differ, first: {differing[0]}"


def test_the_quarantine_keeps_the_row_as_delivered(project: CompiledProject, tmp_path: Path) -> None:
    case = next(case for case in ROW_CASES if case.name == "several defects at once")
    raw_dir = write_csv_extract(tmp_path / "raw", *extract(case, clean=False))
    database = project.build(raw_dir, tmp_path / "atlas.duckdb")
    rows = query(database, """
        select source_file, person_id, service_date_text, quantity_text, reason
        from quarantined_claims where reason_code = 'invalid_service_date'""")
    assert rows == [(str(raw_dir / "claims.csv"), "q9", "not a date", "1",
                     "service_date is missing or not a date: the line belongs to no year")]
    rows = query(database, "select year, birth_year_text, row_used from quarantined_beneficiaries "
                           "where reason_code = 'invalid_birth_year'")
    assert rows == [(2020, "2030", False)]


# --- structural problems: the run command stops before dbt, naming file and column ---------

RUN_PIPELINE = PROJECT_DIR / "scripts" / "run_pipeline.py"


def run_pipeline(raw_dir: Path, database: Path) -> subprocess.CompletedProcess[str]:
    """The run command, its published database and exports beside the working database."""
    return subprocess.run([sys.executable, str(RUN_PIPELINE), "--raw-dir", str(raw_dir), "--database", str(database),
                           "--published-database", str(database.with_name("published.duckdb")),
                           "--export-dir", str(database.with_name("exports"))],
                          cwd=PROJECT_DIR, capture_output=True, text=True, check=False)


def digest(database: Path) -> dict[str, str]:
    """Every output of a run (working and published database, exports): name -> SHA-256."""
    outputs = [database, database.with_name("published.duckdb"), *sorted(database.with_name("exports").rglob("*"))]
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in outputs if path.is_file()}


def write_parquet(path: Path, select_sql: str) -> None:
    with duckdb.connect() as connection:
        connection.execute(f"copy ({select_sql}) to '{path}' (format parquet)")


def clean_parquet_extract(raw_dir: Path) -> Path:
    raw_dir.mkdir(parents=True, exist_ok=True)
    for name, columns, rows in (("beneficiaries", BENEFICIARY_COLUMNS, BASE_BENEFICIARIES),
                                ("claims", CLAIM_COLUMNS, BASE_CLAIMS)):
        write_raw_file(raw_dir / f"{name}_2020.parquet", columns, rows)
    return raw_dir


def corrupt(raw_dir: Path, file_name: str, select_sql: str) -> Path:
    """Rewrite one file of the extract with `select_sql` over its current content (view `f`)."""
    path = raw_dir / file_name
    staged = path.with_suffix(".staged.parquet")
    with duckdb.connect() as connection:
        connection.execute(f"create view f as select * from read_parquet('{path}')")
        connection.execute(f"copy ({select_sql}) to '{staged}' (format parquet)")
    staged.replace(path)
    return path


def csv_with_a_broken_line(raw_dir: Path) -> None:
    for path in raw_dir.glob("*.parquet"):
        path.unlink()
    write_csv_extract(raw_dir, BASE_BENEFICIARIES, BASE_CLAIMS)
    (raw_dir / "beneficiaries.csv").rename(raw_dir / "beneficiaries_2020.csv")
    lines = (raw_dir / "claims.csv").read_text().splitlines()
    lines[5] += ',"an unclosed note'
    (raw_dir / "claims_2020.csv").write_text("\n".join(lines) + "\n")
    (raw_dir / "claims.csv").unlink()


def missing_file(raw_dir: Path) -> Path:
    path = raw_dir / "claims_2020.parquet"
    path.unlink()
    return raw_dir


STRUCTURAL_CASES: list[tuple[str, Any, list[str]]] = [
    ("claims file missing", missing_file, ["no claims file", "claims*.parquet"]),
    ("required column missing",
     lambda raw: corrupt(raw, "claims_2020.parquet", "select * exclude (person_id) from f"),
     ["claims_2020.parquet", "required column 'person_id' (string) is missing"]),
    ("column misspelled",
     lambda raw: corrupt(raw, "claims_2020.parquet",
                         "select * exclude (service_date), service_date as servcie_date from f"),
     ["claims_2020.parquet", "'service_date' (date) is missing", "did you mean 'servcie_date'"]),
    ("column renamed between deliveries",
     lambda raw: corrupt(raw, "beneficiaries_2020.parquet", "select * exclude (sex), sex as gender from f"),
     ["beneficiaries_2020.parquet", "'sex' (string) is missing", "found: person_id"]),
    ("CSV line with a stray field",
     lambda raw: csv_with_a_broken_line(raw),
     ["claims_2020.csv", "cannot be read as CSV", "CSV Error on Line: 6", '"an unclosed note']),
    ("quantity stored as a decimal",
     lambda raw: corrupt(raw, "claims_2020.parquet",
                         "select * exclude (quantity), cast(quantity as double) as quantity from f"),
     ["claims_2020.parquet", "column 'quantity' has type DOUBLE", "expected an integer type"]),
    # Text that is no text: cast to text, '[459]' or '459.0' would match no qualification range,
    # and every radiologist's exam would leave stat_013_007 without a word.
    ("qualification stored as a list",
     lambda raw: corrupt(raw, "claims_2020.parquet",
                         "select * replace ([provider_qualification] as provider_qualification) from f"),
     ["claims_2020.parquet", "column 'provider_qualification' has type VARCHAR[]",
      "expected text (VARCHAR), or whole numbers for a code"]),
    ("qualification stored as a decimal number",
     lambda raw: corrupt(raw, "claims_2020.parquet",
                         "select * replace (cast(provider_qualification as double) as provider_qualification) from f"),
     ["claims_2020.parquet", "column 'provider_qualification' has type DOUBLE"]),
    ("year stored as text",
     lambda raw: corrupt(raw, "beneficiaries_2020.parquet",
                         "select * exclude (year), cast(year as varchar) as year from f"),
     ["beneficiaries_2020.parquet", "column 'year' has type VARCHAR", "expected an integer type"]),
    ("unreadable file",
     lambda raw: (raw / "beneficiaries_2020.parquet").write_bytes(b"not a parquet file at all"),
     ["beneficiaries_2020.parquet", "cannot be read as PARQUET"]),
    ("a second year's file lacks a column",
     lambda raw: write_parquet(raw / "claims_2021.parquet",
                               f"select * exclude (quantity) from read_parquet('{raw}/claims_2020.parquet')"),
     ["claims_2021.parquet", "required column 'quantity' (integer) is missing"]),
    ("Parquet and CSV mixed",
     lambda raw: (raw / "claims_extra.csv").write_text("person_id\np1\n"),
     ["holds both Parquet and CSV"]),
    # Files the build's glob would miss or read twice (docs/raw_data.md).
    ("source file name in another letter case",
     lambda raw: rewrite(raw, "claims_2020.parquet", "select * from f where false", "Claims_2021.parquet"),
     ["Claims_2021.parquet", "differs from the contract only in letter case", "rename it to claims_2021.parquet"]),
    ("source delivered as a folder of part files", part_files,
     ["claims_2021.parquet: a folder (part files", "merge the parts into one file"]),
    ("a copy of a file", lambda raw: copy_as(raw, "claims_2020.parquet", "claims_2020 (1).parquet"),
     ["claims_2020 (1).parquet", "looks like a copy", "'(1)'"]),
    ("a copy the file manager named", lambda raw: copy_as(raw, "beneficiaries_2020.parquet",
                                                          "beneficiaries_2020 - Copy.parquet"),
     ["beneficiaries_2020 - Copy.parquet", "looks like a copy"]),
    ("source as .txt", lambda raw: (raw / "claims_2021.txt").write_text("person_id,service_date\n"),
     ["claims_2021.txt", "unknown extension '.txt'", "rename it to .csv"]),
    ("source compressed", lambda raw: (raw / "claims_2021.csv.gz").write_bytes(b"\x1f\x8b"),
     ["claims_2021.csv.gz", "unknown extension '.csv.gz'", "gunzip"]),
    ("source as a spreadsheet", lambda raw: (raw / "beneficiaries_2021.xlsx").write_bytes(b"PK"),
     ["beneficiaries_2021.xlsx", "unknown extension '.xlsx'", "save it from the spreadsheet as CSV"]),
    ("extension in capitals", lambda raw: copy_as(raw, "claims_2020.parquet", "claims_2021.PARQUET"),
     ["claims_2021.PARQUET", "letter case"]),
    ("a data file named after no source", lambda raw: copy_as(raw, "claims_2020.parquet", "soins_2021.parquet"),
     ["soins_2021.parquet", "a data file the contract does not name"]),
    ("the same file under two names", lambda raw: copy_as(raw, "claims_2020.parquet", "claims_2020_v2.parquet"),
     ["claims_2020_v2.parquet: the same content as claims_2020.parquet", "remove one of them"]),
    ("a year of claims delivered twice", lambda raw: second_file_of_a_year(raw, "claims"),
     ["claims_2020_resent.parquet: claims of 2019, 2020 are also in claims_2020.parquet", "a year delivered twice"]),
    ("a year of the population delivered twice", lambda raw: second_file_of_a_year(raw, "beneficiaries"),
     ["beneficiaries_2020_resent.parquet: beneficiaries of 2019, 2020 are also in beneficiaries_2020.parquet"]),
    # Whole-column conventions the build does not read.
    ("person_id INTEGER in one file, text in another", person_id_typed_integer,
     ["column 'person_id' is not of one type", "claims_2021.parquet INTEGER", "claims_2020.parquet VARCHAR",
      "deliver it as text"]),
    ("service dates that are no date in a whole column",
     lambda raw: rewrite(raw, "claims_2020.parquet", "select * replace ('unknown' as service_date) from f"),
     ["claims_2020.parquet: column 'service_date'", "e.g. 'unknown'", "YYYY-MM-DD or DD/MM/YYYY"]),
    ("service dates written YYYYMMDD",
     lambda raw: rewrite(raw, "claims_2020.parquet",
                         "select * replace (strftime(service_date, '%Y%m%d') as service_date) from f"),
     ["claims_2020.parquet: column 'service_date'", "e.g. '20190110'", "a date written YYYY-MM-DD or DD/MM/YYYY"]),
    ("CSV: sex coded 1/2", lambda raw: replace_column(csv_extract(raw), "beneficiaries_2020.csv", "sex", "1"),
     ["beneficiaries_2020.csv: column 'sex'", "e.g. '1'", "M or F"]),
    ("CSV: qualification codes saved as decimals",
     lambda raw: replace_column(csv_extract(raw), "claims_2020.csv", "provider_qualification", "459.0"),
     ["claims_2020.csv: column 'provider_qualification'", "e.g. '459.0'", "a qualification code of 3 digits"]),
    ("CSV: quantity with a decimal comma",
     lambda raw: replace_column(csv_extract(raw, separator=";"), "claims_2020.csv", "quantity", "1,00", ";"),
     ["claims_2020.csv: column 'quantity'", "e.g. '1,00'", "a whole number"]),
    ("CSV: dates written MM/DD/YYYY where the day exceeds 12",
     lambda raw: replace_column(csv_extract(raw), "claims_2020.csv", "service_date", "12/31/2020"),
     ["claims_2020.csv: column 'service_date'", "e.g. '12/31/2020'"]),
    ("CSV separated by tabs", lambda raw: csv_extract(raw, separator="\t"),
     ["beneficiaries_2020.csv: fields separated by a tab", "separated by ',' or ';'"]),
    ("CSV files with different separators",
     lambda raw: (csv_extract(raw), edit_csv(raw, "claims_2020.csv", lambda text: text.replace(b",", b";"))),
     ["claims_2020.csv: separator ';', but beneficiaries_2020.csv has ','",
      "write every CSV file of the extract alike"]),
    ("CSV in UTF-16", lambda raw: (csv_extract(raw), edit_csv(
        raw, "claims_2020.csv", lambda text: text.decode().encode("utf-16"))),
     ["claims_2020.csv: UTF-16 text", "save it as CSV UTF-8"]),
    ("CSV with a byte neither UTF-8 nor Windows-1252", lambda raw: (
        csv_extract(raw, separator=";", encoding="cp1252"), edit_csv(
            raw, "claims_2020.csv", lambda text: text.replace(b";\n", b";MM\x81\n", 1))),
     ["claims_2020.csv: neither UTF-8 nor Windows-1252 (byte 0x81 at line 2, column 'billing_practice_id')",
      "save it as CSV UTF-8"]),
    ("CSV with a byte-order mark but not UTF-8", lambda raw: (csv_extract(raw, byte_order_mark=True), edit_csv(
        raw, "claims_2020.csv", lambda text: text.replace(b",\n", b",MM\xe9\n", 1))),
     ["claims_2020.csv: starts with a UTF-8 byte-order mark but is not UTF-8", "line 2, column 'billing_practice_id'"]),
    ("CSV files in two encodings", lambda raw: (
        csv_extract(raw), edit_csv(raw, "claims_2020.csv", lambda text: text.replace(b",\n", b",MM\xe9\n", 1)),
        edit_csv(raw, "beneficiaries_2020.csv", lambda text: text.replace(b"p1,", "pé1,".encode(), 1))),
     ["claims_2020.csv: encoding 'latin-1', but beneficiaries_2020.csv has 'utf-8'"]),
]


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, str]]:
    """A database built by the run command from a corrupted CSV extract holding every row
    case, with the run's output and the database's digest."""
    root = tmp_path_factory.mktemp("previous_build")
    beneficiaries: list[Row] = []
    claims: list[Row] = []
    for index, case in enumerate(ROW_CASES):
        # each case's whole extract, its person ids prefixed so that the cases do not meet
        def renamed(row: Row) -> Row:
            return {**row, "person_id": f"c{index}_{row['person_id']}"} if (row["person_id"] or "").strip() else row
        case_beneficiaries, case_claims = extract(case, clean=False)
        beneficiaries += [renamed(row) for row in case_beneficiaries]
        claims += [renamed(row) for row in case_claims]
    raw_dir = write_csv_extract(root / "raw", beneficiaries, claims)
    database = root / "atlas.duckdb"
    result = run_pipeline(raw_dir, database)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-3000:]
    yield database, result.stdout, digest(database)


def test_the_run_command_reconciles_a_corrupted_extract(previous_build: tuple[Path, str, str]) -> None:
    database, stdout, _ = previous_build
    rows = query(database, "select source_name, sum(rows_read), sum(rows_used), sum(rows_quarantined) "
                           "from extract_reconciliation group by 1 order by 1")
    for source, read, used, quarantined in rows:
        assert read == used + quarantined and quarantined > 0
        assert f"{source}: {read:,} rows read = {used:,} used + {quarantined:,} quarantined" in stdout
    for reason in ("invalid_birth_year", "unknown_commune", "duplicate_claim_line", "unmatched_correction"):
        assert reason in stdout
    assert "Traceback" not in stdout


@pytest.mark.parametrize("name, damage, messages", STRUCTURAL_CASES, ids=[case[0] for case in STRUCTURAL_CASES])
def test_structural_problems_stop_the_run_naming_file_and_column(
        name: str, damage: Any, messages: list[str], tmp_path: Path, previous_build: tuple[Path, str, str]) -> None:
    raw_dir = clean_parquet_extract(tmp_path / "raw")
    damage(raw_dir)
    database, _, before = previous_build
    result = run_pipeline(raw_dir, database)
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    for message in messages:
        assert message in result.stderr, f"{message!r} not in:\n{result.stderr}"
    assert "nothing was built or overwritten" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "dbt build" not in result.stdout
    assert digest(database) == before


def test_extra_columns_are_ignored_with_a_notice(tmp_path: Path) -> None:
    raw_dir = clean_parquet_extract(tmp_path / "raw")
    corrupt(raw_dir, "claims_2020.parquet", "select *, 'x' as invoice_number from f")
    result = check_extract(raw_dir)
    assert result.ok and result.errors == []
    assert result.notices == [f"{raw_dir / 'claims_2020.parquet'}: extra column(s) ignored: invoice_number"]
