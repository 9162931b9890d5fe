"""The yearly update (issue 13): adding a year, re-delivering a corrected one or withdrawing one
rebuilds only the years its files touch, and the result is the full build's, cell for cell
(yearly_builds.py)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import duckdb

from yearly_builds import assert_same_build, run, unique_test_sql, years_line


def narrowing_line(output: str) -> str:
    [line] = [line for line in output.splitlines() if line.startswith("[run] of those years,")]
    return line


def test_adding_correcting_and_withdrawing_years_rebuilds_those_years_as_a_full_build_would(
        yearly_extract: Path, yearly_full_build: Path, tmp_path: Path) -> None:
    raw_dir, updated = tmp_path / "raw", tmp_path / "updated"
    raw_dir.mkdir()
    for path in yearly_extract.iterdir():
        if "2023" not in path.name:
            shutil.copy2(path, raw_dir / path.name)
    history = run(raw_dir, updated)
    assert years_line(history, "built").startswith("[run] years built: every year (no earlier build")

    for path in yearly_extract.glob("*2023*"):
        shutil.copy2(path, raw_dir / path.name)
    # In steps of a year, as an update of more lines than fit in memory at once is built.
    added = run(raw_dir, updated, "--max-lines-per-step", "1")
    assert "[run] the update is built in 2 steps of at most 1 claim lines: 2022; 2023" in added
    # claims_2023 also bills late services of 2022: both years are rebuilt, 2021 is kept
    assert years_line(added, "built").startswith("[run] years built: 2022, 2023 (")
    assert "2021" in years_line(added, "kept")
    # ... but of 2022 neither the population nor the lines of claims_2022 are checked again
    assert narrowing_line(added).startswith("[run] of those years, population rebuilt: 2023; claim lines checked "
                                            "again: those of claims_2023.parquet,")
    assert_same_build(updated, yearly_full_build, (raw_dir, yearly_extract))
    # The data tests of the per-year models read the years rebuilt, in both steps, not 2021 again.
    assert "where (year in (2022, 2023, 0) or year is null)" in unique_test_sql("int_beneficiary_years_located")

    # A corrected 2022 claims file: a tenth of its lines withdrawn.
    claims_2022 = raw_dir / "claims_2022.parquet"
    corrected = tmp_path / "claims_2022.parquet"
    with duckdb.connect() as connection:
        connection.execute(f"copy (select * from read_parquet('{claims_2022}') where hash(person_id, service_date) % 10 "
                           f"<> 0) to '{corrected}' (format parquet)")
    os.replace(corrected, claims_2022)
    redelivered = run(raw_dir, updated)
    built = years_line(redelivered, "built")
    assert built.startswith("[run] years built: 2021, 2022 (")  # the file's late bills of 2021 too
    assert narrowing_line(redelivered).startswith("[run] of those years, population rebuilt: none; claim lines "
                                                  "checked again: those of claims_2022.parquet,")
    assert "2023" in years_line(redelivered, "kept")
    full = tmp_path / "full"
    run(raw_dir, full)
    assert "year in (" not in unique_test_sql("int_beneficiary_years_located")  # a full build tests every row
    assert_same_build(updated, full, (raw_dir, raw_dir))

    # The first year withdrawn: its rows go, though no delivered file holds that year any more. Its
    # figures leave the publication, which the plausibility gate lets through only when told.
    for path in raw_dir.glob("*2021*"):
        path.unlink()
    withdrawn = run(raw_dir, updated, "--accept-quarantine", "2021 withdrawn on purpose")
    assert re.search(r"- beneficiaries 2021: [\d,]+ rows in the previous build, none in this one; their figures "
                     "would leave the publication", withdrawn)
    assert years_line(withdrawn, "built").startswith("[run] years built: 2020, 2021 (")
    assert narrowing_line(withdrawn).startswith("[run] of those years, population rebuilt: 2021; claim lines "
                                                "checked again: those of claims_2021.parquet,")
    shutil.rmtree(full)
    run(raw_dir, full)
    assert_same_build(updated, full, (raw_dir, raw_dir))
