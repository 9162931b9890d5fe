"""What a yearly update rebuilds (scripts/atlas/pipeline/yearly_update.py), from the files that
changed since the recorded build: the years they touch, and of those the population years and the
claims files whose lines are checked again. The builds themselves: test_yearly_update.py."""

from __future__ import annotations

from pathlib import Path

from atlas.pipeline import yearly_update
from atlas.pipeline.yearly_update import DeliveredFile

FINGERPRINT = "project and conventions"


def delivered(name: str, years: tuple[int, ...], size: int = 100) -> DeliveredFile:
    source = name.split("_")[0]
    return DeliveredFile(source, f"/raw/{name}.parquet", size, 1, years)


HISTORY = [delivered("beneficiaries_2021", (2021,)), delivered("beneficiaries_2022", (2022,)),
           delivered("claims_2021", (2020, 2021)), delivered("claims_2022", (2021, 2022))]


def planned(tmp_path: Path, files: list[DeliveredFile]) -> yearly_update.UpdatePlan:
    database = tmp_path / "atlas.duckdb"
    yearly_update.record(database, yearly_update.UpdatePlan(None, [], "history", tuple(HISTORY), FINGERPRINT))
    return yearly_update.plan(database, files, FINGERPRINT, full_refresh=False)


def test_a_new_year_rebuilds_the_year_before_without_its_population_or_its_own_claim_lines(tmp_path: Path) -> None:
    update = planned(tmp_path, [*HISTORY, delivered("beneficiaries_2023", (2023,)),
                                delivered("claims_2023", (2022, 2023))])
    assert (update.build_years, update.kept_years) == ([2022, 2023], [2020, 2021])
    assert update.population_years == [2023]
    assert update.changed_claim_files == ["/raw/claims_2023.parquet"]
    assert update.dbt_vars() == {"build_years": [2022, 2023], "population_build_years": [2023],
                                 "changed_claim_files": ["/raw/claims_2023.parquet"], "tested_years": [2022, 2023]}
    assert update.summary()[2] == ("[run] of those years, population rebuilt: 2023; claim lines checked again: those "
                                   "of claims_2023.parquet, and every line of a year whose population was rebuilt")


def test_a_corrected_claims_file_keeps_every_population_and_the_other_files_lines(tmp_path: Path) -> None:
    corrected = [*HISTORY[:3], delivered("claims_2022", (2021, 2022), size=90)]
    update = planned(tmp_path, corrected)
    assert update.build_years == [2021, 2022]
    assert update.population_years == []
    assert update.changed_claim_files == ["/raw/claims_2022.parquet"]


def test_a_withdrawn_year_rebuilds_its_population_and_every_line_of_it(tmp_path: Path) -> None:
    update = planned(tmp_path, [HISTORY[1], HISTORY[3]])
    assert update.build_years == [2020, 2021]
    assert update.population_years == [2021]
    assert update.changed_claim_files == ["/raw/claims_2021.parquet"]


def test_a_full_build_and_a_step_of_a_history_narrow_nothing(tmp_path: Path) -> None:
    full = yearly_update.plan(tmp_path / "none.duckdb", HISTORY, FINGERPRINT, full_refresh=False)
    assert full.dbt_vars() == {}
    steps = yearly_update.in_steps(full, {2020: 10, 2021: 50, 2022: 50}, max_lines_per_step=60)
    assert [step.dbt_vars() for step in steps] == [{"build_years": [2020, 2021]}, {"build_years": [2022]}]
    # no tested_years: the last step's data tests check the rows of every step
    assert len(steps[-1].summary()) == 2


def test_an_update_of_several_years_is_built_a_step_of_years_at_a_time(tmp_path: Path) -> None:
    update = planned(tmp_path, [*HISTORY, delivered("beneficiaries_2023", (2023,)),
                                delivered("claims_2023", (2022, 2023))])
    first, last = yearly_update.in_steps(update, {2022: 50, 2023: 40}, max_lines_per_step=60)
    # The data tests, in the last step, check the rows of every year the update rebuilt.
    assert first.dbt_vars() == {"build_years": [2022], "population_build_years": [],
                                "changed_claim_files": ["/raw/claims_2023.parquet"], "tested_years": [2022, 2023]}
    assert last.dbt_vars() == {"build_years": [2023], "population_build_years": [2023],
                               "changed_claim_files": ["/raw/claims_2023.parquet"], "tested_years": [2022, 2023]}
    assert yearly_update.in_steps(update, {2022: 50, 2023: 40}, max_lines_per_step=90) == [update]
